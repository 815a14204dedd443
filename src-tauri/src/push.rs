//! Push, not poll: forwards the core's cache updates (as widget envelopes),
//! prewarm progress, connectivity and session changes, the outbox and the
//! changes the API refused to every window as Tauri events. The tasks end
//! when the core's channels close or when their [`Forwarders`] is dropped.

use larder_core::Larder;
use larder_protocol::events;
use tauri::{async_runtime::JoinHandle, AppHandle, Emitter, Runtime};
use tokio::sync::broadcast::error::RecvError;

/// The forwarding tasks; dropping it stops them.
#[derive(Debug)]
pub struct Forwarders(Vec<JoinHandle<()>>);

impl Drop for Forwarders {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Starts the forwarding tasks on Tauri's runtime.
pub fn forward<R: Runtime>(app: AppHandle<R>, larder: Larder) -> Forwarders {
    let mut updates = larder.cache_updates();
    let updates_app = app.clone();
    let updates_larder = larder.clone();
    let widget_updates = tauri::async_runtime::spawn(async move {
        loop {
            match updates.recv().await {
                Ok(update) => {
                    if let Some(envelope) = updates_larder.envelope_for_update(&update) {
                        if let Err(err) = updates_app.emit(events::WIDGET_UPDATED, envelope) {
                            tracing::warn!(%err, "a widget update could not be sent");
                        }
                    }
                }
                // A slow window missed some updates; the newest follow.
                Err(RecvError::Lagged(missed)) => tracing::debug!(missed, "update receiver lagged"),
                Err(RecvError::Closed) => break,
            }
        }
    });
    Forwarders(vec![
        widget_updates,
        forward_watch(
            app.clone(),
            events::PREWARM_PROGRESS,
            larder.prewarm_progress(),
        ),
        forward_watch(
            app.clone(),
            events::CONNECTIVITY_CHANGED,
            larder.connectivity_changes(),
        ),
        forward_watch(
            app.clone(),
            events::SESSION_CHANGED,
            larder.session_changes(),
        ),
        forward_watch(app.clone(), events::OUTBOX_CHANGED, larder.outbox_changes()),
        forward_refusals(app, larder.refused_changes()),
    ])
}

/// Emits each change the API refused for good.
fn forward_refusals<R: Runtime>(
    app: AppHandle<R>,
    mut refused: tokio::sync::broadcast::Receiver<larder_protocol::RefusedChange>,
) -> JoinHandle<()> {
    tauri::async_runtime::spawn(async move {
        loop {
            match refused.recv().await {
                Ok(change) => {
                    if let Err(err) = app.emit(events::CHANGE_REFUSED, change) {
                        tracing::warn!(%err, "a refused change could not be announced");
                    }
                }
                Err(RecvError::Lagged(missed)) => tracing::debug!(missed, "refusals lagged"),
                Err(RecvError::Closed) => break,
            }
        }
    })
}

/// Emits `event` with each new value of `values`.
fn forward_watch<R: Runtime, T>(
    app: AppHandle<R>,
    event: &'static str,
    mut values: tokio::sync::watch::Receiver<T>,
) -> JoinHandle<()>
where
    T: Clone + serde::Serialize + Send + Sync + 'static,
{
    tauri::async_runtime::spawn(async move {
        while values.changed().await.is_ok() {
            let current = values.borrow_and_update().clone();
            if let Err(err) = app.emit(event, current) {
                tracing::warn!(%err, event, "an event could not be sent");
            }
        }
    })
}
