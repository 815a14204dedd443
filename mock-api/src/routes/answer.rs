//! How a read answers, shared by the dashboard widgets and the role
//! widgets: the injected faults that strike before the data is built
//! (statuses, hangs, delays) and those that spoil the answer (malformed,
//! truncated, slow), then the body with a strong ETag and 304 for a
//! matching `If-None-Match`.

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use larder_protocol::test_controls::{FaultKind, FaultTarget};
use rand::Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Caller;
use crate::{ApiError, AppState};

/// A read's whole answer: the faults for `target` (for the caller), then
/// the delay of `base_ms` at scale 1.0 (scaled, with jitter), then `body`
/// (JSON) with an ETag, or as a fault spoils it.
pub async fn respond(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    target: FaultTarget,
    base_ms: u64,
    body: impl FnOnce() -> Result<Vec<u8>, ApiError>,
) -> Result<Response, ApiError> {
    let fault = state.faults().take(target, &caller.user.id);
    before_data(fault.as_ref()).await?;
    let unit = rand::thread_rng().gen_range(-1.0..=1.0);
    let delay = state.config().scaled_delay(base_ms, unit);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    with_body(fault.as_ref(), body()?, headers).await
}

/// `value` as JSON.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|err| ApiError::Internal(format!("cannot encode: {err}")))
}

/// Applies the faults that strike before the data is read: an error
/// status (at once or late), a hang, an extra delay.
pub async fn before_data(fault: Option<&FaultKind>) -> Result<(), ApiError> {
    match fault {
        Some(FaultKind::Status {
            status: 429,
            retry_after_secs,
        }) => Err(ApiError::RateLimited {
            retry_after_secs: retry_after_secs.unwrap_or(1),
        }),
        Some(FaultKind::Status { status, .. }) => Err(ApiError::InjectedStatus(*status)),
        Some(FaultKind::LateStatus { status, ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(*ms)).await;
            if *status == 429 {
                return Err(ApiError::RateLimited {
                    retry_after_secs: 1,
                });
            }
            Err(ApiError::InjectedStatus(*status))
        }
        Some(FaultKind::Hang) => std::future::pending().await,
        Some(FaultKind::Delay { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(*ms)).await;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Answers with `body` (JSON), or as the fault spoils it; 304 when the
/// request's `If-None-Match` names its ETag (never for a slow answer).
pub async fn with_body(
    fault: Option<&FaultKind>,
    body: Vec<u8>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    match fault {
        Some(FaultKind::MalformedJson) => {
            return Ok(json_response(b"{\"widgetId\": 3, \"data\": [".to_vec()))
        }
        Some(FaultKind::Truncated) => return Ok(truncated_response(body)),
        Some(FaultKind::SlowAnswer { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(*ms)).await;
        }
        _ => {}
    }

    let etag = etag_of(&body);
    let etag_value =
        HeaderValue::from_str(&etag).map_err(|err| ApiError::Internal(err.to_string()))?;
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let slow = matches!(fault, Some(FaultKind::SlowAnswer { .. }));
    if matches && !slow {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response());
    }
    let mut ok = json_response(body);
    ok.headers_mut().insert(header::ETAG, etag_value);
    Ok(ok)
}

fn json_response(body: Vec<u8>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// Announces the whole body's length, sends half of it, then fails the
/// stream, so the client sees a body cut mid-stream.
fn truncated_response(body: Vec<u8>) -> Response {
    let full = body.len();
    let half = Bytes::from(body[..full / 2].to_vec());
    let first = futures_util::stream::once(async move { Ok::<_, std::io::Error>(half) });
    // The failure comes a moment later, so the headers and the first half
    // are on the wire before the connection is cut.
    let cut = futures_util::stream::once(async {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        Err(std::io::Error::other("injected fault: truncated body"))
    });
    let stream = futures_util::StreamExt::chain(first, cut);
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full));
    response
}

/// A strong ETag over the body's bytes.
fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}
