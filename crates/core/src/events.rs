//! The core's second door: one stream of typed [`CoreEvent`]s, everything
//! a window must be told without asking (a widget's or role widget's new
//! value, the outbox,
//! a refused change, prewarm progress, connectivity, the session). The
//! shell forwards it in one loop; each event's [`CoreEvent::name`] is the
//! wire name the UI listens for.

use larder_protocol::{
    events::{self, ForUser, PrewarmProgress},
    Connectivity, Outbox, RefusedChange, RoleEnvelope, Session, WidgetEnvelope,
};
use tokio::sync::{
    broadcast::{self, error::RecvError},
    watch,
};

use crate::{cache::CacheUpdate, Larder};

/// Something a window must be told.
#[derive(Debug, Clone, PartialEq)]
pub enum CoreEvent {
    /// The shown account's widget has a new cached value.
    WidgetUpdated(ForUser<WidgetEnvelope>),
    /// The shown account's role widget has a new cached value.
    RoleWidgetUpdated(ForUser<RoleEnvelope>),
    /// The shown account's outbox changed.
    OutboxChanged(ForUser<Outbox>),
    /// The API refused a change of the shown account for good; it was
    /// rolled back.
    ChangeRefused(ForUser<RefusedChange>),
    /// Prewarm made progress.
    PrewarmProgress(PrewarmProgress),
    /// Online, degraded or offline changed.
    ConnectivityChanged(Connectivity),
    /// The account shown, or the accounts signed in, changed.
    SessionChanged(Option<Session>),
}

impl CoreEvent {
    /// The event's name on the wire (see `larder_protocol::events`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::WidgetUpdated(_) => events::WIDGET_UPDATED,
            Self::RoleWidgetUpdated(_) => events::ROLE_WIDGET_UPDATED,
            Self::OutboxChanged(_) => events::OUTBOX_CHANGED,
            Self::ChangeRefused(_) => events::CHANGE_REFUSED,
            Self::PrewarmProgress(_) => events::PREWARM_PROGRESS,
            Self::ConnectivityChanged(_) => events::CONNECTIVITY_CHANGED,
            Self::SessionChanged(_) => events::SESSION_CHANGED,
        }
    }
}

/// Every [`CoreEvent`] from the moment it was made. Values that only
/// matter as the latest (progress, connectivity, session, outbox) are
/// announced once per change, not per step a slow reader missed.
#[derive(Debug)]
pub struct Events {
    larder: Larder,
    updates: broadcast::Receiver<CacheUpdate>,
    refused: broadcast::Receiver<ForUser<RefusedChange>>,
    outbox: watch::Receiver<ForUser<Outbox>>,
    progress: watch::Receiver<PrewarmProgress>,
    connectivity: watch::Receiver<Connectivity>,
    session: watch::Receiver<Option<Session>>,
    /// Told next, before anything else: widget 4 as the outbox just left
    /// it.
    pending: Option<CoreEvent>,
}

impl Events {
    beneath_the_facade! {
        /// `larder`'s events from now on (the shell gets its own from
        /// [`crate::start`]).
        pub fn of(larder: &Larder) -> Self {
            Self::new(larder)
        }
    }

    pub(crate) fn new(larder: &Larder) -> Self {
        Self {
            larder: larder.clone(),
            updates: larder.cache_updates(),
            refused: larder.refused_changes(),
            outbox: larder.outbox_changes(),
            progress: larder.prewarm_progress(),
            connectivity: larder.connectivity_changes(),
            session: larder.session_changes(),
            pending: None,
        }
    }

    /// The next event; `None` once the core's channels have closed.
    pub async fn next(&mut self) -> Option<CoreEvent> {
        if let Some(event) = self.pending.take() {
            return Some(event);
        }
        loop {
            tokio::select! {
                update = self.updates.recv() => match update {
                    // Only the shown account's widgets reach a window.
                    Ok(update) => {
                        if let Some(envelope) = self.larder.envelope_for_update(&update) {
                            return Some(CoreEvent::WidgetUpdated(ForUser::new(update.user_id, envelope)));
                        }
                        if let Some(envelope) = self.larder.role_envelope_for_update(&update) {
                            return Some(CoreEvent::RoleWidgetUpdated(ForUser::new(update.user_id, envelope)));
                        }
                    }
                    // A slow reader missed some updates; the newest follow.
                    Err(RecvError::Lagged(missed)) => tracing::debug!(missed, "update events lagged"),
                    Err(RecvError::Closed) => return None,
                },
                refused = self.refused.recv() => match refused {
                    Ok(change) => return Some(CoreEvent::ChangeRefused(change)),
                    Err(RecvError::Lagged(missed)) => tracing::warn!(missed, "refusal events lagged"),
                    Err(RecvError::Closed) => return None,
                },
                changed = self.outbox.changed() => {
                    changed.ok()?;
                    // Every window, not only the one where a change was
                    // made, shows widget 4 with the outbox applied.
                    let outbox = self.outbox.borrow_and_update().clone();
                    self.pending = self
                        .larder
                        .notifications_for_outbox(&outbox.user)
                        .map(|envelope| CoreEvent::WidgetUpdated(ForUser::new(outbox.user.clone(), envelope)));
                    return Some(CoreEvent::OutboxChanged(outbox));
                }
                changed = self.progress.changed() => {
                    changed.ok()?;
                    return Some(CoreEvent::PrewarmProgress(*self.progress.borrow_and_update()));
                }
                changed = self.connectivity.changed() => {
                    changed.ok()?;
                    return Some(CoreEvent::ConnectivityChanged(*self.connectivity.borrow_and_update()));
                }
                changed = self.session.changed() => {
                    changed.ok()?;
                    return Some(CoreEvent::SessionChanged(self.session.borrow_and_update().clone()));
                }
            }
        }
    }
}
