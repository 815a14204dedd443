//! The per-user on-disk cache: entries, their encoding, storage and policy.

pub mod compaction;
pub mod engine;
pub mod entry;
pub mod eviction;
pub mod hot;
pub mod layout;
mod live;
pub mod outbox_store;
pub mod policy;
pub mod retention;
pub mod sealing;
pub mod store;
mod trees;

pub use compaction::{
    compact, copy_live, folder_bytes, live_bytes, needs_compaction, CompactionError,
    CompactionReport,
};
pub use engine::{CacheUpdate, Clock, Engine, FetchFn, Read, SystemClock};
pub use entry::{CacheEntry, EntryError};
pub use layout::{CacheDir, LiveDb};
pub use policy::Policy;
pub use store::{CacheStore, OpenOutcome, StoreError};
