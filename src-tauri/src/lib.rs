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
//! - [`push`]: forwards the core's updates and prewarm progress to windows.
//! - [`error`]: [`SetupError`], what can stop the app from starting.

pub mod api_endpoint;
pub mod commands;
pub mod error;
pub mod push;

use tauri::{Manager, Runtime};

pub use error::SetupError;

/// How often the cache is swept.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(10 * 60);
/// How old an entry must be for the sweeper to drop it.
const SWEEP_HORIZON: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The store file that holds the user's settings.
pub const SETTINGS_STORE: &str = "settings.json";

/// Registers Larder's plugins and commands on `builder`. Both the real
/// builder and `tauri::test::mock_builder()` go through here.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .invoke_handler(commands::handler())
}

/// Starts the desktop app.
pub fn run() {
    let result = build_app(tauri::Builder::default())
        .setup(|app| {
            let log_dir = app.path().app_log_dir()?;
            app.manage(init_tracing(&log_dir));
            let endpoint = tauri::async_runtime::block_on(api_endpoint::resolve(app.handle()))?;
            tracing::info!(url = %endpoint.url, embedded = endpoint.is_embedded(), "API endpoint");
            let client = larder_core::ApiClient::new(&endpoint.url)?;
            let cache_dir = app.path().app_data_dir()?.join("cache");
            let larder = larder_core::Larder::open(client, &cache_dir)?;
            push::forward(app.handle().clone(), larder.clone());
            // Entries past the TTL stay for offline use; the sweeper drops
            // them a day after their fetch. The guard lives as long as the app.
            let sweeper = tauri::async_runtime::block_on(async {
                larder.engine().spawn_sweeper(SWEEP_EVERY, SWEEP_HORIZON)
            });
            app.manage(sweeper);
            app.manage(larder);
            app.manage(endpoint);
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(err) = result {
        tracing::error!(%err, "Larder stopped with an error");
        eprintln!("Larder could not start: {err}");
        std::process::exit(1);
    }
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
