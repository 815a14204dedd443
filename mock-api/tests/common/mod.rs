//! Shared helpers for the mock API's tests: a router with its state, and
//! one-shot requests through it.

#![allow(dead_code)]

use axum::{
    body::{to_bytes, Body},
    http::{header, HeaderMap, Method, Request, StatusCode},
    Router,
};
use larder_protocol::{ApiErrorBody, LoginResponse};
use mock_api::{AppState, Config};
use serde::de::DeserializeOwned;
use tower::ServiceExt;

/// A response's parts, with the body read in full.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "{err}: {} answered {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts a JSON error with this status and code.
    pub fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(
            self.status,
            status,
            "{:?}",
            String::from_utf8_lossy(&self.body)
        );
        let body: ApiErrorBody = self.json();
        assert_eq!(body.code, code, "{}", body.error);
        assert!(!body.error.is_empty());
    }
}

/// A test server: no delays, test controls on.
pub fn test_app() -> (Router, AppState) {
    test_app_with(mock_api::testing::instant())
}

pub fn test_app_with(config: Config) -> (Router, AppState) {
    let state = AppState::new(config);
    (mock_api::app(state.clone()), state)
}

/// Sends one request through the router.
pub async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Answer {
    send_with(app, method, uri, token, body, &[]).await
}

/// [`send`], with extra headers.
pub async fn send_with(
    app: &Router,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(json) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(json.to_owned())
        }
        None => Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).expect("a valid request"))
        .await
        .expect("the router never fails");
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    Answer {
        status,
        headers,
        body,
    }
}

pub async fn get(app: &Router, uri: &str, token: Option<&str>) -> Answer {
    send(app, Method::GET, uri, token, None).await
}

/// Signs `name` in; returns the token and the user id.
pub async fn login(app: &Router, name: &str) -> (String, String) {
    let body = serde_json::json!({ "username": name }).to_string();
    let answer = send(app, Method::POST, "/auth/login", None, Some(&body)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let login: LoginResponse = answer.json();
    (login.token, login.user.id)
}

/// Marks notification `nid` read, with `key` (a raw header value) as the
/// Idempotency-Key when given.
pub async fn mark_read(app: &Router, token: &str, nid: &str, key: Option<&str>) -> Answer {
    let uri = format!("/api/widgets/4/notifications/{nid}/read");
    let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
    send_with(app, Method::POST, &uri, Some(token), None, &headers).await
}
