//! Larder's user interface: a Dioxus app compiled to wasm32 and loaded in the
//! Tauri webview. It talks to the desktop backend only through [`backend`].
//!
//! # Layout
//! - [`backend`]: the one invoke bridge and its typed command wrappers.
//! - [`stores`]: the signal stores hydrated from the `bootstrap` payload.
//! - [`app`]: the root component and the router.
//! - [`host`]: the page's own facilities (time, title, theme, shortcut).
//! - [`render_count`]: render counts for the tests (nothing outside them).
//! - `prerender` (feature `prerender`): the first frame the desktop
//!   backend paints before the wasm has loaded.
//! - [`views`]: the signed-in layout and one module per route (sign-in,
//!   dashboard, profile, settings, cache inspector).
//! - [`widgets`]: the dashboard's widgets, each isolated behind its own
//!   error and suspense boundaries.

pub mod app;
pub mod backend;
pub mod host;
#[cfg(any(test, feature = "prerender"))]
pub mod prerender;
pub mod render_count;
pub mod stores;
pub mod views;
pub mod widgets;

#[cfg(test)]
mod test_render;
