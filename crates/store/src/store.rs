//! The on-disk cache: one sled database, one tree (partition) per user.
//!
//! A partition is named by a hash of the user id, never the id itself, which
//! may contain anything. Values are [`CacheEntry`] frames, sealed under the
//! partition's key ([`crate::sealing`]). A value is removed only when the
//! right key proves it damaged (a torn write, a flipped bit); one that
//! cannot be read for any other reason (a locked keychain, a missing key,
//! another key) is kept, and the read answers a typed error.
//!
//! Recently used entries also sit decrypted in a small memory tier
//! ([`crate::hot`]), kept coherent by every write and removal here.
//!
//! sled calls block, but a hit is a few microseconds, well under the cost of
//! hopping to a blocking thread; callers on an async runtime call these
//! directly.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::{
    entry::CacheEntry,
    sealing::{Sealer, Unsealed},
    OpenOutcome, StoreError,
};

use crate::live::LiveDatabase;
pub use crate::live::CACHE_CAPACITY_BYTES;

/// The per-user cache store. Cheap to clone (sled's handles are `Arc`s).
/// Its `Debug` is short: sled's would dump every tree, keys included.
#[derive(Clone)]
pub struct CacheStore {
    pub(super) live: std::sync::Arc<LiveDatabase>,
    /// Seals values under the per-partition keys (or stores plain frames,
    /// in the low-level tests and benchmarks).
    pub(super) sealer: Sealer,
    pub(super) hot: std::sync::Arc<crate::hot::HotEntries>,
    /// The order entries were last used in, for eviction.
    pub(super) access: std::sync::Arc<crate::eviction::AccessOrder>,
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
        Self::open_in(dir, false)
    }

    fn open_in(dir: &Path, inline: bool) -> Result<(Self, OpenOutcome), StoreError> {
        let (live, outcome) = LiveDatabase::open(dir, inline)?;
        Ok((
            Self {
                live: std::sync::Arc::new(live),
                sealer: Sealer::new(None),
                hot: std::sync::Arc::new(crate::hot::HotEntries::new(crate::hot::HOT_BUDGET_BYTES)),
                access: std::sync::Arc::default(),
            },
            outcome,
        ))
    }

    /// This store with its hot tier turned off: every read goes to sled and
    /// decrypts, as the first read of an entry after a start does. For
    /// measuring that cold path.
    pub fn without_hot_tier(mut self) -> Self {
        self.hot = std::sync::Arc::new(crate::hot::HotEntries::new(0));
        self
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
            self.access.touch(partition, key);
            return Ok(Some(entry));
        }
        let ticket = self.hot.ticket();
        let tree = self.live.db().open_tree(partition)?;
        let Some(bytes) = tree.get(key)? else {
            return Ok(None);
        };
        let secret = self.sealer.read_key(&self.live.db(), partition)?;
        match self
            .sealer
            .unseal(secret.as_ref(), partition, key.as_bytes(), &bytes)
        {
            Ok(entry) => {
                self.hot.fill(partition, key, &entry, ticket);
                self.access.touch(partition, key);
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
        self.write_in(partition, key, entry)?;
        self.live.wrote();
        Ok(())
    }

    fn write_in(&self, partition: &str, key: &str, entry: &CacheEntry) -> Result<(), StoreError> {
        let _writing = self.live.writing();
        let db = self.live.db();
        let tree = db.open_tree(partition)?;
        // A value kept because it cannot be read now (sealed under another
        // key, or in a newer format) is never overwritten: it may be the
        // only copy, readable again once its key comes back.
        if let Some(existing) = tree.get(key)? {
            let secret = self.sealer.read_key(&db, partition)?;
            if let Err(Unsealed::Kept(err)) =
                self.sealer
                    .unseal(secret.as_ref(), partition, key.as_bytes(), &existing)
            {
                return Err(err);
            }
        }
        let sealed = self.sealer.seal(&db, partition, key, entry)?;
        // Dropped first, so a failed write never leaves a newer value in
        // memory than on disk.
        self.hot.remove(partition, key);
        let ticket = self.hot.ticket();
        tree.insert(key, sealed)?;
        self.hot.settle_write(partition, key, entry, ticket);
        self.access.touch(partition, key);
        Ok(())
    }

    pub fn remove(&self, user_id: &str, key: &str) -> Result<(), StoreError> {
        let _writing = self.live.writing();
        self.hot.remove(&partition_name(user_id), key);
        self.access.forget(&partition_name(user_id), key);
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
        let db = self.live.db();
        let tree = db.open_tree(&partition)?;
        if tree.is_empty() {
            return Ok(Vec::new());
        }
        let secret = self.sealer.read_key(&db, &partition)?;
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

    /// Deletes `user_id`'s whole partition, and its key unless changes
    /// sealed under it still wait in the user's outbox.
    /// The key goes only when nothing at all is sealed under it any more,
    /// judged under the writers' gate, so no record written meanwhile is
    /// left without its key.
    pub fn purge_user(&self, user_id: &str) -> Result<(), StoreError> {
        let partition = partition_name(user_id);
        let _writing = self.live.writing();
        let db = self.live.db();
        self.hot.remove_partition(&partition);
        self.access.forget_partition(&partition);
        db.drop_tree(&partition)?;
        crate::trees::forget_kept(&db, &partition)?;
        if let Some(keys) = self.sealer.keys() {
            if !crate::trees::holds_sealed(&db, &partition)? {
                // The data is gone either way; a key left behind (the
                // keychain is locked now) protects nothing and is reused by
                // the user's next sign-in.
                if let Err(err) = keys.delete(&partition) {
                    tracing::warn!(%err, "an emptied partition's key could not be deleted");
                }
            }
        }
        Ok(())
    }

    /// The store the partitions' keys are kept in, if values are sealed.
    pub fn secret_store(&self) -> Option<&std::sync::Arc<dyn crate::SecretStore>> {
        self.sealer.keys().map(|keys| keys.secrets())
    }

    /// The names of every partition (users' and the app's), hashed, that
    /// holds anything sealed under its key: cache entries, waiting changes
    /// or records set aside.
    pub fn partition_names(&self) -> Vec<String> {
        crate::trees::sealed_partitions(&self.live.db())
    }

    /// Loads `user_id`'s key into memory (creating it when nothing is
    /// sealed yet), at the start of their session: from then on no
    /// background work for them needs the keychain.
    pub fn load_key(&self, user_id: &str) -> Result<(), StoreError> {
        self.sealer
            .load_key(&self.live.db(), &partition_name(user_id))
    }

    /// Keys missing from the secret store in use are looked for in `old`
    /// too (see [`crate::CacheKeys::set_fallback`]).
    pub fn set_fallback_secrets(&self, old: std::sync::Arc<dyn crate::SecretStore>) {
        if let Some(keys) = self.sealer.keys() {
            keys.set_fallback(old);
        }
    }

    /// One value sealed under `partition`'s key, if any (its key id tells
    /// which key opens the partition).
    pub fn sealed_sample(&self, partition: &str) -> Option<Vec<u8>> {
        crate::trees::sample_sealed(&self.live.db(), partition)
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
    /// [`crate::compaction`]). Blocking: call it on a blocking thread.
    /// Reads go on meanwhile; writes wait for the swap.
    pub fn compact_if_due(&self) -> Result<Option<crate::CompactionReport>, StoreError> {
        self.live.compact_if_due()
    }

    /// Compacts now, due or not (tests and benchmarks).
    pub fn compact(&self) -> Result<crate::CompactionReport, StoreError> {
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
        match self.run_blocking(move || store.flush()).await {
            Ok(flushed) => flushed,
            Err(err) => Err(StoreError::Flush(std::sync::Arc::new(err))),
        }
    }

    /// [`Self::open_encrypted`] for the deterministic simulation of the
    /// core: its blocking work (flushes, compactions, eviction passes) runs
    /// on the calling thread, and sled runs no thread of its own, so one
    /// thread runs everything at the points its history chooses.
    pub fn open_simulated(
        dir: &Path,
        keys: crate::secrets::CacheKeys,
    ) -> Result<(Self, OpenOutcome), StoreError> {
        let (mut store, outcome) = Self::open_in(dir, true)?;
        store.sealer = Sealer::new(Some(keys));
        Ok((store, outcome))
    }

    /// Runs blocking `work` on a blocking thread (or inline, see
    /// [`Self::open_simulated`]); an error means it panicked or was
    /// cancelled.
    pub async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, tokio::task::JoinError> {
        if self.live.runs_inline() {
            return Ok(work());
        }
        tokio::task::spawn_blocking(work).await
    }
}

/// The partition of `user_id`: a hash, so the raw id never names anything.
pub fn partition_name(user_id: &str) -> String {
    let digest = Sha256::digest(format!("larder-partition:{user_id}"));
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("user.{hex}")
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
