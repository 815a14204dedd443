//! Keeping the signed-in accounts across restarts. The core only needs
//! [`SessionPersistence`]. [`KeptSessions`] is the one the desktop shell
//! uses: the accounts (no secret) in an [`AccountList`] the shell provides,
//! each account's token in a [`larder_store::secrets::SecretStore`] under
//! its own name. Tests use [`MemorySessions`].
//!
//! Before Larder kept several accounts it kept one session, its token
//! under [`SESSION_TOKEN`]. A list still in that form is moved to the new
//! one the first time a token is asked for or the list changes, so a
//! session kept by an older Larder survives the upgrade.

use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex, PoisonError},
};

use larder_protocol::User;
use larder_store::{
    secrets::{session_token_name, SESSION_TOKEN},
    store::partition_name,
};

use crate::{CoreError, SecretStore};

/// A session as kept between runs.
#[derive(Clone, PartialEq, Eq)]
pub struct PersistedSession {
    pub user: User,
    pub token: String,
}

impl fmt::Debug for PersistedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token never reaches a log.
        f.debug_struct("PersistedSession")
            .field("user", &crate::log_id(&self.user.id))
            .finish_non_exhaustive()
    }
}

/// The accounts kept between runs, readable without any secret: what a
/// locked account shows while its token cannot be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptAccounts {
    /// In the order they were added.
    pub users: Vec<User>,
    /// The id of the account shown last.
    pub shown: Option<String>,
}

impl KeptAccounts {
    /// With `user` added (or its details replaced) and shown.
    pub fn with(mut self, user: &User) -> Self {
        match self.users.iter_mut().find(|kept| kept.id == user.id) {
            Some(kept) => *kept = user.clone(),
            None => self.users.push(user.clone()),
        }
        self.shown = Some(user.id.clone());
        self
    }

    /// Without `user_id`; if it was shown, the first one left is.
    pub fn without(mut self, user_id: &str) -> Self {
        self.users.retain(|kept| kept.id != user_id);
        if self.shown.as_deref() == Some(user_id) || self.users.is_empty() {
            self.shown = self.users.first().map(|user| user.id.clone());
        }
        self
    }

    /// With `user_id` shown, if it is kept.
    pub fn showing(mut self, user_id: &str) -> Self {
        if self.users.iter().any(|kept| kept.id == user_id) {
            self.shown = Some(user_id.to_owned());
        }
        self
    }
}

/// Where the signed-in accounts are kept between runs.
pub trait SessionPersistence: Send + Sync + fmt::Debug {
    /// The kept accounts, read without any secret.
    fn kept(&self) -> KeptAccounts;
    /// `user_id`'s token; one that cannot be read is
    /// [`CoreError::Keychain`], never `Ok(None)`.
    fn token(&self, user_id: &str) -> Result<Option<String>, CoreError>;
    /// Keeps `session` (a new account, or a new token for a kept one) as
    /// the one shown.
    fn save(&self, session: &PersistedSession) -> Result<(), CoreError>;
    /// Records `user_id` as the account shown.
    fn show(&self, user_id: &str) -> Result<(), CoreError>;
    /// Forgets `user_id`'s account and its token.
    fn remove(&self, user_id: &str) -> Result<(), CoreError>;
}

/// The part of [`KeptSessions`] without secrets, kept by the shell (in
/// `session.json`).
pub trait AccountList: Send + Sync + fmt::Debug {
    /// The accounts, and whether the list is still in the one-session form
    /// of an older Larder (its one user's token is then under
    /// [`SESSION_TOKEN`]).
    fn read(&self) -> (KeptAccounts, bool);
    /// Replaces the list (in the current form).
    fn write(&self, accounts: &KeptAccounts) -> Result<(), CoreError>;
}

/// The accounts in an [`AccountList`], each token in a secret store under
/// its account's own name.
#[derive(Debug)]
pub struct KeptSessions {
    list: Box<dyn AccountList>,
    secrets: Arc<dyn SecretStore>,
}

impl KeptSessions {
    pub fn new(list: Box<dyn AccountList>, secrets: Arc<dyn SecretStore>) -> Self {
        Self { list, secrets }
    }

    fn token_name(user_id: &str) -> String {
        session_token_name(&partition_name(user_id))
    }

    /// Moves a list in the one-session form to the current one: its
    /// token to its account's name first, then the old name goes, then
    /// the list is rewritten. Each step can be repeated, so an
    /// interrupted move finishes next time.
    fn upgrade(&self) -> Result<KeptAccounts, CoreError> {
        let (kept, single) = self.list.read();
        if !single {
            return Ok(kept);
        }
        if let Some(user) = kept.users.first() {
            if let Some(token) = self.secrets.get(SESSION_TOKEN)? {
                self.secrets.set(&Self::token_name(&user.id), &token)?;
            }
        }
        self.secrets.delete(SESSION_TOKEN)?;
        self.list.write(&kept)?;
        tracing::info!("moved the kept session to the list of accounts");
        Ok(kept)
    }
}

impl SessionPersistence for KeptSessions {
    fn kept(&self) -> KeptAccounts {
        self.list.read().0
    }

    fn token(&self, user_id: &str) -> Result<Option<String>, CoreError> {
        self.upgrade()?;
        Ok(self
            .secrets
            .get(&Self::token_name(user_id))?
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|token| !token.is_empty()))
    }

    fn save(&self, session: &PersistedSession) -> Result<(), CoreError> {
        let kept = self.upgrade()?;
        self.secrets.set(
            &Self::token_name(&session.user.id),
            session.token.as_bytes(),
        )?;
        self.list.write(&kept.with(&session.user))
    }

    fn show(&self, user_id: &str) -> Result<(), CoreError> {
        let kept = self.upgrade()?;
        self.list.write(&kept.showing(user_id))
    }

    fn remove(&self, user_id: &str) -> Result<(), CoreError> {
        let kept = self.upgrade()?;
        // The list first: an account whose token could not be deleted is
        // forgotten all the same, and its token is never read again.
        self.list.write(&kept.without(user_id))?;
        self.secrets.delete(&Self::token_name(user_id))?;
        Ok(())
    }
}

/// An [`AccountList`] in memory (tests, the simulation).
#[derive(Debug, Default)]
pub struct MemoryAccounts(Mutex<KeptAccounts>);

impl AccountList for MemoryAccounts {
    fn read(&self) -> (KeptAccounts, bool) {
        (
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
            false,
        )
    }

    fn write(&self, accounts: &KeptAccounts) -> Result<(), CoreError> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = accounts.clone();
        Ok(())
    }
}

/// Keeps the accounts and their tokens in memory only: they do not
/// survive the process.
#[derive(Debug, Default)]
pub struct MemorySessions {
    accounts: Mutex<KeptAccounts>,
    tokens: Mutex<HashMap<String, String>>,
}

impl SessionPersistence for MemorySessions {
    fn kept(&self) -> KeptAccounts {
        self.accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn token(&self, user_id: &str) -> Result<Option<String>, CoreError> {
        Ok(self
            .tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(user_id)
            .cloned())
    }

    fn save(&self, session: &PersistedSession) -> Result<(), CoreError> {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(session.user.id.clone(), session.token.clone());
        let mut accounts = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        *accounts = std::mem::take(&mut *accounts).with(&session.user);
        Ok(())
    }

    fn show(&self, user_id: &str) -> Result<(), CoreError> {
        let mut accounts = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        *accounts = std::mem::take(&mut *accounts).showing(user_id);
        Ok(())
    }

    fn remove(&self, user_id: &str) -> Result<(), CoreError> {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(user_id);
        let mut accounts = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        *accounts = std::mem::take(&mut *accounts).without(user_id);
        Ok(())
    }
}

#[cfg(test)]
#[path = "session_store_tests.rs"]
mod tests;
