//! Where the app keeps its files: the data folder (settings, session,
//! secrets, cache), the log folder and the webview's own profile.
//!
//! By default the data folder is the platform's *local* application data
//! folder: on Windows `%LOCALAPPDATA%` (a cache of hundreds of megabytes
//! must not roam with the user's profile), elsewhere the same folder as the
//! roaming one. Data that earlier builds kept in the roaming folder is moved
//! over once, whole or not at all.
//!
//! `LARDER_DATA_DIR` moves everything, the webview's profile included (the
//! WebView2 user data folder on Windows, WebKit's data on Linux), so two
//! runs with different folders share nothing.

use std::path::{Path, PathBuf};

use tauri::{AppHandle, Runtime};

use crate::{
    persistence::{CACHE_DIR, EMBEDDED_SESSIONS_FILE, SECRETS_DIR, SESSION_STORE, SETTINGS_STORE},
    SetupError,
};

/// Moves the app's data folder (and its logs, into `logs/` inside it, and
/// the webview's profile, into `webview/`), for tests and portable setups;
/// it must be an absolute path.
pub const DATA_DIR_ENV: &str = "LARDER_DATA_DIR";

/// What the app keeps in its data folder, moved together from the roaming
/// folder.
const DATA_ENTRIES: [&str; 5] = [
    SETTINGS_STORE,
    SESSION_STORE,
    SECRETS_DIR,
    CACHE_DIR,
    EMBEDDED_SESSIONS_FILE,
];

fn from_env() -> Result<Option<PathBuf>, SetupError> {
    match std::env::var_os(DATA_DIR_ENV).filter(|dir| !dir.is_empty()) {
        Some(dir) if Path::new(&dir).is_absolute() => Ok(Some(PathBuf::from(dir))),
        Some(dir) => Err(SetupError::DataDir(PathBuf::from(dir))),
        None => Ok(None),
    }
}

/// The app's data folder: [`DATA_DIR_ENV`] when set, otherwise the
/// platform's local one (see the module).
pub fn data_dir<R: Runtime>(app: &AppHandle<R>) -> Result<PathBuf, SetupError> {
    if let Some(dir) = from_env()? {
        return Ok(dir);
    }
    let paths = tauri::Manager::path(app);
    Ok(settle_in_local(
        &paths.app_data_dir()?,
        &paths.app_local_data_dir()?,
    ))
}

/// The app's log folder: `logs/` in [`DATA_DIR_ENV`] when set, otherwise
/// the platform's.
pub fn log_dir<R: Runtime>(app: &AppHandle<R>) -> Result<PathBuf, SetupError> {
    match from_env()? {
        Some(dir) => Ok(dir.join("logs")),
        None => Ok(tauri::Manager::path(app).app_log_dir()?),
    }
}

/// The webview's profile folder when [`DATA_DIR_ENV`] moves it; `None`
/// leaves Tauri's default (the local data folder).
pub fn webview_dir() -> Result<Option<PathBuf>, SetupError> {
    Ok(from_env()?.map(|dir| dir.join("webview")))
}

/// Where the windows' places and sizes are kept, when `LARDER_DATA_DIR`
/// is set (each test run's own); else the window-state plugin's own file in
/// the app's config folder.
pub fn window_state_file() -> Result<Option<PathBuf>, SetupError> {
    Ok(from_env()?.map(|dir| dir.join("window-state.json")))
}

/// The data folder to use, given the roaming and the local one: the local
/// one, after moving there what the roaming one holds of Larder's when the
/// local one holds none of it. Each entry is renamed (never copied); if
/// one cannot be (another volume, a redirected folder), those already moved
/// go back and the roaming folder stays in use, so the data is never split
/// between the two.
fn settle_in_local(roaming: &Path, local: &Path) -> PathBuf {
    settle_with(roaming, local, |from, to| std::fs::rename(from, to))
}

fn settle_with(
    roaming: &Path,
    local: &Path,
    rename: impl Fn(&Path, &Path) -> std::io::Result<()>,
) -> PathBuf {
    let holds = |dir: &Path| DATA_ENTRIES.iter().any(|name| dir.join(name).exists());
    if roaming == local || !holds(roaming) || holds(local) {
        return local.to_path_buf();
    }
    if let Err(err) = std::fs::create_dir_all(local) {
        tracing::warn!(%err, "the local data folder could not be made; the data stays where it is");
        return roaming.to_path_buf();
    }
    let mut moved = Vec::new();
    for name in DATA_ENTRIES {
        let from = roaming.join(name);
        if !from.exists() {
            continue;
        }
        if let Err(err) = rename(&from, &local.join(name)) {
            tracing::warn!(%err, entry = name, "the data could not move to the local folder; it stays where it is");
            for name in moved.into_iter().rev() {
                let _ = rename(&local.join(name), &roaming.join(name));
            }
            return roaming.to_path_buf();
        }
        moved.push(name);
    }
    tracing::info!(
        entries = moved.len(),
        "moved the data from the roaming folder to the local one"
    );
    local.to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(dir: &Path) {
        std::fs::create_dir_all(dir.join(CACHE_DIR)).expect("cache");
        std::fs::write(dir.join(CACHE_DIR).join("db"), "cached").expect("db");
        std::fs::write(dir.join(SETTINGS_STORE), "{}").expect("settings");
    }

    #[test]
    fn data_in_the_roaming_folder_moves_to_the_local_one_whole() {
        let dir = tempfile::tempdir().expect("temp");
        let (roaming, local) = (dir.path().join("roaming"), dir.path().join("local"));
        fill(&roaming);
        // The webview's profile may already be in the local folder.
        std::fs::create_dir_all(local.join("EBWebView")).expect("webview");
        assert_eq!(settle_in_local(&roaming, &local), local);
        assert_eq!(
            std::fs::read_to_string(local.join(CACHE_DIR).join("db")).expect("moved"),
            "cached"
        );
        assert!(local.join(SETTINGS_STORE).exists());
        assert!(!roaming.join(CACHE_DIR).exists() && !roaming.join(SETTINGS_STORE).exists());
    }

    #[test]
    fn data_already_in_the_local_folder_is_never_replaced() {
        let dir = tempfile::tempdir().expect("temp");
        let (roaming, local) = (dir.path().join("roaming"), dir.path().join("local"));
        fill(&roaming);
        std::fs::create_dir_all(&local).expect("local");
        std::fs::write(local.join(SETTINGS_STORE), "{\"theme\":\"dark\"}").expect("settings");
        assert_eq!(settle_in_local(&roaming, &local), local);
        assert_eq!(
            std::fs::read_to_string(local.join(SETTINGS_STORE)).expect("kept"),
            "{\"theme\":\"dark\"}"
        );
        assert!(roaming.join(CACHE_DIR).join("db").exists(), "left alone");
    }

    #[test]
    fn a_move_that_fails_part_way_puts_everything_back_and_uses_the_roaming_folder() {
        let dir = tempfile::tempdir().expect("temp");
        let (roaming, local) = (dir.path().join("roaming"), dir.path().join("local"));
        fill(&roaming);
        // The settings move first; the cache cannot (as across volumes).
        let used = settle_with(&roaming, &local, |from, to| {
            if from.ends_with(CACHE_DIR) {
                return Err(std::io::Error::from(std::io::ErrorKind::CrossesDevices));
            }
            std::fs::rename(from, to)
        });
        assert_eq!(used, roaming);
        assert!(roaming.join(SETTINGS_STORE).exists(), "moved back");
        assert!(roaming.join(CACHE_DIR).join("db").exists());
        assert!(!local.join(SETTINGS_STORE).exists(), "nothing split");
    }

    #[test]
    fn one_folder_for_both_moves_nothing() {
        let dir = tempfile::tempdir().expect("temp");
        fill(dir.path());
        assert_eq!(settle_in_local(dir.path(), dir.path()), dir.path());
        assert!(dir.path().join(CACHE_DIR).join("db").exists());
    }
}
