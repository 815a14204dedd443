//! `/api/widgets/*` through the router: access rules, delays (on tokio's
//! paused clock), ETags, the notification mutation and odd paths.

mod common;

use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use common::{get, login, mark_read, send, test_app, test_app_with};
use larder_protocol::{WidgetData, WidgetResponse};
use mock_api::Config;

#[tokio::test]
async fn serves_each_widget_to_its_owner() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    for n in 1..=5u8 {
        let answer = get(&app, &format!("/api/widgets/{n}?userId={id}"), Some(&token)).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(answer.headers.contains_key(header::ETAG));
        let widget: WidgetResponse = answer.json();
        assert_eq!(widget.widget_id.get(), n);
        assert_eq!(widget.user_id, id);
    }
}

#[tokio::test]
async fn access_rules() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    let (_, bob) = login(&app, "bob").await;
    get(&app, &format!("/api/widgets/1?userId={id}"), None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "missing_token");
    get(&app, "/api/widgets/1", Some(&token))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "missing_user_id");
    get(&app, &format!("/api/widgets/1?userId={bob}"), Some(&token))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn unknown_and_odd_ids_are_404_or_400_never_500() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    let long = "9".repeat(5000);
    for bad in [
        "0",
        "6",
        "-1",
        "abc",
        "%2e%2e%2f",
        "1.5",
        long.as_str(),
        "%20",
    ] {
        get(
            &app,
            &format!("/api/widgets/{bad}?userId={id}"),
            Some(&token),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "widget_not_found");
    }
    // Not UTF-8 once percent-decoded.
    get(
        &app,
        &format!("/api/widgets/%FF%FE?userId={id}"),
        Some(&token),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    let answer = get(&app, "/api/widgets/1?userId=%FF", Some(&token)).await;
    assert!(answer.status.is_client_error(), "{}", answer.status);
}

#[tokio::test]
async fn etags_answer_304() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    let uri = format!("/api/widgets/5?userId={id}");
    let first = get(&app, &uri, Some(&token)).await;
    let etag = first.headers[header::ETAG]
        .to_str()
        .expect("ascii")
        .to_owned();
    let request = axum::http::Request::get(&uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::IF_NONE_MATCH, &etag)
        .body(axum::body::Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(app.clone(), request)
        .await
        .expect("answer");
    // The payload only changes at the minute boundary; a 200 here means the
    // minute turned between the two requests, with a new ETag.
    if response.status() == StatusCode::OK {
        assert_ne!(response.headers()[header::ETAG], etag.as_str());
    } else {
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(response.headers()[header::ETAG], etag.as_str());
    }
}

#[tokio::test(start_paused = true)]
async fn delays_follow_the_design_and_the_scale() {
    let (app, _) = test_app_with(Config {
        delay_scale: 1.0,
        ..Config::default()
    });
    let (token, id) = login(&app, "alice").await;
    let request = {
        let (app, token, id) = (app.clone(), token.clone(), id.clone());
        tokio::spawn(async move {
            get(&app, &format!("/api/widgets/3?userId={id}"), Some(&token)).await
        })
    };
    tokio::time::sleep(Duration::from_millis(14_900)).await;
    assert!(!request.is_finished(), "widget 3 takes 15 s");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(request.await.expect("joined").status, StatusCode::OK);

    let (fast, _) = test_app_with(Config {
        delay_scale: 0.1,
        ..Config::default()
    });
    let (token, id) = login(&fast, "alice").await;
    let started = tokio::time::Instant::now();
    get(&fast, &format!("/api/widgets/3?userId={id}"), Some(&token)).await;
    assert_eq!(started.elapsed().as_millis(), 1_500, "15 s × 0.1");
}

#[tokio::test]
async fn marking_a_notification_read_shows_in_the_next_get() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    let read_flags = |widget: WidgetResponse| match widget.data {
        WidgetData::Notifications(center) => center
            .notifications
            .into_iter()
            .map(|n| (n.id, n.read))
            .collect::<Vec<_>>(),
        other => panic!("widget 4 is notifications, got {other:?}"),
    };
    let uri = format!("/api/widgets/4?userId={id}");
    let before = read_flags(get(&app, &uri, Some(&token)).await.json());
    let marked = mark_read(
        &app,
        &token,
        "n2",
        Some("\"8e03978e-40d5-43e8-bc93-6894a57f9324\""),
    )
    .await;
    assert_eq!(marked.status, StatusCode::NO_CONTENT);
    let after = read_flags(get(&app, &uri, Some(&token)).await.json());
    assert_eq!(
        after.iter().find(|(nid, _)| nid == "n2"),
        Some(&("n2".to_owned(), true))
    );
    assert_eq!(before.len(), after.len());

    send(
        &app,
        Method::POST,
        "/api/widgets/4/notifications/n9/read",
        Some(&token),
        None,
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "notification_not_found");
    send(
        &app,
        Method::POST,
        "/api/widgets/2/notifications/n1/read",
        Some(&token),
        None,
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "widget_not_found");
}
