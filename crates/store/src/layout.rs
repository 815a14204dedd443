//! The cache folder as generations of sled databases, so that a compaction
//! can replace the live database in a crash-safe order and the app can swap
//! its open database in-process.
//!
//! ```text
//! <root>/LOCK       locked by the one process using the cache
//! <root>/CURRENT    "gen-<N>\n": the live generation
//! <root>/gen-<N>/   a sled database
//! ```
//!
//! CURRENT only ever changes by renaming a complete, synced `CURRENT.tmp`
//! over it, after the new generation's files and folders are synced, and
//! (on Unix) the root folder is synced around that rename. The rename is
//! the commit point: before it the old generation is live and the new
//! folder is an unfinished leftover, after it the new generation is live
//! and the old folder a leftover. Either way, the live generation is a
//! complete database, and [`CacheDir::recover`] and
//! [`CacheDir::remove_stale`] delete the leftovers. A database folder is
//! never renamed (Windows cannot rename an open folder): it is created in
//! place and removed in place once nothing has it open.
//!
//! Existing installs have sled's files (`conf`, `db`, `blobs/`, `snap.*`)
//! directly in the root: without a CURRENT, that legacy database is the
//! live one, and the first compaction copies it into a generation, commits
//! CURRENT, and only then deletes the legacy files (data file first).

use std::{
    fs::{self, File, OpenOptions},
    io::Write,
    path::{Path, PathBuf},
};

use fs2::FileExt;

use crate::FolderError;

const CURRENT: &str = "CURRENT";
const CURRENT_TMP: &str = "CURRENT.tmp";
const LOCK: &str = "LOCK";
const GENERATION_PREFIX: &str = "gen-";
/// sled's data file: its presence makes a folder a database.
const SLED_DATA: &str = "db";
/// sled's other files in a database folder, besides `snap.*`.
const SLED_OTHERS: [&str; 2] = ["conf", "blobs"];
const SLED_SNAPSHOT_PREFIX: &str = "snap.";

/// Where the live database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveDb {
    /// sled's files directly in the root, as every install before
    /// generations has them.
    Legacy(PathBuf),
    /// `<root>/gen-<number>`, named by CURRENT.
    Generation { number: u64, path: PathBuf },
}

impl LiveDb {
    /// The folder to open the database at.
    pub fn path(&self) -> &Path {
        match self {
            Self::Legacy(path) | Self::Generation { path, .. } => path,
        }
    }

    /// The generation's number; `None` for the legacy layout.
    pub fn generation(&self) -> Option<u64> {
        match self {
            Self::Legacy(_) => None,
            Self::Generation { number, .. } => Some(*number),
        }
    }
}

/// The cache folder, locked for this process while the value lives.
#[derive(Debug)]
pub struct CacheDir {
    root: PathBuf,
    live: LiveDb,
    /// Holds the folder's lock: a second process must not delete a
    /// generation this one is writing.
    _lock: File,
    /// The last commit's rename is not known to be on disk (the folder's
    /// sync failed): a power cut could bring back the CURRENT before it,
    /// so no older generation may be deleted until a sync succeeds.
    unsynced: bool,
}

/// What CURRENT says.
enum Current {
    Missing,
    Names(u64),
    /// It holds something that names no generation.
    Unreadable,
    /// It could not be read now (permissions, I/O): nothing is known of it.
    Unavailable(std::io::Error),
}

impl CacheDir {
    /// Opens the cache folder at `root` (creating it if missing), finds the
    /// live database and removes every leftover: generations other than the
    /// live one (an unfinished compaction, or one replaced by a finished
    /// one), a stray `CURRENT.tmp`, and legacy files once a generation is
    /// live. A leftover that cannot be removed yet is logged and retried by
    /// the next clean-up.
    ///
    /// A folder with neither CURRENT nor a legacy database starts at
    /// generation 1, committed at once. [`FolderError::MissingGeneration`],
    /// [`FolderError::UnreadableCurrent`] and
    /// [`FolderError::NoCurrent`] mean the folder was not left so by
    /// this code; [`FolderError::Locked`] that another process has it.
    pub fn recover(root: impl AsRef<Path>) -> Result<Self, FolderError> {
        let root = root.as_ref().to_owned();
        fs::create_dir_all(&root).map_err(FolderError::io("create", &root))?;
        let lock = lock(&root)?;
        let holding_data = || -> Result<Vec<u64>, FolderError> {
            Ok(generations(&root)?
                .into_iter()
                .filter(|(_, path)| path.join(SLED_DATA).is_file())
                .map(|(number, _)| number)
                .collect())
        };
        let legacy = root.join(SLED_DATA).is_file();
        let live = match read_current(&root) {
            Current::Names(number) => {
                let path = generation_path(&root, number);
                if !path.is_dir() {
                    return Err(FolderError::MissingGeneration {
                        root,
                        generation: number,
                    });
                }
                Some(LiveDb::Generation { number, path })
            }
            // An interrupted first compaction, if there are generations:
            // their copy was never committed.
            Current::Missing if legacy => Some(LiveDb::Legacy(root.clone())),
            Current::Unreadable if legacy && holding_data()?.is_empty() => {
                Some(LiveDb::Legacy(root.clone()))
            }
            Current::Unavailable(source) => {
                return Err(FolderError::Io {
                    action: "read",
                    path: root.join(CURRENT),
                    source,
                })
            }
            Current::Unreadable => {
                return Err(FolderError::UnreadableCurrent {
                    path: root.join(CURRENT),
                })
            }
            Current::Missing => {
                let generations = holding_data()?;
                if !generations.is_empty() {
                    return Err(FolderError::NoCurrent { root, generations });
                }
                None
            }
        };
        let fresh = live.is_none();
        let mut dir = Self {
            live: live.unwrap_or_else(|| LiveDb::Legacy(root.clone())),
            root,
            _lock: lock,
            unsynced: false,
        };
        dir.remove_stale();
        if fresh {
            // A new cache: its first generation, empty until sled opens it.
            let (number, path) = dir.next_generation_path()?;
            fs::create_dir(&path).map_err(FolderError::io("create", &path))?;
            dir.commit(number)?;
        }
        Ok(dir)
    }

    /// The cache folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The live database.
    pub fn live(&self) -> &LiveDb {
        &self.live
    }

    /// The folder to open the live database at.
    pub fn live_path(&self) -> &Path {
        self.live.path()
    }

    /// The size of the live database's files (for the legacy layout, only
    /// sled's files in the root).
    pub fn live_folder_bytes(&self) -> u64 {
        match &self.live {
            LiveDb::Generation { path, .. } => folder_bytes(path),
            LiveDb::Legacy(root) => legacy_entries(root)
                .iter()
                .map(|path| match fs::metadata(path) {
                    Ok(meta) if meta.is_dir() => folder_bytes(path),
                    Ok(meta) => meta.len(),
                    Err(_) => 0,
                })
                .sum(),
        }
    }

    /// The number and folder of a new generation: above every generation
    /// present, live or left over, so its folder does not exist yet.
    pub fn next_generation_path(&self) -> Result<(u64, PathBuf), FolderError> {
        let highest = generations(&self.root)?
            .into_iter()
            .map(|(number, _)| number)
            .chain(self.live.generation())
            .max()
            .unwrap_or(0);
        let number = highest + 1;
        Ok((number, generation_path(&self.root, number)))
    }

    /// Makes generation `number`, whose database is flushed, the live one:
    /// syncs its files and folders, then replaces CURRENT (the commit
    /// point). On an error the live generation is unchanged.
    pub fn commit(&mut self, number: u64) -> Result<(), FolderError> {
        let path = generation_path(&self.root, number);
        if !path.is_dir() {
            return Err(FolderError::MissingGeneration {
                root: self.root.clone(),
                generation: number,
            });
        }
        sync_tree(&path)?;
        #[cfg(unix)]
        sync_folder(&self.root)?;
        #[cfg(test)]
        tests::FAIL_SYNCS
            .with(|fail| fail.set(tests::FAIL_SYNC_AFTER_RENAME.with(|f| f.replace(false))));
        let tmp = self.root.join(CURRENT_TMP);
        let mut file = File::create(&tmp).map_err(FolderError::io("create", &tmp))?;
        file.write_all(format!("{GENERATION_PREFIX}{number}\n").as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(FolderError::io("write", &tmp))?;
        drop(file);
        let current = self.root.join(CURRENT);
        fs::rename(&tmp, &current).map_err(FolderError::io("replace", &current))?;
        self.live = LiveDb::Generation { number, path };
        // Committed: the rename is visible. Should the root's sync fail, a
        // power cut could still roll it back, to the complete older
        // generation, which is therefore kept until a sync succeeds.
        #[cfg(unix)]
        if let Err(err) = sync_folder(&self.root) {
            tracing::warn!(%err, "the cache folder could not be synced after a commit; the previous generation is kept");
            self.unsynced = true;
        }
        Ok(())
    }

    /// Deletes every leftover (see [`Self::recover`]) and returns those that
    /// could not be deleted yet (on Windows, files still open). Call it
    /// after every clone of a replaced database handle is dropped: on Unix
    /// the deletion would succeed under an open handle.
    ///
    /// While the last commit is not known to be on disk, it first tries
    /// the folder's sync again; until that succeeds, no generation is
    /// deleted.
    pub fn remove_stale(&mut self) -> Vec<PathBuf> {
        #[cfg(unix)]
        if self.unsynced && sync_folder(&self.root).is_ok() {
            self.unsynced = false;
        }
        if self.unsynced {
            return generations(&self.root)
                .map(|found| {
                    found
                        .into_iter()
                        .filter(|(number, _)| Some(*number) != self.live.generation())
                        .map(|(_, path)| path)
                        .collect()
                })
                .unwrap_or_default();
        }
        let mut stale = Vec::new();
        let tmp = self.root.join(CURRENT_TMP);
        if tmp.exists() {
            stale.push(tmp);
        }
        match generations(&self.root) {
            Ok(found) => stale.extend(
                found
                    .into_iter()
                    .filter(|(number, _)| Some(*number) != self.live.generation())
                    .map(|(_, path)| path),
            ),
            Err(err) => tracing::debug!(%err, "could not list the cache's generations"),
        }
        if self.live.generation().is_some() {
            stale.extend(legacy_entries(&self.root));
        }
        stale.retain(|path| {
            let removed = match fs::symlink_metadata(path) {
                Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
                Ok(_) => fs::remove_file(path),
                Err(err) => Err(err),
            };
            match removed {
                Ok(()) => {
                    tracing::debug!(path = %path.display(), "removed a cache leftover");
                    false
                }
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => false,
                Err(err) => {
                    tracing::debug!(%err, path = %path.display(), "a cache leftover stays until the next clean-up");
                    true
                }
            }
        });
        stale
    }
}

fn generation_path(root: &Path, number: u64) -> PathBuf {
    root.join(format!("{GENERATION_PREFIX}{number}"))
}

/// Every `gen-<N>` folder in `root`.
fn generations(root: &Path) -> Result<Vec<(u64, PathBuf)>, FolderError> {
    let mut found = Vec::new();
    for entry in fs::read_dir(root).map_err(FolderError::io("list", root))? {
        let entry = entry.map_err(FolderError::io("list", root))?;
        let number = entry
            .file_name()
            .to_str()
            .and_then(|name| name.strip_prefix(GENERATION_PREFIX))
            .filter(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse::<u64>().ok());
        if let Some(number) = number {
            found.push((number, entry.path()));
        }
    }
    Ok(found)
}

/// The legacy database's files present in `root`, its data file first.
fn legacy_entries(root: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::iter::once(SLED_DATA)
        .chain(SLED_OTHERS)
        .map(|name| root.join(name))
        .filter(|path| path.exists())
        .collect();
    if let Ok(listing) = fs::read_dir(root) {
        entries.extend(listing.flatten().filter_map(|entry| {
            let name = entry.file_name();
            let snapshot = name.to_str()?.starts_with(SLED_SNAPSHOT_PREFIX);
            snapshot.then(|| entry.path())
        }));
    }
    entries
}

fn read_current(root: &Path) -> Current {
    let bytes = match fs::read(root.join(CURRENT)) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Current::Missing,
        Err(err) => return Current::Unavailable(err),
    };
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(|text| text.trim_end().strip_prefix(GENERATION_PREFIX))
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|digits| digits.parse().ok())
        .map_or(Current::Unreadable, Current::Names)
}

fn lock(root: &Path) -> Result<File, FolderError> {
    let path = root.join(LOCK);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(FolderError::io("open", &path))?;
    match file.try_lock_exclusive() {
        Ok(()) => Ok(file),
        Err(err)
            if err.kind() == std::io::ErrorKind::WouldBlock
                || err.raw_os_error() == fs2::lock_contended_error().raw_os_error() =>
        {
            Err(FolderError::Locked {
                root: root.to_owned(),
            })
        }
        Err(err) => Err(FolderError::io("lock", &path)(err)),
    }
}

/// Syncs every file and folder under `path` (sled syncs its data file on a
/// flush, but not its config or blob files).
fn sync_tree(path: &Path) -> Result<(), FolderError> {
    for entry in fs::read_dir(path).map_err(FolderError::io("list", path))? {
        let entry = entry.map_err(FolderError::io("list", path))?;
        let (child, meta) = (entry.path(), entry.metadata());
        let synced = match meta {
            Ok(meta) if meta.is_dir() => sync_tree(&child),
            // Writing access: Windows syncs only files open for writing.
            Ok(_) => OpenOptions::new()
                .read(true)
                .write(cfg!(not(unix)))
                .open(&child)
                .and_then(|file| file.sync_all())
                .map_err(FolderError::io("sync", &child)),
            Err(err) => Err(FolderError::io("sync", &child)(err)),
        };
        match synced {
            // Removed by sled meanwhile (an old snapshot): nothing to sync.
            Err(FolderError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    #[cfg(unix)]
    sync_folder(path)?;
    Ok(())
}

/// Makes a folder's entries (created, renamed or removed files) durable.
#[cfg(unix)]
fn sync_folder(path: &Path) -> Result<(), FolderError> {
    #[cfg(test)]
    if tests::FAIL_SYNCS.with(|fail| fail.replace(false)) {
        return Err(FolderError::io("sync", path)(std::io::Error::other(
            "a sync failed on purpose",
        )));
    }
    File::open(path)
        .and_then(|folder| folder.sync_all())
        .map_err(FolderError::io("sync", path))
}

/// The length of every file under `path`, recursively; what cannot be read
/// (a file sled removed meanwhile, a missing folder) counts as nothing.
pub fn folder_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => folder_bytes(&entry.path()),
            Ok(meta) => meta.len(),
            Err(_) => 0,
        })
        .sum()
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
