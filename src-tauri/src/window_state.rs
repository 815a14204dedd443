//! Each native window's state for the automatic refresh: minimised, hidden
//! and focused, read from the window on each of its events and handed to
//! the core under the window's label ([`crate::AppState::report_window`]),
//! which combines it with that window's page's own report. The page alone
//! misses a minimised window on Windows and on GNOME, where
//! `document.hidden` stays false. A window that closes is forgotten, so
//! what it showed is no longer kept fresh.
//!
//! Tauri 2 has no occlusion event; on macOS WebKit already reports an
//! occluded window to the page as hidden. A Wayland compositor never tells
//! a window that it is minimised, so there the focus is all the OS says.

use larder_core::NativeWindow;
use tauri::{Manager, Runtime, Window, WindowEvent};

use crate::AppState;

/// Reports a window's state after `event`, when the event can change it.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    let focused = match event {
        WindowEvent::Destroyed => {
            if let Some(app) = window.try_state::<AppState>() {
                app.forget_window(window.label());
            }
            return;
        }
        WindowEvent::Focused(focused) => *focused,
        // Minimising and restoring come as a resize (Windows) or a move and
        // a resize (GTK), whose state is then read from the window.
        WindowEvent::Resized(_)
        | WindowEvent::Moved(_)
        | WindowEvent::ScaleFactorChanged { .. } => window.is_focused().unwrap_or(false),
        _ => return,
    };
    let state = NativeWindow {
        minimized: window.is_minimized().unwrap_or(false),
        shown: window.is_visible().unwrap_or(true),
        focused,
    };
    tracing::debug!(?state, window = window.label(), "a window's state changed");
    if let Some(app) = window.try_state::<AppState>() {
        app.report_window(window.label(), state);
    }
}
