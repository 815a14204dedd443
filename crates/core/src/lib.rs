//! Larder's logic, free of any GUI: it can be tested with plain `cargo test`
//! against the real mock API, with no webview. Storage is `larder_store`'s;
//! this crate decides what is fetched, cached, sent and when.
//!
//! # Two doors
//! - [`start`] opens the cache, moves keys from the secret store chosen
//!   before, applies the settings, starts the background tasks and
//!   restores the kept session, in that order, and returns the
//!   [`Running`] core with its guard;
//! - [`Events`] is the one stream of [`CoreEvent`]s the shell forwards to
//!   its windows.
//!
//! Everything the commands call is a method of [`Larder`]. The modules
//! below are the crate's own; the `testing` feature opens them to the
//! tests, benchmarks and the simulation.
//!
//! # Layout
//! - [`cache`]: the stale-while-revalidate engine over the store, and the
//!   freshness policy.
//! - [`client`]: the HTTP client for the upstream API (timeouts, error
//!   mapping).
//! - [`connectivity`]: online, degraded or offline, from request outcomes.
//! - [`transport`]: the client's door to the network (or to an API in the
//!   same process, for the simulation).
//! - [`random`]: the source of randomness (seeded in the simulation).
//! - [`resource`]: what is cached: keys, URLs and body checks.
//! - [`retry`]: the retry policy (backoff with jitter, `Retry-After`).
//! - [`service`]: [`Larder`], the session holder the desktop commands call.
//! - [`session_store`]: keeping the session across restarts.
//! - [`startup`], [`events`]: the two doors.
//! - [`error`]: [`CoreError`], the crate's one error type, and its mapping to
//!   the wire's `CommandError`.

/// Declares the crate's own modules: `pub(crate)`, or `pub` under the
/// `testing` feature for the tests, benchmarks and the simulation.
/// Hand-written because an attribute macro (such as the `visibility`
/// crate's) cannot annotate a file module on stable Rust.
macro_rules! internal_modules {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(feature = "testing")]
        pub mod $name;
        #[cfg(not(feature = "testing"))]
        pub(crate) mod $name;
    )*};
}

/// Declares a method of the façade's types that only the tests,
/// benchmarks and the simulation call: `pub(crate)`, or `pub` under the
/// `testing` feature.
macro_rules! beneath_the_facade {
    ($(#[$meta:meta])* pub $($item:tt)*) => {
        $(#[$meta])*
        #[cfg(feature = "testing")]
        pub $($item)*
        $(#[$meta])*
        #[cfg(not(feature = "testing"))]
        #[allow(dead_code)]
        pub(crate) $($item)*
    };
}

internal_modules!(
    auto_refresh,
    cache,
    client,
    connectivity,
    random,
    resource,
    retry,
    service,
    transport,
);
pub mod error;
pub mod events;
pub mod session_store;
pub mod startup;

pub use client::ApiClient;
pub use error::CoreError;
pub use events::{CoreEvent, Events};
pub use larder_store::{
    log_id, log_key, now_ms, secrets, CacheKeys, FileSecrets, KeychainSecrets, MemorySecrets,
    SecretError, SecretStore,
};
pub use resource::Resource;
pub use service::{validate_settings, BackgroundGuard, Larder, NativeWindow, ProbeSchedule};
pub use session_store::{
    AccountList, KeptAccounts, KeptSessions, MemoryAccounts, MemorySessions, PersistedSession,
    SessionPersistence,
};
pub use startup::{start, Running, Startup};
