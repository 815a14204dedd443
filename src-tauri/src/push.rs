//! Push, not poll: forwards the core's one event stream
//! ([`larder_core::Events`]: widget updates, the outbox, refused changes,
//! prewarm progress, connectivity and the session) to every window as
//! Tauri events, under each event's wire name. The task ends when the
//! core's channels close or when its [`Forwarders`] is dropped.

use larder_core::{CoreEvent, Events};
use tauri::{async_runtime::JoinHandle, AppHandle, Emitter, Runtime};

/// The forwarding task; dropping it stops it.
#[derive(Debug)]
pub struct Forwarders(JoinHandle<()>);

impl Drop for Forwarders {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts forwarding `events` on Tauri's runtime.
pub fn forward<R: Runtime>(app: AppHandle<R>, mut events: Events) -> Forwarders {
    Forwarders(tauri::async_runtime::spawn(async move {
        while let Some(event) = events.next().await {
            let name = event.name();
            let sent = match event {
                CoreEvent::WidgetUpdated(envelope) => app.emit(name, envelope),
                CoreEvent::RoleWidgetUpdated(envelope) => app.emit(name, envelope),
                CoreEvent::OutboxChanged(outbox) => app.emit(name, outbox),
                CoreEvent::ChangeRefused(change) => app.emit(name, change),
                CoreEvent::PrewarmProgress(progress) => app.emit(name, progress),
                CoreEvent::ConnectivityChanged(connectivity) => app.emit(name, connectivity),
                CoreEvent::SessionChanged(session) => app.emit(name, session),
            };
            if let Err(err) = sent {
                tracing::warn!(%err, event = name, "an event could not be sent");
            }
        }
    }))
}
