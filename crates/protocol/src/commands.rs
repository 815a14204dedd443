//! The names of the backend's commands. The Tauri handlers and the UI's
//! invoke bridge both use these constants, so a rename cannot break one side
//! silently.

/// The first call the UI makes: session and app state to hydrate from.
pub const BOOTSTRAP: &str = "bootstrap";
/// Signs in with a username; returns the [`crate::Session`].
pub const SIGN_IN: &str = "sign_in";
/// Ends the session.
pub const SIGN_OUT: &str = "sign_out";
/// Returns one widget's [`crate::WidgetEnvelope`].
pub const GET_WIDGET: &str = "get_widget";

/// Every command, for registration checks.
pub const ALL: [&str; 4] = [BOOTSTRAP, SIGN_IN, SIGN_OUT, GET_WIDGET];
