//! Keeping the session across restarts. The core only needs
//! [`SessionPersistence`]; the desktop shell implements it (the user in
//! tauri-plugin-store, the token apart from it), and tests use
//! [`MemorySessions`]. [`TokenFile`] keeps a token in a file only its owner
//! can read.

use std::{
    fmt,
    path::{Path, PathBuf},
    sync::{Mutex, PoisonError},
};

use larder_protocol::User;

use crate::CoreError;

/// A session as kept between runs.
#[derive(Clone, PartialEq, Eq)]
pub struct PersistedSession {
    pub user: User,
    pub token: String,
}

impl fmt::Debug for PersistedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token never reaches a log.
        f.debug_struct("PersistedSession")
            .field("user", &crate::log_id(&self.user.id))
            .finish_non_exhaustive()
    }
}

/// Where the session is kept between runs.
pub trait SessionPersistence: Send + Sync + fmt::Debug {
    fn load(&self) -> Result<Option<PersistedSession>, CoreError>;
    fn save(&self, session: &PersistedSession) -> Result<(), CoreError>;
    fn clear(&self) -> Result<(), CoreError>;
}

/// Keeps the session in memory only: it does not survive the process.
#[derive(Debug, Default)]
pub struct MemorySessions(Mutex<Option<PersistedSession>>);

impl SessionPersistence for MemorySessions {
    fn load(&self) -> Result<Option<PersistedSession>, CoreError> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone())
    }

    fn save(&self, session: &PersistedSession) -> Result<(), CoreError> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(session.clone());
        Ok(())
    }

    fn clear(&self) -> Result<(), CoreError> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = None;
        Ok(())
    }
}

/// A token in a file readable by its owner only (mode 0600 on Unix).
#[derive(Debug, Clone)]
pub struct TokenFile {
    path: PathBuf,
}

/// The longest token accepted from the file; anything longer is not ours.
const TOKEN_MAX_BYTES: usize = 4096;

impl TokenFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The token, if the file exists and holds a plausible one.
    pub fn read(&self) -> Result<Option<String>, CoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => {
                let token = String::from_utf8(bytes).ok().map(|t| t.trim().to_owned());
                Ok(token.filter(|t| !t.is_empty() && t.len() <= TOKEN_MAX_BYTES))
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(CoreError::Cache(format!(
                "the session could not be read: {err}"
            ))),
        }
    }

    /// Writes the token atomically (a temporary file, then a rename).
    pub fn write(&self, token: &str) -> Result<(), CoreError> {
        use std::io::Write;
        let fail = |err: std::io::Error| {
            CoreError::Cache(format!("the session could not be saved: {err}"))
        };
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        let tmp = self.path.with_extension("tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp).map_err(fail)?;
        file.write_all(token.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        std::fs::rename(&tmp, &self.path).map_err(fail)
    }

    pub fn remove(&self) -> Result<(), CoreError> {
        match std::fs::remove_file(&self.path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(CoreError::Cache(
                format!("the session could not be removed: {err}"),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_file_round_trips_and_is_private() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = TokenFile::new(dir.path().join("nested/session.token"));
        assert_eq!(file.read().expect("read"), None);
        file.write("tok_123").expect("write");
        assert_eq!(file.read().expect("read").as_deref(), Some("tok_123"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file.path())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        file.remove().expect("remove");
        file.remove().expect("removing twice is fine");
        assert_eq!(file.read().expect("read"), None);
    }

    #[test]
    fn garbage_in_the_token_file_is_no_session() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = TokenFile::new(dir.path().join("t"));
        std::fs::write(file.path(), [0xff, 0xfe]).expect("write");
        assert_eq!(file.read().expect("read"), None);
        std::fs::write(file.path(), "x".repeat(10_000)).expect("write");
        assert_eq!(file.read().expect("read"), None);
    }
}
