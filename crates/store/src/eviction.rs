//! Keeping the cache within its size limit: when the values of every user
//! together pass it, the least recently used entries are removed, across
//! users, until they are back under nine tenths of it. What the caller
//! keeps (the signed-in user's dashboard) is never removed to make room,
//! and neither is anything whose key cannot be read now (a locked
//! partition is not judged, only counted).
//!
//! "Recently used" is an ordering, not a time: every read and write of an
//! entry takes the next number from a counter ([`AccessOrder`]). Entries
//! not touched since the app started rank below all that were, oldest
//! fetch first.

use crate::sealing::Unsealed;

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex, PoisonError,
    },
};

/// The order in which entries were last read or written in this run.
#[derive(Debug, Default)]
pub struct AccessOrder {
    next: AtomicU64,
    last: Mutex<HashMap<(String, String), u64>>,
}

impl AccessOrder {
    /// Records a read or write of (partition, key).
    pub fn touch(&self, partition: &str, key: &str) {
        let tick = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        self.lock()
            .insert((partition.to_owned(), key.to_owned()), tick);
    }

    /// When (partition, key) was last used in this run; 0 if never.
    pub fn last(&self, partition: &str, key: &str) -> u64 {
        self.lock()
            .get(&(partition.to_owned(), key.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    pub fn forget(&self, partition: &str, key: &str) {
        self.lock().remove(&(partition.to_owned(), key.to_owned()));
    }

    pub fn forget_partition(&self, partition: &str) {
        self.lock().retain(|(p, _), _| p != partition);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), u64>> {
        // Every operation leaves the map consistent before it can panic.
        self.last.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What an eviction pass found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Eviction {
    /// Bytes of keys and values in every partition, before the pass.
    pub live_bytes_before: u64,
    /// The same, after it.
    pub live_bytes_after: u64,
    /// Entries removed.
    pub removed: usize,
    /// Bytes in partitions whose key could not be read, left alone.
    pub locked_bytes: u64,
}

/// One entry that may be removed to make room.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// Last use in this run (0: not since start), then the fetch time:
    /// the smallest goes first.
    pub last_used: u64,
    pub fetched_at_ms: u64,
    pub partition: String,
    pub key: String,
    pub bytes: u64,
}

/// The candidates to remove, least recently used first, so that `live`
/// bytes come down to at most `target`.
pub fn choose(mut candidates: Vec<Candidate>, live: u64, target: u64) -> Vec<Candidate> {
    candidates.sort();
    let mut left = live;
    candidates
        .into_iter()
        .take_while(|candidate| {
            let take = left > target;
            left = left.saturating_sub(candidate.bytes);
            take
        })
        .collect()
}

impl crate::CacheStore {
    /// Removes the least recently used entries, across users, when the
    /// values of all of them pass `limit` bytes, until they are back under
    /// nine tenths of it (see [`crate::eviction`]). Entries for which
    /// `keep(partition, key)` holds are never removed, nor are those whose
    /// key cannot be read now.
    pub fn evict_to(
        &self,
        limit: u64,
        keep: &dyn Fn(&str, &str) -> bool,
    ) -> Result<Eviction, crate::StoreError> {
        let _writing = self.live.writing();
        let db = self.live.db();
        let mut live = 0u64;
        for name in db.tree_names() {
            for item in db.open_tree(name)?.iter() {
                let (key, value) = item?;
                live += (key.len() + value.len()) as u64;
            }
        }
        let mut report = Eviction {
            live_bytes_before: live,
            live_bytes_after: live,
            ..Eviction::default()
        };
        if live <= limit {
            return Ok(report);
        }
        let mut candidates = Vec::new();
        for name in db.tree_names() {
            if !name.starts_with(b"user.") {
                continue;
            }
            let partition = String::from_utf8_lossy(&name).into_owned();
            let tree = db.open_tree(&name)?;
            // Memory only: background work never asks the keychain (it
            // could prompt for an unlock).
            let secret = match self.sealer.key_in_memory(&partition) {
                Some(secret) => secret,
                None => {
                    for item in tree.iter() {
                        let (key, value) = item?;
                        report.locked_bytes += (key.len() + value.len()) as u64;
                    }
                    continue;
                }
            };
            for item in tree.iter() {
                let (raw_key, value) = item?;
                let bytes = (raw_key.len() + value.len()) as u64;
                let Ok(key) = String::from_utf8(raw_key.to_vec()) else {
                    continue;
                };
                if keep(&partition, &key) {
                    continue;
                }
                let fetched_at_ms =
                    match self
                        .sealer
                        .unseal(secret.as_ref(), &partition, key.as_bytes(), &value)
                    {
                        Ok(entry) => entry.fetched_at_ms,
                        Err(Unsealed::Damaged) => 0,
                        Err(Unsealed::Kept(_)) => {
                            report.locked_bytes += bytes;
                            continue;
                        }
                    };
                candidates.push(Candidate {
                    last_used: self.access.last(&partition, &key),
                    fetched_at_ms,
                    partition: partition.clone(),
                    key,
                    bytes,
                });
            }
        }
        for chosen in choose(candidates, live, limit / 10 * 9) {
            db.open_tree(&chosen.partition)?.remove(&chosen.key)?;
            self.hot.remove(&chosen.partition, &chosen.key);
            self.access.forget(&chosen.partition, &chosen.key);
            report.removed += 1;
            report.live_bytes_after -= chosen.bytes;
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(last_used: u64, fetched_at_ms: u64, key: &str, bytes: u64) -> Candidate {
        Candidate {
            last_used,
            fetched_at_ms,
            partition: "user.a".into(),
            key: key.into(),
            bytes,
        }
    }

    #[test]
    fn the_least_recently_used_go_first_and_only_as_many_as_needed() {
        let chosen = choose(
            vec![
                candidate(5, 0, "used-late", 100),
                candidate(0, 900, "untouched-new", 100),
                candidate(2, 0, "used-early", 100),
                candidate(0, 100, "untouched-old", 100),
            ],
            400,
            200,
        );
        let keys: Vec<&str> = chosen.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["untouched-old", "untouched-new"]);
        assert!(choose(vec![candidate(1, 1, "k", 10)], 100, 100).is_empty());
    }

    #[test]
    fn the_store_evicts_across_users_least_recently_used_first_keeping_what_it_must() {
        use crate::{store::partition_name, CacheEntry, CacheStore};
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, _) = CacheStore::open(&dir.path().join("cache")).expect("opens");
        let entry = |fetched_at_ms| CacheEntry {
            payload: vec![7; 10_000],
            fetched_at_ms,
            etag: None,
        };
        for (user, fetched) in [("u_me", 300), ("u_old", 100), ("u_mid", 200)] {
            for n in 1..=5 {
                store
                    .put(user, &format!("widget:{n}"), &entry(fetched))
                    .expect("put");
            }
            store
                .put(user, "profile:u_x", &entry(fetched))
                .expect("put");
        }
        // u_old's widget 1 was used last of all: it stays longest.
        store.get("u_old", "widget:1").expect("get");
        let me = partition_name("u_me");
        let keep = |partition: &str, key: &str| partition == me && key.starts_with("widget:");
        let before = store.evict_to(u64::MAX, &keep).expect("evict");
        assert_eq!(before.removed, 0, "under the limit, nothing goes");
        // Room for about eight entries.
        let report = store.evict_to(90_000, &keep).expect("evict");
        assert!(report.live_bytes_after <= 81_000, "{report:?}");
        assert_eq!(
            report.live_bytes_before, before.live_bytes_before,
            "{report:?}"
        );
        assert!(report.live_bytes_before > 90_000, "{report:?}");
        assert!(
            report.live_bytes_after >= 50_000,
            "what stays is counted: {report:?}"
        );
        for n in 1..=5 {
            assert!(
                store
                    .get("u_me", &format!("widget:{n}"))
                    .expect("get")
                    .is_some(),
                "the signed-in dashboard is never evicted"
            );
        }
        assert!(store.get("u_me", "profile:u_x").expect("get").is_none());
        assert!(
            store.get("u_old", "widget:1").expect("get").is_some(),
            "the most recently used entry of others stays"
        );
        assert!(store.get("u_old", "widget:2").expect("get").is_none());
        assert!(store.get("u_mid", "widget:2").expect("get").is_none());
    }

    #[test]
    fn access_order_counts_up_and_forgets() {
        let order = AccessOrder::default();
        order.touch("p", "a");
        order.touch("p", "b");
        assert!(order.last("p", "b") > order.last("p", "a"));
        order.touch("p", "a");
        assert!(order.last("p", "a") > order.last("p", "b"));
        order.forget("p", "b");
        assert_eq!(order.last("p", "b"), 0, "a removed entry is forgotten");
        order.forget_partition("p");
        assert_eq!(order.last("p", "a"), 0);
    }
}
