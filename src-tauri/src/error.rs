//! What can stop the desktop shell from starting.

/// A start-up failure, shown to the user and logged.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("no API URL is configured (set LARDER_API_URL or the apiUrl setting), and this build has no embedded API")]
    NoApiConfigured,
    #[error("the embedded API could not start: {0}")]
    EmbeddedApi(#[source] std::io::Error),
    #[error("LARDER_DATA_DIR must be an absolute path, got {0:?}")]
    DataDir(std::path::PathBuf),
    #[error("tauri.conf.json has no window labelled \"main\"")]
    NoMainWindow,
    #[error("LARDER_MOCK_DELAY_SCALE must be a number from 0 to 1000, got {0:?}")]
    DelayScale(String),
    #[error("the settings store could not be opened: {0}")]
    Store(#[from] tauri_plugin_store::Error),
    #[error(transparent)]
    Persistence(#[from] crate::persistence::PersistenceError),
    #[error(transparent)]
    Core(#[from] larder_core::CoreError),
    #[error(transparent)]
    Tauri(#[from] tauri::Error),
    #[error("{0}")]
    Start(larder_protocol::CommandError),
}
