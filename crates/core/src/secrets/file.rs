//! [`FileSecrets`]: for machines without an OS keychain, chosen
//! explicitly. Each secret is sealed under a random master key kept in a
//! file only its owner can read, so no secret is written in plaintext.

use std::path::{Path, PathBuf};

use super::{open, seal, SecretKey, SecretStore};
use crate::CoreError;

/// Secrets sealed under a master key in `<dir>/master.key` (0600), each in
/// `<dir>/<name>.sealed` (0600).
#[derive(Debug)]
pub struct FileSecrets {
    dir: PathBuf,
    master: SecretKey,
}

fn io_error(what: &str, err: std::io::Error) -> CoreError {
    CoreError::Cache(format!("{what}: {err}"))
}

/// Writes `bytes` to `path` atomically, readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CoreError> {
    use std::io::Write;
    let fail = |err| io_error("a secret could not be written", err);
    // A temporary name of its own, so concurrent writers never share one.
    let tmp = path.with_extension(format!("tmp{:016x}", rand::random::<u64>()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

impl FileSecrets {
    /// Opens (or creates) the store in `dir`. A master key file that is
    /// not a key is replaced, with a warning: the secrets it sealed are
    /// lost (the user signs in again), nothing else is.
    pub fn open(dir: &Path) -> Result<Self, CoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|err| io_error("the secrets folder could not be made", err))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        let path = dir.join("master.key");
        let master = match std::fs::read(&path) {
            Ok(bytes) => SecretKey::from_bytes(&bytes),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(io_error("the master key could not be read", err)),
        };
        let master = match master {
            Some(master) => master,
            None => {
                if path.exists() {
                    tracing::warn!("the master key file is damaged; a new one replaces it");
                }
                let master = SecretKey::random();
                write_private(&path, master.as_bytes())?;
                master
            }
        };
        tracing::warn!(
            dir = %dir.display(),
            "secrets are kept in a private key file, not an OS keychain"
        );
        Ok(Self {
            dir: dir.to_owned(),
            master,
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.sealed"))
    }
}

impl SecretStore for FileSecrets {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, CoreError> {
        match std::fs::read(self.path(name)) {
            Ok(sealed) => Ok(open(&self.master, name.as_bytes(), &sealed)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(io_error("a secret could not be read", err)),
        }
    }

    fn set(&self, name: &str, secret: &[u8]) -> Result<(), CoreError> {
        write_private(
            &self.path(name),
            &seal(&self.master, name.as_bytes(), secret)?,
        )
    }

    fn delete(&self, name: &str) -> Result<(), CoreError> {
        match std::fs::remove_file(self.path(name)) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(io_error("a secret could not be deleted", err))
            }
            _ => Ok(()),
        }
    }

    fn is_keychain(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::SESSION_TOKEN;

    #[test]
    fn file_secrets_survive_a_reopen_and_are_never_plaintext() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FileSecrets::open(dir.path()).expect("opens");
        store.set(SESSION_TOKEN, b"tok_very_secret").expect("set");
        let reopened = FileSecrets::open(dir.path()).expect("reopens");
        assert_eq!(
            reopened.get(SESSION_TOKEN).expect("get").as_deref(),
            Some(&b"tok_very_secret"[..])
        );
        for entry in std::fs::read_dir(dir.path()).expect("list") {
            let path = entry.expect("entry").path();
            let bytes = std::fs::read(&path).expect("read");
            assert!(
                !bytes.windows(15).any(|w| w == b"tok_very_secret"),
                "{}",
                path.display()
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
                assert_eq!(mode & 0o077, 0, "{} is private", path.display());
            }
        }
        reopened.delete(SESSION_TOKEN).expect("delete");
        assert_eq!(reopened.get(SESSION_TOKEN).expect("get"), None);
        reopened
            .delete(SESSION_TOKEN)
            .expect("deleting twice is fine");
    }
}
