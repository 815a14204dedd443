//! Sealing cache values: every frame is encrypted under its partition's key
//! (see [`crate::secrets`]) with the partition and entry key bound as
//! associated data, so a value moved to another user or key never opens.
//!
//! Reading tells three outcomes apart, because only one of them may cost
//! the user data:
//! - the value opens and decodes;
//! - the right key proves it damaged (a torn write, a flipped bit): it may
//!   be removed;
//! - anything else (the key cannot be read because the keychain is locked
//!   or gone, the value names another key, its format cannot say): the
//!   value is kept and the read answers a typed error.

use crate::secrets::{CacheKeys, OpenError, SecretError, SecretKey};
use crate::{
    entry::{CacheEntry, EntryError},
    StoreError,
};

/// Why a stored value was not served.
#[derive(Debug)]
pub enum Unsealed {
    /// Proven damaged by the right key (or, unencrypted, by its checksum).
    Damaged,
    /// Not readable now, for a reason that says nothing against the value.
    Kept(StoreError),
}

/// Seals and opens frames, or passes them through when `keys` is `None`
/// (only the low-level tests and benchmarks store plain frames).
#[derive(Debug, Clone)]
pub struct Sealer {
    keys: Option<CacheKeys>,
}

impl Sealer {
    pub fn new(keys: Option<CacheKeys>) -> Self {
        Self { keys }
    }

    pub fn keys(&self) -> Option<&CacheKeys> {
        self.keys.as_ref()
    }

    pub(super) fn context(partition: &str, key: &[u8]) -> Vec<u8> {
        [b"larder-cache-v1\0", partition.as_bytes(), b"\0", key].concat()
    }

    /// The stored bytes of `entry` under `key` in `partition` of `db`. The
    /// partition's key is created only when nothing is sealed under a
    /// missing one, and used only when it matches what is sealed already.
    pub fn seal(
        &self,
        db: &sled::Db,
        partition: &str,
        key: &str,
        entry: &CacheEntry,
    ) -> Result<Vec<u8>, StoreError> {
        let frame = entry.encode()?;
        let Some(keys) = &self.keys else {
            return Ok(frame);
        };
        let secret = Self::key_or_create(keys, db, partition)?;
        Ok(crate::secrets::seal(
            &secret,
            &Self::context(partition, key.as_bytes()),
            &frame,
        )?)
    }

    /// The key values of `partition` open with, from memory only: `None`
    /// when this run has not loaded it yet (the keychain is not asked);
    /// `Some(None)` for plain frames.
    pub fn key_in_memory(&self, partition: &str) -> Option<Option<SecretKey>> {
        match &self.keys {
            None => Some(None),
            Some(keys) => keys.in_memory(partition).map(Some),
        }
    }

    /// Loads (or, where nothing is sealed yet, creates) `partition`'s key
    /// into memory, so that background work finds it there.
    pub fn load_key(&self, db: &sled::Db, partition: &str) -> Result<(), StoreError> {
        if let Some(keys) = &self.keys {
            Self::key_or_create(keys, db, partition)?;
        }
        Ok(())
    }

    /// `partition`'s key, created only where nothing is sealed under a
    /// missing one, and used only where it matches what is sealed.
    fn key_or_create(
        keys: &CacheKeys,
        db: &sled::Db,
        partition: &str,
    ) -> Result<SecretKey, StoreError> {
        let sample = crate::trees::sample_sealed(db, partition);
        Ok(keys.key_or_create(
            partition,
            || !crate::trees::holds_sealed(db, partition).unwrap_or(true),
            sample.as_deref(),
        )?)
    }

    /// The key values of `partition` of `db` open with; a missing one is an
    /// error (values exist, or nothing would be read), and so is one that
    /// does not match them.
    pub fn read_key(
        &self,
        db: &sled::Db,
        partition: &str,
    ) -> Result<Option<SecretKey>, StoreError> {
        let Some(keys) = &self.keys else {
            return Ok(None);
        };
        let sample = crate::trees::sample_sealed(db, partition);
        match keys.key_for(partition, sample.as_deref())? {
            Some(key) => Ok(Some(key)),
            None => Err(SecretError::NotFound {
                name: crate::secrets::cache_key_name(partition),
            }
            .into()),
        }
    }

    /// The entry in stored `bytes`, opened with `secret` (from
    /// [`Self::read_key`]; `None` for plain frames).
    pub fn unseal(
        &self,
        secret: Option<&SecretKey>,
        partition: &str,
        key: &[u8],
        bytes: &[u8],
    ) -> Result<CacheEntry, Unsealed> {
        let frame = match secret {
            None => return CacheEntry::decode(bytes).map_err(|_| Unsealed::Damaged),
            Some(secret) => crate::secrets::open(secret, &Self::context(partition, key), bytes),
        };
        match frame {
            // The right key opened it, so it is whole: a frame schema this
            // Larder does not know comes from a newer one and is kept.
            Ok(frame) => CacheEntry::decode(&frame).map_err(|err| match err {
                EntryError::UnknownSchema(schema) => {
                    Unsealed::Kept(StoreError::UnknownSchema(schema))
                }
                _ => Unsealed::Damaged,
            }),
            Err(OpenError::Damaged) => Err(Unsealed::Damaged),
            Err(OpenError::WrongKey | OpenError::Unverifiable) => {
                Err(Unsealed::Kept(StoreError::WrongKey))
            }
            Err(OpenError::UnknownFormat(version)) => {
                Err(Unsealed::Kept(StoreError::UnknownFormat(version)))
            }
        }
    }
}
