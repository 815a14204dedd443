//! The dashboard widgets (Bearer):
//! - `GET /api/widgets/:id?userId=…`: the widget after its delay, with an
//!   ETag, and 304 for a matching `If-None-Match`; injected faults apply.
//! - `POST /api/widgets/4/notifications/:nid/read` with an
//!   `Idempotency-Key`: marks a notification read, once per key; the next
//!   GET of widget 4 reflects it.

use axum::{
    body::{Body, Bytes},
    extract::{rejection::PathRejection, Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use larder_protocol::{
    test_controls::{FaultKind, FaultTarget},
    WidgetData, WidgetId, WidgetIdError, WidgetResponse,
};
use rand::Rng;

use super::{answer, query_map, Caller, QueryMap};
use crate::{
    data,
    idempotency::{self, Begin},
    ApiError, AppState,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/widgets/{id}", get(widget)).route(
        "/api/widgets/{id}/notifications/{nid}/read",
        post(mark_notification_read),
    )
}

fn widget_id(path: Result<Path<String>, PathRejection>) -> Result<WidgetId, ApiError> {
    let Path(id) = path.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    id.parse()
        .map_err(|err: WidgetIdError| ApiError::WidgetNotFound(err.id))
}

async fn widget(
    State(state): State<AppState>,
    caller: Caller,
    path: Result<Path<String>, PathRejection>,
    query: QueryMap,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let widget = widget_id(path)?;
    let query = query_map(query)?;
    let user_id = query.get("userId").ok_or(ApiError::MissingUserId)?;
    if *user_id != caller.user.id {
        return Err(ApiError::ForeignUser);
    }

    let fault = state
        .faults()
        .take(FaultTarget::widget(widget.get()), &caller.user.id);
    answer::before_data(fault.as_ref()).await?;

    let unit = rand::thread_rng().gen_range(-1.0..=1.0);
    let delay = state.config().widget_delay(widget, unit);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    let mut response = data::widget_response(&caller.user, widget, data::now_ms());
    apply_mutations(&state, &mut response);
    let body = serde_json::to_vec(&response)
        .map_err(|err| ApiError::Internal(format!("cannot encode widget: {err}")))?;

    answer::with_body(fault.as_ref(), body, &headers).await
}

/// Applies the user's mutations (notifications marked read) to a payload.
fn apply_mutations(state: &AppState, response: &mut WidgetResponse) {
    if let WidgetData::Notifications(center) = &mut response.data {
        let read = state.read_notifications(&response.user_id);
        for note in &mut center.notifications {
            if read.contains(&note.id) {
                note.read = true;
            }
        }
    }
}

/// `POST /api/widgets/4/notifications/:nid/read` with an `Idempotency-Key`:
/// 204, the change applied once per key (see [`crate::idempotency`]).
async fn mark_notification_read(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path((id, nid)) = path.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    if id != "4" {
        return Err(ApiError::WidgetNotFound(id.chars().take(32).collect()));
    }
    // Widget 4 always lists notifications n1 to n5.
    let known = nid.len() == 2
        && nid.starts_with('n')
        && ('1'..='5').contains(&nid.chars().nth(1).unwrap_or('0'));
    if !known {
        return Err(ApiError::NotificationNotFound(
            nid.chars().take(32).collect(),
        ));
    }
    let key = idempotency::key_of(&headers)?;
    let user = &caller.user.id;
    let fault = state.faults().take_for_change(FaultTarget::widget(4), user);
    match fault {
        Some(FaultKind::RefuseChange { status }) => return Err(ApiError::InjectedStatus(status)),
        Some(FaultKind::RateLimitChange { retry_after_secs }) => {
            return Err(ApiError::RateLimited { retry_after_secs })
        }
        Some(FaultKind::DelayChange { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        _ => {}
    }
    let request = idempotency::fingerprint(
        "POST",
        &format!("/api/widgets/{id}/notifications/{nid}/read"),
        b"",
    );
    if let Begin::Replay { status, body } = state.idempotency().begin(user, &key, request)? {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT);
        return Ok((status, body).into_response());
    }
    state.mark_read(user, &nid);
    state.stats().record_applied(user, format!("{nid} {key}"));
    state
        .idempotency()
        .finish(user, &key, StatusCode::NO_CONTENT.as_u16(), Vec::new());
    if fault == Some(FaultKind::DropAfterCommit) {
        return Ok(dropped_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A response that never reaches the client: its body fails before the
/// head is flushed, so the server closes the connection with no answer.
fn dropped_response() -> Response {
    let fail = futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::other(
            "injected fault: the answer is dropped",
        ))
    });
    let mut response = Response::new(Body::from_stream(fail));
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(2));
    response
}
