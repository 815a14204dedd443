//! What the core does with the storage engine's cache: the
//! stale-while-revalidate [`Engine`] (single-flight fetches, freshness,
//! updates to subscribers) and the freshness [`Policy`] of each resource.
//! Storage itself is `larder_store`'s.

pub mod engine;
mod epochs;
pub mod policy;

pub use engine::{CacheUpdate, Clock, Engine, FetchFn, Read, SystemClock};
pub use policy::Policy;
