//! A post's page through the router: the post by its id, its comments, the
//! posts related by tag (whose authors' profiles always exist), with bad
//! ids refused, faults per part, and each part's own delay.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{get, login, test_app, test_app_with};
use larder_protocol::{
    test_controls::{FaultKind, FaultRequest, FaultResource, FaultTarget},
    Comment, Page, Post, RelatedPosts, UserProfile,
};

#[tokio::test]
async fn a_post_its_comments_and_related_posts_by_their_authors() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    let posts: Page<Post> = get(&app, &format!("/users/{id}/posts"), Some(&token))
        .await
        .json();
    let first = posts.items[0].clone();
    assert_eq!(first.author_id, id);
    assert_eq!(first.id, format!("{id}-p1"));
    let post: Post = get(&app, &format!("/posts/{}", first.id), Some(&token))
        .await
        .json();
    assert_eq!(post, first, "the same post as in the list");

    let comments: Page<Comment> = get(
        &app,
        &format!("/posts/{}/comments?page=1&limit=5", post.id),
        Some(&token),
    )
    .await
    .json();
    assert!(comments.items.len() <= 5);

    let related: RelatedPosts = get(
        &app,
        &format!("/posts?tag={}&exclude={}", post.tag, post.id),
        Some(&token),
    )
    .await
    .json();
    assert!(!related.items.is_empty());
    for other in &related.items {
        assert_eq!(other.tag, post.tag);
        assert_ne!(other.id, post.id);
        let author: UserProfile = get(&app, &format!("/users/{}", other.author_id), Some(&token))
            .await
            .json();
        assert_eq!(author.id, other.author_id, "every related author exists");
    }
}

#[tokio::test]
async fn bad_post_ids_and_tags_are_refused() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    for bad in [
        "p1",
        &format!("{id}-p0"),
        &format!("{id}-p9999"),
        "u_nobody-p1",
        "x-p01",
    ] {
        get(&app, &format!("/posts/{bad}"), Some(&token))
            .await
            .assert_error(StatusCode::NOT_FOUND, "post_not_found");
    }
    get(
        &app,
        &format!("/posts/{id}-p1/comments?page=0"),
        Some(&token),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "invalid_pagination");
    for bad in ["", "?tag=", "?tag=a%20b", "?tag=..%2Fx"] {
        let answer = get(&app, &format!("/posts{bad}"), Some(&token)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    get(&app, &format!("/posts/{id}-p1"), None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "missing_token");
}

#[tokio::test]
async fn a_fault_strikes_its_own_part_only() {
    let (app, state) = test_app();
    let (token, id) = login(&app, "alice").await;
    for resource in [
        FaultResource::Post,
        FaultResource::Comments,
        FaultResource::Related,
        FaultResource::Profile,
    ] {
        state.faults().add(FaultRequest {
            target: FaultTarget::resource(resource),
            user_id: None,
            fault: FaultKind::Status {
                status: 503,
                retry_after_secs: None,
            },
            times: Some(1),
        });
        let urls = [
            format!("/posts/{id}-p1"),
            format!("/posts/{id}-p1/comments"),
            "/posts?tag=focus".to_owned(),
            format!("/users/{id}"),
        ];
        let failed: Vec<bool> = {
            let mut failed = Vec::new();
            for url in &urls {
                failed.push(
                    get(&app, url, Some(&token)).await.status == StatusCode::SERVICE_UNAVAILABLE,
                );
            }
            failed
        };
        assert_eq!(
            failed.iter().filter(|f| **f).count(),
            1,
            "{resource:?}: {failed:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn each_part_has_its_own_delay() {
    let (app, _) = test_app_with(mock_api::Config {
        delay_scale: 1.0,
        ..mock_api::testing::instant()
    });
    let (token, id) = login(&app, "alice").await;
    for (url, ms) in [
        (format!("/posts/{id}-p1"), 300),
        (format!("/posts/{id}-p1/comments"), 800),
        ("/posts?tag=focus".to_owned(), 1_200),
    ] {
        let started = tokio::time::Instant::now();
        get(&app, &url, Some(&token)).await;
        assert_eq!(started.elapsed(), Duration::from_millis(ms), "{url}");
    }
}
