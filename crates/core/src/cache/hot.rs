//! The hot tier: recently read or written entries, decrypted and decoded,
//! kept in memory within a byte budget, so a repeated hit costs neither
//! sled's lookup nor AES-GCM. The store keeps it coherent: every write,
//! removal, purge and sweep goes through it.
//!
//! Hand-written rather than with an LRU crate because the budget is in
//! bytes, not entries (one 64 KB report weighs as much as sixty small
//! widgets), and first-in-first-out eviction is enough for a dashboard's
//! handful of hot keys.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Mutex, PoisonError},
};

use super::CacheEntry;

/// The memory the hot tier may hold.
pub const HOT_BUDGET_BYTES: usize = 8 * 1024 * 1024;

type Id = (String, String);

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Id, CacheEntry>,
    /// Insertion order, for eviction; may hold ids already removed.
    order: VecDeque<Id>,
    bytes: usize,
}

/// Entries by (partition, key). Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct HotEntries {
    inner: Mutex<Inner>,
    budget: usize,
}

fn weight(entry: &CacheEntry) -> usize {
    entry.payload.len() + entry.etag.as_ref().map_or(0, String::len) + 64
}

impl HotEntries {
    pub fn new(budget: usize) -> Self {
        Self {
            inner: Mutex::default(),
            budget,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Each operation leaves the maps consistent before it can panic.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn get(&self, partition: &str, key: &str) -> Option<CacheEntry> {
        self.lock()
            .entries
            .get(&(partition.to_owned(), key.to_owned()))
            .cloned()
    }

    pub fn insert(&self, partition: &str, key: &str, entry: &CacheEntry) {
        let size = weight(entry);
        if size > self.budget / 4 {
            // Too big to be worth holding: drop any older copy.
            self.remove(partition, key);
            return;
        }
        let id = (partition.to_owned(), key.to_owned());
        let mut inner = self.lock();
        if let Some(old) = inner.entries.insert(id.clone(), entry.clone()) {
            inner.bytes -= weight(&old);
        } else {
            inner.order.push_back(id);
        }
        inner.bytes += size;
        while inner.bytes > self.budget {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(evicted) = inner.entries.remove(&oldest) {
                inner.bytes -= weight(&evicted);
            }
        }
    }

    pub fn remove(&self, partition: &str, key: &str) {
        let mut inner = self.lock();
        if let Some(old) = inner
            .entries
            .remove(&(partition.to_owned(), key.to_owned()))
        {
            inner.bytes -= weight(&old);
        }
    }

    /// Drops every entry of `partition`.
    pub fn remove_partition(&self, partition: &str) {
        let mut inner = self.lock();
        let mut freed = 0;
        inner.entries.retain(|(p, _), entry| {
            let keep = p != partition;
            if !keep {
                freed += weight(entry);
            }
            keep
        });
        inner.bytes -= freed;
        inner.order.retain(|(p, _)| p != partition);
    }

    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(bytes: usize) -> CacheEntry {
        CacheEntry {
            payload: vec![7; bytes],
            fetched_at_ms: 1,
            etag: None,
        }
    }

    #[test]
    fn stays_within_its_budget_evicting_the_oldest() {
        let hot = HotEntries::new(10_000);
        for i in 0..10 {
            hot.insert("p", &format!("k{i}"), &entry(1_000));
        }
        assert!(hot.bytes() <= 10_000);
        assert_eq!(hot.get("p", "k0"), None, "the oldest went first");
        assert_eq!(hot.get("p", "k9"), Some(entry(1_000)));
        hot.insert("p", "k9", &entry(10));
        assert_eq!(
            hot.get("p", "k9"),
            Some(entry(10)),
            "replaced, not duplicated"
        );
        hot.insert("p", "huge", &entry(5_000));
        assert_eq!(hot.get("p", "huge"), None, "too big to hold");
    }

    #[test]
    fn partitions_and_keys_are_removed_exactly() {
        let hot = HotEntries::new(1 << 20);
        hot.insert("a", "k", &entry(10));
        hot.insert("b", "k", &entry(10));
        hot.remove_partition("a");
        assert_eq!(hot.get("a", "k"), None);
        assert_eq!(hot.get("b", "k"), Some(entry(10)));
        hot.remove("b", "k");
        assert_eq!(hot.bytes(), 0);
    }
}
