//! The core's first door: [`start`] opens everything in the one order that
//! keeps the user's data safe and returns the [`Running`] core.
//!
//! 1. the cache, sealed under keys in the chosen secret store (a damaged
//!    one is moved aside and rebuilt; one held by another Larder is
//!    [`CoreError::AlreadyRunning`]);
//! 2. keys left in the store the user chose before move into this one,
//!    where they fit (best effort: what cannot move now stays readable
//!    after switching back);
//! 3. the settings;
//! 4. the background tasks (sweeper, size limit, connectivity watcher,
//!    auto-refresh, outbox sender), and the event stream, so nothing the
//!    next step announces is missed;
//! 5. the session kept from the last run.

use std::{path::PathBuf, sync::Arc};

use larder_protocol::Settings;

use crate::{
    events::Events, ApiClient, BackgroundGuard, CoreError, Larder, ProbeSchedule, SecretStore,
    SessionPersistence,
};

/// What [`start`] needs.
#[derive(Debug)]
pub struct Startup {
    pub client: ApiClient,
    /// The cache's folder.
    pub cache_dir: PathBuf,
    /// Where the session is kept across restarts.
    pub sessions: Arc<dyn SessionPersistence>,
    /// Where the cache's keys are kept.
    pub secrets: Arc<dyn SecretStore>,
    /// The store the user chose before, if any: its keys move into
    /// `secrets`.
    pub previous_secrets: Option<Arc<dyn SecretStore>>,
    pub settings: Settings,
    pub probes: ProbeSchedule,
}

/// The open core, the guard of its background tasks (dropping it stops
/// them) and the stream of what windows must be told.
#[derive(Debug)]
pub struct Running {
    pub larder: Larder,
    pub guard: BackgroundGuard,
    pub events: Events,
}

/// Opens and starts the core (see the module's order). Must run on a Tokio
/// runtime: the background tasks are spawned on it.
pub fn start(startup: Startup) -> Result<Running, CoreError> {
    let Startup {
        client,
        cache_dir,
        sessions,
        secrets,
        previous_secrets,
        settings,
        probes,
    } = startup;
    let larder = Larder::open_with(client, &cache_dir, sessions, secrets)?;
    start_opened(larder, previous_secrets, settings, probes)
}

beneath_the_facade! {
    /// Steps 2 to 5 on a core already opened (the simulation opens its own,
    /// on its clock and network, and starts it here, as the app does).
    pub fn start_opened(
        larder: Larder,
        previous_secrets: Option<Arc<dyn SecretStore>>,
        settings: Settings,
        probes: ProbeSchedule,
    ) -> Result<Running, CoreError> {
        if let Some(previous) = previous_secrets {
            match larder.adopt_secrets(previous) {
                Ok(0) => {}
                Ok(moved) => tracing::info!(moved, "moved keys to where the settings keep them"),
                Err(err) => tracing::warn!(%err, "keys could not be moved from the other store yet"),
            }
        }
        larder.apply_settings(settings)?;
        let guard = larder.start_background(probes);
        let events = Events::new(&larder);
        larder.restore_session();
        Ok(Running {
            larder,
            guard,
            events,
        })
    }
}
