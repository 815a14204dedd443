//! `GET /api/widgets/:id?userId=…`: the five dashboard widgets, each with its
//! own delay, an ETag, and 304 for a matching `If-None-Match`.

use std::{
    collections::HashMap,
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{
    extract::{rejection::QueryRejection, Path, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use larder_protocol::WidgetId;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::Caller;
use crate::{data, ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/widgets/{id}", get(widget))
}

async fn widget(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let widget: WidgetId = id
        .parse()
        .map_err(|err: larder_protocol::WidgetIdError| ApiError::WidgetNotFound(err.id))?;
    let Query(query) = query.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let user_id = query.get("userId").ok_or(ApiError::MissingUserId)?;
    if *user_id != caller.user.id {
        return Err(ApiError::ForeignUser);
    }

    let unit = rand::thread_rng().gen_range(-1.0..=1.0);
    let delay = state.config().widget_delay(widget, unit);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default();
    let response = data::widget_response(&caller.user, widget, now_ms);
    let body = serde_json::to_vec(&response)
        .map_err(|err| ApiError::BadRequest(format!("cannot encode widget: {err}")))?;
    let etag = etag_of(&body);

    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let etag_value = HeaderValue::from_str(&etag).map_err(|_| ApiError::RouteNotFound)?;
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response());
    }
    Ok((
        [
            (header::ETAG, etag_value),
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
        ],
        body,
    )
        .into_response())
}

/// A strong ETag over the body's bytes.
fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}
