//! The per-user on-disk cache: entries, their encoding, storage and policy.

pub mod engine;
pub mod entry;
pub mod hot;
pub mod policy;
pub mod sealing;
pub mod store;

pub use engine::{CacheUpdate, Clock, Engine, FetchFn, Read, SweeperGuard, SystemClock};
pub use entry::{CacheEntry, EntryError};
pub use policy::Policy;
pub use store::{CacheStore, OpenOutcome, StoreError};
