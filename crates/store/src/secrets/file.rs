//! [`FileSecrets`]: for machines without an OS keychain, chosen
//! explicitly. Each secret is sealed under a random master key kept in a
//! file only its owner can read, so no secret is written in plaintext.

use std::path::{Path, PathBuf};

use super::{open, seal, SecretError, SecretKey, SecretStore};

/// Secrets sealed under a master key in `<dir>/master.key` (0600), each in
/// `<dir>/<name>.sealed` (0600).
#[derive(Debug)]
pub struct FileSecrets {
    dir: PathBuf,
    master: SecretKey,
}

/// Writes `bytes` to `path` atomically, readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SecretError> {
    use std::io::Write;
    let fail = |err| SecretError::io("writing a secret file", err);
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
    /// Opens (or creates) the store in `dir`, which is made private to its
    /// owner (0700 on Unix; failing to do so is an error, not a warning).
    /// A master key file that is not a key is replaced, with a warning: the
    /// secrets it sealed no longer open (the user signs in again, and the
    /// cache they keyed reports its key missing rather than being deleted).
    pub fn open(dir: &Path) -> Result<Self, SecretError> {
        std::fs::create_dir_all(dir)
            .map_err(|err| SecretError::io("making the secrets folder", err))?;
        make_private_dir(dir)?;
        let path = dir.join("master.key");
        let master = match std::fs::read(&path) {
            Ok(bytes) => SecretKey::from_bytes(&bytes),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(SecretError::io("reading the master key", err)),
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

/// Makes `dir` readable by its owner only. On Unix that is mode 0700. On
/// Windows a folder under the user's profile (where the app data folder
/// lives) already inherits an ACL that admits only the user, SYSTEM and
/// administrators, so there is nothing to tighten.
fn make_private_dir(dir: &Path) -> Result<(), SecretError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|err| SecretError::io("making the secrets folder private", err))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl SecretStore for FileSecrets {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretError> {
        match std::fs::read(self.path(name)) {
            Ok(sealed) => open(&self.master, name.as_bytes(), &sealed)
                .map(Some)
                .map_err(|_| SecretError::Open {
                    name: name.to_owned(),
                }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(SecretError::io("reading a secret file", err)),
        }
    }

    fn set(&self, name: &str, secret: &[u8]) -> Result<(), SecretError> {
        write_private(
            &self.path(name),
            &seal(&self.master, name.as_bytes(), secret)?,
        )
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        match std::fs::remove_file(self.path(name)) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(SecretError::io("deleting a secret file", err))
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
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700, "the folder is private");
        }
    }

    #[test]
    fn a_sealed_secret_that_does_not_open_is_an_error_not_absence() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FileSecrets::open(dir.path()).expect("opens");
        store.set("cache-key.user.x", &[1; 32]).expect("set");
        std::fs::write(dir.path().join("cache-key.user.x.sealed"), b"\x02garbage").expect("write");
        assert!(matches!(
            store.get("cache-key.user.x"),
            Err(SecretError::Open { .. })
        ));
    }

    #[test]
    fn an_unusable_secrets_folder_is_an_error() {
        // A path under a regular file cannot be a folder at all.
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("plain");
        std::fs::write(&file, b"x").expect("write");
        assert!(FileSecrets::open(&file.join("secrets")).is_err());
    }
}
