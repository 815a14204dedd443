//! The global store: what every view needs (the session, the API's config,
//! the settings, connectivity and prewarm progress). It is provided at the
//! root, hydrated from `bootstrap`, and kept current by the backend's
//! `session-changed`, `connectivity-changed` and `prewarm-progress` events.

use std::time::Duration;

use dioxus::prelude::*;
use larder_protocol::{
    events::PrewarmProgress, AppConfig, Bootstrap, Connectivity, RefusedSetting, Session, Settings,
    WidgetId,
};

/// App-wide state. `Copy`: every field is a signal handle.
#[derive(Clone, Copy, PartialEq)]
pub struct GlobalStore {
    /// The signed-in user, if any.
    pub session: Signal<Option<Session>>,
    /// The API base URL and whether it is the embedded one.
    pub api_url: Signal<String>,
    pub embedded_api: Signal<bool>,
    pub config: Signal<AppConfig>,
    pub settings: Signal<Settings>,
    pub connectivity: Signal<Connectivity>,
    pub prewarm: Signal<PrewarmProgress>,
    /// Something to tell the user on the next view (after sign-out).
    pub notice: Signal<Option<String>>,
    /// Saved settings left out at start, until the settings are saved.
    pub refused_settings: Signal<Vec<RefusedSetting>>,
    /// The account this window is switching to, until the switch's answer
    /// (its snapshot) arrives: the pushed session naming it waits for the
    /// answer, so the account's layout starts from the snapshot.
    pub switching: Signal<Option<String>>,
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
            config: Signal::new(bootstrap.config.clone()),
            settings: Signal::new(bootstrap.settings.clone()),
            connectivity: Signal::new(bootstrap.connectivity),
            prewarm: Signal::new(bootstrap.prewarm),
            notice: Signal::new(None),
            refused_settings: Signal::new(bootstrap.refused_settings.clone()),
            switching: Signal::new(None),
        })
    }

    /// The signed-in user's id, or empty when signed out. Query keys carry
    /// it, so one user's results are never shown to the next.
    pub fn viewer_id(&self) -> String {
        self.session
            .read()
            .as_ref()
            .map(|session| session.user.id.clone())
            .unwrap_or_default()
    }

    /// How long `widget`'s data stays fresh, by the same rule the
    /// backend applies (the settings' override, else the API's policy).
    pub fn stale_after(&self, widget: WidgetId) -> Duration {
        self.stale_after_policy(&widget.policy_name())
    }

    /// How long data under policy `name` stays fresh.
    pub fn stale_after_policy(&self, name: &str) -> Duration {
        let policy = self.config.read().policy_for(name, &self.settings.read());
        Duration::from_secs(policy.stale_secs)
    }
}

/// The global store; panics outside `App`, which provides it.
pub fn use_global_store() -> GlobalStore {
    try_use_context::<GlobalStore>()
        .expect("use_global_store: no GlobalStore provided; it is provided by App after bootstrap")
}
