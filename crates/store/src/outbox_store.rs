//! The outbox's storage: each user's waiting changes in their own tree of
//! the cache's database (`outbox.<hash>`, beside the user's `user.<hash>`
//! partition), sealed under the same per-user key and framed like cache
//! values, so they share the cache's crash guarantees (generations,
//! compaction) but never its sweeping, eviction or clearing.
//!
//! A record that its key proves damaged is moved to `outbox-aside.<hash>`:
//! reported, kept, never sent.

use larder_protocol::PendingChange;

use crate::{sealing::Unsealed, store::partition_name, CacheEntry, CacheStore, StoreError};

/// The tree of `user_id`'s outbox.
fn outbox_tree(user_id: &str) -> String {
    let [outbox, _] = crate::trees::outbox_trees(&partition_name(user_id));
    outbox
}

/// Where damaged records of `user_id`'s outbox are kept aside.
fn aside_tree(user_id: &str) -> String {
    let [_, aside] = crate::trees::outbox_trees(&partition_name(user_id));
    aside
}

/// A record's key in its tree: the sequence number, zero-padded so the
/// tree's order is the sending order.
fn record_key(seq: u64) -> String {
    format!("{seq:020}")
}

/// What a record is sealed as (bound into its associated data, so a record
/// can never be read as a cache value or another record).
fn sealed_name(seq: u64) -> String {
    format!("outbox:{seq:020}")
}

/// The tree of the last sequence number given out per outbox (keys: the
/// outbox tree's name; values: big-endian `u64`). It outlives the records
/// (and the user's sign-out), so a number is never given out twice.
const SEQ_TREE: &str = "outbox-seq";

/// `change` framed as a cache entry, to be sealed as a record.
fn record_entry(change: &PendingChange) -> Result<CacheEntry, StoreError> {
    Ok(CacheEntry {
        payload: serde_json::to_vec(change).map_err(|err| StoreError::Record(err.to_string()))?,
        fetched_at_ms: change.created_at,
        etag: None,
    })
}

/// A user's readable records, in order, and how many were set aside.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxRecords {
    pub changes: Vec<PendingChange>,
    pub set_aside: usize,
}

impl CacheStore {
    /// Appends the change `make` builds from its sequence number to
    /// `user_id`'s outbox, durably (see [`Self::outbox_put`]). The number
    /// follows every number this outbox ever had, sent, discarded or
    /// cleared: none is given out twice.
    pub fn outbox_append(
        &self,
        user_id: &str,
        make: impl FnOnce(u64) -> PendingChange,
    ) -> Result<PendingChange, StoreError> {
        let seq = {
            let _writing = self.live.writing();
            let db = self.live.db();
            let name = outbox_tree(user_id);
            let last_record = db
                .open_tree(&name)?
                .last()?
                .and_then(|(key, _)| std::str::from_utf8(&key).ok()?.parse::<u64>().ok())
                .unwrap_or(0);
            let mut seq = 0;
            db.open_tree(SEQ_TREE)?.update_and_fetch(&name, |old| {
                let given = old
                    .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
                    .map_or(0, u64::from_be_bytes);
                seq = given.max(last_record) + 1;
                Some(seq.to_be_bytes().to_vec())
            })?;
            seq
        };
        let change = make(seq);
        if change.seq != seq {
            return Err(StoreError::Record(format!(
                "a change was built with number {} instead of {seq}",
                change.seq
            )));
        }
        self.outbox_put(user_id, &change)?;
        Ok(change)
    }

    /// Rewrites record `change.seq` (its tries and last error) if it is
    /// still waiting, durably; returns whether it was. A record discarded
    /// or cleared meanwhile is never written back.
    pub fn outbox_update(&self, user_id: &str, change: &PendingChange) -> Result<bool, StoreError> {
        let partition = partition_name(user_id);
        let entry = record_entry(change)?;
        let updated = {
            let _writing = self.live.writing();
            let tree = self.live.db().open_tree(outbox_tree(user_id))?;
            let key = record_key(change.seq);
            let Some(current) = tree.get(&key)? else {
                return Ok(false);
            };
            // Sealed only under an existing key: a record is there.
            let sealed = self.sealer.seal(
                &self.live.db(),
                &partition,
                &sealed_name(change.seq),
                &entry,
            )?;
            tree.compare_and_swap(&key, Some(current), Some(sealed))?
                .is_ok()
        };
        if updated {
            self.live.wrote();
            self.flush()?;
        }
        Ok(updated)
    }

    /// Stores `change` in `user_id`'s outbox and flushes it to disk before
    /// returning, so a change is never acknowledged before it is durable.
    /// New changes come through [`Self::outbox_append`], which numbers them.
    pub fn outbox_put(&self, user_id: &str, change: &PendingChange) -> Result<(), StoreError> {
        let partition = partition_name(user_id);
        let entry = record_entry(change)?;
        {
            let _writing = self.live.writing();
            let db = self.live.db();
            let tree = db.open_tree(outbox_tree(user_id))?;
            // A key is created only when nothing is sealed under it yet.
            let sealed = self
                .sealer
                .seal(&db, &partition, &sealed_name(change.seq), &entry)?;
            tree.insert(record_key(change.seq), sealed)?;
        }
        self.live.wrote();
        self.flush()
    }

    /// `user_id`'s outbox, in sending order. Damaged records are moved
    /// aside (and counted); a record that cannot be read for another reason
    /// (a locked keychain) is an error, and nothing is moved.
    pub fn outbox_records(&self, user_id: &str) -> Result<OutboxRecords, StoreError> {
        let partition = partition_name(user_id);
        let db = self.live.db();
        let tree = db.open_tree(outbox_tree(user_id))?;
        let mut records = OutboxRecords {
            set_aside: db.open_tree(aside_tree(user_id))?.len(),
            ..OutboxRecords::default()
        };
        if tree.is_empty() {
            return Ok(records);
        }
        let secret = self.sealer.read_key(&db, &partition)?;
        for item in tree.iter() {
            let (key, bytes) = item?;
            let seq = std::str::from_utf8(&key)
                .ok()
                .and_then(|k| k.parse::<u64>().ok());
            let opened = match seq {
                Some(seq) => self
                    .sealer
                    .unseal(
                        secret.as_ref(),
                        &partition,
                        sealed_name(seq).as_bytes(),
                        &bytes,
                    )
                    .map(|entry| serde_json::from_slice::<PendingChange>(&entry.payload)),
                None => Err(Unsealed::Damaged),
            };
            match opened {
                Ok(Ok(change)) if Some(change.seq) == seq => records.changes.push(change),
                Ok(_) | Err(Unsealed::Damaged) => {
                    tracing::warn!("a damaged outbox record was set aside; it will not be sent");
                    // The trees of the database live now: a compaction may
                    // have swapped generations since this read began.
                    let _writing = self.live.writing();
                    let db = self.live.db();
                    db.open_tree(aside_tree(user_id))?
                        .insert(&key, bytes.clone())?;
                    db.open_tree(outbox_tree(user_id))?.remove(&key)?;
                    records.set_aside += 1;
                }
                Err(Unsealed::Kept(err)) => return Err(err),
            }
        }
        Ok(records)
    }

    /// Removes record `seq` from `user_id`'s outbox, durably; returns
    /// whether it was there.
    pub fn outbox_remove(&self, user_id: &str, seq: u64) -> Result<bool, StoreError> {
        let removed = {
            let _writing = self.live.writing();
            self.live
                .db()
                .open_tree(outbox_tree(user_id))?
                .remove(record_key(seq))?
                .is_some()
        };
        self.flush()?;
        Ok(removed)
    }

    /// Empties `user_id`'s outbox (records set aside included), durably;
    /// returns how many waiting changes were dropped.
    pub fn outbox_clear(&self, user_id: &str) -> Result<usize, StoreError> {
        let dropped;
        {
            let _writing = self.live.writing();
            let db = self.live.db();
            let tree = db.open_tree(outbox_tree(user_id))?;
            dropped = tree.len();
            tree.clear()?;
            db.open_tree(aside_tree(user_id))?.clear()?;
        }
        self.flush()?;
        Ok(dropped)
    }

    /// Whether `user_id` has changes waiting (readable or not).
    pub fn outbox_is_empty(&self, user_id: &str) -> Result<bool, StoreError> {
        Ok(self.live.db().open_tree(outbox_tree(user_id))?.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use larder_protocol::ChangeKind;

    use super::*;

    fn change(seq: u64) -> PendingChange {
        PendingChange {
            id: format!("id-{seq}"),
            seq,
            change: ChangeKind::MarkNotificationRead {
                notification_id: format!("n{seq}"),
            },
            created_at: 1_000 + seq,
            tries: 0,
            last_error: None,
        }
    }

    fn store(dir: &std::path::Path) -> CacheStore {
        let keys = crate::CacheKeys::new(Arc::new(crate::MemorySecrets::default()));
        CacheStore::open_encrypted(dir, keys).expect("opens").0
    }

    #[test]
    fn records_come_back_in_order_and_survive_clearing_the_cache() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = store(dir.path());
        for seq in [3, 1, 12, 2] {
            store.outbox_put("u1", &change(seq)).expect("put");
        }
        store.purge_user("u2").expect("another user's purge");
        let seqs: Vec<u64> = store
            .outbox_records("u1")
            .expect("read")
            .changes
            .iter()
            .map(|c| c.seq)
            .collect();
        assert_eq!(seqs, [1, 2, 3, 12]);
        assert!(store.outbox_records("u2").expect("read").changes.is_empty());
        store.outbox_remove("u1", 2).expect("removed");
        assert_eq!(store.outbox_records("u1").expect("read").changes.len(), 3);
        assert!(!store.outbox_is_empty("u1").expect("read"));
        assert_eq!(store.outbox_clear("u1").expect("cleared"), 3);
        assert!(store.outbox_is_empty("u1").expect("read"));
    }

    /// Flips a bit of record `seq` of `user`'s outbox.
    fn damage(store: &CacheStore, user: &str, seq: u64) {
        let tree = store.live.db().open_tree(outbox_tree(user)).expect("tree");
        let mut bytes = tree
            .get(record_key(seq))
            .expect("read")
            .expect("there")
            .to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x55;
        tree.insert(record_key(seq), bytes).expect("damaged");
    }

    #[test]
    fn numbers_are_never_given_out_twice() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = store(dir.path());
        let first = store.outbox_append("u1", change).expect("appended");
        assert_eq!(first.seq, 1);
        // Sent (removed), then the outbox is empty: the next is still new.
        assert!(store.outbox_remove("u1", 1).expect("removed"));
        assert_eq!(store.outbox_append("u1", change).expect("appended").seq, 2);
        store.outbox_clear("u1").expect("cleared");
        assert_eq!(store.outbox_append("u1", change).expect("appended").seq, 3);
        // Records from before the counter existed are counted past.
        store.outbox_put("u1", &change(10)).expect("put");
        assert_eq!(store.outbox_append("u1", change).expect("appended").seq, 11);
        // Another user's numbers are their own.
        assert_eq!(store.outbox_append("u2", change).expect("appended").seq, 1);
        // And across a compaction.
        store.compact().expect("compacted");
        assert_eq!(store.outbox_append("u1", change).expect("appended").seq, 12);
    }

    #[test]
    fn a_record_gone_is_never_written_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = store(dir.path());
        let mut sent = store.outbox_append("u1", change).expect("appended");
        sent.tries = 1;
        assert!(store.outbox_update("u1", &sent).expect("updated"));
        assert_eq!(
            store.outbox_records("u1").expect("read").changes,
            [sent.clone()]
        );
        assert!(store.outbox_remove("u1", sent.seq).expect("removed"));
        sent.tries = 2;
        assert!(!store.outbox_update("u1", &sent).expect("not there"));
        assert!(store.outbox_is_empty("u1").expect("read"));
        assert!(!store.outbox_remove("u1", sent.seq).expect("not there"));
    }

    #[test]
    fn records_set_aside_are_each_users_own_and_keep_their_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let secrets = Arc::new(crate::MemorySecrets::default());
        let keys = crate::CacheKeys::new(secrets.clone());
        let store = CacheStore::open_encrypted(dir.path(), keys)
            .expect("opens")
            .0;
        store.outbox_put("u1", &change(1)).expect("put");
        store.outbox_put("u2", &change(1)).expect("put");
        damage(&store, "u1", 1);
        assert_eq!(store.outbox_records("u1").expect("read").set_aside, 1);
        assert_eq!(store.outbox_records("u2").expect("read").set_aside, 0);
        // Nothing waits for u1 now but the record set aside, which is
        // sealed under u1's key: purging u1 keeps that key.
        store.purge_user("u1").expect("purged");
        let name = crate::secrets::cache_key_name(&partition_name("u1"));
        use crate::SecretStore;
        assert!(secrets.get(&name).expect("get").is_some());
    }

    #[test]
    fn a_damaged_record_is_set_aside_and_never_returned() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = store(dir.path());
        store.outbox_put("u1", &change(1)).expect("put");
        store.outbox_put("u1", &change(2)).expect("put");
        damage(&store, "u1", 1);
        let records = store.outbox_records("u1").expect("read");
        assert_eq!(records.changes, [change(2)]);
        assert_eq!(records.set_aside, 1);
        // Still aside, and counted, on the next read.
        assert_eq!(store.outbox_records("u1").expect("read").set_aside, 1);
    }
}
