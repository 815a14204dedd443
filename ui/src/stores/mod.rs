//! Signal stores, hydrated from the `bootstrap` payload and provided through
//! context. Each accessor panics with the name of the missing provider, so a
//! component used outside its scope fails loudly in development.

pub mod global;

pub use global::{use_global_store, GlobalStore};
