//! The outbox: a change (today, marking a notification read) is recorded
//! durably in the user's outbox first ([`crate::cache::outbox_store`]), shown
//! at once as an overlay on the cached widget (marked pending), and sent in
//! order, one at a time per user, each with its own `Idempotency-Key`, so a
//! retry after a lost answer never applies it twice.
//!
//! A change leaves the outbox only when the API has answered it for good: a
//! 2xx, or a final 4xx (then it is rolled back and the user is told).
//! Timeouts, connection errors, 5xx, 409 (the API still processing it) and
//! 429 keep it, to be tried again with backoff; a 401 keeps it for the next
//! sign-in of the same user. It is sent when a change is made, when the
//! connection comes back, and when a session starts or is restored.

use std::time::Duration;

use larder_protocol::{
    profile::is_plain_id, ChangeKind, Outbox, PendingChange, RefusedChange, WidgetData,
    WidgetEnvelope, WidgetId,
};
use tokio::sync::{broadcast, watch};

use super::{widget_key, ActiveSession, Larder};
use crate::{resource::decode, CoreError};

/// The first wait after a failed attempt; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What a pass over the outbox left to do.
enum Next {
    /// Nothing to send, or nothing can be sent until something changes.
    Wait,
    /// Try again after this long.
    RetryIn(Duration),
}

/// The outbox's channels, held by the app's state.
#[derive(Debug)]
pub(super) struct OutboxChannels {
    /// Wakes the sender (a change was made).
    pub kick: tokio::sync::Notify,
    /// One pass at a time.
    pub sending: tokio::sync::Mutex<()>,
    /// One writer of new records at a time (sequence numbers).
    pub recording: std::sync::Mutex<()>,
    pub changes: watch::Sender<Outbox>,
    pub refused: broadcast::Sender<RefusedChange>,
}

impl Default for OutboxChannels {
    fn default() -> Self {
        Self {
            kick: tokio::sync::Notify::new(),
            sending: tokio::sync::Mutex::new(()),
            recording: std::sync::Mutex::new(()),
            changes: watch::channel(Outbox::default()).0,
            refused: broadcast::channel(16).0,
        }
    }
}

fn backoff(tries: u32) -> Duration {
    FIRST_BACKOFF
        .saturating_mul(2u32.saturating_pow(tries.saturating_sub(1).min(8)))
        .min(MAX_BACKOFF)
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
        let _recording = self
            .inner
            .outbox
            .recording
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let store = self.inner.engine.store();
        let records = store.outbox_records(&session.user.id)?;
        let seq = records.changes.last().map_or(1, |last| last.seq + 1);
        let pending = PendingChange {
            id: uuid::Uuid::new_v4().hyphenated().to_string(),
            seq,
            change,
            created_at: self.inner.engine.now_ms(),
            tries: 0,
            last_error: None,
        };
        store.outbox_put(&session.user.id, &pending)?;
        self.publish_outbox(&session.user.id);
        Ok(())
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
    /// the outbox left. An id that is not waiting is refused. A change whose
    /// request is already on its way may still reach the API.
    pub fn discard_change(&self, id: &str) -> Result<Outbox, CoreError> {
        let session = self.signed_in()?;
        let outbox = self.outbox()?;
        let change = outbox
            .changes
            .iter()
            .find(|change| change.id == id)
            .ok_or_else(|| CoreError::UnknownChange(id.chars().take(64).collect()))?;
        self.inner
            .engine
            .store()
            .outbox_remove(&session.user.id, change.seq)?;
        self.publish_outbox(&session.user.id);
        self.announce_widget(WidgetId::NOTIFICATIONS);
        self.outbox()
    }

    /// Every change of the signed-in user's outbox from now on.
    pub fn outbox_changes(&self) -> watch::Receiver<Outbox> {
        self.inner.outbox.changes.subscribe()
    }

    /// Every change the API refuses for good from now on.
    pub fn refused_changes(&self) -> broadcast::Receiver<RefusedChange> {
        self.inner.outbox.refused.subscribe()
    }

    /// Announces `user_id`'s outbox as it is now.
    pub(super) fn publish_outbox(&self, user_id: &str) {
        match self.inner.engine.store().outbox_records(user_id) {
            Ok(records) => {
                self.inner.outbox.changes.send_replace(Outbox {
                    changes: records.changes,
                    set_aside: records.set_aside,
                });
            }
            Err(err) => tracing::warn!(%err, "the outbox could not be read"),
        }
    }

    /// `envelope` (widget 4's) with every waiting change applied and
    /// listed as pending.
    pub(super) fn with_overlay(&self, mut envelope: WidgetEnvelope) -> WidgetEnvelope {
        let (Some(session), WidgetData::Notifications(center)) =
            (self.read_session(), &mut envelope.data.data)
        else {
            return envelope;
        };
        let Ok(records) = self.inner.engine.store().outbox_records(&session.user.id) else {
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

    /// Sends the outbox whenever something may have changed, until the
    /// task is aborted.
    pub(super) async fn run_outbox(self) {
        let mut connectivity = self.connectivity_changes();
        let mut sessions = self.session_changes();
        loop {
            let next = self.send_waiting().await;
            let retry = match next {
                Next::Wait => Duration::MAX,
                Next::RetryIn(after) => after,
            };
            tokio::select! {
                () = self.inner.outbox.kick.notified() => {}
                changed = connectivity.changed() => if changed.is_err() { return },
                changed = sessions.changed() => if changed.is_err() { return },
                () = tokio::time::sleep(retry), if next_is_retry(retry) => {}
            }
        }
    }

    /// Sends the signed-in user's waiting changes, in order, until one
    /// cannot be sent now.
    async fn send_waiting(&self) -> Next {
        let _one_pass = self.inner.outbox.sending.lock().await;
        let Ok(session) = self.signed_in() else {
            return Next::Wait;
        };
        self.publish_outbox(&session.user.id);
        let mut sent = false;
        loop {
            if self.inner.client.connectivity().is_offline() {
                return Next::Wait;
            }
            let store = self.inner.engine.store();
            let first = match store.outbox_records(&session.user.id) {
                Ok(records) => records.changes.into_iter().next(),
                Err(err) => {
                    tracing::warn!(%err, "the outbox cannot be read now");
                    return Next::RetryIn(MAX_BACKOFF);
                }
            };
            let Some(mut change) = first else {
                if sent {
                    // The API's own view replaces the overlay, once the
                    // outbox is empty (one request, not one per change).
                    if let Err(err) = self.refresh_widget(WidgetId::NOTIFICATIONS).await {
                        tracing::debug!(%err, "widget 4 could not be refetched after changes");
                        self.announce_widget(WidgetId::NOTIFICATIONS);
                    }
                }
                return Next::Wait;
            };
            let ChangeKind::MarkNotificationRead { notification_id } = &change.change;
            let key = uuid::Uuid::parse_str(&change.id).unwrap_or_else(|_| uuid::Uuid::nil());
            let answer = self
                .inner
                .client
                .mark_notification_read(&session.token, notification_id, key)
                .await;
            match answer {
                Ok(()) => {
                    if let Err(err) = store.outbox_remove(&session.user.id, change.seq) {
                        tracing::warn!(%err, "a sent change could not be removed from the outbox");
                        return Next::RetryIn(MAX_BACKOFF);
                    }
                    self.publish_outbox(&session.user.id);
                    sent = true;
                }
                Err(CoreError::SessionExpired) => {
                    // Kept for the next sign-in of the same user.
                    let _ = self.check_session(&session, Err::<(), _>(CoreError::SessionExpired));
                    return Next::Wait;
                }
                Err(CoreError::UpstreamStatus {
                    status, message, ..
                }) if is_final(status) => {
                    if let Err(err) = store.outbox_remove(&session.user.id, change.seq) {
                        tracing::warn!(%err, "a refused change could not be removed from the outbox");
                        return Next::RetryIn(MAX_BACKOFF);
                    }
                    tracing::warn!(status, "the API refused a change; it was rolled back");
                    self.publish_outbox(&session.user.id);
                    self.announce_widget(WidgetId::NOTIFICATIONS);
                    let _ = self.inner.outbox.refused.send(RefusedChange {
                        change,
                        reason: format!("the server answered {status}: {message}"),
                    });
                }
                Err(err) => {
                    change.tries += 1;
                    change.last_error = Some(err.to_string());
                    if let Err(err) = store.outbox_put(&session.user.id, &change) {
                        tracing::warn!(%err, "a change's attempt could not be recorded");
                    }
                    self.publish_outbox(&session.user.id);
                    let wait = match err {
                        CoreError::RateLimited { retry_after_secs } => {
                            Duration::from_secs(retry_after_secs).max(backoff(change.tries))
                        }
                        _ => backoff(change.tries),
                    };
                    return Next::RetryIn(wait);
                }
            }
        }
    }

    /// Pushes `widget`'s cached envelope (with the overlay) to windows.
    fn announce_widget(&self, widget: WidgetId) {
        if let Some(session) = self.read_session() {
            self.inner
                .engine
                .announce(&session.user.id, &widget_key(widget));
        }
    }
}

fn next_is_retry(retry: Duration) -> bool {
    retry != Duration::MAX
}

/// A 4xx the API will answer the same way however often it is asked; 401
/// (the session), 408, 409 (still processing this key) and 429 are not.
fn is_final(status: u16) -> bool {
    (400..500).contains(&status) && !matches!(status, 401 | 408 | 409 | 429)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_minute() {
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(2), Duration::from_secs(4));
        assert_eq!(backoff(6), Duration::from_secs(60));
        assert_eq!(backoff(u32::MAX), Duration::from_secs(60));
    }

    #[test]
    fn only_answers_that_cannot_change_are_final() {
        for status in [400, 403, 404, 410, 422] {
            assert!(is_final(status), "{status}");
        }
        for status in [401, 408, 409, 429, 500, 503, 200] {
            assert!(!is_final(status), "{status}");
        }
    }
}
