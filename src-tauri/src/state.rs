//! The shell's one managed state, [`AppState`]: its files
//! ([`Persistence`]), the API in use, and whether the core is open ([`Phase::Ready`]) or why not
//! ([`Phase::Degraded`]: no keychain answered, another Larder holds the
//! cache, …).
//!
//! Every command reaches the core through [`AppState::larder`], so a
//! command sent before the core opened gets the reason as a typed error,
//! not Tauri's "state not managed" string. [`Ready`] owns every task the
//! shell runs beside its commands ([`BackgroundTasks`]); replacing or
//! dropping it stops them.

use std::{
    collections::BTreeMap,
    sync::{Mutex, MutexGuard, PoisonError, RwLock},
    time::Duration,
};

use tokio::sync::watch;

use larder_core::{BackgroundGuard, Larder, NativeWindow};
use larder_protocol::{CommandError, ScreenReport};

use crate::{api_endpoint::ApiEndpoint, persistence::Persistence, push::Forwarders};

/// Everything the shell manages, in one place.
#[derive(Debug)]
pub struct AppState {
    persistence: Persistence,
    endpoint: ApiEndpoint,
    phase: RwLock<Phase>,
    opening: Mutex<()>,
    /// Whether start-up is opening the core beside the window (see
    /// [`crate::startup`]); waiters hear when it is done.
    starting: watch::Sender<bool>,
    /// Each native window's last state, by label, kept for a core that
    /// opens later.
    window: Mutex<BTreeMap<String, NativeWindow>>,
    /// What each window's page last said it shows, by label, kept for a
    /// core that opens later.
    screen: Mutex<BTreeMap<String, ScreenReport>>,
}

/// The longest a command waits for the core that start-up is opening: a
/// keychain that asks to be unlocked can take a while, and a command
/// answered "not started" would leave the window with nothing to show.
const START_WAIT: Duration = Duration::from_secs(10);

/// Whether the core is open.
#[derive(Debug)]
pub enum Phase {
    /// The core is open and its tasks run.
    Ready(Ready),
    /// The core is not open, for this reason; the window says it and may
    /// offer a way on (see [`crate::startup`]).
    Degraded(CommandError),
}

/// The open core and the tasks that serve it.
#[derive(Debug)]
pub struct Ready {
    larder: Larder,
    _background: BackgroundTasks,
}

/// Every task the shell runs beside its commands: the core's (sweeper,
/// connectivity watcher, cache limit, first config fetch) and the push
/// forwarders to the windows. Dropping it stops them all.
#[derive(Debug)]
pub struct BackgroundTasks {
    pub core: BackgroundGuard,
    pub push: Forwarders,
}

impl AppState {
    /// A state whose core is not open yet.
    pub fn new(persistence: Persistence, endpoint: ApiEndpoint) -> Self {
        Self {
            persistence,
            endpoint,
            phase: RwLock::new(Phase::Degraded(not_started())),
            opening: Mutex::new(()),
            starting: watch::Sender::new(false),
            window: Mutex::default(),
            screen: Mutex::default(),
        }
    }

    /// A state whose core is open, with `background` serving it.
    pub fn ready(
        persistence: Persistence,
        endpoint: ApiEndpoint,
        larder: Larder,
        background: BackgroundTasks,
    ) -> Self {
        let state = Self::new(persistence, endpoint);
        state.set_ready(larder, background);
        state
    }

    /// The shell's files and the settings as saved.
    pub fn persistence(&self) -> &Persistence {
        &self.persistence
    }

    pub fn endpoint(&self) -> &ApiEndpoint {
        &self.endpoint
    }

    /// The open core, or why it is not open. While start-up is still
    /// opening the core it waits for it to finish, up to [`START_WAIT`],
    /// without holding a thread: commands run on the async runtime, never
    /// on the window's thread, which must keep painting meanwhile.
    pub async fn larder(&self) -> Result<Larder, CommandError> {
        let mut starting = self.starting.subscribe();
        let _ = tokio::time::timeout(START_WAIT, starting.wait_for(|starting| !*starting)).await;
        self.current()
    }

    /// [`Self::larder`] for a thread that may block (the first frame's).
    pub fn larder_blocking(&self) -> Result<Larder, CommandError> {
        tauri::async_runtime::block_on(self.larder())
    }

    /// The open core, or why it is not open, now, without waiting.
    fn current(&self) -> Result<Larder, CommandError> {
        match &*self.phase.read().unwrap_or_else(PoisonError::into_inner) {
            Phase::Ready(ready) => Ok(ready.larder.clone()),
            Phase::Degraded(problem) => Err(problem.clone()),
        }
    }

    /// Start-up opens the core beside the window from now until
    /// [`Self::start_done`]; [`Self::larder`] waits for it meanwhile.
    pub fn start_begun(&self) {
        self.starting.send_replace(true);
    }

    /// Start-up's opening of the core is over, opened or not.
    pub fn start_done(&self) {
        self.starting.send_replace(false);
    }

    pub fn is_ready(&self) -> bool {
        self.current().is_ok()
    }

    /// Held while the core is being opened, so two attempts (two clicks on
    /// Retry) never race for the cache's lock.
    pub fn opening(&self) -> MutexGuard<'_, ()> {
        self.opening.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Native window `label`'s state changed (see [`crate::window_state`]).
    pub fn report_window(&self, label: &str, window: NativeWindow) {
        // Held while the core is told, so `set_ready` cannot slip between.
        let mut last = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        last.insert(label.to_owned(), window);
        // Not waiting: this runs on the window's thread.
        if let Ok(larder) = self.current() {
            larder.report_window(label, window);
        }
    }

    /// What window `label`'s page shows (see `report_screen`). Answered on
    /// the window's thread, in the order the page sent them, without
    /// waiting: while start-up still opens the core the report is kept for
    /// it.
    pub fn report_screen(&self, label: &str, report: ScreenReport) -> Result<(), CommandError> {
        // Held while the core is told, so `set_ready` cannot slip between.
        let mut last = self.screen.lock().unwrap_or_else(PoisonError::into_inner);
        last.insert(label.to_owned(), report.clone());
        match self.current() {
            Ok(larder) => Ok(larder.report_screen(label, report)?),
            Err(_) if *self.starting.borrow() => Ok(()),
            Err(problem) => Err(problem),
        }
    }

    /// Window `label` has closed: what it showed is no longer on screen.
    pub fn forget_window(&self, label: &str) {
        let mut last = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        let mut screen = self.screen.lock().unwrap_or_else(PoisonError::into_inner);
        last.remove(label);
        screen.remove(label);
        if let Ok(larder) = self.current() {
            larder.forget_window(label);
        }
    }

    /// The core is open: from now on commands reach it.
    pub fn set_ready(&self, larder: Larder, background: BackgroundTasks) {
        let last = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        for (label, window) in last.iter() {
            larder.report_window(label, *window);
        }
        let screen = self.screen.lock().unwrap_or_else(PoisonError::into_inner);
        for (label, report) in screen.iter() {
            if let Err(err) = larder.report_screen(label, report.clone()) {
                tracing::warn!(%err, "a page's report from before the start is not usable");
            }
        }
        *self.phase.write().unwrap_or_else(PoisonError::into_inner) = Phase::Ready(Ready {
            larder,
            _background: background,
        });
    }

    /// The core could not open, for `problem`. Never replaces a ready core:
    /// once open, it stays open for the life of the app.
    pub fn set_degraded(&self, problem: CommandError) {
        let mut phase = self.phase.write().unwrap_or_else(PoisonError::into_inner);
        if matches!(*phase, Phase::Degraded(_)) {
            *phase = Phase::Degraded(problem);
        }
    }
}

fn not_started() -> CommandError {
    CommandError::Internal {
        message: "Larder has not finished starting".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> AppState {
        let dir = std::env::temp_dir();
        AppState::new(
            Persistence::with(
                crate::persistence::StorePaths::in_dir(&dir),
                Default::default(),
                Vec::new(),
            ),
            ApiEndpoint::remote("http://127.0.0.1:1".into()),
        )
    }

    #[test]
    fn a_state_that_never_opened_says_it_has_not_finished_starting() {
        let state = state();
        assert_eq!(
            state.larder_blocking().expect_err("not open"),
            not_started()
        );
        assert!(!state.is_ready());
    }

    #[test]
    fn the_latest_problem_is_what_commands_are_told() {
        let state = state();
        state.set_degraded(CommandError::AlreadyRunning);
        assert_eq!(
            state.larder_blocking().expect_err("not open"),
            CommandError::AlreadyRunning
        );
    }

    #[test]
    fn a_command_sent_while_start_up_opens_the_core_waits_for_its_outcome() {
        let state = std::sync::Arc::new(state());
        state.start_begun();
        let opener = {
            let state = state.clone();
            std::thread::spawn(move || {
                // Whatever the command does meanwhile, it must not be
                // answered before this.
                std::thread::sleep(Duration::from_millis(200));
                state.set_degraded(CommandError::AlreadyRunning);
                state.start_done();
            })
        };
        assert_eq!(
            state.larder_blocking().expect_err("not open"),
            CommandError::AlreadyRunning,
            "the outcome, not \"has not finished starting\""
        );
        opener.join().expect("the opener");
        assert!(!state.is_ready());
    }

    #[test]
    fn a_screen_report_never_waits_for_start_up() {
        let report = ScreenReport {
            visible: true,
            focused: true,
            view: larder_protocol::ScreenView::Dashboard,
        };
        let state = state();
        state.start_begun();
        // Answered at once (the start-up never ends here), and kept.
        assert_eq!(state.report_screen("main", report.clone()), Ok(()));
        assert_eq!(
            state.screen.lock().expect("screen").get("main"),
            Some(&report)
        );
        // Once start-up is over without a core, the page is told why.
        state.set_degraded(CommandError::AlreadyRunning);
        state.start_done();
        assert_eq!(
            state.report_screen("main", report),
            Err(CommandError::AlreadyRunning)
        );
    }

    #[test]
    fn a_late_problem_never_replaces_an_open_core() {
        use tauri::Manager;
        let shell = crate::test_support::TestShell::new();
        shell.open_core();
        let state = shell.app.state::<AppState>();
        state.set_degraded(CommandError::AlreadyRunning);
        assert!(state.larder_blocking().is_ok(), "still open");
    }
}
