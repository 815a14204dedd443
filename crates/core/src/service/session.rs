//! The session's life: sign-in, restore at start (or *locked* when its
//! token cannot be read, until [`Larder::unlock`]), sign-out in its order
//! (revoke, fence, purge), and the API rejecting the session (401).

use std::sync::PoisonError;

use larder_protocol::{AppConfig, LockedSession, Session, User, Username};
use tokio::sync::watch;

use super::{cached_config, read_lock, write_lock, ActiveSession, Larder, Locked};
use crate::{session_store::PersistedSession, CoreError};

/// The longest sign-out waits for the API to revoke the token.
const LOGOUT_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

impl Larder {
    /// The signed-in user's session, if any.
    pub fn session(&self) -> Option<Session> {
        self.read_session().map(|s| Session { user: s.user })
    }

    beneath_the_facade! {
        /// The session, as it changes (sign-in, sign-out, rejected by the API).
        pub fn session_changes(&self) -> watch::Receiver<Option<Session>> {
            self.inner.session_changes.subscribe()
        }
    }

    /// Validates `username` (nothing is sent when it is invalid), signs in,
    /// keeps the session and warms the dashboard in the background.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(&self, username: &str) -> Result<Session, CoreError> {
        let username = Username::parse(username)?;
        let login = self.inner.client.login(&username).await?;
        let (token, user) = (login.token, login.user);
        let session = self.new_session(token, user);
        if let Err(err) = self.inner.persistence.save(&PersistedSession {
            user: session.user.clone(),
            token: session.token.clone(),
        }) {
            tracing::warn!(%err, "the session will not survive a restart");
        }
        tracing::info!(user = %crate::log_id(&session.user.id), "signed in");
        let user = session.user.clone();
        write_lock(&self.inner.locked, None);
        self.forget_other_roles(&user.id, user.role);
        self.begin_session(session);
        // Sign-in does not wait for the dashboard.
        self.prewarm()?;
        Ok(Session { user })
    }

    beneath_the_facade! {
        /// Restores the session kept by the last run, if any, and warms the
        /// dashboard in the background (served from the cache when offline).
        /// When its token cannot be read (a locked keychain), the session is
        /// not ended: it is [`Self::locked`], and [`Self::unlock`] tries again.
        /// Must be called on a tokio runtime.
        #[tracing::instrument(skip_all)]
        pub fn restore_session(&self) -> Option<Session> {
            let restored = self.restore_kept_session();
            self.inner.restored.send_replace(true);
            restored
        }
    }

    fn restore_kept_session(&self) -> Option<Session> {
        let kept = match self.inner.persistence.load() {
            Ok(kept) => kept?,
            Err(CoreError::Keychain(err)) => {
                let user = self.inner.persistence.kept_user()?;
                tracing::warn!(%err, user = %crate::log_id(&user.id), "the kept session's token cannot be read; waiting for the keychain");
                let session = LockedSession {
                    user,
                    reason: crate::error::lock_reason(&err),
                };
                write_lock(
                    &self.inner.locked,
                    Some(Locked {
                        session,
                        error: err,
                    }),
                );
                return None;
            }
            Err(err) => {
                tracing::warn!(%err, "the kept session could not be read");
                return None;
            }
        };
        tracing::info!(user = %crate::log_id(&kept.user.id), "restored the session");
        write_lock(&self.inner.locked, None);
        self.reload_cached_config();
        let user = kept.user.clone();
        let session = self.new_session(kept.token, kept.user);
        self.begin_session(session);
        if let Err(err) = self.prewarm() {
            tracing::warn!(%err, "the restored session could not be prewarmed");
        }
        Some(Session { user })
    }

    /// The kept session waiting for its secrets, if any.
    pub fn locked(&self) -> Option<LockedSession> {
        read_lock(&self.inner.locked).map(|locked| locked.session)
    }

    /// Tries again to resume a locked session (after the keychain was
    /// unlocked): the session, or why it is still locked.
    pub fn unlock(&self) -> Result<Option<Session>, CoreError> {
        if let Some(session) = self.session() {
            return Ok(Some(session));
        }
        let restored = self.restore_session();
        match (restored, read_lock(&self.inner.locked)) {
            (Some(session), _) => Ok(Some(session)),
            (None, Some(locked)) => Err(CoreError::Keychain(locked.error)),
            (None, None) => Ok(None),
        }
    }

    /// Reads the API's config from the cache again, when it could not be
    /// read at start (its key was locked) and nothing newer was fetched.
    fn reload_cached_config(&self) {
        if read_lock(&self.inner.config) != AppConfig::default() {
            return;
        }
        if let Some(config) = cached_config(&self.inner.engine) {
            write_lock(&self.inner.config, config);
        }
    }

    /// A session for `user` under a fresh cache epoch.
    fn new_session(&self, token: String, user: User) -> ActiveSession {
        self.inner.engine.end_epoch();
        ActiveSession {
            token,
            user,
            epoch: self.inner.engine.epoch(),
        }
    }

    fn begin_session(&self, session: ActiveSession) {
        // The user's data is theirs to come back to from now until they
        // sign out without keeping it, however the session ends (a lost
        // token, a 401): sweeps and the size limit keep it.
        if let Err(err) = self.inner.engine.store().mark_kept(&session.user.id) {
            tracing::warn!(%err, "the user's cache could not be marked kept");
        }
        // Asked now, on the user's own action (signing in, opening Larder,
        // Retry), so the background never has to ask the keychain.
        if let Err(err) = self.inner.engine.store().load_key(&session.user.id) {
            tracing::info!(%err, "the user's cache key could not be loaded yet");
        }
        let user = session.user.clone();
        write_lock(&self.inner.session, Some(session));
        self.inner
            .session_changes
            .send_replace(Some(Session { user }));
    }

    /// Signs out, in order: revokes the token upstream on a best-effort
    /// basis (not waited for when offline); fences off every fetch of the
    /// session, so none is written afterwards; discards the changes still
    /// waiting in the outbox (the window asks first; changes it cannot read
    /// now are kept); purges the user's
    /// cache, unless the settings keep it for offline use. Returns how many
    /// waiting changes were discarded.
    #[tracing::instrument(skip_all)]
    pub async fn sign_out(&self) -> usize {
        let Some(session) = self
            .inner
            .session
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return 0;
        };
        self.inner.session_changes.send_replace(None);
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
        self.fence_session();
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
        self.inner
            .outbox
            .changes
            .send_replace(larder_protocol::Outbox::default());
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
        self.forget_session();
        discarded
    }

    /// Stops the prewarm and fences off every fetch under way.
    pub(super) fn fence_session(&self) {
        if let Some(prewarm) = self
            .inner
            .prewarm
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            prewarm.abort();
        }
        self.inner.engine.end_epoch();
    }

    fn forget_session(&self) {
        if let Err(err) = self.inner.persistence.clear() {
            tracing::warn!(%err, "the kept session could not be removed");
        }
    }

    /// The API rejected `expected` (401): the session ends, unless a newer
    /// sign-in replaced it. The cache stays; the UI shows sign-in.
    fn end_rejected_session(&self, expected: &ActiveSession) {
        {
            let mut guard = self
                .inner
                .session
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            if guard.as_ref() != Some(expected) {
                return;
            }
            *guard = None;
        }
        tracing::info!("the API rejected the session; signed out, cache kept");
        if let Err(err) = self.inner.engine.store().mark_kept(&expected.user.id) {
            tracing::warn!(%err, "the rejected session's cache could not be marked kept");
        }
        self.fence_session();
        self.forget_session();
        self.inner.session_changes.send_replace(None);
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

    pub(super) fn read_session(&self) -> Option<ActiveSession> {
        read_lock(&self.inner.session)
    }

    pub(super) fn signed_in(&self) -> Result<ActiveSession, CoreError> {
        self.read_session().ok_or(CoreError::NotSignedIn)
    }
}
