//! The commands that change the cache: clearing it. Changes sent to the
//! API go through the outbox (see [`super::outbox`]).

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
            None => store.purge_user(&session.user.id)?,
        }
        Ok(())
    }
}
