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
//! - [`first_frame`]: the page served with the view already painted from
//!   the cache.
//! - [`folders`]: where the data, the logs and the webview's profile live.
//! - [`persistence`]: settings and the kept session (tauri-plugin-store
//!   and a private token file).
//! - [`push`]: forwards the core's updates, prewarm progress, connectivity
//!   and session changes to windows.
//! - [`startup`]: starting in two steps, so a missing keychain is a choice
//!   in the window.
//! - [`state`]: [`AppState`], the one managed state: paths, endpoint, and
//!   the open core with the tasks it owns, or why it is not open.
//! - [`webview_memory`]: the webview's caches kept small.
//! - [`window_state`]: each native window's minimised, hidden and focused
//!   state, for the automatic refresh.
//! - [`windows`]: a profile or a post in a window of its own.
//! - [`error`]: [`SetupError`], what can stop the app from starting.

pub mod api_endpoint;
pub mod commands;
pub mod error;
pub mod first_frame;
pub mod folders;
pub mod persistence;
pub mod push;
pub mod secret_choice;
pub mod startup;
pub mod state;
pub mod webview_memory;
pub mod window_state;
pub mod windows;

#[cfg(test)]
mod at_rest_tests;
#[cfg(test)]
mod config_tests;
#[cfg(test)]
mod test_support;

use tauri::{Manager, Runtime};

pub use error::SetupError;
pub use persistence::SETTINGS_STORE;
pub use state::AppState;

/// Registers Larder's plugins and commands on `builder`. Both the real
/// builder and `tauri::test::mock_builder()` go through here.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .invoke_handler(commands::handler())
}

/// The async runtime's worker threads. Larder's work is waiting on the
/// network, the disk and the keychain, which two workers keep up with;
/// tokio's default of one per core would, on a many-core machine, add a
/// thread (and in glibc a malloc arena) per core for nothing.
const WORKER_THREADS: usize = 2;

/// Starts the desktop app.
pub fn run() {
    // First, while this is the only thread (see the function).
    webview_memory::paint_on_cpu();
    // Kept alive until the app exits: Tauri and the core spawn on it.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .thread_name("larder-async")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("Larder could not start its async runtime: {err}");
            std::process::exit(1);
        }
    };
    tauri::async_runtime::set(runtime.handle().clone());
    // Registered first, so a second launch hands over to the running
    // window (which it shows and focuses) and exits before it touches the
    // cache. Without a D-Bus session (some headless Linux setups) it lets
    // the launch through; the cache's lock then makes that window say that
    // Larder is already running.
    let builder =
        tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            let brought_forward = app.get_webview_window(MAIN_WINDOW).is_some_and(|window| {
                let restored = window.unminimize().is_ok();
                let shown = window.show().is_ok();
                let focused = window.set_focus().is_ok();
                restored && shown && focused
            });
            tracing::info!(brought_forward, "a second launch handed over to this one");
            let _ = tauri::Emitter::emit(
                app,
                larder_protocol::events::INSTANCE_HANDOVER,
                larder_protocol::events::InstanceHandover { brought_forward },
            );
        }));
    let result = build_app(builder)
        .plugin(windows::remembered())
        .on_window_event(window_state::on_window_event)
        .setup(|app| {
            open_main_window(app.handle())?;
            windows::close_views_when_account_changes(app.handle());
            let log_dir = folders::log_dir(app.handle())?;
            app.manage(init_tracing(&log_dir));
            startup::start(app.handle())?;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(err) = result {
        tracing::error!(%err, "Larder stopped with an error");
        eprintln!("Larder could not start: {err}");
        std::process::exit(1);
    }
}

/// Opens the main window from its entry in `tauri.conf.json` (which has
/// `create: false` so that it can be built here), its page served with the
/// first frame painted in (see [`first_frame`]); with `LARDER_DATA_DIR`
/// set, its webview profile lives in that folder too (see [`folders`]).
fn open_main_window<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<(), SetupError> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == MAIN_WINDOW)
        .cloned()
        .ok_or(SetupError::NoMainWindow)?;
    let handle = app.clone();
    let mut window = tauri::WebviewWindowBuilder::from_config(app, &config)?
        .on_web_resource_request(move |request, response| {
            first_frame::paint(&handle, &request, response)
        });
    if let Some(dir) = folders::webview_dir()? {
        window = window.data_directory(dir);
    }
    webview_memory::keep_lean(&window.build()?);
    Ok(())
}

/// The label of Larder's main window (the dashboard's).
pub const MAIN_WINDOW: &str = "main";

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
