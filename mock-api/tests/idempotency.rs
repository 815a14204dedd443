//! The Idempotency-Key rules of the change routes, request by request
//! through the router (and once over a real connection, for the dropped
//! answer): a retry replays the first answer and applies nothing; a key in
//! flight is a 409, reused for another request a 422; keys are per user; a
//! missing, malformed or low-entropy key is a 400; `/config` publishes the
//! keys' lifetime and `/__admin/stats` counts changes apart from requests.

use axum::http::StatusCode;
use larder_protocol::{
    test_controls::{FaultKind, FaultRequest, RequestStats},
    AppConfig,
};
use mock_api::idempotency::fingerprint;

mod common;
use common::{get, login, mark_read, test_app};

const KEY: &str = "\"0b6f8a0e-9d2c-4c61-a1f3-7e5d4b2c9a18\"";
const OTHER_KEY: &str = "\"5f2e1d0c-3b4a-4968-8776-a5b4c3d2e1f0\"";

async fn applied(app: &axum::Router, user: &str) -> u64 {
    let stats: RequestStats = get(app, "/__admin/stats", None).await.json();
    stats.applied(user)
}

#[tokio::test]
async fn a_retry_with_the_same_key_replays_the_answer_and_applies_nothing() {
    let (app, _) = test_app();
    let (token, user) = login(&app, "ines").await;
    let first = mark_read(&app, &token, "n1", Some(KEY)).await;
    assert_eq!(first.status, StatusCode::NO_CONTENT);
    for _ in 0..3 {
        let again = mark_read(&app, &token, "n1", Some(KEY)).await;
        assert_eq!(again.status, first.status);
        assert_eq!(again.body, first.body);
    }
    assert_eq!(
        applied(&app, &user).await,
        1,
        "applied once for four requests"
    );
    let stats: RequestStats = get(&app, "/__admin/stats", None).await.json();
    assert_eq!(
        stats.count(&user, "POST /api/widgets/4/notifications/n1/read"),
        4
    );
    // A new key is a new change.
    mark_read(&app, &token, "n1", Some(OTHER_KEY)).await;
    assert_eq!(applied(&app, &user).await, 2);
}

#[tokio::test]
async fn a_key_reused_for_another_request_is_422_and_in_flight_is_409() {
    let (app, state) = test_app();
    let (token, user) = login(&app, "jude").await;
    mark_read(&app, &token, "n1", Some(KEY)).await;
    mark_read(&app, &token, "n2", Some(KEY))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
    // A request still being processed under a key.
    let raw = OTHER_KEY.trim_matches('"');
    let print = fingerprint("POST", "/api/widgets/4/notifications/n3/read", b"");
    state.idempotency().begin(&user, raw, print).expect("fresh");
    mark_read(&app, &token, "n3", Some(OTHER_KEY))
        .await
        .assert_error(StatusCode::CONFLICT, "idempotency_key_in_flight");
    assert_eq!(applied(&app, &user).await, 1);
}

#[tokio::test]
async fn keys_belong_to_their_user() {
    let (app, _) = test_app();
    let (kim, kim_id) = login(&app, "kim").await;
    let (lee, lee_id) = login(&app, "lee").await;
    mark_read(&app, &kim, "n1", Some(KEY)).await;
    // The same key from another user is that user's own, and applies.
    let other = mark_read(&app, &lee, "n2", Some(KEY)).await;
    assert_eq!(other.status, StatusCode::NO_CONTENT);
    assert_eq!(applied(&app, &kim_id).await, 1);
    assert_eq!(applied(&app, &lee_id).await, 1);
}

#[tokio::test]
async fn missing_malformed_and_low_entropy_keys_are_400() {
    let (app, _) = test_app();
    let (token, user) = login(&app, "moss").await;
    for key in [
        None,
        Some("0b6f8a0e-9d2c-4c61-a1f3-7e5d4b2c9a18"),
        Some("\"abc\""),
        Some("\"00000000-0000-4000-8000-000000000000\""),
        Some("\"11111111-1111-4111-8111-111111111111\""),
        Some("\"0b6f8a0e-9d2c-1c61-a1f3-7e5d4b2c9a18\""),
    ] {
        mark_read(&app, &token, "n1", key)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "bad_idempotency_key");
    }
    assert_eq!(applied(&app, &user).await, 0);
}

#[tokio::test]
async fn config_publishes_a_day_for_keys() {
    let (app, _) = test_app();
    let config: AppConfig = get(&app, "/config", None).await.json();
    assert_eq!(config.idempotency_key_ttl_secs, 24 * 3600);
}

#[tokio::test]
async fn a_dropped_answer_still_applied_the_change_and_the_retry_is_replayed() {
    let server = mock_api::testing::start_instant()
        .await
        .expect("mock-api starts");
    let client = reqwest::Client::new();
    let login: larder_protocol::LoginResponse = client
        .post(format!("{}/auth/login", server.url()))
        .json(&serde_json::json!({ "username": "noor" }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    client
        .post(format!("{}/__admin/faults", server.url()))
        .json(&FaultRequest {
            target: larder_protocol::test_controls::FaultTarget::widget(4),
            user_id: None,
            fault: FaultKind::DropAfterCommit,
            times: Some(1),
        })
        .send()
        .await
        .expect("fault set");
    let mark = || {
        client
            .post(format!(
                "{}/api/widgets/4/notifications/n4/read",
                server.url()
            ))
            .bearer_auth(&login.token)
            .header("Idempotency-Key", KEY)
            .send()
    };
    let dropped = mark().await;
    assert!(dropped.is_err(), "no answer at all: {dropped:?}");
    let retried = mark().await.expect("an answer");
    assert_eq!(retried.status(), reqwest::StatusCode::NO_CONTENT);
    let stats: RequestStats = client
        .get(format!("{}/__admin/stats", server.url()))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("json");
    assert_eq!(stats.applied(&login.user.id), 1);
}
