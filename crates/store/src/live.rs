//! The live database behind the store: opened through the cache folder's
//! generations ([`crate::layout`]), rebuilt when it will not open, and
//! compacted ([`crate::compaction`]) when the folder outgrows what it holds.
//!
//! A compaction copies every value into a new generation while reads go on
//! against the old handle; writers wait at a gate from before the copy
//! until the new handle is in place, so no write lands in the old database
//! after the copy read its key. Then the old handle is dropped and its
//! folder removed.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard},
    time::{SystemTime, UNIX_EPOCH},
};

use crate::{
    compaction::{self, CompactionReport},
    layout::{CacheDir, LiveDb},
    FolderError, StoreError,
};

/// How long a held lock may take to go before the cache counts as in use
/// by another process.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// sled's page cache. Its default is 1 GiB; Larder's working set is small.
pub const CACHE_CAPACITY_BYTES: u64 = 24 * 1024 * 1024;

/// After this many writes, a write checks (on a thread of its own) whether
/// a compaction is due, so a burst of writes cannot outgrow the folder
/// bound between the background's periodic checks.
const CHECK_EVERY_WRITES: u64 = 4096;
const _: () = assert!(CHECK_EVERY_WRITES.is_power_of_two());

/// The open database, its folder, and the writers' gate.
#[derive(Debug)]
pub struct LiveDatabase {
    db: RwLock<sled::Db>,
    /// Holds the folder's lock for as long as the store lives.
    dir: Mutex<CacheDir>,
    /// Writers hold it shared; a compaction holds it alone.
    gate: RwLock<()>,
    /// Writes since the store opened.
    writes: std::sync::atomic::AtomicU64,
    /// Whether a check or compaction started by a write is under way.
    checking: std::sync::atomic::AtomicBool,
    /// Blocking work runs on the caller's thread, not on threads of its
    /// own, and sled runs no flusher thread (the deterministic simulation:
    /// one thread runs everything).
    inline: std::sync::atomic::AtomicBool,
}

impl LiveDatabase {
    /// Opens the live database under `root`. One that sled proves damaged
    /// is moved aside (kept for inspection) and a fresh one started, so
    /// start never fails on a damaged cache; one used by another process is
    /// [`StoreError::Locked`]; one that cannot be opened now for any other
    /// reason (I/O) is [`StoreError::Unavailable`], and nothing is moved.
    pub fn open(root: &Path, inline: bool) -> Result<(Self, OpenOutcome), StoreError> {
        // sled lets go of its file lock a moment after its last handle is
        // dropped (its threads finish first), so a reopen in the same
        // process, or right after another Larder quit, may find it still
        // held: that is given a short while before it counts as in use.
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        loop {
            match Self::open_once(root, inline) {
                Err(StoreError::Locked { .. }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    fn open_once(root: &Path, inline: bool) -> Result<(Self, OpenOutcome), StoreError> {
        let locked = || StoreError::Locked {
            path: root.to_owned(),
        };
        let mut outcome = OpenOutcome::Opened;
        let dir = match CacheDir::recover(root) {
            Ok(dir) => dir,
            Err(FolderError::Locked { .. }) => return Err(locked()),
            Err(
                err @ (FolderError::MissingGeneration { .. }
                | FolderError::UnreadableCurrent { .. }
                | FolderError::NoCurrent { .. }),
            ) => {
                // The folder was not left so by Larder: keep it aside.
                let moved_to = move_aside(root, &err.to_string())?;
                outcome = OpenOutcome::Rebuilt { moved_to };
                CacheDir::recover(root).map_err(layout_error)?
            }
            Err(err) => return Err(layout_error(err)),
        };
        match open_db(dir.live_path(), inline) {
            Ok(db) => Ok((Self::new(db, dir, inline), outcome)),
            Err(err) if is_lock_error(&err) => Err(locked()),
            // Only what sled proves unreadable (corruption, or files it
            // cannot parse) moves the database aside, kept whole; an I/O
            // error (a full disk, too many open files, permissions) says
            // nothing against the data, which stays where it is.
            Err(
                source @ (sled::Error::Io(_)
                | sled::Error::ReportableBug(_)
                | sled::Error::CollectionNotFound(_)),
            ) => Err(StoreError::Unavailable {
                path: root.to_owned(),
                source,
            }),
            Err(err) => {
                let (dir, moved_to) = match dir.live().clone() {
                    LiveDb::Legacy(_) => {
                        drop(dir);
                        let moved_to = move_aside(root, &err.to_string())?;
                        (CacheDir::recover(root).map_err(layout_error)?, moved_to)
                    }
                    LiveDb::Generation { path, .. } => {
                        // Not open, so it can be moved even on Windows; a
                        // fresh generation takes its place.
                        let moved_to = aside_path(root);
                        tracing::warn!(%err, moved_to = %moved_to.display(), "the cache would not open; rebuilding it");
                        std::fs::rename(&path, &moved_to)
                            .map_err(|io| unopenable(root, sled::Error::Io(io)))?;
                        let mut dir = dir;
                        let (number, fresh) = dir.next_generation_path().map_err(layout_error)?;
                        std::fs::create_dir(&fresh)
                            .map_err(|io| unopenable(root, sled::Error::Io(io)))?;
                        dir.commit(number).map_err(layout_error)?;
                        (dir, moved_to)
                    }
                };
                let db =
                    open_db(dir.live_path(), inline).map_err(|source| unopenable(root, source))?;
                Ok((
                    Self::new(db, dir, inline),
                    OpenOutcome::Rebuilt { moved_to },
                ))
            }
        }
    }

    fn new(db: sled::Db, dir: CacheDir, inline: bool) -> Self {
        Self {
            db: RwLock::new(db),
            dir: Mutex::new(dir),
            gate: RwLock::new(()),
            writes: Default::default(),
            checking: Default::default(),
            inline: std::sync::atomic::AtomicBool::new(inline),
        }
    }

    /// Counts a finished write (called with the gate released); every
    /// [`CHECK_EVERY_WRITES`] writes, checks on a thread of its own whether
    /// a compaction is due, and runs it.
    pub fn wrote(self: &Arc<Self>) {
        use std::sync::atomic::Ordering;
        let count = self.writes.fetch_add(1, Ordering::Relaxed) + 1;
        // A power of two, so the mask is the remainder (and the workspace's
        // minimum Rust predates `is_multiple_of`).
        if count & (CHECK_EVERY_WRITES - 1) != 0 || self.checking.swap(true, Ordering::AcqRel) {
            return;
        }
        if self.runs_inline() {
            if let Err(err) = self.compact_if_due() {
                tracing::warn!(%err, "the cache could not be compacted");
            }
            self.checking.store(false, Ordering::Release);
            return;
        }
        let live = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("larder-compaction".into())
            .spawn(move || {
                if let Err(err) = live.compact_if_due() {
                    tracing::warn!(%err, "the cache could not be compacted");
                }
                live.checking.store(false, Ordering::Release);
            });
        if let Err(err) = spawned {
            tracing::debug!(%err, "no thread for a compaction check; the periodic one will do");
            self.checking.store(false, Ordering::Release);
        }
    }

    /// Whether blocking work runs on the caller's thread.
    pub fn runs_inline(&self) -> bool {
        self.inline.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The live handle (a cheap clone of sled's `Arc`s).
    pub fn db(&self) -> sled::Db {
        self.db
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Held by every write, across getting the handle and writing.
    pub fn writing(&self) -> RwLockReadGuard<'_, ()> {
        self.gate.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The folder's size and the bytes it holds, and whether a compaction
    /// is due. A folder under the floor is not scanned at all.
    pub fn compaction_due(&self) -> Result<bool, StoreError> {
        let folder = self
            .dir
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .live_folder_bytes();
        if folder <= compaction::FLOOR_BYTES {
            return Ok(false);
        }
        let live = compaction::live_bytes(&self.db()).map_err(layout_error)?;
        Ok(compaction::needs_compaction(folder, live))
    }

    /// Compacts when [`Self::compaction_due`]; blocking (run it on a
    /// blocking thread). Reads go on meanwhile; writes wait.
    pub fn compact_if_due(&self) -> Result<Option<CompactionReport>, StoreError> {
        if !self.compaction_due()? {
            return Ok(None);
        }
        self.compact().map(Some)
    }

    /// Copies every value into a new generation and swaps to it.
    pub fn compact(&self) -> Result<CompactionReport, StoreError> {
        let _writers_out = self.gate.write().unwrap_or_else(PoisonError::into_inner);
        let mut dir = self.dir.lock().unwrap_or_else(PoisonError::into_inner);
        let old = self.db();
        let inline = self.runs_inline();
        let (fresh, report) = compaction::compact(&mut dir, &old, |path| open_db(path, inline))
            .map_err(layout_error)?;
        *self.db.write().unwrap_or_else(PoisonError::into_inner) = fresh;
        // The old handle goes before its folder: every clone of it is held
        // only for the span of one store call.
        drop(old);
        let left = dir.remove_stale();
        if !left.is_empty() {
            tracing::debug!(
                left = left.len(),
                "old cache files stay until the next clean-up"
            );
        }
        tracing::info!(
            before = report.folder_bytes_before,
            after = report.folder_bytes_after,
            live = report.live_bytes,
            ms = report.elapsed.as_millis() as u64,
            "compacted the cache"
        );
        Ok(report)
    }

    /// The live database folder's size in bytes.
    pub fn folder_bytes(&self) -> u64 {
        self.dir
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .live_folder_bytes()
    }
}

fn layout_error(err: FolderError) -> StoreError {
    StoreError::Layout(Arc::new(err))
}

fn unopenable(root: &Path, source: sled::Error) -> StoreError {
    StoreError::Unopenable {
        path: root.to_owned(),
        source,
    }
}

/// Moves the whole cache folder aside (kept for inspection).
fn move_aside(root: &Path, why: &str) -> Result<PathBuf, StoreError> {
    let moved_to = aside_path(root);
    tracing::warn!(why, moved_to = %moved_to.display(), "the cache would not open; rebuilding it");
    std::fs::rename(root, &moved_to).map_err(|io| unopenable(root, sled::Error::Io(io)))?;
    Ok(moved_to)
}

/// Opens sled in `dir`. `inline`: without sled's background flusher
/// thread (the deterministic simulation flushes only when Larder does).
pub(super) fn open_db(dir: &Path, inline: bool) -> sled::Result<sled::Db> {
    let config = sled::Config::new()
        .path(dir)
        .cache_capacity(CACHE_CAPACITY_BYTES);
    if inline {
        config.flush_every_ms(None).open()
    } else {
        config.open()
    }
}

/// sled reports a database held by another process as an I/O error from
/// its file lock.
fn is_lock_error(err: &sled::Error) -> bool {
    match err {
        sled::Error::Io(io) => {
            io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("lock")
        }
        _ => false,
    }
}

/// A sibling of `root` to keep a damaged database in.
fn aside_path(root: &Path) -> PathBuf {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let mut name = root.file_name().unwrap_or_default().to_owned();
    name.push(format!(".corrupt-{stamp}"));
    root.with_file_name(name)
}

/// How opening went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenOutcome {
    /// The existing database opened (or a new one was created).
    Opened,
    /// The database would not open; it was moved to `moved_to` and a fresh
    /// one created.
    Rebuilt { moved_to: PathBuf },
}
