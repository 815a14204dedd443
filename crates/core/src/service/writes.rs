//! The commands that change the cache: clearing it, and setting it aside
//! when its key is gone. Changes sent to the API go through the outbox (see
//! [`super::outbox`]).

use super::Larder;
use crate::{CoreError, Resource};

impl Larder {
    /// Clears one entry, or the user's whole cache when `key` is `None`.
    pub fn clear_cache(&self, key: Option<&str>) -> Result<(), CoreError> {
        let session = self.signed_in()?;
        let store = self.inner.engine.store();
        match key {
            Some(key) => {
                let resource = Resource::from_key(key)
                    .ok_or_else(|| CoreError::InvalidCacheKey(key.chars().take(32).collect()))?;
                store.remove(&session.user.id, &resource.key())?;
            }
            None => {
                store.purge_user(&session.user.id)?;
                // Purging forgets that the user's data is theirs to come
                // back to; what they read from now on still is, however
                // the session ends.
                store.mark_kept(&session.user.id)?;
            }
        }
        Ok(())
    }

    /// Sets the signed-in user's cache aside, whole (entries and waiting
    /// changes, never deleted), when its key is gone or does not match, and
    /// starts afresh: the dashboard is prewarmed under a key that works.
    pub fn set_aside_cache(&self) -> Result<larder_protocol::SetAsideCache, CoreError> {
        let session = self.signed_in()?;
        let stamp = self.inner.engine.now_ms();
        let moved = self
            .inner
            .engine
            .store()
            .set_aside(&session.user.id, stamp)?;
        tracing::warn!(
            entries = moved.entries,
            changes = moved.changes,
            "set the cache aside; starting afresh"
        );
        self.publish_outbox(&session.user.id);
        self.prewarm()?;
        Ok(larder_protocol::SetAsideCache {
            entries: moved.entries,
            changes: moved.changes,
        })
    }
}
