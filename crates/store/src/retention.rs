//! What the cache keeps and what it may let go of.
//!
//! - **Sealed data.** A partition's key seals its cache entries, its
//!   outbox's waiting changes and the records set aside; `trees::holds_sealed`
//!   looks at all three, so no key is ever created (or deleted) while
//!   anything is sealed under it.
//! - **Kept partitions.** A user who signed in can come back to their data
//!   offline however the session ended (signed out keeping the cache, a
//!   401, a token the keychain lost): their partition is marked in the
//!   `kept` tree from the first sign-in until it is purged.
//! - **The sweep.** [`CacheStore::sweep`] removes what the right key proves
//!   damaged, and entries past the horizon the caller gives for them; a
//!   caller that gives none (the signed-in, locked or kept user's entries)
//!   keeps them whatever their age.

use std::time::Duration;

use crate::{
    sealing::Unsealed,
    trees::{outbox_trees, KEPT_TREE},
    CacheStore, StoreError,
};

/// What setting a partition aside moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetAside {
    /// Cache entries moved.
    pub entries: usize,
    /// Waiting changes (and records set aside before) moved with them:
    /// they will not be sent.
    pub changes: usize,
}

impl CacheStore {
    /// Moves everything sealed under `user_id`'s key (its cache, its outbox
    /// and the records set aside) into trees of their own,
    /// `set-aside.<stamp>.<tree>`, kept whole and never read again by
    /// Larder, so the user can start afresh when the key that sealed them
    /// is gone or does not match. No data is deleted. The key entry the
    /// store answers for the partition (missing, or one that does not open
    /// the data) is removed first, so the next write makes a new key that
    /// everything after is sealed under; a store that cannot remove it now
    /// (locked) is an error, and nothing is moved.
    pub fn set_aside(&self, user_id: &str, stamp: u64) -> Result<SetAside, StoreError> {
        let partition = crate::store::partition_name(user_id);
        let _writing = self.live.writing();
        if let Some(keys) = self.sealer.keys() {
            keys.delete(&partition)?;
        }
        let db = self.live.db();
        let mut moved = SetAside::default();
        let [outbox, aside] = outbox_trees(&partition);
        for name in [partition.clone(), outbox, aside] {
            let from = db.open_tree(&name)?;
            if from.is_empty() {
                continue;
            }
            let to = db.open_tree(format!("set-aside.{stamp}.{name}"))?;
            for item in from.iter() {
                let (key, value) = item?;
                to.insert(key, value)?;
                if name == partition {
                    moved.entries += 1;
                } else {
                    moved.changes += 1;
                }
            }
            db.drop_tree(&name)?;
        }
        db.flush()?;
        self.hot.remove_partition(&partition);
        self.access.forget_partition(&partition);
        Ok(moved)
    }

    /// Marks `user_id`'s partition as kept: the user may come back to it
    /// (offline too), so its entries are never swept for age.
    pub fn mark_kept(&self, user_id: &str) -> Result<(), StoreError> {
        let _writing = self.live.writing();
        self.live
            .db()
            .open_tree(KEPT_TREE)?
            .insert(crate::store::partition_name(user_id), &[])?;
        Ok(())
    }

    /// The kept partitions, by name.
    pub fn kept_partitions(&self) -> Result<Vec<String>, StoreError> {
        let mut kept = Vec::new();
        for item in self.live.db().open_tree(KEPT_TREE)?.iter() {
            let (name, _) = item?;
            kept.push(String::from_utf8_lossy(&name).into_owned());
        }
        Ok(kept)
    }

    /// Removes, in every partition, what its key proves damaged, and every
    /// entry fetched longer ago than `horizon(partition, key)`; an entry
    /// with no horizon is never removed for its age. A partition whose key
    /// cannot be read now is skipped whole: nothing is removed on the
    /// strength of a locked keychain. Returns how many were removed.
    pub fn sweep(
        &self,
        now_ms: u64,
        horizon: &dyn Fn(&str, &str) -> Option<Duration>,
    ) -> Result<usize, StoreError> {
        let mut removed = 0;
        let _writing = self.live.writing();
        let db = self.live.db();
        for name in db.tree_names() {
            if !name.starts_with(b"user.") {
                continue;
            }
            let partition = String::from_utf8_lossy(&name).into_owned();
            let tree = db.open_tree(name)?;
            if tree.is_empty() {
                continue;
            }
            // Background work never asks the keychain (it could prompt for
            // an unlock): a partition whose key this run has not loaded
            // waits for a run that has.
            let Some(secret) = self.sealer.key_in_memory(&partition) else {
                tracing::debug!("not sweeping a partition whose key is not loaded");
                continue;
            };
            for item in tree.iter() {
                let (raw_key, bytes) = item?;
                let key = String::from_utf8_lossy(&raw_key).into_owned();
                let remove = match self
                    .sealer
                    .unseal(secret.as_ref(), &partition, &raw_key, &bytes)
                {
                    Ok(entry) => horizon(&partition, &key).is_some_and(|horizon| {
                        let horizon_ms = u64::try_from(horizon.as_millis()).unwrap_or(u64::MAX);
                        now_ms.saturating_sub(entry.fetched_at_ms) > horizon_ms
                    }),
                    Err(Unsealed::Damaged) => true,
                    Err(Unsealed::Kept(_)) => false,
                };
                if remove {
                    self.hot.remove(&partition, &key);
                    self.access.forget(&partition, &key);
                    tree.remove(raw_key)?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
#[path = "retention_tests.rs"]
mod more_tests;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{store::partition_name, CacheEntry};

    fn entry(fetched_at_ms: u64) -> CacheEntry {
        CacheEntry {
            payload: b"{}".to_vec(),
            fetched_at_ms,
            etag: None,
        }
    }

    fn encrypted(dir: &std::path::Path) -> (CacheStore, Arc<crate::MemorySecrets>) {
        let secrets = Arc::new(crate::MemorySecrets::default());
        let keys = crate::CacheKeys::new(secrets.clone());
        let store = CacheStore::open_encrypted(&dir.join("cache"), keys)
            .expect("opens")
            .0;
        (store, secrets)
    }

    #[test]
    fn entries_without_a_horizon_are_never_swept_for_age() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, _) = encrypted(dir.path());
        store.put("me", "widget:1", &entry(0)).expect("put");
        store.put("other", "widget:1", &entry(0)).expect("put");
        store.put("other", "widget:2", &entry(99_000)).expect("put");
        // Exactly at the horizon: not yet past it.
        store.put("other", "widget:3", &entry(40_000)).expect("put");
        let me = partition_name("me");
        let removed = store
            .sweep(100_000, &|partition, _| {
                (partition != me).then_some(Duration::from_secs(60))
            })
            .expect("sweep");
        assert_eq!(removed, 1, "only the other user's old entry");
        assert!(store.get("other", "widget:3").expect("get").is_some());
        assert!(store.get("me", "widget:1").expect("get").is_some());
        assert!(store.get("other", "widget:1").expect("get").is_none());
        assert!(store.get("other", "widget:2").expect("get").is_some());
    }

    #[test]
    fn an_outbox_alone_counts_as_sealed_data() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, secrets) = encrypted(dir.path());
        let change = larder_protocol::PendingChange {
            id: "id".into(),
            seq: 1,
            change: larder_protocol::ChangeKind::MarkNotificationRead {
                notification_id: "n1".into(),
            },
            created_at: 1,
            tries: 0,
            last_error: None,
        };
        store.outbox_put("u", &change).expect("recorded");
        let partition = partition_name("u");
        assert_eq!(store.partition_names(), std::slice::from_ref(&partition));
        // Purging the cache keeps the key the waiting change needs…
        store.purge_user("u").expect("purged");
        let name = crate::secrets::cache_key_name(&partition);
        use crate::SecretStore;
        assert!(secrets.get(&name).expect("get").is_some(), "key kept");
        // …and a key lost anyway is never replaced while the change waits.
        drop(store);
        secrets.delete(&name).expect("deleted");
        let store = encrypted_again(dir.path(), secrets.clone());
        assert!(matches!(
            store.put("u", "widget:1", &entry(5)),
            Err(StoreError::Secret(crate::SecretError::NotFound { .. }))
        ));
        assert_eq!(secrets.get(&name).expect("get"), None, "no new key");
    }

    fn encrypted_again(dir: &std::path::Path, secrets: Arc<crate::MemorySecrets>) -> CacheStore {
        let keys = crate::CacheKeys::new(secrets);
        CacheStore::open_encrypted(&dir.join("cache"), keys)
            .expect("opens")
            .0
    }

    #[test]
    fn kept_marks_last_until_the_purge() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, _) = encrypted(dir.path());
        store.put("u", "widget:1", &entry(1)).expect("put");
        store.mark_kept("u").expect("marked");
        assert_eq!(
            store.kept_partitions().expect("kept"),
            [partition_name("u")]
        );
        store.purge_user("u").expect("purged");
        assert!(store.kept_partitions().expect("kept").is_empty());
    }
}
