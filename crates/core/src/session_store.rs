//! Keeping the session across restarts. The core only needs
//! [`SessionPersistence`]; the desktop shell implements it (the user in
//! tauri-plugin-store, the token in a [`larder_store::secrets::SecretStore`]), and
//! tests use [`MemorySessions`].

use std::{
    fmt,
    sync::{Mutex, PoisonError},
};

use larder_protocol::User;

use crate::CoreError;

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

/// Where the session is kept between runs.
pub trait SessionPersistence: Send + Sync + fmt::Debug {
    /// The kept session; a token that cannot be read is
    /// [`CoreError::Keychain`], never `Ok(None)`.
    fn load(&self) -> Result<Option<PersistedSession>, CoreError>;
    /// The kept user alone, readable without any secret: what a locked
    /// session shows while its token cannot be read.
    fn kept_user(&self) -> Option<User>;
    fn save(&self, session: &PersistedSession) -> Result<(), CoreError>;
    fn clear(&self) -> Result<(), CoreError>;
}

/// Keeps the session in memory only: it does not survive the process.
#[derive(Debug, Default)]
pub struct MemorySessions(Mutex<Option<PersistedSession>>);

impl SessionPersistence for MemorySessions {
    fn load(&self) -> Result<Option<PersistedSession>, CoreError> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone())
    }

    fn kept_user(&self) -> Option<User> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|kept| kept.user.clone())
    }

    fn save(&self, session: &PersistedSession) -> Result<(), CoreError> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(session.clone());
        Ok(())
    }

    fn clear(&self) -> Result<(), CoreError> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = None;
        Ok(())
    }
}
