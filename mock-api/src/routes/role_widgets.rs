//! The role widgets (Bearer), each refused (403) to every role but its own:
//! - admins: `GET /api/admin/analytics`, `GET /api/admin/users`,
//!   `GET /api/admin/system-health`;
//! - managers: `GET /api/team/analytics`, `GET /api/team/members`.
//!
//! Each answers after its own delay, with an ETag and 304 for a matching
//! `If-None-Match`; injected faults (`"roleWidget"` rules) apply, after the
//! role check, so a fault never lets another role in.

use axum::{extract::State, http::HeaderMap, response::Response, routing::get, Router};
use larder_protocol::{health::SystemHealth, test_controls::FaultTarget, RoleWidget, User};

use super::{answer, Caller};
use crate::{data, role_data, ApiError, AppState};

pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for widget in RoleWidget::ALL {
        router = router.route(
            &format!("/{}", widget.path()),
            get(
                move |state: State<AppState>, caller: Caller, headers: HeaderMap| {
                    role_widget(state, caller, headers, widget)
                },
            ),
        );
    }
    router
}

async fn role_widget(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    widget: RoleWidget,
) -> Result<Response, ApiError> {
    if caller.user.role != widget.role() {
        return Err(ApiError::RoleOnly(widget.role()));
    }
    answer::respond(
        &state,
        &caller,
        &headers,
        FaultTarget::role(widget),
        role_data::base_delay_ms(widget),
        || {
            body_of(&state, &caller.user, widget)
                .map_err(|err| ApiError::Internal(format!("cannot encode {widget}: {err}")))
        },
    )
    .await
}

fn body_of(state: &AppState, user: &User, widget: RoleWidget) -> serde_json::Result<Vec<u8>> {
    let now = data::now_ms();
    match widget {
        RoleWidget::AdminAnalytics => serde_json::to_vec(&role_data::admin_analytics(user, now)),
        RoleWidget::UserManagement => serde_json::to_vec(&role_data::user_directory(user, now)),
        RoleWidget::SystemHealth => serde_json::to_vec(&system_health(state)),
        RoleWidget::TeamAnalytics => serde_json::to_vec(&role_data::team_analytics(user, now)),
        RoleWidget::TeamMembers => serde_json::to_vec(&role_data::team_roster(user, now)),
    }
}

/// The server's live figures.
fn system_health(state: &AppState) -> SystemHealth {
    SystemHealth {
        status: "ok".into(),
        uptime_secs: state.uptime().as_secs(),
        active_sessions: u32::try_from(state.active_sessions()).unwrap_or(u32::MAX),
        requests_served: state.stats().snapshot().total,
        version: env!("CARGO_PKG_VERSION").into(),
    }
}
