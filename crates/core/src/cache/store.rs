//! The on-disk cache: one sled database, one tree (partition) per user.
//!
//! A partition is named by a hash of the user id, never the id itself, which
//! may contain anything. Values are [`CacheEntry`] frames, sealed under the
//! partition's key ([`super::sealing`]). A value is removed only when the
//! right key proves it damaged (a torn write, a flipped bit); one that
//! cannot be read for any other reason (a locked keychain, a missing key,
//! another key) is kept, and the read answers a typed error.
//!
//! Recently used entries also sit decrypted in a small memory tier
//! ([`super::hot`]), kept coherent by every write and removal here.
//!
//! sled calls block, but a hit is a few microseconds, well under the cost of
//! hopping to a blocking thread; callers on an async runtime call these
//! directly.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{
    entry::CacheEntry,
    sealing::{Sealer, Unsealed},
};
use crate::secrets::SecretError;

use super::live::LiveDatabase;
pub use super::live::CACHE_CAPACITY_BYTES;

/// What went wrong with the cache's storage. `Clone`, because one failed
/// fetch is handed to every caller that shares it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("another Larder is using the cache at {path}; close it first")]
    Locked { path: PathBuf },
    #[error("the cache at {path} could not be opened or rebuilt: {source}")]
    Unopenable {
        path: PathBuf,
        #[source]
        source: sled::Error,
    },
    #[error("the cache storage failed: {0}")]
    Storage(#[from] sled::Error),
    #[error("an entry could not be encoded: {0}")]
    Encode(#[from] super::entry::EntryError),
    /// The partition's key could not be read (or, for a write into a
    /// partition that holds values, is missing): the values are kept.
    #[error("the cache's key cannot be read: {0}")]
    Secret(#[from] SecretError),
    /// A value was sealed under another key than the partition's (or in
    /// the first format, which cannot tell that from damage); it is kept.
    #[error("a cached value was sealed under another key")]
    WrongKey,
    /// A value in a format newer than this Larder; it is kept.
    #[error("a cached value is in an unknown format ({0})")]
    UnknownFormat(u8),
    /// The cache folder's generations could not be read, made or swapped.
    #[error("the cache folder could not be used: {0}")]
    Layout(#[source] std::sync::Arc<super::compaction::CompactionError>),
    /// The flush's blocking task was cancelled or panicked.
    #[error("the cache could not be flushed")]
    Flush(#[source] std::sync::Arc<tokio::task::JoinError>),
}

/// How opening went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenOutcome {
    /// The existing database opened (or a new one was created).
    Opened,
    /// The database would not open; it was moved to `moved_to` and a fresh
    /// one created.
    Rebuilt { moved_to: PathBuf },
}

/// The per-user cache store. Cheap to clone (sled's handles are `Arc`s).
/// Its `Debug` is short: sled's would dump every tree, keys included.
#[derive(Clone)]
pub struct CacheStore {
    live: std::sync::Arc<LiveDatabase>,
    /// Seals values under the per-partition keys (or stores plain frames,
    /// in the low-level tests and benchmarks).
    sealer: Sealer,
    hot: std::sync::Arc<super::hot::HotEntries>,
}

impl std::fmt::Debug for CacheStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheStore")
            .field("encrypted", &self.sealer.keys().is_some())
            .field("hot_bytes", &self.hot.bytes())
            .finish_non_exhaustive()
    }
}

impl CacheStore {
    /// Opens the database in `dir` (see [`LiveDatabase::open`]): one that
    /// will not open is moved aside and rebuilt, with a logged warning, so
    /// start-up never fails on a corrupted cache; one locked by another
    /// process is reported as such.
    pub fn open(dir: &Path) -> Result<(Self, OpenOutcome), StoreError> {
        let (live, outcome) = LiveDatabase::open(dir)?;
        Ok((
            Self {
                live: std::sync::Arc::new(live),
                sealer: Sealer::new(None),
                hot: std::sync::Arc::new(super::hot::HotEntries::new(super::hot::HOT_BUDGET_BYTES)),
            },
            outcome,
        ))
    }

    /// [`Self::open`], sealing every value with AES-256-GCM under its
    /// partition's key from `keys`, with the partition and entry key bound
    /// as associated data.
    pub fn open_encrypted(
        dir: &Path,
        keys: crate::secrets::CacheKeys,
    ) -> Result<(Self, OpenOutcome), StoreError> {
        let (mut store, outcome) = Self::open(dir)?;
        store.sealer = Sealer::new(Some(keys));
        Ok((store, outcome))
    }

    fn partition(&self, user_id: &str) -> Result<sled::Tree, StoreError> {
        Ok(self.live.db().open_tree(partition_name(user_id))?)
    }

    /// The entry under `key` for `user_id`. One the right key proves
    /// damaged is removed and reported as missing; one that cannot be read
    /// for another reason is kept and reported as an error.
    pub fn get(&self, user_id: &str, key: &str) -> Result<Option<CacheEntry>, StoreError> {
        self.get_in(&partition_name(user_id), key)
    }

    fn get_in(&self, partition: &str, key: &str) -> Result<Option<CacheEntry>, StoreError> {
        if let Some(entry) = self.hot.get(partition, key) {
            return Ok(Some(entry));
        }
        let tree = self.live.db().open_tree(partition)?;
        let Some(bytes) = tree.get(key)? else {
            return Ok(None);
        };
        let secret = self.sealer.read_key(partition)?;
        match self
            .sealer
            .unseal(secret.as_ref(), partition, key.as_bytes(), &bytes)
        {
            Ok(entry) => {
                self.hot.insert(partition, key, &entry);
                Ok(Some(entry))
            }
            Err(Unsealed::Damaged) => {
                tracing::warn!(
                    key = %crate::log_key(key),
                    "dropping a cache entry that its key proves damaged"
                );
                // Only if it is still the same bytes: a concurrent put wins.
                let _writing = self.live.writing();
                let tree = self.live.db().open_tree(partition)?;
                let _ = tree.compare_and_swap(key, Some(bytes), None::<&[u8]>)?;
                Ok(None)
            }
            Err(Unsealed::Kept(err)) => Err(err),
        }
    }

    pub fn put(&self, user_id: &str, key: &str, entry: &CacheEntry) -> Result<(), StoreError> {
        self.put_in(&partition_name(user_id), key, entry)
    }

    fn put_in(&self, partition: &str, key: &str, entry: &CacheEntry) -> Result<(), StoreError> {
        let _writing = self.live.writing();
        let tree = self.live.db().open_tree(partition)?;
        let sealed = self
            .sealer
            .seal(partition, key, entry, || tree.is_empty())?;
        // Dropped first, so a failed write never leaves a newer value in
        // memory than on disk.
        self.hot.remove(partition, key);
        tree.insert(key, sealed)?;
        self.hot.insert(partition, key, entry);
        Ok(())
    }

    pub fn remove(&self, user_id: &str, key: &str) -> Result<(), StoreError> {
        let _writing = self.live.writing();
        self.hot.remove(&partition_name(user_id), key);
        self.partition(user_id)?.remove(key)?;
        Ok(())
    }

    /// How many values `user_id`'s partition holds, readable or not.
    pub fn stored_count(&self, user_id: &str) -> Result<usize, StoreError> {
        Ok(self.partition(user_id)?.len())
    }

    /// Every readable entry of `user_id`, by key. A partition whose key
    /// cannot be read is an error; single values that cannot be read are
    /// left out (and kept).
    pub fn entries(&self, user_id: &str) -> Result<Vec<(String, CacheEntry)>, StoreError> {
        let partition = partition_name(user_id);
        let tree = self.live.db().open_tree(&partition)?;
        if tree.is_empty() {
            return Ok(Vec::new());
        }
        let secret = self.sealer.read_key(&partition)?;
        let mut out = Vec::new();
        for item in tree.iter() {
            let (key, bytes) = item?;
            if let (Ok(name), Ok(entry)) = (
                String::from_utf8(key.to_vec()),
                self.sealer
                    .unseal(secret.as_ref(), &partition, &key, &bytes),
            ) {
                out.push((name, entry));
            }
        }
        Ok(out)
    }

    /// Removes every entry, in every partition, fetched more than
    /// `horizon` before `now_ms`, and any the right key proves damaged.
    /// A partition whose key cannot be read now is skipped whole: nothing
    /// is removed on the strength of a locked keychain. Returns how many
    /// were removed.
    pub fn sweep(&self, now_ms: u64, horizon: std::time::Duration) -> Result<usize, StoreError> {
        let horizon_ms = u64::try_from(horizon.as_millis()).unwrap_or(u64::MAX);
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
            let secret = match self.sealer.read_key(&partition) {
                Ok(secret) => secret,
                Err(err) => {
                    tracing::debug!(%err, "not sweeping a partition whose key cannot be read");
                    continue;
                }
            };
            for item in tree.iter() {
                let (key, bytes) = item?;
                let remove = match self
                    .sealer
                    .unseal(secret.as_ref(), &partition, &key, &bytes)
                {
                    Ok(entry) => now_ms.saturating_sub(entry.fetched_at_ms) > horizon_ms,
                    Err(Unsealed::Damaged) => true,
                    Err(Unsealed::Kept(_)) => false,
                };
                if remove {
                    self.hot.remove(&partition, &String::from_utf8_lossy(&key));
                    tree.remove(key)?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Deletes `user_id`'s whole partition, and its key.
    pub fn purge_user(&self, user_id: &str) -> Result<(), StoreError> {
        let partition = partition_name(user_id);
        let _writing = self.live.writing();
        self.hot.remove_partition(&partition);
        self.live.db().drop_tree(&partition)?;
        if let Some(keys) = self.sealer.keys() {
            keys.delete(&partition)?;
        }
        Ok(())
    }

    /// Whether keys live in an OS keychain.
    pub fn keys_in_keychain(&self) -> bool {
        self.sealer
            .keys()
            .is_some_and(|keys| keys.secrets().is_keychain())
    }

    /// Writes everything to disk.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.live.db().flush()?;
        Ok(())
    }

    /// Compacts the database when its folder has outgrown what it holds
    /// (more than 3x the live bytes plus a 16 MiB floor; see
    /// [`super::compaction`]). Blocking: call it on a blocking thread.
    /// Reads go on meanwhile; writes wait for the swap.
    pub fn compact_if_due(&self) -> Result<Option<super::CompactionReport>, StoreError> {
        self.live.compact_if_due()
    }

    /// Compacts now, due or not (tests and benchmarks).
    pub fn compact(&self) -> Result<super::CompactionReport, StoreError> {
        self.live.compact()
    }

    /// The live database folder's size on disk, in bytes.
    pub fn folder_bytes(&self) -> u64 {
        self.live.folder_bytes()
    }

    /// Writes everything to disk on a blocking thread, so the caller's
    /// async task does not hold up its runtime. (sled's own `flush_async`
    /// waits on its internal thread pool's one-shot, which was seen to
    /// never complete under concurrent flushes; the blocking `flush` is
    /// sled's well-trodden path.)
    pub async fn flush_async(&self) -> Result<(), StoreError> {
        let store = self.clone();
        match tokio::task::spawn_blocking(move || store.flush()).await {
            Ok(flushed) => flushed,
            Err(err) => Err(StoreError::Flush(std::sync::Arc::new(err))),
        }
    }
}

/// The partition of `user_id`: a hash, so the raw id never names anything.
pub fn partition_name(user_id: &str) -> String {
    let digest = Sha256::digest(format!("larder-partition:{user_id}"));
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("user.{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(payload: &str) -> CacheEntry {
        CacheEntry {
            payload: payload.as_bytes().to_vec(),
            fetched_at_ms: 42,
            etag: Some("\"e\"".into()),
        }
    }

    fn store() -> (tempfile::TempDir, CacheStore) {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, outcome) = CacheStore::open(&dir.path().join("cache")).expect("opens");
        assert_eq!(outcome, OpenOutcome::Opened);
        (dir, store)
    }

    #[test]
    fn users_are_isolated() {
        let (_dir, store) = store();
        store.put("alice", "widget:1", &entry("a")).expect("put");
        store.put("bob", "widget:1", &entry("b")).expect("put");
        assert_eq!(
            store.get("alice", "widget:1").expect("get"),
            Some(entry("a"))
        );
        assert_eq!(store.get("bob", "widget:1").expect("get"), Some(entry("b")));
        assert_eq!(store.get("carol", "widget:1").expect("get"), None);
        store.purge_user("alice").expect("purge");
        assert_eq!(store.get("alice", "widget:1").expect("get"), None);
        assert_eq!(store.get("bob", "widget:1").expect("get"), Some(entry("b")));
    }

    #[test]
    fn partitions_never_carry_the_raw_id() {
        let name = partition_name("../../etc/passwd\u{0}");
        assert!(name.starts_with("user.") && name.len() == 37, "{name}");
        assert!(name[5..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(partition_name("alice"), partition_name("bob"));
    }

    #[test]
    fn a_damaged_entry_reads_as_missing_and_is_dropped() {
        let (_dir, store) = store();
        store.put("alice", "widget:2", &entry("good")).expect("put");
        let tree = store.partition("alice").expect("tree");
        let mut bytes = tree
            .get("widget:2")
            .expect("get")
            .expect("present")
            .to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        tree.insert("widget:2", bytes).expect("insert");
        // As after a restart: nothing of it in memory.
        store.hot.remove_partition(&partition_name("alice"));
        assert_eq!(store.get("alice", "widget:2").expect("get"), None);
        assert!(tree.get("widget:2").expect("get").is_none(), "dropped");
    }

    #[test]
    fn entries_survive_a_reopen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cache");
        {
            let (store, _) = CacheStore::open(&path).expect("opens");
            store.put("alice", "widget:5", &entry("kpis")).expect("put");
            store.flush().expect("flush");
        }
        let (store, outcome) = CacheStore::open(&path).expect("reopens");
        assert_eq!(outcome, OpenOutcome::Opened);
        assert_eq!(
            store.entries("alice").expect("entries"),
            vec![("widget:5".into(), entry("kpis"))]
        );
    }

    #[test]
    fn a_corrupted_database_is_moved_aside_and_rebuilt() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cache");
        {
            let (store, _) = CacheStore::open(&path).expect("opens");
            store.put("alice", "widget:1", &entry("x")).expect("put");
            store.flush().expect("flush");
        }
        // Overwrite sled's config file of the live generation with garbage.
        let current = std::fs::read_to_string(path.join("CURRENT")).expect("CURRENT");
        std::fs::write(
            path.join(current.trim()).join("conf"),
            b"\xff\xfe not a sled config",
        )
        .expect("write");
        let (store, outcome) = CacheStore::open(&path).expect("rebuilt, not failed");
        let OpenOutcome::Rebuilt { moved_to } = outcome else {
            panic!("expected a rebuild, got {outcome:?}");
        };
        assert!(moved_to.exists(), "the damaged copy is kept for inspection");
        assert_eq!(store.get("alice", "widget:1").expect("get"), None);
        store
            .put("alice", "widget:1", &entry("y"))
            .expect("the new cache works");
    }

    #[test]
    fn sweeping_removes_only_entries_past_the_horizon() {
        let (_dir, store) = store();
        let at = |ms| CacheEntry {
            fetched_at_ms: ms,
            ..entry("x")
        };
        store.put("alice", "old", &at(1_000)).expect("put");
        store.put("bob", "old", &at(2_000)).expect("put");
        store.put("bob", "new", &at(90_000)).expect("put");
        let removed = store
            .sweep(100_000, std::time::Duration::from_secs(60))
            .expect("sweep");
        assert_eq!(removed, 2);
        assert_eq!(store.get("alice", "old").expect("get"), None);
        assert_eq!(store.get("bob", "new").expect("get"), Some(at(90_000)));
    }

    #[test]
    fn a_second_opener_is_told_the_cache_is_in_use() {
        let (dir, _store) = store();
        match CacheStore::open(&dir.path().join("cache")) {
            Err(StoreError::Locked { .. }) => {}
            other => panic!("expected Locked, got {other:?}"),
        }
    }
}
