//! [`CacheKeys`]: each partition's cache key, asked of the [`SecretStore`]
//! once and then kept in memory; created only where nothing is sealed yet,
//! used only where it opens what is sealed, and looked for in the store
//! chosen before when the one in use lacks it.

use std::sync::{Arc, Mutex, PoisonError};

use super::{cache_key_name, sealed_key_id, SecretError, SecretKey, SecretStore};

/// The cache keys, fetched from a [`SecretStore`] once per partition and
/// then kept in memory.
///
/// The keychain can be slow (a prompt, a busy Secret Service), so no lock
/// that other partitions need is held across a call to it: the map of
/// known keys is held only to read or insert, and each partition has its
/// own lock for its lookup and creation, so concurrent first uses of one
/// partition still agree on one key.
#[derive(Debug, Clone)]
pub struct CacheKeys {
    secrets: Arc<dyn SecretStore>,
    known: Arc<Mutex<std::collections::HashMap<String, SecretKey>>>,
    /// One lock per partition, for its lookup and creation.
    partitions: Arc<Mutex<std::collections::HashMap<String, Arc<Mutex<()>>>>>,
    /// The store the user chose before, if any: a key missing from (or not
    /// fitting in) the store in use is looked for there, and moved over.
    fallback: Arc<Mutex<Option<Arc<dyn SecretStore>>>>,
}

impl CacheKeys {
    pub fn new(secrets: Arc<dyn SecretStore>) -> Self {
        Self {
            secrets,
            known: Arc::default(),
            partitions: Arc::default(),
            fallback: Arc::default(),
        }
    }

    /// Looks for keys in `old` too (the store the user chose before) when
    /// the store in use lacks one, moving each found there that opens the
    /// data sealed under its name.
    pub fn set_fallback(&self, old: Arc<dyn SecretStore>) {
        *self.fallback.lock().unwrap_or_else(PoisonError::into_inner) = Some(old);
    }

    /// The key of `partition` if this run already has it in memory; the
    /// store is never asked (background work uses this, so that it never
    /// makes a keychain prompt for an unlock).
    pub fn in_memory(&self, partition: &str) -> Option<SecretKey> {
        self.known(partition)
    }

    fn known(&self, partition: &str) -> Option<SecretKey> {
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(partition)
            .cloned()
    }

    fn partition_lock(&self, partition: &str) -> Arc<Mutex<()>> {
        self.partitions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(partition.to_owned())
            .or_default()
            .clone()
    }

    pub fn secrets(&self) -> &Arc<dyn SecretStore> {
        &self.secrets
    }

    /// The key of `partition`, or `None` when the store answers that it
    /// has none. Never creates one. A stored secret that is not a key is
    /// [`SecretError::Open`]: present, unusable, and never replaced.
    pub fn key(&self, partition: &str) -> Result<Option<SecretKey>, SecretError> {
        self.key_for(partition, None)
    }

    /// [`Self::key`], checked against `sample`, a value already sealed in
    /// the partition: a key that value does not name is
    /// [`SecretError::Mismatch`], never used (data sealed under two keys
    /// would be half unreadable whichever comes back).
    pub fn key_for(
        &self,
        partition: &str,
        sample: Option<&[u8]>,
    ) -> Result<Option<SecretKey>, SecretError> {
        if let Some(key) = self.known(partition) {
            return Ok(Some(key));
        }
        let lock = self.partition_lock(partition);
        let _one_lookup = lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.lookup(partition, sample)
    }

    /// Asks the store (holding only `partition`'s own lock), unless the key
    /// became known meanwhile; then the fallback store, when the store in
    /// use has no key that fits.
    fn lookup(
        &self,
        partition: &str,
        sample: Option<&[u8]>,
    ) -> Result<Option<SecretKey>, SecretError> {
        if let Some(key) = self.known(partition) {
            return Ok(Some(key));
        }
        let name = cache_key_name(partition);
        let found = self
            .secrets
            .get(&name)?
            .map(|bytes| fitting_key(&name, &bytes, sample));
        let key = match found {
            Some(Ok(key)) => key,
            unfit => match (self.look_in_fallback(&name, sample), unfit) {
                (Some(key), _) => key,
                (None, Some(Err(err))) => return Err(err),
                (None, _) => return Ok(None),
            },
        };
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(partition.to_owned(), key.clone());
        Ok(Some(key))
    }

    /// The key `name` in the fallback store, if it fits `sample`; moved
    /// into the store in use when that works (read back first), otherwise
    /// used from memory and left where it is.
    fn look_in_fallback(&self, name: &str, sample: Option<&[u8]>) -> Option<SecretKey> {
        let fallback = self
            .fallback
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()?;
        let bytes = fallback.get(name).ok()??;
        let key = fitting_key(name, &bytes, sample).ok()?;
        let stored = self.secrets.set(name, &bytes).is_ok()
            && self.secrets.get(name).ok().flatten().as_deref() == Some(&bytes[..]);
        if stored {
            let _ = fallback.delete(name);
        }
        tracing::info!(
            stored,
            "a cache key was found in the secret store chosen before"
        );
        Some(key)
    }

    /// The key of `partition`, created when the store has none and
    /// `is_empty()` says nothing is sealed under the missing one. With
    /// entries present, a missing key is [`SecretError::NotFound`]: a new
    /// key would make every one of them unreadable. The partition's own
    /// lock is held across the lookup and the creation, so concurrent first
    /// uses of a partition agree on one key.
    pub fn key_or_create(
        &self,
        partition: &str,
        is_empty: impl FnOnce() -> bool,
        sample: Option<&[u8]>,
    ) -> Result<SecretKey, SecretError> {
        if let Some(key) = self.known(partition) {
            return Ok(key);
        }
        let lock = self.partition_lock(partition);
        let _one_creation = lock.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(key) = self.lookup(partition, sample)? {
            return Ok(key);
        }
        let name = cache_key_name(partition);
        if !is_empty() {
            return Err(SecretError::NotFound { name });
        }
        let key = SecretKey::random();
        self.secrets.set(&name, key.as_bytes())?;
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(partition.to_owned(), key.clone());
        Ok(key)
    }

    /// Forgets `partition`'s key, everywhere (the fallback store too, best
    /// effort).
    pub fn delete(&self, partition: &str) -> Result<(), SecretError> {
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(partition);
        let name = cache_key_name(partition);
        let fallback = self
            .fallback
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(fallback) = fallback {
            let _ = fallback.delete(&name);
        }
        self.secrets.delete(&name)
    }
}

/// The key in `bytes`, stored under `name`, if it opens `sample` (a value
/// already sealed in the partition): a secret that is not a key is
/// [`SecretError::Open`], a key the sample does not name
/// [`SecretError::Mismatch`].
pub fn fitting_key(
    name: &str,
    bytes: &[u8],
    sample: Option<&[u8]>,
) -> Result<SecretKey, SecretError> {
    let key = SecretKey::from_bytes(bytes).ok_or(SecretError::Open {
        name: name.to_owned(),
    })?;
    if sample
        .and_then(sealed_key_id)
        .is_some_and(|sealed_under| sealed_under != key.id())
    {
        return Err(SecretError::Mismatch {
            name: name.to_owned(),
        });
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::{FileSecrets, MemorySecrets};

    #[test]
    fn concurrent_first_uses_agree_on_one_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let secrets: Arc<dyn SecretStore> = Arc::new(FileSecrets::open(dir.path()).expect("opens"));
        let keys = CacheKeys::new(secrets.clone());
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let keys = keys.clone();
                std::thread::spawn(move || {
                    keys.key_or_create("user.a", || true, None).expect("key")
                })
            })
            .collect();
        let got: Vec<SecretKey> = handles
            .into_iter()
            .map(|h| h.join().expect("joined"))
            .collect();
        assert!(got.windows(2).all(|pair| pair[0] == pair[1]));
        assert_eq!(
            CacheKeys::new(secrets).key("user.a").expect("key"),
            Some(got[0].clone()),
            "the one kept"
        );
    }

    /// A store whose reads of `slow` wait until told to go on.
    #[derive(Debug)]
    struct SlowStore {
        real: MemorySecrets,
        slow: String,
        entered: Mutex<std::sync::mpsc::Sender<()>>,
        go: Mutex<std::sync::mpsc::Receiver<()>>,
    }

    impl SecretStore for SlowStore {
        fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretError> {
            if name == self.slow {
                let _ = self
                    .entered
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .send(());
                let _ = self
                    .go
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .recv();
            }
            self.real.get(name)
        }
        fn set(&self, name: &str, secret: &[u8]) -> Result<(), SecretError> {
            self.real.set(name, secret)
        }
        fn delete(&self, name: &str) -> Result<(), SecretError> {
            self.real.delete(name)
        }
        fn is_keychain(&self) -> bool {
            true
        }
    }

    #[test]
    fn a_slow_keychain_answer_holds_up_no_other_partition() {
        let (go, wait) = std::sync::mpsc::channel();
        let (entered, inside) = std::sync::mpsc::channel();
        let store = Arc::new(SlowStore {
            real: MemorySecrets::default(),
            slow: cache_key_name("user.slow"),
            entered: Mutex::new(entered),
            go: Mutex::new(wait),
        });
        let keys = CacheKeys::new(store);
        let known = keys.key_or_create("user.b", || true, None).expect("key");
        let slow = {
            let keys = keys.clone();
            std::thread::spawn(move || keys.key("user.slow"))
        };
        inside
            .recv()
            .expect("the slow lookup is waiting on the keychain");
        // While the slow lookup waits on the keychain, other partitions'
        // keys (known or new) come at once. A lookup that held a lock they
        // need would never let this thread reach `go`: the timeout only
        // turns that deadlock into a failure.
        let (done, finished) = std::sync::mpsc::channel();
        let other = keys.clone();
        std::thread::spawn(move || {
            let _ = done.send((
                other.key("user.b"),
                other.key_or_create("user.c", || true, None),
            ));
        });
        let (b, c) = finished
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("other partitions do not wait for the slow one");
        assert_eq!(b.expect("known"), Some(known));
        assert!(c.is_ok());
        go.send(()).expect("the slow lookup goes on");
        assert_eq!(slow.join().expect("joined").expect("answered"), None);
    }

    #[test]
    fn cache_keys_are_created_once_and_deleted_everywhere() {
        let secrets: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
        let keys = CacheKeys::new(secrets.clone());
        assert_eq!(
            keys.key("user.a").expect("lookup"),
            None,
            "never created by a read"
        );
        let first = keys.key_or_create("user.a", || true, None).expect("key");
        assert_eq!(
            CacheKeys::new(secrets.clone()).key("user.a").expect("key"),
            Some(first.clone()),
            "kept"
        );
        assert_ne!(
            keys.key_or_create("user.b", || true, None).expect("key"),
            first
        );
        keys.delete("user.a").expect("deleted");
        assert_eq!(secrets.get(&cache_key_name("user.a")).expect("get"), None);
        assert_ne!(
            keys.key_or_create("user.a", || true, None).expect("key"),
            first,
            "a new key after deletion, for an empty partition"
        );
    }

    #[test]
    fn a_missing_key_is_never_replaced_while_entries_exist() {
        let secrets: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
        let keys = CacheKeys::new(secrets.clone());
        assert!(matches!(
            keys.key_or_create("user.a", || false, None),
            Err(SecretError::NotFound { .. })
        ));
        assert_eq!(
            secrets.get(&cache_key_name("user.a")).expect("get"),
            None,
            "nothing written"
        );
        secrets
            .set(&cache_key_name("user.a"), b"short")
            .expect("set");
        assert!(
            matches!(
                keys.key_or_create("user.a", || true, None),
                Err(SecretError::Open { .. })
            ),
            "a stored secret that is not a key is not replaced"
        );
        assert_eq!(
            secrets
                .get(&cache_key_name("user.a"))
                .expect("get")
                .as_deref(),
            Some(&b"short"[..])
        );
    }

    /// A store chosen before, holding `user.a`'s key.
    fn old_store_holding_a_key() -> (Arc<dyn SecretStore>, SecretKey) {
        let old: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
        let key = SecretKey::random();
        old.set(&cache_key_name("user.a"), key.as_bytes())
            .expect("set");
        (old, key)
    }

    #[test]
    fn a_key_left_in_the_store_chosen_before_is_found_and_moved() {
        let (old, key) = old_store_holding_a_key();
        let new: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
        let keys = CacheKeys::new(new.clone());
        assert!(
            keys.key("user.a").expect("answers").is_none(),
            "not looked for yet"
        );
        keys.set_fallback(old.clone());
        let found = keys
            .key("user.a")
            .expect("answers")
            .expect("found in the old store");
        assert_eq!(found.id(), key.id());
        assert_eq!(
            new.get(&cache_key_name("user.a")).expect("get").as_deref(),
            Some(&key.as_bytes()[..]),
            "moved to the store in use"
        );
        assert_eq!(old.get(&cache_key_name("user.a")).expect("get"), None);
    }

    /// A store whose writes succeed and are never read back (a protected
    /// file that cannot be read at this start).
    #[derive(Debug)]
    struct Forgetful;

    impl SecretStore for Forgetful {
        fn get(&self, _name: &str) -> Result<Option<Vec<u8>>, SecretError> {
            Ok(None)
        }
        fn set(&self, _name: &str, _secret: &[u8]) -> Result<(), SecretError> {
            Ok(())
        }
        fn delete(&self, _name: &str) -> Result<(), SecretError> {
            Ok(())
        }
        fn is_keychain(&self) -> bool {
            false
        }
    }

    #[test]
    fn a_key_that_does_not_read_back_from_the_store_in_use_stays_in_the_old_one() {
        let (old, key) = old_store_holding_a_key();
        let name = cache_key_name("user.a");
        let keys = CacheKeys::new(Arc::new(Forgetful));
        keys.set_fallback(old.clone());
        let found = keys
            .key("user.a")
            .expect("answers")
            .expect("used from memory");
        assert_eq!(found.id(), key.id());
        assert_eq!(
            old.get(&name).expect("get").as_deref(),
            Some(&key.as_bytes()[..]),
            "not deleted where it is the only copy"
        );
    }
}
