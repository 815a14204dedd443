//! The outbox's sender: one task that sends every signed-in account's
//! waiting changes (shown or not), the accounts side by side, each
//! account's in order, one at a time, each with its own `Idempotency-Key`,
//! its own token and its own backoff.
//!
//! A change leaves the outbox only when the API has answered it for good: a
//! 2xx, or a final 4xx (then it is rolled back and the user is told).
//! Timeouts, connection errors, 5xx, 409 (the API still processing it) and
//! 429 keep it, to be tried again after a backoff (or the `Retry-After`)
//! that nothing cuts short: a new change, a connectivity change or a
//! session change wakes the sender, but it waits out the backoff first. A
//! 401 keeps it for the next sign-in of the same user.
//!
//! A change older than the API's published key lifetime may have been
//! applied under a key the API has since forgotten, so it is not sent
//! blindly: widget 4 is fetched first, and a notification already read
//! there counts as applied. Likewise a final refusal is checked against
//! widget 4 before the change is rolled back: an earlier attempt whose
//! answer was lost may have applied it.

use std::time::Duration;

use larder_protocol::{ChangeKind, PendingChange, RefusedChange, WidgetData, WidgetId};

use super::{
    outbox::{lock, Acknowledged},
    widget_key, ActiveSession, Larder,
};
use crate::{CoreError, Resource};

/// The first wait after a failed attempt; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What a pass over the outbox left to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Nothing to send, or nothing can be sent until something changes.
    Wait,
    /// Try again after this long.
    RetryIn(Duration),
}

/// Whether a change could be claimed for sending.
enum Claim {
    /// Its attempt is recorded and it is the one on its way.
    Claimed,
    /// It is no longer waiting (discarded meanwhile).
    Gone,
    /// Its attempt could not be recorded (storage): not sent yet.
    Unrecorded,
}

/// What the API's state says of an old change.
enum Reconciled {
    /// Already applied: it leaves the outbox without being sent.
    Applied,
    /// Not applied: send it.
    Send,
    /// The notification is gone: the change can never apply.
    Gone,
}

fn backoff(tries: u32) -> Duration {
    FIRST_BACKOFF
        .saturating_mul(2u32.saturating_pow(tries.saturating_sub(1).min(8)))
        .min(MAX_BACKOFF)
}

/// A 4xx the API will answer the same way however often it is asked; 401
/// (the session), 408, 409 (still processing this key) and 429 are not.
fn is_final(status: u16) -> bool {
    (400..500).contains(&status) && !matches!(status, 401 | 408 | 409 | 429)
}

impl Larder {
    /// Sends the outbox whenever something may have changed, until the
    /// task is aborted.
    pub(super) async fn run_outbox(self) {
        let mut connectivity = self.connectivity_changes();
        let mut sessions = self.session_changes();
        loop {
            let next = self.send_waiting().await;
            let retry = match next {
                Next::Wait => None,
                Next::RetryIn(after) => Some(after),
            };
            tokio::select! {
                // In order, so one history always takes the same branch.
                biased;
                () = self.inner.outbox.kick.notified() => {}
                changed = connectivity.changed() => if changed.is_err() { return },
                changed = sessions.changed() => if changed.is_err() { return },
                () = tokio::time::sleep(retry.unwrap_or_default()), if retry.is_some() => {}
            }
        }
    }

    /// How long `user_id` must still wait before the next attempt.
    fn backing_off(&self, user_id: &str) -> Option<Duration> {
        let not_before = lock(&self.inner.outbox.not_before);
        let until = not_before.get(user_id)?;
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        (!left.is_zero()).then_some(left)
    }

    fn back_off(&self, user_id: &str, wait: Duration) {
        lock(&self.inner.outbox.not_before)
            .insert(user_id.to_owned(), tokio::time::Instant::now() + wait);
    }

    /// Sends every signed-in account's waiting changes, the accounts side
    /// by side, each account's in order until one cannot be sent now; what
    /// is left waits for the soonest retry among them. One account's slow
    /// request, backoff or rejection never holds back another's changes.
    async fn send_waiting(&self) -> Next {
        let _one_pass = self.inner.outbox.sending.lock().await;
        let sessions = self.active_sessions();
        let passes = sessions
            .iter()
            .map(|session| self.send_waiting_of(session));
        futures_util::future::join_all(passes)
            .await
            .into_iter()
            .fold(Next::Wait, |next, of_one| match (next, of_one) {
                (Next::RetryIn(a), Next::RetryIn(b)) => Next::RetryIn(a.min(b)),
                (Next::Wait, other) | (other, Next::Wait) => other,
            })
    }

    /// Sends `session`'s waiting changes, in order, until one cannot be
    /// sent now.
    async fn send_waiting_of(&self, session: &ActiveSession) -> Next {
        let session = session.clone();
        self.publish_outbox(&session.user.id);
        let mut acknowledged_at = None;
        loop {
            if self.inner.client.connectivity().is_offline() {
                return Next::Wait;
            }
            if let Some(left) = self.backing_off(&session.user.id) {
                return Next::RetryIn(left);
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
                if let Some(since) = acknowledged_at {
                    self.refetch_after(&session, since).await;
                }
                return Next::Wait;
            };
            match self.claim(&session, &mut change) {
                Claim::Claimed => {}
                Claim::Gone => continue, // discarded meanwhile
                Claim::Unrecorded => return Next::RetryIn(MAX_BACKOFF),
            }
            let next = self.send_one(&session, change, &mut acknowledged_at).await;
            lock(&self.inner.outbox.in_flight).remove(&session.user.id);
            if let Some(next) = next {
                return next;
            }
        }
    }

    /// Marks `change` as the one on its way, if it is still waiting (a
    /// discard takes the same lock, so the two never cross).
    ///
    /// The attempt is counted durably before the request goes out, so
    /// that after a crash mid-request the record says it may have been
    /// sent (a discard then says it may still arrive).
    fn claim(&self, session: &ActiveSession, change: &mut PendingChange) -> Claim {
        let mut in_flight = lock(&self.inner.outbox.in_flight);
        change.tries += 1;
        match self
            .inner
            .engine
            .store()
            .outbox_update(&session.user.id, change)
        {
            Ok(true) => {
                in_flight.insert(session.user.id.clone(), change.id.clone());
                Claim::Claimed
            }
            Ok(false) => Claim::Gone,
            Err(err) => {
                tracing::warn!(%err, "a change's attempt could not be recorded; not sending it yet");
                Claim::Unrecorded
            }
        }
    }

    /// Sends one claimed change and files the answer; `None` goes on to
    /// the next change.
    async fn send_one(
        &self,
        session: &ActiveSession,
        mut change: PendingChange,
        acknowledged_at: &mut Option<u64>,
    ) -> Option<Next> {
        let store = self.inner.engine.store();
        let user_id = &session.user.id;
        let ChangeKind::MarkNotificationRead { notification_id } = change.change.clone();
        // Whether the API may have applied it already: an earlier attempt
        // (whose answer may have been lost), or a try of this one that got
        // no answer.
        let mut may_have_applied = change.tries > 1;
        let answer = match self.reconcile(session, &change, &notification_id).await {
            Ok(Reconciled::Applied) => Ok(()),
            Ok(Reconciled::Send) => {
                let key = uuid::Uuid::parse_str(&change.id).unwrap_or_else(|_| uuid::Uuid::nil());
                let (answer, unanswered) = self
                    .inner
                    .client
                    .mark_notification_read_reporting(&session.token, &notification_id, key)
                    .await;
                may_have_applied |= unanswered;
                answer
            }
            Ok(Reconciled::Gone) => Err(CoreError::UpstreamStatus {
                status: 404,
                code: "not_found".into(),
                message: "the notification no longer exists".into(),
            }),
            Err(err) => Err(err),
        };
        // A refusal after an attempt whose answer never came (an earlier
        // try, or a retry inside this one) does not prove the change was
        // not applied then: what the API shows decides.
        let answer = match answer {
            Err(CoreError::UpstreamStatus { status, .. })
                if is_final(status)
                    && may_have_applied
                    && matches!(
                        self.read_upstream(session, &notification_id).await,
                        Ok(Some(true))
                    ) =>
            {
                Ok(())
            }
            other => other,
        };
        match answer {
            Ok(()) => {
                let at_ms = self.inner.engine.now_ms();
                lock(&self.inner.outbox.acknowledged).push(Acknowledged {
                    user_id: user_id.clone(),
                    notification_id,
                    at_ms,
                });
                *acknowledged_at = Some(at_ms);
                if let Err(err) = store.outbox_remove(user_id, change.seq) {
                    tracing::warn!(%err, "a sent change could not be removed from the outbox");
                    return Some(Next::RetryIn(MAX_BACKOFF));
                }
                self.publish_outbox(user_id);
                None
            }
            Err(CoreError::SessionExpired) => {
                // Kept for the next sign-in of the same user.
                let _ = self.check_session(session, Err::<(), _>(CoreError::SessionExpired));
                Some(Next::Wait)
            }
            Err(CoreError::UpstreamStatus {
                status, message, ..
            }) if is_final(status) => {
                match store.outbox_remove(user_id, change.seq) {
                    Ok(true) => {
                        tracing::warn!(status, "the API refused a change; it was rolled back");
                        self.publish_outbox(user_id);
                        self.announce_widget(user_id, WidgetId::NOTIFICATIONS);
                        self.tell_refused(
                            user_id,
                            RefusedChange {
                                change,
                                reason: format!("the server answered {status}: {message}"),
                            },
                        );
                    }
                    Ok(false) => {} // discarded meanwhile: already rolled back
                    Err(err) => {
                        tracing::warn!(%err, "a refused change could not be removed from the outbox");
                        return Some(Next::RetryIn(MAX_BACKOFF));
                    }
                }
                None
            }
            Err(err) => {
                change.last_error = Some(err.to_string());
                match store.outbox_update(user_id, &change) {
                    Ok(_) => {}
                    Err(err) => tracing::warn!(%err, "a change's attempt could not be recorded"),
                }
                self.publish_outbox(user_id);
                let wait = match err {
                    CoreError::RateLimited { retry_after_secs } => {
                        Duration::from_secs(retry_after_secs).max(backoff(change.tries))
                    }
                    _ => backoff(change.tries),
                };
                self.back_off(user_id, wait);
                Some(Next::RetryIn(wait))
            }
        }
    }

    /// For a change older than the API's key lifetime, what widget 4,
    /// fetched now, says of it; younger changes are sent.
    async fn reconcile(
        &self,
        session: &ActiveSession,
        change: &PendingChange,
        notification_id: &str,
    ) -> Result<Reconciled, CoreError> {
        let lifetime_ms = self.config().idempotency_key_ttl_secs.saturating_mul(1000);
        let now = self.inner.engine.now_ms();
        if lifetime_ms == 0 || now.saturating_sub(change.created_at) < lifetime_ms {
            return Ok(Reconciled::Send);
        }
        Ok(match self.read_upstream(session, notification_id).await? {
            Some(true) => Reconciled::Applied,
            Some(false) => Reconciled::Send,
            None => Reconciled::Gone,
        })
    }

    /// Whether notification `id` is read as the API shows it now (from a
    /// request that starts now); `None` when it no longer lists it.
    async fn read_upstream(
        &self,
        session: &ActiveSession,
        id: &str,
    ) -> Result<Option<bool>, CoreError> {
        let now = self.inner.engine.now_ms();
        let entry = self.fetch_notifications_since(session, now).await?;
        let widget: larder_protocol::WidgetResponse = crate::resource::decode(&entry.payload)?;
        let WidgetData::Notifications(center) = widget.data else {
            return Ok(None);
        };
        Ok(center
            .notifications
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.read))
    }

    /// Widget 4 from a request that starts no earlier than `since_ms`.
    async fn fetch_notifications_since(
        &self,
        session: &ActiveSession,
        since_ms: u64,
    ) -> Result<larder_store::CacheEntry, CoreError> {
        let resource = Resource::Widget(WidgetId::NOTIFICATIONS);
        let fetch = self.fetch_fn(session, resource);
        let fetched = self
            .inner
            .engine
            .refresh_since(
                session.epoch,
                &session.user.id,
                &widget_key(WidgetId::NOTIFICATIONS),
                fetch,
                since_ms,
            )
            .await;
        self.check_session(session, fetched)
    }

    /// Once the outbox is empty after acknowledgements, the API's own view
    /// (fetched after the last one) replaces the overlay: one request, not
    /// one per change.
    async fn refetch_after(&self, session: &ActiveSession, since_ms: u64) {
        if let Err(err) = self.fetch_notifications_since(session, since_ms).await {
            tracing::debug!(%err, "widget 4 could not be refetched after changes");
            self.announce_widget(&session.user.id, WidgetId::NOTIFICATIONS);
        }
    }
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
