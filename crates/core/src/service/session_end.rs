//! How an account's session ends: signing out of the account shown, in
//! its order (revoke, fence, purge), or the API rejecting a session (401).
//! Either way only that account ends; the others stay signed in, and the
//! first of them is shown if the ended one was.

use larder_protocol::events::ForUser;

use super::{ActiveSession, Larder};
use crate::CoreError;

/// The longest sign-out waits for the API to revoke the token.
const LOGOUT_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

impl Larder {
    /// Signs the shown account out, in order: revokes the token upstream
    /// on a best-effort basis (not waited for when offline); fences off
    /// every fetch of its session, so none is written afterwards; discards
    /// its changes still waiting in the outbox (the window asks first;
    /// changes it cannot read now are kept); purges its cache, unless the
    /// settings keep it for offline use. Other accounts stay signed in, and
    /// the first of them is shown. Returns how many waiting changes were
    /// discarded.
    #[tracing::instrument(skip_all)]
    pub async fn sign_out(&self) -> usize {
        let mut ended = None;
        self.change_accounts(|accounts| {
            let Some(shown) = accounts.shown.take() else {
                return;
            };
            if let Some(at) = accounts.active.iter().position(|s| s.user.id == shown) {
                ended = Some(accounts.active.remove(at));
            }
            accounts.shown = accounts.active.first().map(|s| s.user.id.clone());
        });
        let Some(session) = ended else {
            return 0;
        };
        self.after_shown_ended();
        let client = self.inner.client.clone();
        let token = session.token.clone();
        let logout = async move {
            if let Err(err) = client.logout(&token).await {
                tracing::warn!(%err, "logout could not reach the API; the session is ended locally");
            }
        };
        if self.inner.client.connectivity().is_offline() {
            tokio::spawn(logout);
        } else if tokio::time::timeout(LOGOUT_WAIT, logout).await.is_err() {
            tracing::warn!("logout took too long; the session is ended locally");
        }
        self.fence_session(&session.user.id);
        let store = self.inner.engine.store();
        // Only changes the user could be shown (and asked about) are
        // discarded: ones that cannot be read now (a locked or mismatched
        // key) stay, sealed, for this user's next sign-in.
        let discarded = match store.outbox_records(&session.user.id) {
            Ok(_) => store.outbox_clear(&session.user.id).unwrap_or_else(|err| {
                tracing::warn!(%err, "the outbox could not be emptied at sign-out");
                0
            }),
            Err(err) => {
                tracing::warn!(%err, "changes waiting cannot be read now; they are kept for the next sign-in");
                0
            }
        };
        if discarded > 0 {
            tracing::info!(
                discarded,
                "signed out with changes waiting; they were discarded"
            );
        }
        let kept = if !self.settings().keep_cache_on_sign_out {
            store.purge_user(&session.user.id)
        } else if store.keys_in_keychain() {
            tracing::info!(
                "kept the signed-out user's cache (and its key, in the keychain) for offline use"
            );
            store.mark_kept(&session.user.id)
        } else {
            // A key in a file must not outlive the session, and values
            // without their key are of no use to anyone: both go.
            tracing::warn!("keeping the cache after sign-out needs an OS keychain; it was purged");
            store.purge_user(&session.user.id)
        };
        if let Err(err) = kept {
            tracing::warn!(%err, "the signed-out user's cache could not be purged");
        }
        self.forget_account(&session.user.id);
        discarded
    }

    /// Stops `user_id`'s prewarm and fences off every fetch of their
    /// session under way.
    pub(super) fn fence_session(&self, user_id: &str) {
        if let Some(prewarm) = self
            .inner
            .prewarm
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(user_id)
        {
            prewarm.task.abort();
        }
        self.inner.engine.end_epoch(user_id);
    }

    /// After the shown account's session ended: what the windows showed
    /// of it is forgotten, and the next account signed in is shown, or,
    /// with none left, the windows are told its outbox is gone.
    fn after_shown_ended(&self) {
        self.forget_screen_views();
        match self.read_session() {
            Some(next) => self.show(&next.user.id),
            None => {
                self.inner.outbox.changes.send_replace(ForUser::new(
                    "",
                    larder_protocol::Outbox::default(),
                ));
            }
        }
    }

    fn forget_account(&self, user_id: &str) {
        super::outbox::lock(&self.inner.outbox.refused_unseen).remove(user_id);
        if let Err(err) = self.inner.persistence.remove(user_id) {
            tracing::warn!(%err, "the kept session could not be removed");
        }
    }

    /// The API rejected `expected` (401): that account's session ends,
    /// unless a newer sign-in replaced it. The cache stays; with no other
    /// account signed in, the UI shows sign-in.
    fn end_rejected_session(&self, expected: &ActiveSession) {
        let mut ended = false;
        let mut was_shown = false;
        self.change_accounts(|accounts| {
            let Some(at) = accounts.active.iter().position(|s| s == expected) else {
                return;
            };
            accounts.active.remove(at);
            ended = true;
            if accounts.shown.as_deref() == Some(expected.user.id.as_str()) {
                was_shown = true;
                accounts.shown = accounts.active.first().map(|s| s.user.id.clone());
            }
        });
        if !ended {
            return;
        }
        tracing::info!("the API rejected the session; signed out, cache kept");
        if let Err(err) = self.inner.engine.store().mark_kept(&expected.user.id) {
            tracing::warn!(%err, "the rejected session's cache could not be marked kept");
        }
        self.fence_session(&expected.user.id);
        self.forget_account(&expected.user.id);
        if was_shown {
            self.after_shown_ended();
        }
    }

    /// Passes `result` through; a 401 in it ends `session` first.
    pub(super) fn check_session<T>(
        &self,
        session: &ActiveSession,
        result: Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        if let Err(CoreError::SessionExpired) = &result {
            self.end_rejected_session(session);
        }
        result
    }
}
