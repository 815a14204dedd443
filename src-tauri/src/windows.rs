//! Windows of their own for a profile or a post, beside the main one
//! (`open_window`). Each is labelled by its view
//! ([`larder_protocol::WindowTarget::label`]), so opening the same view
//! again brings its window forward, and the backend knows what a window
//! shows from its label alone: its page is served at the view's own path
//! with that view's first frame painted from the cache, and its
//! `bootstrap` carries what the cache holds of the view. Every window
//! reports what it shows for the automatic refresh (see
//! [`crate::window_state`]) and gets every pushed update (see
//! [`crate::push`]); they all close when the account shown changes
//! ([`close_views_when_account_changes`]).

use larder_protocol::{CommandError, WindowKind, WindowTarget};
use tauri::{AppHandle, Listener, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

use crate::{first_frame, folders, webview_memory};

/// A view's window's size when it first opens (later, the size it was
/// left at).
const SIZE: (f64, f64) = (880.0, 760.0);
/// The smallest a view's window can be made.
const MIN_SIZE: (f64, f64) = (560.0, 480.0);

/// Opens `target` in a window of its own, or brings its window forward
/// when it is already open. Runs on the app's main thread (see
/// `commands::windows`), where a window's webview can be reached.
pub fn open<R: Runtime>(app: &AppHandle<R>, target: &WindowTarget) -> Result<(), CommandError> {
    let label = target.label();
    if let Some(window) = app.get_webview_window(&label) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return Ok(());
    }
    let unavailable = |err: &dyn std::fmt::Display| CommandError::WindowUnavailable {
        message: err.to_string(),
    };
    let handle = app.clone();
    let path = target.path();
    let mut builder = WebviewWindowBuilder::new(
        app,
        &label,
        WebviewUrl::App(path.trim_start_matches('/').into()),
    )
    .title(title(target))
    .inner_size(SIZE.0, SIZE.1)
    .min_inner_size(MIN_SIZE.0, MIN_SIZE.1)
    .on_web_resource_request(move |request, response| {
        first_frame::paint(&handle, &request, response)
    });
    if let Some(dir) = folders::webview_dir().map_err(|err| unavailable(&err))? {
        builder = builder.data_directory(dir);
    }
    #[cfg(target_os = "linux")]
    if let Some(main) = main_webview(app) {
        builder = builder.with_related_view(main);
    }
    let window = builder.build().map_err(|err| unavailable(&err))?;
    webview_memory::keep_lean(&window);
    tracing::info!(window = %label, "opened a window");
    Ok(())
}

/// The main window's webview, for a view's window to share its web
/// process: WebKitGTK otherwise starts a web process per window, which
/// cost about 154 MiB for one post's window (docs/BENCHMARKS.md). Only on
/// the main thread can it be reached at once; elsewhere (or with no main
/// window) `None`, and the window gets a process of its own.
#[cfg(target_os = "linux")]
fn main_webview<R: Runtime>(app: &AppHandle<R>) -> Option<webkit2gtk::WebView> {
    use webkit2gtk::glib::thread_guard::ThreadGuard;
    let main = app.get_webview_window(crate::MAIN_WINDOW)?;
    let (sender, receiver) = std::sync::mpsc::channel();
    // On the main thread the closure runs before `with_webview` returns;
    // the guard keeps the webview on the thread it belongs to.
    main.with_webview(move |webview| {
        let _ = sender.send(ThreadGuard::new(webview.inner()));
    })
    .ok()?;
    let guard = receiver.try_recv().ok()?;
    if guard.is_owner() {
        Some(guard.into_inner())
    } else {
        // Dropping it off its thread would panic: it is left alone.
        std::mem::forget(guard);
        None
    }
}

/// Closes the views' windows whenever the account shown changes: signed
/// out, ended by the API, or another account switched to, as the windows
/// are told (`session-changed`). A view's window shows the account shown
/// when it opened, so it never goes on showing one account beside
/// another's dashboard. A change of the other accounts alone (one added
/// or signed out behind the one shown) leaves them open.
pub fn close_views_when_account_changes<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    let shown = std::sync::Mutex::new(None::<String>);
    app.listen_any(larder_protocol::events::SESSION_CHANGED, move |event| {
        let now = serde_json::from_str::<Option<larder_protocol::Session>>(event.payload())
            .ok()
            .flatten()
            .map(|session| session.user.id);
        let mut shown = shown
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = std::mem::replace(&mut *shown, now.clone());
        // Before the first event nothing is known, and no view's window
        // is open yet: each opens on the user's action in a window that
        // has bootstrapped.
        if before != now {
            close_views(&handle);
        }
    });
}

/// Closes every view's window (the account they show is no longer the
/// one shown). The main window stays.
pub fn close_views<R: Runtime>(app: &AppHandle<R>) {
    for (label, window) in app.webview_windows() {
        if WindowTarget::from_label(&label).is_some() {
            if let Err(err) = window.destroy() {
                tracing::warn!(%err, window = %label, "a window could not be closed");
            }
        }
    }
}

/// The plugin that remembers each window's place and size (not whether
/// it was shown: a window closed to the tray must not come back hidden).
/// Every view's window shares one remembered place, so a new one opens
/// where the last was left, and the file does not grow with each post.
pub fn remembered<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    use tauri_plugin_window_state::{Builder, StateFlags};
    let mut builder = Builder::new()
        .with_state_flags(StateFlags::all() - StateFlags::VISIBLE)
        .map_label(|label| {
            if WindowTarget::from_label(label).is_some() {
                "view"
            } else {
                label
            }
        });
    match folders::window_state_file() {
        Ok(Some(file)) => builder = builder.with_filename(file.to_string_lossy()),
        Ok(None) => {}
        Err(err) => tracing::warn!(%err, "the windows' places are kept in the default folder"),
    }
    builder.build()
}

/// The window's title until its page sets its own.
fn title(target: &WindowTarget) -> String {
    match target.kind {
        WindowKind::Profile => "Profile · Larder".into(),
        WindowKind::Post => "Post · Larder".into(),
    }
}
