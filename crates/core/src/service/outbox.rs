//! The outbox: a change (today, marking a notification read) is recorded
//! durably in the user's outbox first ([`larder_store::outbox_store`]), shown
//! at once as an overlay on the cached widget (marked pending), and sent in
//! order, one at a time per user, each with its own `Idempotency-Key`, so a
//! retry after a lost answer never applies it twice ([`super::outbox_sender`]).
//!
//! What the user sees and what the API gets agree:
//! - a change is numbered once, and no number is ever given out again, so
//!   the sender, a discard and a sign-out always mean the same record;
//! - a discard and the sender agree through the record in flight: a change
//!   discarded before it is sent is withdrawn and never sent; one already
//!   sent is reported as one the API may still apply ([`Discarded`]);
//! - a change the API acknowledged stays shown as applied until data
//!   fetched after the acknowledgement replaces it.

use std::sync::{Mutex, PoisonError};

use larder_protocol::{
    events::ForUser,
    profile::is_plain_id, ChangeKind, Discarded, Outbox, PendingChange, RefusedChange, WidgetData,
    WidgetEnvelope, WidgetId,
};
use tokio::sync::{broadcast, watch};

use super::{widget_key, ActiveSession, Larder};
use crate::{resource::decode, CoreError};

/// A change the API acknowledged, shown as applied until widget 4's data
/// is at least as new as the acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Acknowledged {
    pub user_id: String,
    pub notification_id: String,
    /// Engine time of the acknowledgement.
    pub at_ms: u64,
}

/// The outbox's channels and shared state, held by the app's state.
#[derive(Debug)]
pub(super) struct OutboxChannels {
    /// Wakes the sender (a change was made).
    pub kick: tokio::sync::Notify,
    /// One pass at a time.
    pub sending: tokio::sync::Mutex<()>,
    /// One writer of new records at a time.
    pub recording: Mutex<()>,
    /// The change whose request is on its way, by user id. The sender
    /// claims a record and a discard removes one under this lock.
    pub in_flight: Mutex<std::collections::HashMap<String, String>>,
    /// No attempt before this instant, by user (backoff and
    /// `Retry-After`), whatever wakes the sender.
    pub not_before: Mutex<std::collections::HashMap<String, tokio::time::Instant>>,
    /// Changes acknowledged, until fresher data shows them.
    pub acknowledged: Mutex<Vec<Acknowledged>>,
    /// The shown account's outbox, and whose it is.
    pub changes: watch::Sender<ForUser<Outbox>>,
    pub refused: broadcast::Sender<ForUser<RefusedChange>>,
    /// Refusals of accounts not shown then, by user id, until the account
    /// is switched to.
    pub refused_unseen: Mutex<std::collections::HashMap<String, Vec<RefusedChange>>>,
}

impl Default for OutboxChannels {
    fn default() -> Self {
        Self {
            kick: tokio::sync::Notify::new(),
            sending: tokio::sync::Mutex::new(()),
            recording: Mutex::new(()),
            in_flight: Mutex::default(),
            not_before: Mutex::default(),
            acknowledged: Mutex::default(),
            changes: watch::channel(ForUser::new("", Outbox::default())).0,
            refused: broadcast::channel(16).0,
            refused_unseen: Mutex::default(),
        }
    }
}

/// Locks `mutex`; every holder leaves its value whole before it could panic.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Larder {
    /// Marks notification `id` read: recorded durably in the outbox first,
    /// then answered at once, online or not, with widget 4's cached envelope
    /// showing it read and pending; the outbox sends it when it can. A
    /// notification the cached widget does not list is refused, and nothing
    /// is recorded.
    #[tracing::instrument(skip_all)]
    pub async fn mark_notification_read(&self, id: &str) -> Result<WidgetEnvelope, CoreError> {
        if !is_plain_id(id) {
            return Err(CoreError::InvalidNotificationId(
                id.chars().take(64).collect(),
            ));
        }
        let session = self.signed_in()?;
        let store = self.inner.engine.store();
        let listed = store
            .get(&session.user.id, &widget_key(WidgetId::NOTIFICATIONS))?
            .and_then(|entry| decode::<larder_protocol::WidgetResponse>(&entry.payload).ok())
            .is_some_and(|widget| match widget.data {
                WidgetData::Notifications(center) => {
                    center.notifications.iter().any(|n| n.id == id)
                }
                _ => false,
            });
        if !listed {
            return Err(CoreError::InvalidNotificationId(id.to_owned()));
        }
        let change = ChangeKind::MarkNotificationRead {
            notification_id: id.to_owned(),
        };
        self.record(&session, change)?;
        self.inner.outbox.kick.notify_one();
        self.cached_widget(WidgetId::NOTIFICATIONS)
            .ok_or_else(|| CoreError::InvalidNotificationId(id.to_owned()))
    }

    /// Stores `change` at the end of the user's outbox. Each is its own
    /// change with its own key, even one repeating an earlier change: the
    /// API applies each once.
    fn record(&self, session: &ActiveSession, change: ChangeKind) -> Result<(), CoreError> {
        let _recording = lock(&self.inner.outbox.recording);
        let created_at = self.inner.engine.now_ms();
        let id = self.new_change_id();
        let recorded = id.clone();
        // Before the write: a process killed between the write and the
        // line after it still names every id that can reach the API (the
        // crash test reads both lines).
        tracing::debug!(change = %recorded, "recording a change");
        self.inner
            .engine
            .store()
            .outbox_append(&session.user.id, |seq| PendingChange {
                id,
                seq,
                change,
                created_at,
                tries: 0,
                last_error: None,
            })?;
        // Durable from here, and not yet sent: the crash test reads this.
        tracing::debug!(change = %recorded, "recorded a change");
        self.publish_outbox(&session.user.id);
        Ok(())
    }

    /// A new change's id, which is also its `Idempotency-Key`: a random
    /// version 4 UUID (from the client's source of randomness).
    fn new_change_id(&self) -> String {
        self.inner.client.random().uuid().hyphenated().to_string()
    }

    /// The signed-in user's outbox.
    pub fn outbox(&self) -> Result<Outbox, CoreError> {
        let session = self.signed_in()?;
        let records = self.inner.engine.store().outbox_records(&session.user.id)?;
        Ok(Outbox {
            changes: records.changes,
            set_aside: records.set_aside,
        })
    }

    /// Drops waiting change `id` (rolled back in what is shown) and returns
    /// the outbox left. An id that is not waiting is refused. A change never
    /// sent is withdrawn for good; one already sent (on its way now, or
    /// tried before without an answer) may still reach the API, and the
    /// answer says so.
    pub fn discard_change(&self, id: &str) -> Result<Discarded, CoreError> {
        let session = self.signed_in()?;
        let outbox = self.outbox()?;
        let change = outbox
            .changes
            .iter()
            .find(|change| change.id == id)
            .ok_or_else(|| CoreError::UnknownChange(id.chars().take(64).collect()))?;
        let on_its_way = {
            let in_flight = lock(&self.inner.outbox.in_flight);
            self.inner
                .engine
                .store()
                .outbox_remove(&session.user.id, change.seq)?;
            in_flight.get(&session.user.id) == Some(&change.id)
        };
        let may_still_arrive = on_its_way || change.tries > 0;
        if may_still_arrive {
            tracing::info!("discarded a change that was already sent; the API may still apply it");
        }
        self.publish_outbox(&session.user.id);
        self.announce_widget(&session.user.id, WidgetId::NOTIFICATIONS);
        Ok(Discarded {
            outbox: self.outbox()?,
            may_still_arrive,
        })
    }

    beneath_the_facade! {
        /// Every change of the shown account's outbox from now on.
        pub fn outbox_changes(&self) -> watch::Receiver<ForUser<Outbox>> {
            self.inner.outbox.changes.subscribe()
        }
    }

    beneath_the_facade! {
        /// Every change the API refuses for good from now on.
        pub fn refused_changes(&self) -> broadcast::Receiver<ForUser<RefusedChange>> {
            self.inner.outbox.refused.subscribe()
        }
    }

    /// Tells the windows that `user_id`'s `change` was refused, if the
    /// account is shown; otherwise keeps it for the account's next switch
    /// ([`Self::take_unseen_refusals`]).
    pub(super) fn tell_refused(&self, user_id: &str, change: RefusedChange) {
        let mut change = Some(change);
        self.while_shown(user_id, || {
            if let Some(change) = change.take() {
                let _ = self.inner.outbox.refused.send(ForUser::new(user_id, change));
            }
        });
        if let Some(change) = change {
            lock(&self.inner.outbox.refused_unseen)
                .entry(user_id.to_owned())
                .or_default()
                .push(change);
        }
    }

    /// The shown account's refusals made while it was not shown, once:
    /// a switch's answer carries them to the window.
    pub fn take_unseen_refusals(&self) -> Vec<RefusedChange> {
        let Some(session) = self.read_session() else {
            return Vec::new();
        };
        lock(&self.inner.outbox.refused_unseen)
            .remove(&session.user.id)
            .unwrap_or_default()
    }

    /// Announces `user_id`'s outbox as it is now.
    /// Only the shown account's reaches windows.
    pub(super) fn publish_outbox(&self, user_id: &str) {
        match self.inner.engine.store().outbox_records(user_id) {
            Ok(records) => self.while_shown(user_id, || {
                self.inner.outbox.changes.send_replace(ForUser::new(
                    user_id,
                    Outbox {
                        changes: records.changes,
                        set_aside: records.set_aside,
                    },
                ));
            }),
            Err(err) => tracing::warn!(%err, "the outbox could not be read"),
        }
    }

    /// `envelope` (`user_id`'s widget 4) with every waiting change of
    /// theirs applied and listed as pending.
    pub(super) fn with_overlay(&self, user_id: &str, mut envelope: WidgetEnvelope) -> WidgetEnvelope {
        let WidgetData::Notifications(center) = &mut envelope.data.data else {
            return envelope;
        };
        // Acknowledged changes older than the data shown are in it now.
        let acknowledged: Vec<String> = {
            let mut acknowledged = lock(&self.inner.outbox.acknowledged);
            acknowledged
                .retain(|ack| ack.user_id != user_id || ack.at_ms > envelope.fetched_at);
            acknowledged
                .iter()
                .filter(|ack| ack.user_id == user_id)
                .map(|ack| ack.notification_id.clone())
                .collect()
        };
        for id in acknowledged {
            if let Some(note) = center.notifications.iter_mut().find(|n| n.id == id) {
                note.read = true;
            }
        }
        let Ok(records) = self.inner.engine.store().outbox_records(user_id) else {
            return envelope;
        };
        for waiting in records.changes {
            let ChangeKind::MarkNotificationRead { notification_id } = waiting.change;
            if let Some(note) = center
                .notifications
                .iter_mut()
                .find(|n| n.id == notification_id)
            {
                note.read = true;
                envelope.pending.push(notification_id);
            }
        }
        envelope
    }

    /// Pushes `user_id`'s `widget` as cached (with the overlay); windows
    /// hear of it while the account is shown (see [`crate::Events`]).
    pub(super) fn announce_widget(&self, user_id: &str, widget: WidgetId) {
        self.inner.engine.announce(user_id, &widget_key(widget));
    }
}
