//! `/auth/*` and `/config` through the router, one request at a time.

mod common;

use axum::http::{Method, StatusCode};
use common::{get, login, send, test_app};
use larder_protocol::{AppConfig, LoginResponse, Role, User};

#[tokio::test]
async fn login_gives_a_token_and_a_stable_user() {
    let (app, _) = test_app();
    let body = r#"{"username": "  admin-ana  "}"#;
    let first: LoginResponse = send(&app, Method::POST, "/auth/login", None, Some(body))
        .await
        .json();
    let second: LoginResponse = send(&app, Method::POST, "/auth/login", None, Some(body))
        .await
        .json();
    assert_eq!(first.user.name, "admin-ana");
    assert_eq!(first.user.role, Role::Admin);
    assert_eq!(first.user.id, second.user.id, "same name, same id");
    assert_ne!(first.token, second.token, "tokens are random");
}

#[tokio::test]
async fn bad_usernames_are_400() {
    let (app, _) = test_app();
    let long = "é".repeat(65);
    for name in ["", "   ", long.as_str(), "a\nb", "\u{7}"] {
        let body = serde_json::json!({ "username": name }).to_string();
        send(&app, Method::POST, "/auth/login", None, Some(&body))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "invalid_username");
    }
}

#[tokio::test]
async fn bad_bodies_get_json_errors() {
    let (app, _) = test_app();
    for body in ["{", "[]", r#"{"username": 5}"#, r#"{"name": "x"}"#, "null"] {
        let answer = send(&app, Method::POST, "/auth/login", None, Some(body)).await;
        assert!(answer.status.is_client_error(), "{body}: {}", answer.status);
        assert!(answer.json::<larder_protocol::ApiErrorBody>().code.len() > 3);
    }
    // No JSON content type.
    let request = axum::http::Request::post("/auth/login")
        .header("content-type", "text/plain")
        .body(axum::body::Body::from(r#"{"username":"a"}"#))
        .expect("request");
    let response = tower::ServiceExt::oneshot(app.clone(), request)
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Over 64 KB.
    let huge = format!(r#"{{"username": "{}"}}"#, "a".repeat(70_000));
    send(&app, Method::POST, "/auth/login", None, Some(&huge))
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn session_and_logout() {
    let (app, _) = test_app();
    get(&app, "/auth/session", None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "missing_token");
    get(&app, "/auth/session", Some("nope"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    let (token, id) = login(&app, "bob").await;
    let user: User = get(&app, "/auth/session", Some(&token)).await.json();
    assert_eq!(user.id, id);
    let out = send(&app, Method::POST, "/auth/logout", Some(&token), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    get(&app, "/auth/session", Some(&token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn config_is_public() {
    let (app, _) = test_app();
    let config: AppConfig = get(&app, "/config", None).await.json();
    assert_eq!(config.cache["widget:3"].ttl_secs, 600);
    assert!(config.cache.contains_key("followers"));
    assert_eq!(config.feature_flags.get("prewarm"), Some(&true));
}

#[tokio::test]
async fn every_response_carries_its_time_and_unknowns_are_json() {
    let (app, _) = test_app();
    let answer = get(&app, "/nowhere", None).await;
    answer.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(answer.headers.contains_key("x-response-time"));
    send(&app, Method::DELETE, "/config", None, None)
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}
