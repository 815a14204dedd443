//! `/__admin/`: test controls, routed only with `--admin`.
//! - `GET /__admin/stats`: request counts by route and user.
//! - `POST /__admin/reset`: zeroes the counts.
//! - `POST /__admin/faults`: makes a widget's requests misbehave;
//!   `DELETE /__admin/faults` clears every fault.
//! - `POST /__admin/unread`: a notification marked read turns unread.
//! - `POST /__admin/roles`: a username gets a role from its next sign-in.

use axum::{
    extract::{rejection::JsonRejection, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use larder_protocol::{
    test_controls::{
        FaultKind, FaultRequest, FaultTarget, RequestStats, RoleRequest, UnreadRequest,
    },
    Username, WidgetId,
};

use crate::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__admin/stats", get(stats))
        .route("/__admin/reset", post(reset))
        .route("/__admin/faults", post(add_fault).delete(clear_faults))
        .route("/__admin/unread", post(unread))
        .route("/__admin/roles", post(set_role))
}

async fn unread(
    State(state): State<AppState>,
    body: Result<Json<UnreadRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(request) = body.map_err(|rejection| ApiError::MalformedBody(rejection.body_text()))?;
    state.mark_unread(&request.user_id, &request.notification_id);
    Ok(StatusCode::NO_CONTENT)
}

async fn set_role(
    State(state): State<AppState>,
    body: Result<Json<RoleRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(request) = body.map_err(|rejection| ApiError::MalformedBody(rejection.body_text()))?;
    let username = Username::parse(&request.username).map_err(ApiError::InvalidUsername)?;
    state.set_role(username.as_str(), request.role);
    Ok(StatusCode::NO_CONTENT)
}

async fn stats(State(state): State<AppState>) -> Json<RequestStats> {
    Json(state.stats().snapshot())
}

async fn reset(State(state): State<AppState>) -> StatusCode {
    state.stats().reset();
    StatusCode::NO_CONTENT
}

async fn add_fault(
    State(state): State<AppState>,
    body: Result<Json<FaultRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(rule) = body.map_err(|rejection| ApiError::MalformedBody(rejection.body_text()))?;
    if let FaultTarget::Widget { widget } = rule.target {
        if WidgetId::new(widget).is_err() {
            return Err(ApiError::WidgetNotFound(widget.to_string()));
        }
    }
    if let FaultKind::Status { status, .. } | FaultKind::LateStatus { status, .. } = rule.fault {
        if ![401, 429, 500, 502, 503].contains(&status) {
            return Err(ApiError::BadRequest(format!(
                "an injected status must be 401, 429, 500, 502 or 503, not {status}"
            )));
        }
    }
    state.faults().add(rule);
    Ok(StatusCode::CREATED)
}

async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.faults().clear();
    StatusCode::NO_CONTENT
}
