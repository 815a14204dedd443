//! Larder's desktop shell: a thin Tauri layer over `larder-core`.
//!
//! It resolves which API to talk to (starting the embedded mock API when none
//! is configured), manages the core's state, and exposes the core's methods
//! as commands. No logic lives here that a test could not reach through the
//! core or through [`build_app`] with Tauri's mock runtime.
//!
//! # Layout
//! - [`api_endpoint`]: which API URL to use, and the embedded API.
//! - [`commands`]: the `#[tauri::command]` adapters, one module per feature.
//! - [`persistence`]: settings and the kept session (tauri-plugin-store
//!   and a private token file).
//! - [`push`]: forwards the core's updates, prewarm progress, connectivity
//!   and session changes to windows.
//! - [`error`]: [`SetupError`], what can stop the app from starting.

pub mod api_endpoint;
pub mod commands;
pub mod error;
pub mod persistence;
pub mod push;

#[cfg(test)]
mod at_rest_tests;
#[cfg(test)]
mod config_tests;

use std::sync::Arc;

use larder_core::{ApiClient, CoreError, Larder, ProbeSchedule};
use larder_protocol::CommandError;
use tauri::{AppHandle, Manager, Runtime};

pub use error::SetupError;
pub use persistence::SETTINGS_STORE;

/// The embedded API's sessions file (token hashes only), in the app's data
/// folder.
const EMBEDDED_SESSIONS_FILE: &str = "embedded-api-sessions.json";

/// Why the data commands are unavailable in this run (another Larder holds
/// the cache); `bootstrap` answers with it, so the window can say so.
#[derive(Debug, Clone)]
pub struct StartupProblem(pub CommandError);

/// Registers Larder's plugins and commands on `builder`. Both the real
/// builder and `tauri::test::mock_builder()` go through here.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .invoke_handler(commands::handler())
}

/// Starts the desktop app.
pub fn run() {
    // Registered first, so a second launch hands over to the running
    // window (which it shows and focuses) and exits before it touches the
    // cache. Without a D-Bus session (some headless Linux setups) it lets
    // the launch through; the cache's lock then makes that window say that
    // Larder is already running.
    let builder =
        tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }));
    let result = build_app(builder)
        .setup(|app| {
            let log_dir = app.path().app_log_dir()?;
            app.manage(init_tracing(&log_dir));
            start(app.handle())?;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(err) = result {
        tracing::error!(%err, "Larder stopped with an error");
        eprintln!("Larder could not start: {err}");
        std::process::exit(1);
    }
}

/// Loads the settings, resolves the API, opens the cache, restores the
/// kept session (prewarming the dashboard from it) and starts the
/// background tasks. A cache held by another running Larder does not stop
/// the window from opening: it explains the problem instead.
fn start<R: Runtime>(app: &AppHandle<R>) -> Result<(), SetupError> {
    let data_dir = app.path().app_data_dir()?;
    let paths = persistence::StorePaths::in_dir(&data_dir);
    app.manage(paths.clone());
    let settings = persistence::load_settings(app)?;
    let endpoint = tauri::async_runtime::block_on(api_endpoint::resolve(
        &settings,
        data_dir.join(EMBEDDED_SESSIONS_FILE),
    ))?;
    tracing::info!(url = %endpoint.url, embedded = endpoint.is_embedded(), "API endpoint");
    let client = ApiClient::new(&endpoint.url)?;
    let secrets = match persistence::choose_secrets(&paths) {
        Ok(secrets) => secrets,
        Err(err) => {
            tracing::error!(%err, "no secret store; this window only says so");
            app.manage(StartupProblem(CommandError::from(err)));
            app.manage(endpoint);
            return Ok(());
        }
    };
    let sessions = Arc::new(persistence::StoreSessions::open(app, secrets.clone())?);
    match Larder::open_with(client, &data_dir.join("cache"), sessions, secrets) {
        Ok(larder) => {
            larder.apply_settings(settings)?;
            push::forward(app.clone(), larder.clone());
            let background = tauri::async_runtime::block_on(async {
                let guard = larder.start_background(ProbeSchedule::default());
                larder.restore_session();
                let refresher = larder.clone();
                tokio::spawn(async move {
                    if let Err(err) = refresher.refresh_config().await {
                        tracing::info!(%err, "the API's config could not be fetched; using the cached one");
                    }
                });
                guard
            });
            app.manage(background);
            app.manage(larder);
        }
        Err(CoreError::AlreadyRunning) => {
            tracing::error!("another Larder is already using this cache; this window only says so");
            app.manage(StartupProblem(CommandError::AlreadyRunning));
        }
        Err(err) => return Err(err.into()),
    }
    app.manage(endpoint);
    Ok(())
}

/// Keeps the log file's writer flushing until the app exits.
#[derive(Debug)]
pub struct LogGuard {
    _flusher: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// Logs to stderr and to a daily file `larder.log` in the app's log folder,
/// filtered by `RUST_LOG` (default: info for Larder). Without a writable
/// log folder, logs go to stderr only.
fn init_tracing(log_dir: &std::path::Path) -> LogGuard {
    use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt};
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "larder_app=info,larder_core=info,mock_api=info".into())
    };
    let file = std::fs::create_dir_all(log_dir).ok().and_then(|()| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("larder")
            .filename_suffix("log")
            .max_log_files(7)
            .build(log_dir)
            .ok()
    });
    let (file_layer, guard) = match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer);
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let _ = tracing_subscriber::registry()
        .with(filter())
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(file_layer)
        .try_init();
    LogGuard { _flusher: guard }
}
