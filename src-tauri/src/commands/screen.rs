//! `report_screen`: what the calling window shows, for the automatic
//! refresh of what is on screen.

use larder_protocol::CommandError;
use tauri::State;

use crate::AppState;

/// What the window shows, and whether it is visible or focused; the core
/// keeps that fresh while it is visible. Arrives as plain JSON so a
/// malformed report is a typed error. Not async: reports are applied on
/// the window's thread in the order they were sent, and never wait (see
/// [`AppState::report_screen`]).
#[tauri::command]
pub fn report_screen<R: tauri::Runtime>(
    window: tauri::Window<R>,
    state: State<'_, AppState>,
    report: serde_json::Value,
) -> Result<(), CommandError> {
    let report: larder_protocol::ScreenReport =
        serde_json::from_value(report).map_err(|err| CommandError::InvalidScreenReport {
            message: err.to_string(),
        })?;
    state.report_screen(window.label(), report)
}
