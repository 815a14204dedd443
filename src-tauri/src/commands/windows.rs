//! `open_window`: a profile or a post in a window of its own.

use larder_protocol::{CommandError, WindowKind, WindowTarget};
use tauri::{AppHandle, Runtime, State};

use crate::AppState;

/// Opens `kind`'s `id` in a window of its own, or brings that window
/// forward. Nobody signed in, a kind that is no view or an id that is not
/// one is refused before any window opens. The kind arrives as any string
/// so that a bad one is a typed error too. Async: on Windows a window built
/// from a synchronous command deadlocks the window's thread; the window is
/// built on the main thread, and the command waits for it there.
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
    let kind = WindowKind::from_name(&kind).ok_or_else(|| CommandError::WindowUnavailable {
        message: format!(
            "there is no view {:?}",
            kind.chars().take(32).collect::<String>()
        ),
    })?;
    let target = WindowTarget::new(kind, &id).ok_or_else(|| {
        let id: String = id.chars().take(64).collect();
        match kind {
            WindowKind::Profile => CommandError::InvalidUserId { id },
            WindowKind::Post => CommandError::InvalidPostId { id },
        }
    })?;
    // Built on the main thread, where the main window's webview can be
    // reached for the new one to share its web process (Linux).
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let handle = app.clone();
    app.run_on_main_thread(move || {
        let _ = sender.send(crate::windows::open(&handle, &target));
    })
    .map_err(|err| CommandError::WindowUnavailable {
        message: err.to_string(),
    })?;
    match tokio::time::timeout(OPEN_WAIT, receiver).await {
        Ok(Ok(opened)) => opened,
        _ => Err(CommandError::WindowUnavailable {
            message: "the window did not open in time".into(),
        }),
    }
}

/// The longest `open_window` waits for the main thread to open the window.
const OPEN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
