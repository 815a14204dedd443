//! `open_window`: a profile or a post in a window of its own.

use larder_protocol::{CommandError, WindowKind, WindowTarget};
use tauri::{AppHandle, Runtime, State};

use crate::AppState;

/// Opens `kind`'s `id` in a window of its own, or brings that window
/// forward. Nobody signed in, a kind that is no view or an id that is not
/// one is refused before any window opens. The kind arrives as any string
/// so that a bad one is a typed error too. Async: on Windows a window built
/// from a synchronous command deadlocks the window's thread.
#[tauri::command]
pub async fn open_window<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    kind: String,
    id: String,
) -> Result<(), CommandError> {
    let larder = state.larder().await?;
    if larder.session().is_none() {
        return Err(CommandError::NotSignedIn);
    }
    let kind = match kind.as_str() {
        "post" => WindowKind::Post,
        "profile" => WindowKind::Profile,
        other => {
            return Err(CommandError::WindowUnavailable {
                message: format!(
                    "there is no view {:?}",
                    other.chars().take(32).collect::<String>()
                ),
            })
        }
    };
    let target = WindowTarget::new(kind, &id).ok_or_else(|| {
        let id: String = id.chars().take(64).collect();
        match kind {
            WindowKind::Profile => CommandError::InvalidUserId { id },
            WindowKind::Post => CommandError::InvalidPostId { id },
        }
    })?;
    crate::windows::open(&app, &target)
}
