//! The live sessions, keyed by a hash of the token (never the token), and
//! optionally kept in a file so they survive a restart, as a real API's do.
//! The file holds `{"<sha-256 of token>": User}`; a missing or unreadable
//! file starts empty.

use std::{collections::HashMap, path::PathBuf};

use larder_protocol::User;
use sha2::{Digest, Sha256};

/// The sessions and where they are kept.
#[derive(Debug, Default)]
pub struct Sessions {
    by_hash: HashMap<String, User>,
    file: Option<PathBuf>,
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Sessions {
    /// Sessions kept in `file` (loaded now), or in memory only.
    pub fn new(file: Option<PathBuf>) -> Self {
        let by_hash = file
            .as_deref()
            .and_then(|path| match std::fs::read(path) {
                Ok(bytes) => serde_json::from_slice(&bytes)
                    .map_err(|err| tracing::warn!(%err, "the sessions file is unreadable; starting empty"))
                    .ok(),
                Err(_) => None,
            })
            .unwrap_or_default();
        Self { by_hash, file }
    }

    pub fn insert(&mut self, token: &str, user: User) {
        self.by_hash.insert(token_hash(token), user);
        self.save();
    }

    pub fn get(&self, token: &str) -> Option<&User> {
        self.by_hash.get(&token_hash(token))
    }

    pub fn remove(&mut self, token: &str) -> bool {
        let removed = self.by_hash.remove(&token_hash(token)).is_some();
        if removed {
            self.save();
        }
        removed
    }

    pub fn clear(&mut self) {
        self.by_hash.clear();
        self.save();
    }

    /// Every user with a live session.
    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.by_hash.values()
    }

    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// Writes the file atomically (a temporary file, then a rename),
    /// readable by its owner only: it is created with mode 0600 on Unix, so
    /// there is no moment when it is readable by others and no separate
    /// permission change that could fail unnoticed. (On Windows the file
    /// inherits the app data folder's per-user ACL.) A failure is logged as
    /// an error: the sessions stay valid in memory.
    fn save(&self) {
        let Some(path) = &self.file else { return };
        let tmp = path.with_extension("tmp");
        let written = serde_json::to_vec(&self.by_hash)
            .map_err(std::io::Error::other)
            .and_then(|bytes| write_private(&tmp, &bytes))
            .and_then(|()| std::fs::rename(&tmp, path));
        if let Err(err) = written {
            tracing::error!(%err, "the sessions file could not be written");
        }
    }
}

/// Writes `bytes` to a new file at `path` that only its owner can read.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    // A leftover from a crash may have other permissions: start afresh.
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        crate::data::user_for(&larder_protocol::Username::parse("alice").expect("valid"))
    }

    #[test]
    fn sessions_survive_a_restart_and_the_file_holds_no_token() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("sessions.json");
        let mut sessions = Sessions::new(Some(file.clone()));
        sessions.insert("secret-token", user());
        sessions.insert("other-token", user());
        assert!(sessions.remove("other-token"));
        let text = std::fs::read_to_string(&file).expect("written");
        assert!(!text.contains("secret-token"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only its owner can read it");
        }

        let restarted = Sessions::new(Some(file.clone()));
        assert_eq!(restarted.get("secret-token"), Some(&user()));
        assert_eq!(restarted.get("other-token"), None);
        assert_eq!(restarted.len(), 1);

        std::fs::write(&file, b"{not json").expect("write");
        assert!(Sessions::new(Some(file)).is_empty());
    }
}
