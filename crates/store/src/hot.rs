//! The hot tier: recently read or written entries, decrypted and decoded,
//! kept in memory within a byte budget, so a repeated hit costs neither
//! sled's lookup nor AES-GCM. The store keeps it coherent: every write,
//! removal, purge and sweep goes through it.
//!
//! A read that misses fills the tier from the database, and a write sets
//! it after writing the database; either could otherwise put back a value
//! that a concurrent write has already replaced. Each takes a
//! [`HotEntries::ticket`] before touching the database, and its value goes
//! in only if no write or removal settled since ([`HotEntries::fill`],
//! [`HotEntries::settle_write`]); otherwise the key is left to the
//! database.
//!
//! Hand-written rather than with an LRU crate because the budget is in
//! bytes, not entries (one 64 KB report weighs as much as sixty small
//! widgets), and first-in-first-out eviction is enough for a dashboard's
//! handful of hot keys.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Mutex, PoisonError},
};

use crate::CacheEntry;

/// The memory the hot tier may hold.
pub const HOT_BUDGET_BYTES: usize = 8 * 1024 * 1024;

type Id = (String, String);

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Id, CacheEntry>,
    /// Insertion order, for eviction; may hold ids already removed.
    order: VecDeque<Id>,
    bytes: usize,
    /// Bumped by every write settled and every removal.
    changes: u64,
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

    /// Where the tier stands, to take before reading or writing the
    /// database.
    pub fn ticket(&self) -> u64 {
        self.lock().changes
    }

    /// A value just read from the database, taken only if nothing changed
    /// since `ticket`.
    pub fn fill(&self, partition: &str, key: &str, entry: &CacheEntry, ticket: u64) {
        let mut inner = self.lock();
        if inner.changes == ticket {
            self.put(&mut inner, partition, key, entry);
        }
    }

    /// A value just written to the database: taken if nothing changed
    /// since `ticket`, otherwise the key is dropped (another write may
    /// have reached the database after this one).
    pub fn settle_write(&self, partition: &str, key: &str, entry: &CacheEntry, ticket: u64) {
        let mut inner = self.lock();
        if inner.changes == ticket {
            self.put(&mut inner, partition, key, entry);
        } else {
            Self::drop_id(&mut inner, partition, key);
        }
        inner.changes += 1;
    }

    /// Holds `entry`, whatever changed meanwhile.
    #[cfg(test)]
    pub fn insert(&self, partition: &str, key: &str, entry: &CacheEntry) {
        let mut inner = self.lock();
        self.put(&mut inner, partition, key, entry);
    }

    fn drop_id(inner: &mut Inner, partition: &str, key: &str) {
        if let Some(old) = inner
            .entries
            .remove(&(partition.to_owned(), key.to_owned()))
        {
            inner.bytes -= weight(&old);
        }
    }

    fn put(&self, inner: &mut Inner, partition: &str, key: &str, entry: &CacheEntry) {
        let size = weight(entry);
        if size > self.budget / 4 {
            // Too big to be worth holding: drop any older copy.
            Self::drop_id(inner, partition, key);
            return;
        }
        let id = (partition.to_owned(), key.to_owned());
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
        Self::drop_id(&mut inner, partition, key);
        inner.changes += 1;
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
        inner.changes += 1;
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

    #[test]
    fn a_read_never_puts_back_a_value_a_write_replaced_meanwhile() {
        let hot = HotEntries::new(10_000);
        // A read misses and takes its ticket; a write lands; the read's
        // (older) value comes back from the database too late.
        let read = hot.ticket();
        hot.remove("p", "k");
        let write = hot.ticket();
        hot.settle_write("p", "k", &entry(20), write);
        hot.fill("p", "k", &entry(10), read);
        assert_eq!(hot.get("p", "k"), Some(entry(20)));
        // With nothing in between, a read fills.
        hot.remove("p", "k");
        let read = hot.ticket();
        hot.fill("p", "k", &entry(30), read);
        assert_eq!(hot.get("p", "k"), Some(entry(30)));
    }

    #[test]
    fn of_two_racing_writes_the_tier_keeps_neither_guess() {
        let hot = HotEntries::new(10_000);
        // Both writes start; the second's database write lands first, the
        // first's after it: the database holds the first's value. The
        // second settles first and is held; the first then finds a change
        // since its ticket and drops the key, so reads go to the database.
        hot.remove("p", "k");
        let first = hot.ticket();
        hot.remove("p", "k");
        let second = hot.ticket();
        hot.settle_write("p", "k", &entry(2), second);
        hot.settle_write("p", "k", &entry(1), first);
        assert_eq!(hot.get("p", "k"), None);
    }
}
