//! The global store: what every view needs (the session and the API in use).
//! It is provided at the root, hydrated from `bootstrap`.

use dioxus::prelude::*;
use larder_protocol::{Bootstrap, Session};

/// App-wide state. `Copy`: every field is a signal handle.
#[derive(Clone, Copy, PartialEq)]
pub struct GlobalStore {
    /// The signed-in user, if any.
    pub session: Signal<Option<Session>>,
    /// The API base URL and whether it is the embedded one.
    pub api_url: Signal<String>,
    pub embedded_api: Signal<bool>,
}

impl GlobalStore {
    /// Provides a store hydrated from `bootstrap` to the current scope and
    /// its children.
    /// This is a hook: the payload is read on the first render only.
    pub fn provide(bootstrap: &Bootstrap) -> Self {
        use_context_provider(|| Self {
            session: Signal::new(bootstrap.session.clone()),
            api_url: Signal::new(bootstrap.api_url.clone()),
            embedded_api: Signal::new(bootstrap.embedded_api),
        })
    }
}

/// The global store; panics outside `App`, which provides it.
pub fn use_global_store() -> GlobalStore {
    try_use_context::<GlobalStore>()
        .expect("use_global_store: no GlobalStore provided; it is provided by App after bootstrap")
}
