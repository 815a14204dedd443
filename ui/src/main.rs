//! Larder's user interface: a Dioxus app compiled to wasm32 and loaded in the
//! Tauri webview. It talks to the desktop backend only through [`backend`].
//!
//! # Layout
//! - [`backend`]: the one invoke bridge and its typed command wrappers.
//! - [`stores`]: the signal stores hydrated from the `bootstrap` payload.
//! - [`app`]: the root component and the router.
//! - [`views`]: one module per route (sign-in, dashboard).
//! - [`widgets`]: the dashboard's widgets, each isolated behind its own
//!   error and suspense boundaries.

mod app;
mod backend;
mod stores;
mod views;
mod widgets;

#[cfg(target_arch = "wasm32")]
fn main() {
    dioxus::launch(app::App);
}

/// The UI only runs in the webview; natively this crate exists for its tests.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Larder's UI runs in the desktop app's webview: build it with `cargo xtask ui`.");
}
