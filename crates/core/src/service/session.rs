//! The signed-in accounts: sign-in (a first account, or one more beside
//! those signed in), restore at start (each kept account, or *locked* when
//! its token cannot be read, until [`Larder::unlock`]), and switching the
//! account the windows show. Sign-out and the API rejecting a session are
//! in [`super::session_end`].
//!
//! Each account has its own session: its token, its cache epoch (so its
//! sign-in or sign-out never fences another's fetches), its prewarm and
//! its outbox, which keeps sending while it is not shown. Only the shown
//! account's data reaches a window, and only its screen is kept fresh.

use larder_protocol::{AppConfig, LockedSession, Session, User, Username};
use tokio::sync::watch;

use super::{cached_config, read_lock, write_lock, Accounts, ActiveSession, Larder, Locked};
use crate::{session_store::PersistedSession, CoreError};

impl Larder {
    /// The shown account's session, with every signed-in account, if any.
    pub fn session(&self) -> Option<Session> {
        read_lock(&self.inner.accounts).view()
    }

    beneath_the_facade! {
        /// The session, as it changes (sign-in, switch, sign-out, rejected by
        /// the API).
        pub fn session_changes(&self) -> watch::Receiver<Option<Session>> {
            self.inner.session_changes.subscribe()
        }
    }

    /// Validates `username` (nothing is sent when it is invalid), signs in,
    /// keeps the session and warms the dashboard in the background. Any
    /// account already signed in stays signed in; the new one is shown.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(&self, username: &str) -> Result<Session, CoreError> {
        let username = Username::parse(username)?;
        let login = self.inner.client.login(&username).await?;
        let session = self.new_session(login.token, login.user);
        if let Err(err) = self.inner.persistence.save(&PersistedSession {
            user: session.user.clone(),
            token: session.token.clone(),
        }) {
            tracing::warn!(%err, "the session will not survive a restart");
        }
        tracing::info!(user = %crate::log_id(&session.user.id), "signed in");
        self.inner
            .locked
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|locked| locked.session.user.id != session.user.id);
        self.forget_other_roles(&session.user.id, session.user.role);
        self.begin_session(session.clone());
        self.show(&session.user.id);
        // Sign-in does not wait for the dashboard.
        self.prewarm_for(&session);
        self.session().ok_or(CoreError::NotSignedIn)
    }

    /// Shows signed-in account `user_id` in every window: its cached
    /// dashboard, its outbox and its prewarm's progress. Nothing is fetched
    /// and no secret is read: its session and cache key are in memory
    /// since it was signed in or restored. An account not signed in is
    /// [`CoreError::NotSignedIn`], and the one shown stays.
    #[tracing::instrument(skip_all)]
    pub fn switch_account(&self, user_id: &str) -> Result<Session, CoreError> {
        let signed_in = read_lock(&self.inner.accounts)
            .active
            .iter()
            .any(|session| session.user.id == user_id);
        if !signed_in {
            return Err(CoreError::NotSignedIn);
        }
        self.show(user_id);
        if let Err(err) = self.inner.persistence.show(user_id) {
            tracing::warn!(%err, "the account shown will not be remembered");
        }
        tracing::info!(user = %crate::log_id(user_id), "switched account");
        self.session().ok_or(CoreError::NotSignedIn)
    }

    beneath_the_facade! {
        /// Restores every account kept by the last run, and warms each
        /// one's dashboard in the background (served from the cache when
        /// offline). An account whose token cannot be read (a locked
        /// keychain) is not ended: it is [`Self::locked`], and
        /// [`Self::unlock`] tries again. The account shown last is shown
        /// again if it could be restored. Must be called on a tokio runtime.
        #[tracing::instrument(skip_all)]
        pub fn restore_session(&self) -> Option<Session> {
            self.restore_kept_sessions();
            self.inner.restored.send_replace(true);
            self.session()
        }
    }

    fn restore_kept_sessions(&self) {
        let kept = self.inner.persistence.kept();
        let active: Vec<String> = read_lock(&self.inner.accounts)
            .active
            .iter()
            .map(|session| session.user.id.clone())
            .collect();
        let mut locked = Vec::new();
        let mut restored = Vec::new();
        for user in kept.users.into_iter().filter(|user| !active.contains(&user.id)) {
            match self.inner.persistence.token(&user.id) {
                Ok(Some(token)) => restored.push(self.new_session(token, user)),
                Ok(None) => {
                    tracing::warn!(user = %crate::log_id(&user.id), "a kept account has no token; it was not restored");
                }
                Err(CoreError::Keychain(err)) => {
                    tracing::warn!(%err, user = %crate::log_id(&user.id), "a kept account's token cannot be read; waiting for the keychain");
                    let session = LockedSession {
                        user,
                        reason: crate::error::lock_reason(&err),
                    };
                    locked.push(Locked {
                        session,
                        error: err,
                    });
                }
                Err(err) => tracing::warn!(%err, "a kept account could not be read"),
            }
        }
        write_lock(&self.inner.locked, locked);
        if restored.is_empty() {
            return;
        }
        self.reload_cached_config();
        for session in &restored {
            tracing::info!(user = %crate::log_id(&session.user.id), "restored the session");
            self.begin_session(session.clone());
        }
        let accounts = read_lock(&self.inner.accounts);
        let shown = kept
            .shown
            .filter(|id| accounts.active.iter().any(|s| &s.user.id == id))
            .or_else(|| accounts.shown.clone())
            .or_else(|| accounts.active.first().map(|s| s.user.id.clone()));
        if let Some(shown) = shown {
            self.show(&shown);
        }
        for session in &restored {
            self.prewarm_for(session);
        }
    }

    /// The kept account waiting for its secrets, if any: the one shown
    /// last first.
    pub fn locked(&self) -> Option<LockedSession> {
        let locked = read_lock(&self.inner.locked);
        let shown = self.inner.persistence.kept().shown;
        locked
            .iter()
            .find(|l| Some(&l.session.user.id) == shown.as_ref())
            .or_else(|| locked.first())
            .map(|l| l.session.clone())
    }

    /// Tries again to resume the locked accounts (after the keychain was
    /// unlocked): the session shown, or why an account is still locked.
    pub fn unlock(&self) -> Result<Option<Session>, CoreError> {
        let restored = self.restore_session();
        match (restored, read_lock(&self.inner.locked).first()) {
            (None, Some(locked)) => Err(CoreError::Keychain(locked.error.clone())),
            (restored, _) => Ok(restored),
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

    /// A session for `user` under a fresh cache epoch of theirs: fetches of
    /// their earlier session are fenced, other accounts' are not.
    fn new_session(&self, token: String, user: User) -> ActiveSession {
        ActiveSession {
            epoch: self.inner.engine.end_epoch(&user.id),
            token,
            user,
        }
    }

    /// Adds `session` to the signed-in accounts (in place of an earlier
    /// session of the same user), not shown yet.
    fn begin_session(&self, session: ActiveSession) {
        // The user's data is theirs to come back to from now until they
        // sign out without keeping it, however the session ends (a lost
        // token, a 401): sweeps and the size limit keep it.
        if let Err(err) = self.inner.engine.store().mark_kept(&session.user.id) {
            tracing::warn!(%err, "the user's cache could not be marked kept");
        }
        // Asked now, on the user's own action (signing in, opening Larder,
        // Retry), so the background (and a switch) never has to ask the
        // keychain.
        if let Err(err) = self.inner.engine.store().load_key(&session.user.id) {
            tracing::info!(%err, "the user's cache key could not be loaded yet");
        }
        self.change_accounts(|accounts| {
            match accounts
                .active
                .iter_mut()
                .find(|s| s.user.id == session.user.id)
            {
                Some(earlier) => *earlier = session,
                None => accounts.active.push(session),
            }
        });
    }

    /// Shows `user_id` (signed in): windows are told, then given its outbox
    /// and its prewarm's progress.
    pub(super) fn show(&self, user_id: &str) {
        let mut changed = false;
        self.change_accounts(|accounts| {
            changed = accounts.shown.as_deref() != Some(user_id);
            accounts.shown = Some(user_id.to_owned());
        });
        if changed {
            self.forget_screen_views();
        }
        self.publish_outbox(user_id);
        self.publish_progress(user_id);
    }

    /// Changes the signed-in accounts and announces the session as it is
    /// then, both under the write lock, so announcements come in the order
    /// of the changes.
    pub(super) fn change_accounts(&self, change: impl FnOnce(&mut Accounts)) {
        let mut accounts = self
            .inner
            .accounts
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        change(&mut accounts);
        self.inner.session_changes.send_replace(accounts.view());
    }

    /// Whether `user_id` is the account shown. Announcements about one
    /// account reach windows only while it is shown; the check and the
    /// announcement happen under this read lock, so a switch never lets
    /// an announcement of the account before it through after it.
    pub(super) fn while_shown(&self, user_id: &str, announce: impl FnOnce()) {
        let accounts = read_lock_guard(&self.inner.accounts);
        if accounts.shown.as_deref() == Some(user_id) {
            announce();
        }
    }

    /// The shown account's session.
    pub(super) fn read_session(&self) -> Option<ActiveSession> {
        read_lock_guard(&self.inner.accounts).shown().cloned()
    }

    /// Every signed-in account's session, shown or not.
    pub(super) fn active_sessions(&self) -> Vec<ActiveSession> {
        read_lock(&self.inner.accounts).active
    }

    pub(super) fn signed_in(&self) -> Result<ActiveSession, CoreError> {
        self.read_session().ok_or(CoreError::NotSignedIn)
    }
}

fn read_lock_guard<T>(lock: &std::sync::RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}
