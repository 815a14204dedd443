//! Where Larder's randomness comes from: the operating system's generator in
//! the app, or one seeded generator in the deterministic simulation of the
//! core, so that one seed fixes a whole history (retry jitter, the
//! Idempotency-Keys of changes).
//!
//! Keys and nonces of the cipher always come from the operating system:
//! they never decide what happens, only what the bytes at rest look like.

use std::sync::{Arc, Mutex, PoisonError};

use rand::{rngs::StdRng, Rng, RngCore, SeedableRng};

/// A source of randomness. Cheap to clone; clones share the generator.
#[derive(Debug, Clone, Default)]
pub struct Random(Option<Arc<Mutex<StdRng>>>);

impl Random {
    /// A generator fixed by `seed`: the same numbers in the same order
    /// every time.
    pub fn seeded(seed: u64) -> Self {
        Self(Some(Arc::new(Mutex::new(StdRng::seed_from_u64(seed)))))
    }

    /// A number drawn uniformly from `[0, 1]`.
    pub fn fraction(&self) -> f64 {
        match &self.0 {
            Some(rng) => rng
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .gen_range(0.0..=1.0),
            None => rand::thread_rng().gen_range(0.0..=1.0),
        }
    }

    /// A random (version 4) UUID.
    pub fn uuid(&self) -> uuid::Uuid {
        let mut bytes = [0u8; 16];
        match &self.0 {
            Some(rng) => rng
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .fill_bytes(&mut bytes),
            None => rand::thread_rng().fill_bytes(&mut bytes),
        }
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_fixes_the_sequence_and_uuids_are_version_4() {
        let (a, b) = (Random::seeded(7), Random::seeded(7));
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.fraction().to_bits(), b.fraction().to_bits());
        assert_ne!(Random::seeded(8).uuid(), Random::seeded(7).uuid());
        let id = Random::default().uuid();
        assert_eq!(id.get_version_num(), 4);
        assert!((0.0..=1.0).contains(&Random::default().fraction()));
    }
}
