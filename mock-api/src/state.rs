//! Shared server state: configuration, sessions, known users and roles set
//! by the test controls, per-user mutations, request counts, rate-limit windows, injected faults and
//! idempotency keys.
//!
//! Each part sits behind its own `std::sync::Mutex`: every lock is held for
//! a lookup or an update only, never across an `.await`, so an async mutex
//! would only add cost. A panic while a lock is held cannot leave a
//! half-updated map (each use is one insert, read or remove), so poisoning
//! is ignored.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use larder_protocol::{Role, User, Username};
use tokio::time::Instant;

use crate::{
    faults::Faults, idempotency::Keys, rate_limit::RateLimiter, sessions::Sessions, stats::Stats,
    Config,
};

/// Cheap to clone: everything is behind one `Arc`.
#[derive(Debug, Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    config: Config,
    started: Instant,
    /// Live tokens (by hash) and the user each belongs to.
    sessions: Mutex<Sessions>,
    /// Every user who has signed in, by id, so profiles can be looked up.
    users: Mutex<HashMap<String, User>>,
    /// Roles set by the test controls, by username; the name's prefix
    /// decides for everyone else.
    roles: Mutex<HashMap<String, Role>>,
    /// Notification ids each user has marked read, by user id.
    read_notifications: Mutex<HashMap<String, HashSet<String>>>,
    stats: Stats,
    limiter: RateLimiter,
    faults: Faults,
    /// The `Idempotency-Key`s of changes, per user.
    idempotency: Keys,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    pub fn new(config: Config) -> Self {
        let limiter = RateLimiter::new(config.rate_limit);
        let sessions = Sessions::new(config.sessions_file.clone());
        let users = sessions
            .users()
            .map(|u| (u.id.clone(), u.clone()))
            .collect();
        Self {
            shared: Arc::new(Shared {
                config,
                started: Instant::now(),
                sessions: Mutex::new(sessions),
                users: Mutex::new(users),
                roles: Mutex::default(),
                read_notifications: Mutex::default(),
                stats: Stats::default(),
                limiter,
                faults: Faults::default(),
                idempotency: Keys::default(),
            }),
        }
    }

    /// The user `username` signs in as: its role set by
    /// [`Self::set_role`], or the one its prefix gives.
    pub fn user_for(&self, username: &Username) -> User {
        let mut user = crate::data::user_for(username);
        if let Some(role) = lock(&self.shared.roles).get(username.as_str()) {
            user.role = *role;
        }
        user
    }

    /// From its next sign-in on, `username` has `role`; sessions already
    /// open keep the role they signed in with.
    pub fn set_role(&self, username: &str, role: Role) {
        lock(&self.shared.roles).insert(username.trim().to_owned(), role);
    }

    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// How long the server has run.
    pub fn uptime(&self) -> std::time::Duration {
        self.shared.started.elapsed()
    }

    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    pub fn limiter(&self) -> &RateLimiter {
        &self.shared.limiter
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    pub fn idempotency(&self) -> &Keys {
        &self.shared.idempotency
    }

    /// Starts a session for `user` under `token`.
    pub fn insert_session(&self, token: String, user: User) {
        lock(&self.shared.users).insert(user.id.clone(), user.clone());
        lock(&self.shared.sessions).insert(&token, user);
    }

    /// The user a token belongs to, if it is live.
    pub fn session_user(&self, token: &str) -> Option<User> {
        lock(&self.shared.sessions).get(token).cloned()
    }

    /// Revokes a token; returns whether it was live.
    pub fn remove_session(&self, token: &str) -> bool {
        let removed = lock(&self.shared.sessions).remove(token);
        if removed {
            self.shared.limiter.forget(token);
        }
        removed
    }

    /// Revokes every token, as a server restart would.
    pub fn clear_sessions(&self) {
        lock(&self.shared.sessions).clear();
    }

    pub fn active_sessions(&self) -> usize {
        lock(&self.shared.sessions).len()
    }

    /// A user who has signed in at least once, or one of the community's
    /// authors (see [`crate::post_data::community`]).
    pub fn known_user(&self, id: &str) -> Option<User> {
        lock(&self.shared.users)
            .get(id)
            .cloned()
            .or_else(|| crate::post_data::community().find(|user| user.id == id))
    }

    /// Marks notification `id` read for `user_id`.
    pub fn mark_read(&self, user_id: &str, id: &str) {
        lock(&self.shared.read_notifications)
            .entry(user_id.to_owned())
            .or_default()
            .insert(id.to_owned());
    }

    /// `id` is no longer marked read for `user_id` (a test control).
    pub fn mark_unread(&self, user_id: &str, id: &str) {
        if let Some(read) = lock(&self.shared.read_notifications).get_mut(user_id) {
            read.remove(id);
        }
    }

    /// The notifications `user_id` has marked read.
    pub fn read_notifications(&self, user_id: &str) -> HashSet<String> {
        lock(&self.shared.read_notifications)
            .get(user_id)
            .cloned()
            .unwrap_or_default()
    }
}
