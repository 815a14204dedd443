//! A window's first frame: `index.html` is served with the view the
//! window opens on already rendered from the cache (`ui::prerender`), so a
//! cached dashboard (or, in a view's own window, the cached post or
//! profile) paints before any of the UI's wasm has loaded. The live UI
//! then takes over (see `ui/dist/first-frame.js`).

use std::{borrow::Cow, sync::mpsc, time::Duration};

use larder_protocol::WindowTarget;
use tauri::{
    http::{header::CONTENT_TYPE, Request, Response},
    AppHandle, Manager, Runtime,
};
use ui::prerender::FirstFrame;

use crate::{commands::session::payload_for, AppState};

/// How long the page waits for its first frame before it is served
/// without one (and shows the live UI when it is ready, as before). A
/// render takes a few milliseconds; reading the payload could wait on a
/// keychain that does not answer, which must never hold back the window.
pub const BUDGET: Duration = Duration::from_millis(250);

/// Paints the first frame into `response` when it is the UI's page: the
/// view the window opens on, which a view's own window names in its path
/// (`/post/<id>`, see [`crate::windows`]). The path, not the window, says
/// which: on Linux every window of one web context is served through the
/// handler of the first.
pub fn paint<R: Runtime>(
    app: &AppHandle<R>,
    request: &Request<Vec<u8>>,
    response: &mut Response<Cow<'static, [u8]>>,
) {
    let target = WindowTarget::from_path(request.uri().path());
    if !is_the_page(request, response, target.as_ref()) {
        return;
    }
    let Ok(index) = std::str::from_utf8(response.body()) else {
        return;
    };
    let started = std::time::Instant::now();
    let stylesheet = stylesheet(app);
    match render(app.clone(), target)
        .and_then(|frame| frame.into_page(index, stylesheet.as_deref()))
    {
        Some(page) => {
            tracing::debug!(elapsed = ?started.elapsed(), "first frame painted");
            *response.body_mut() = Cow::Owned(page.into_bytes());
        }
        None => tracing::info!(
            elapsed = ?started.elapsed(),
            "the page is served without a first frame"
        ),
    }
}

/// The UI's stylesheet from the app's assets, for the page to carry
/// itself (see `FirstFrame::into_page`). Read on each page, not kept:
/// decompressing it takes well under a millisecond, and under `cargo tauri
/// dev` it changes while the app runs.
fn stylesheet<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    let asset = app.asset_resolver().get("/larder.css".into())?;
    String::from_utf8(asset.bytes).ok()
}

/// Whether this is the UI's `index.html`, answered as it is on disk (at
/// the view's own path, in a view's window).
fn is_the_page(
    request: &Request<Vec<u8>>,
    response: &Response<Cow<'static, [u8]>>,
    target: Option<&WindowTarget>,
) -> bool {
    let path = request.uri().path();
    let the_view = target.is_some();
    let html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    (matches!(path, "/" | "/index.html") || the_view) && response.status().is_success() && html
}

/// The first frame from the state as it is now, or `None` when the state
/// is not managed yet or it takes longer than [`BUDGET`]. It renders on a
/// thread of its own so that the wait is bounded.
fn render<R: Runtime>(app: AppHandle<R>, target: Option<WindowTarget>) -> Option<FirstFrame> {
    let (sender, receiver) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("first-frame".into())
        .spawn(move || {
            let Some(state) = app.try_state::<AppState>() else {
                return;
            };
            let bootstrap = state
                .larder_blocking()
                .map(|larder| payload_for(&state, &larder, target.as_ref()));
            let path = target.map(|target| target.path());
            let _ = sender.send(FirstFrame::render_at(bootstrap, path.as_deref()));
        })
        .ok()?;
    receiver.recv_timeout(BUDGET).ok()
}

#[cfg(test)]
#[path = "first_frame_tests.rs"]
mod tests;
