//! Profile routes with pagination and the per-token rate limit, through
//! the router (the role widgets are in tests/role_widgets.rs).

mod common;

use axum::http::{header, StatusCode};
use common::{get, login, test_app, test_app_with};
use larder_protocol::{Follower, Page, Post, UserProfile};

#[tokio::test]
async fn profiles_of_known_users() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    let profile: UserProfile = get(&app, &format!("/users/{id}"), Some(&token))
        .await
        .json();
    assert_eq!(profile.name, "alice");
    get(&app, "/users/u_nobody", Some(&token))
        .await
        .assert_error(StatusCode::NOT_FOUND, "user_not_found");
    get(&app, &format!("/users/{id}"), None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "missing_token");
}

#[tokio::test]
async fn posts_and_followers_paginate() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    let first: Page<Post> = get(
        &app,
        &format!("/users/{id}/posts?page=1&limit=5"),
        Some(&token),
    )
    .await
    .json();
    assert_eq!(first.items.len(), 5);
    assert!(first.has_more);
    let last_page = first.total.div_ceil(5);
    let last: Page<Post> = get(
        &app,
        &format!("/users/{id}/posts?page={last_page}&limit=5"),
        Some(&token),
    )
    .await
    .json();
    assert!(!last.has_more);
    assert_eq!(last.items.len() as u32, first.total - 5 * (last_page - 1));
    let followers: Page<Follower> = get(&app, &format!("/users/{id}/followers"), Some(&token))
        .await
        .json();
    assert_eq!(followers.limit, 10, "the default limit");
    for bad in [
        "page=0",
        "limit=0",
        "limit=101",
        "page=-1",
        "page=abc",
        "limit=1e3",
    ] {
        get(&app, &format!("/users/{id}/followers?{bad}"), Some(&token))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "invalid_pagination");
    }
}

#[tokio::test(start_paused = true)]
async fn the_rate_limit_is_per_token_with_retry_after() {
    let (app, _) = test_app_with(mock_api::Config {
        rate_limit: 5,
        ..mock_api::testing::instant()
    });
    let (alice, _) = login(&app, "alice").await;
    let (bob, _) = login(&app, "bob").await;
    for _ in 0..5 {
        assert_eq!(
            get(&app, "/auth/session", Some(&alice)).await.status,
            StatusCode::OK
        );
    }
    let limited = get(&app, "/auth/session", Some(&alice)).await;
    limited.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert_eq!(limited.headers[header::RETRY_AFTER], "60");
    assert_eq!(
        get(&app, "/auth/session", Some(&bob)).await.status,
        StatusCode::OK
    );
    tokio::time::advance(std::time::Duration::from_secs(60)).await;
    assert_eq!(
        get(&app, "/auth/session", Some(&alice)).await.status,
        StatusCode::OK
    );
}
