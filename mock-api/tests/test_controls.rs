//! `/__admin/*`: request counts, reset, every injected fault and turning a
//! notification unread; and that
//! the controls do not exist without `--admin`.

mod common;

use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use common::{get, login, send, test_app, test_app_with};
use larder_protocol::test_controls::{FaultKind, FaultRequest, RequestStats};
use mock_api::Config;

async fn inject(app: &axum::Router, rule: &FaultRequest) {
    let body = serde_json::to_string(rule).expect("json");
    let answer = send(app, Method::POST, "/__admin/faults", None, Some(&body)).await;
    assert_eq!(answer.status, StatusCode::CREATED);
}

fn rule(widget: u8, user: &str, fault: FaultKind, times: Option<u32>) -> FaultRequest {
    FaultRequest {
        target: larder_protocol::test_controls::FaultTarget::widget(widget),
        user_id: Some(user.to_owned()),
        fault,
        times,
    }
}

#[tokio::test]
async fn counts_requests_by_route_and_user_until_reset() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    for _ in 0..3 {
        get(&app, &format!("/api/widgets/2?userId={id}"), Some(&token)).await;
    }
    let stats: RequestStats = get(&app, "/__admin/stats", None).await.json();
    assert_eq!(stats.count(&id, "GET /api/widgets/2"), 3);
    assert_eq!(stats.by_route["POST /auth/login"], 1);
    assert_eq!(
        send(&app, Method::POST, "/__admin/reset", None, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let stats: RequestStats = get(&app, "/__admin/stats", None).await.json();
    assert_eq!(stats.total, 0, "stats requests themselves are not counted");
}

#[tokio::test]
async fn injected_statuses_apply_n_times() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    let (bob_token, bob) = login(&app, "bob").await;
    let uri = format!("/api/widgets/2?userId={id}");
    for status in [500u16, 502, 503, 401] {
        inject(
            &app,
            &rule(
                2,
                &id,
                FaultKind::Status {
                    status,
                    retry_after_secs: None,
                },
                Some(1),
            ),
        )
        .await;
        let answer = get(&app, &uri, Some(&token)).await;
        assert_eq!(answer.status.as_u16(), status);
        assert_eq!(
            get(&app, &uri, Some(&token)).await.status,
            StatusCode::OK,
            "used up"
        );
    }
    inject(
        &app,
        &rule(
            2,
            &id,
            FaultKind::Status {
                status: 429,
                retry_after_secs: Some(7),
            },
            None,
        ),
    )
    .await;
    for _ in 0..2 {
        let answer = get(&app, &uri, Some(&token)).await;
        answer.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        assert_eq!(answer.headers[header::RETRY_AFTER], "7");
    }
    // Another user is unaffected; clearing ends it.
    let bob_uri = format!("/api/widgets/2?userId={bob}");
    assert_eq!(
        get(&app, &bob_uri, Some(&bob_token)).await.status,
        StatusCode::OK
    );
    send(&app, Method::DELETE, "/__admin/faults", None, None).await;
    assert_eq!(get(&app, &uri, Some(&token)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn malformed_json_is_a_200_that_does_not_parse() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    inject(&app, &rule(1, &id, FaultKind::MalformedJson, Some(1))).await;
    let answer = get(&app, &format!("/api/widgets/1?userId={id}"), Some(&token)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(serde_json::from_slice::<serde_json::Value>(&answer.body).is_err());
}

#[tokio::test(start_paused = true)]
async fn delay_and_hang() {
    let (app, _) = test_app();
    let (token, id) = login(&app, "alice").await;
    let uri = format!("/api/widgets/1?userId={id}");
    inject(&app, &rule(1, &id, FaultKind::Delay { ms: 5_000 }, Some(1))).await;
    let started = tokio::time::Instant::now();
    assert_eq!(get(&app, &uri, Some(&token)).await.status, StatusCode::OK);
    assert_eq!(started.elapsed(), Duration::from_secs(5));

    inject(&app, &rule(1, &id, FaultKind::Hang, Some(1))).await;
    let hung = tokio::time::timeout(Duration::from_secs(3600), get(&app, &uri, Some(&token))).await;
    assert!(hung.is_err(), "a hung request never answers");
}

#[tokio::test]
async fn bad_fault_requests_are_refused() {
    let (app, _) = test_app();
    for body in [
        r#"{"widget": 9, "fault": {"kind": "hang"}}"#,
        r#"{"widget": 1, "fault": {"kind": "status", "status": 418}}"#,
        r#"{"widget": 1, "fault": {"kind": "explode"}}"#,
        "{",
    ] {
        let answer = send(&app, Method::POST, "/__admin/faults", None, Some(body)).await;
        assert!(answer.status.is_client_error(), "{body}: {}", answer.status);
    }
}

#[tokio::test]
async fn bad_unread_requests_are_refused_and_a_good_one_answers_no_content() {
    let (app, _) = test_app();
    for body in [
        "{",
        r#"{"userId": "u_1"}"#,
        r#"{"userId": 5, "notificationId": "n1"}"#,
    ] {
        let answer = send(&app, Method::POST, "/__admin/unread", None, Some(body)).await;
        assert!(answer.status.is_client_error(), "{body}: {}", answer.status);
    }
    let body = r#"{"userId": "u_1", "notificationId": "n1"}"#;
    let answer = send(&app, Method::POST, "/__admin/unread", None, Some(body)).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn controls_exist_only_with_admin() {
    let (app, _) = test_app_with(Config::default());
    get(&app, "/__admin/stats", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}
