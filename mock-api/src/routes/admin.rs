//! `GET /api/admin/system-health`: role-gated; admins get it, everyone else
//! a 403.

use axum::{extract::State, routing::get, Json, Router};
use larder_protocol::{health::SystemHealth, Role};

use super::Caller;
use crate::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/admin/system-health", get(system_health))
}

async fn system_health(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<SystemHealth>, ApiError> {
    if caller.user.role != Role::Admin {
        return Err(ApiError::AdminOnly);
    }
    Ok(Json(SystemHealth {
        status: "ok".into(),
        uptime_secs: state.uptime().as_secs(),
        active_sessions: u32::try_from(state.active_sessions()).unwrap_or(u32::MAX),
        requests_served: state.stats().snapshot().total,
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}
