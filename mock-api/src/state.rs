//! Shared server state: the configuration and the live sessions.
//!
//! The session map sits behind a `std::sync::Mutex`: it is only held for a
//! lookup or an insert, never across an `.await`, so an async mutex would
//! only add cost.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use larder_protocol::User;

use crate::Config;

/// Cheap to clone: every field is behind one `Arc`.
#[derive(Debug, Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    config: Config,
    /// Live tokens and the user each belongs to.
    sessions: Mutex<HashMap<String, User>>,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        Self {
            shared: Arc::new(Shared {
                config,
                sessions: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    pub fn insert_session(&self, token: String, user: User) {
        self.sessions().insert(token, user);
    }

    /// The user a token belongs to, if it is live.
    pub fn session_user(&self, token: &str) -> Option<User> {
        self.sessions().get(token).cloned()
    }

    /// Revokes a token; returns whether it was live.
    pub fn remove_session(&self, token: &str) -> bool {
        self.sessions().remove(token).is_some()
    }

    /// Revokes every token, as a server restart would.
    pub fn clear_sessions(&self) {
        self.sessions().clear();
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, User>> {
        // A panic while holding the lock cannot leave the map half-updated
        // (each use is a single insert, get or remove), so poisoning is safe
        // to ignore.
        self.shared
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
