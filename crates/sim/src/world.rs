//! The simulated world: Larder's real core (store, engine, outbox,
//! sessions, background tasks) over a cache folder in a temporary
//! directory, the mock API behind an in-process network, a wall clock, a
//! keychain and a kept session. Each run of the process gets its own
//! single-threaded tokio runtime on a paused clock; a crash drops it with
//! every task in it, and the next run opens the same folder.

use futures_util::FutureExt;
use std::{collections::BTreeMap, sync::Arc, time::Duration};

use larder_core::{
    cache::Engine, random::Random, ApiClient, BackgroundGuard, CacheKeys, Larder, ProbeSchedule,
};
use larder_protocol::{
    test_controls::{FaultKind, FaultRequest},
    RefusedChange, ScreenReport, ScreenView, Settings, WidgetId,
};
use larder_store::CacheStore;
use tokio::sync::broadcast;

use crate::{
    invariants::{Fate, Model},
    net::{kept_sessions, KeychainMode, Network, Secrets, WallClock},
    ops::{Fault, Op, ROLES, USERS},
    Failure,
};

/// The API's address as the client sees it (nothing listens there: the
/// network hands requests to the router).
const API_URL: &str = "http://127.0.0.1:8787";

/// The size the simulation's eviction passes bring the cache down to.
const EVICT_TO_BYTES: u64 = 2_000;

/// The label of the second window the histories open (a profile beside
/// the dashboard).
const SECOND_WINDOW: &str = "profile-own";

/// Where the wall clock starts: 2027-01-15.
const EPOCH_MS: u64 = 1_800_000_000_000;

/// One running Larder process.
pub struct Process {
    pub larder: Larder,
    _background: BackgroundGuard,
    /// What the windows are told.
    events: larder_core::Events,
    refused: broadcast::Receiver<larder_protocol::events::ForUser<RefusedChange>>,
}

/// Everything that outlives a process.
pub struct World {
    pub dir: tempfile::TempDir,
    pub api: mock_api::AppState,
    pub net: Network,
    pub clock: Arc<WallClock>,
    /// The keychain and the protected file; the user's choice between them.
    pub secrets: Arc<Secrets>,
    pub sessions: Arc<larder_core::KeptSessions>,
    pub random: Random,
    pub settings: Settings,
    pub model: Model,
    /// At the end: the notifications the API shows read, by user id.
    pub in_effect: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl World {
    pub fn new(seed: u64) -> Result<Self, Failure> {
        let api = mock_api::AppState::new(mock_api::Config {
            rate_limit: 1_000_000,
            ..mock_api::testing::instant()
        });
        let secrets = Arc::new(Secrets::default());
        Ok(Self {
            dir: tempfile::tempdir().map_err(|err| Failure::setup(err.to_string()))?,
            net: Network::new(mock_api::app(api.clone())),
            api,
            clock: Arc::new(WallClock::at(EPOCH_MS)),
            sessions: Arc::new(kept_sessions(secrets.clone())),
            secrets,
            random: Random::seeded(seed),
            settings: Settings::default(),
            model: Model::default(),
            in_effect: BTreeMap::new(),
        })
    }

    /// Starts a process: opens the cache, starts the background and
    /// restores the kept session, as the app does.
    pub fn start(&mut self) -> Result<Process, Failure> {
        let keys = CacheKeys::new(self.secrets.clone());
        let (store, _) = CacheStore::open_simulated(&self.dir.path().join("cache"), keys)
            .map_err(|err| Failure::setup(format!("the cache would not open: {err}")))?;
        let watched = store.clone();
        self.secrets
            .watch(Arc::new(move |partition| watched.sealed_sample(partition)));
        let engine = Engine::new(store, self.clock.clone());
        let client =
            ApiClient::with_transport(API_URL, Arc::new(self.net.clone()), self.random.clone())
                .map_err(|err| Failure::setup(err.to_string()))?;
        let larder = Larder::new(client, engine, self.sessions.clone());
        // Through the app's own start, from the keys left in the store not
        // in use on.
        let running = larder_core::startup::start_opened(
            larder,
            Some(self.secrets.other()),
            self.settings.clone(),
            ProbeSchedule::default(),
        )
        .map_err(|err| Failure::setup(err.to_string()))?;
        let (larder, background, events) = (running.larder, running.guard, running.events);
        // Nothing has run yet on this single-threaded runtime, so no
        // refusal is missed.
        let refused = larder.refused_changes();
        if let Some(session) = larder.session() {
            self.model.signed_in(&session.user);
        }
        Ok(Process {
            larder,
            _background: background,
            events,
            refused,
        })
    }

    /// Lets the background run without moving the clocks much.
    pub async fn settle() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }

    /// Lets `ms` pass on both clocks, in steps, as time passes for a
    /// running computer.
    pub async fn pass(&self, ms: u64) {
        let mut left = ms;
        while left > 0 {
            let step = left.min(5_000);
            self.clock.advance(step);
            tokio::time::sleep(Duration::from_millis(step)).await;
            left -= step;
        }
    }

    fn fault(&self, fault: Fault) {
        let (widget, fault) = match fault {
            Fault::Status { widget, status } => (
                widget,
                FaultKind::Status {
                    status,
                    retry_after_secs: None,
                },
            ),
            Fault::RateLimited { widget, secs } => (
                widget,
                FaultKind::Status {
                    status: 429,
                    retry_after_secs: Some(secs),
                },
            ),
            Fault::Hang { widget } => (widget, FaultKind::Hang),
            Fault::SlowAnswer { widget, ms } => (widget, FaultKind::SlowAnswer { ms }),
            Fault::DropAfterCommit => (4, FaultKind::DropAfterCommit),
            Fault::RefuseChange { status } => (4, FaultKind::RefuseChange { status }),
            Fault::DelayChange { ms } => (4, FaultKind::DelayChange { ms }),
            Fault::RateLimitChange { secs } => (
                4,
                FaultKind::RateLimitChange {
                    retry_after_secs: secs,
                },
            ),
        };
        self.api.faults().add(FaultRequest {
            target: larder_protocol::test_controls::FaultTarget::widget(widget),
            user_id: None,
            fault,
            times: Some(1),
        });
    }

    fn settings(&mut self, process: &Process, change: impl FnOnce(&mut Settings)) {
        change(&mut self.settings);
        if let Err(err) = process.larder.apply_settings(self.settings.clone()) {
            // Every setting the simulation makes is valid.
            self.model
                .breach(format!("a valid setting was refused: {err}"));
        }
    }

    /// Applies one operation (not a crash: the caller ends the process).
    pub async fn apply(&mut self, process: &Process, op: Op) {
        let larder = &process.larder;
        match op {
            Op::SignIn(user) => {
                if larder.session().is_some() {
                    self.sign_out(process).await;
                }
                if let Ok(session) = larder.sign_in(USERS[usize::from(user)]).await {
                    self.model.signed_in(&session.user);
                }
            }
            Op::AddAccount(user) => {
                if let Ok(session) = larder.sign_in(USERS[usize::from(user)]).await {
                    self.model.signed_in(&session.user);
                }
            }
            Op::Switch(user) => {
                let name = USERS[usize::from(user)];
                let id = self.model.ids.get(name).cloned().unwrap_or_default();
                let signed_in = larder
                    .session()
                    .is_some_and(|s| s.accounts.iter().any(|u| u.id == id));
                match larder.switch_account(&id) {
                    Ok(session) if session.user.id == id => self.model.signed_in(&session.user),
                    Ok(_) => self
                        .model
                        .breach(format!("a switch to {name} showed another")),
                    Err(_) if signed_in => self
                        .model
                        .breach(format!("{name} is signed in, yet the switch was refused")),
                    Err(_) => {}
                }
            }
            Op::SignOut { keep } => {
                self.settings(process, |s| s.keep_cache_on_sign_out = keep);
                self.sign_out(process).await;
            }
            Op::Read(widget) => {
                if let Ok(widget) = WidgetId::new(widget) {
                    if larder.get_widget(widget).await.is_ok() {
                        self.model.saw(larder, &format!("widget:{widget}"));
                    }
                }
            }
            Op::Refresh(widget) => {
                if let Ok(widget) = WidgetId::new(widget) {
                    if larder.refresh_widget(widget).await.is_ok() {
                        self.model.saw(larder, &format!("widget:{widget}"));
                    }
                }
            }
            Op::SetRole { user, role } => {
                let (user, role) = (usize::from(user), usize::from(role));
                if let (Some(name), Some(role)) = (USERS.get(user), ROLES.get(role)) {
                    self.api.set_role(name, *role);
                }
            }
            Op::RoleRead(n) => {
                if let Some(widget) = larder_protocol::RoleWidget::ALL.get(usize::from(n)) {
                    let read = larder.get_role_widget(*widget).await;
                    let role = larder.session().map(|s| s.user.role);
                    if read.is_ok() {
                        if role != Some(widget.role()) {
                            self.model
                                .breach(format!("{widget} was shown to a {role:?}"));
                        }
                        self.model.saw(larder, widget.key());
                    }
                }
            }
            Op::Profile(page) => {
                if let Some(session) = larder.session() {
                    let _ = larder.get_profile(&session.user.id).await;
                    let _ = larder.get_posts(&session.user.id, i64::from(page)).await;
                }
            }
            Op::MarkRead(n) => {
                if larder
                    .mark_notification_read(&format!("n{n}"))
                    .await
                    .is_ok()
                {
                    let user = larder.session().map(|s| s.user.id);
                    let newest = larder
                        .outbox()
                        .ok()
                        .and_then(|outbox| outbox.changes.into_iter().max_by_key(|c| c.seq));
                    match (user, newest) {
                        (Some(user), Some(change)) => {
                            self.model.recorded(&user, &change.id, &format!("n{n}"))
                        }
                        _ => self
                            .model
                            .breach("a change was accepted but is not in the outbox".into()),
                    }
                }
            }
            Op::Discard(nth) => {
                let waiting = larder.outbox().map(|o| o.changes).unwrap_or_default();
                if !waiting.is_empty() {
                    let change = &waiting[usize::from(nth) % waiting.len()];
                    match larder.discard_change(&change.id) {
                        Ok(discarded) => self.model.fate(
                            &change.id,
                            Fate::Discarded {
                                may_still_arrive: discarded.may_still_arrive,
                            },
                        ),
                        Err(err) => self
                            .model
                            .breach(format!("a waiting change could not be discarded: {err}")),
                    }
                }
            }
            Op::ClearCache => {
                if larder.clear_cache(None).is_ok() {
                    self.model.cleared(larder, None);
                }
            }
            Op::ClearKey(widget) => {
                let key = format!("widget:{widget}");
                if larder.clear_cache(Some(&key)).is_ok() {
                    self.model.cleared(larder, Some(&key));
                }
            }
            Op::SetAside => {
                if larder.set_aside_cache().is_ok() {
                    self.model.set_aside(larder);
                }
            }
            Op::SetTtl(secs) => self.settings(process, |s| s.ttl_secs = (secs > 0).then_some(secs)),
            Op::SetLimit(mib) => {
                self.settings(process, |s| s.cache_limit_mib = Some(mib));
                let _ = larder.enforce_cache_limit();
            }
            Op::Screen { window, visible } => {
                let (label, view) = match (window, larder.session()) {
                    (0, _) => ("main", ScreenView::Dashboard),
                    (_, Some(session)) => (
                        SECOND_WINDOW,
                        ScreenView::Profile {
                            user_id: session.user.id,
                        },
                    ),
                    (_, None) => (SECOND_WINDOW, ScreenView::Other),
                };
                let _ = larder.report_screen(
                    label,
                    ScreenReport {
                        visible,
                        focused: visible,
                        view,
                    },
                );
            }
            Op::CloseWindow => larder.forget_window(SECOND_WINDOW),
            Op::NetDown => self.net.set_down(true),
            Op::NetUp => self.net.set_down(false),
            Op::Fault(fault) => self.fault(fault),
            Op::ClearFaults => self.api.faults().clear(),
            Op::Sleep(ms) => self.pass(ms).await,
            Op::Jump(secs) => self.clock.advance(secs * 1000),
            Op::Keychain(mode) => self.secrets.keychain.set_mode(mode),
            Op::FileStore(mode) => self.secrets.file.set_mode(mode),
            Op::SwitchStore => {}
            Op::Minimise(minimized) => larder.report_window(
                "main",
                larder_core::NativeWindow {
                    minimized,
                    shown: true,
                    focused: !minimized,
                },
            ),
            Op::RevokeSessions => self.api.clear_sessions(),
            Op::Crash => {}
            Op::Compact => match larder.engine().store().compact() {
                Ok(report) => self.model.compacted(&report),
                Err(err) => self.model.breach(format!("a compaction failed: {err}")),
            },
            Op::Sweep => {
                let _ = larder.sweep_once();
            }
            Op::Evict => {
                // Far below any limit the settings allow, so entries go: the
                // ones that must stay are what this exercises.
                let _ = larder.evict_to(EVICT_TO_BYTES);
            }
        }
        Self::settle().await;
    }

    async fn sign_out(&mut self, process: &Process) {
        let larder = &process.larder;
        let Some(session) = larder.session() else {
            return;
        };
        let waiting = larder.outbox().map(|o| o.changes).unwrap_or_default();
        larder.sign_out().await;
        for change in waiting {
            self.model.fate(&change.id, Fate::SignedOut);
        }
        // Keeping the cache needs a keychain: with the protected file the
        // key must not outlive the session, so the cache goes with it.
        self.model.signed_out(
            larder,
            &session.user.id,
            self.settings.keep_cache_on_sign_out && !self.secrets.uses_file(),
        );
    }

    /// After an operation: what the process told the user, then the
    /// invariants.
    pub fn observe(&mut self, process: &mut Process) {
        while let Ok(refused) = process.refused.try_recv() {
            self.model.fate(&refused.value.change.id, Fate::Refused);
        }
        // Everything told to the windows since the last step: nothing
        // waits, so each `next` answers at once or not at all. The account
        // shown now was shown during the step too (restored at a start,
        // shown after another's sign-out).
        self.model.shown_now(&process.larder);
        while let Some(Some(event)) = process.events.next().now_or_never() {
            self.model.told(&event);
        }
        self.model.observe(&process.larder, &self.secrets);
    }

    /// The end of a history: the network healed, the keychain answering,
    /// no faults, and time passing for every user with changes waiting, so
    /// each is sent. Then the API's log is checked against the changes.
    pub async fn heal(&mut self, process: &mut Process) {
        self.net.set_down(false);
        self.secrets.keychain.set_mode(KeychainMode::Normal);
        self.secrets.file.set_mode(KeychainMode::Normal);
        self.api.faults().clear();
        let larder = process.larder.clone();
        let _ = larder.unlock();
        // Each user with changes waiting signs in (again, after a 401)
        // and leaves the app open until they are sent.
        for _round in 0..3 {
            let users = self.model.users_with_waiting_changes(&larder);
            if users.is_empty() {
                break;
            }
            for name in users {
                if larder.session().is_none_or(|s| s.user.name != name) {
                    self.settings(process, |s| s.keep_cache_on_sign_out = true);
                    self.sign_out(process).await;
                    if let Ok(session) = larder.sign_in(&name).await {
                        self.model.signed_in(&session.user);
                    }
                }
                for _ in 0..20 {
                    self.pass(30_000).await;
                    self.observe(process);
                    let sent = larder.outbox().is_ok_and(|o| o.changes.is_empty());
                    if sent || larder.session().is_none() {
                        break;
                    }
                }
            }
        }
        self.observe(process);
        self.note_in_effect().await;
        let applied: BTreeMap<String, Vec<String>> = self.api.stats().snapshot().applied_log;
        self.model.check_changes(&applied, &self.in_effect);
    }

    /// The notifications the API shows read, for every user, asked with
    /// a client of its own (Larder's state is not touched).
    async fn note_in_effect(&mut self) {
        let Ok(client) =
            ApiClient::with_transport(API_URL, Arc::new(self.net.clone()), Random::seeded(0))
        else {
            return;
        };
        for (name, id) in self.model.ids.clone() {
            let Ok(username) = larder_protocol::Username::parse(&name) else {
                continue;
            };
            let Ok(login) = client.login(&username).await else {
                continue;
            };
            let fetched = client
                .widget_if_changed(&login.token, &id, WidgetId::NOTIFICATIONS, None)
                .await;
            let Ok(larder_core::client::Fetched::Modified { body, .. }) = fetched else {
                continue;
            };
            let Ok(widget) = serde_json::from_slice::<larder_protocol::WidgetResponse>(&body)
            else {
                continue;
            };
            if let larder_protocol::WidgetData::Notifications(center) = widget.data {
                let read = center
                    .notifications
                    .iter()
                    .filter(|n| n.read)
                    .map(|n| n.id.clone())
                    .collect();
                self.in_effect.insert(id, read);
            }
        }
    }
}
