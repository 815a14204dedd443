//! The storage engine's errors: [`StoreError`], what a caller of the
//! store sees, and [`FolderError`], what went wrong with the cache folder's
//! generations or a compaction (a [`StoreError::Layout`] to callers).

use std::path::{Path, PathBuf};

use crate::secrets::SecretError;

/// What went wrong with the cache's storage. `Clone`, because one failed
/// fetch is handed to every caller that shares it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("another Larder is using the cache at {path}; close it first")]
    Locked { path: PathBuf },
    #[error("the cache at {path} could not be opened or rebuilt: {source}")]
    Unopenable {
        path: PathBuf,
        #[source]
        source: sled::Error,
    },
    /// The cache cannot be opened right now (a full disk, too many open
    /// files, permissions): nothing was moved or changed, and opening it
    /// again may work.
    #[error("the cache at {path} is unavailable right now ({source}); nothing was changed")]
    Unavailable {
        path: PathBuf,
        #[source]
        source: sled::Error,
    },
    #[error("the cache storage failed: {0}")]
    Storage(#[from] sled::Error),
    #[error("an entry could not be encoded: {0}")]
    Encode(#[from] crate::entry::EntryError),
    /// An outbox record could not be encoded.
    #[error("a waiting change could not be encoded: {0}")]
    Record(String),
    /// The partition's key could not be read (or, for a write into a
    /// partition that holds values, is missing): the values are kept.
    #[error("the cache's key cannot be read: {0}")]
    Secret(#[from] SecretError),
    /// A value was sealed under another key than the partition's (or in
    /// the first format, which cannot tell that from damage); it is kept.
    #[error("a cached value was sealed under another key")]
    WrongKey,
    /// A value in a format newer than this Larder; it is kept.
    #[error("a cached value is in an unknown format ({0})")]
    UnknownFormat(u8),
    /// A value whose key opens it, in a frame schema newer than this
    /// Larder's; it is kept.
    #[error("a cached value has a newer frame schema ({0})")]
    UnknownSchema(u16),
    /// The cache folder's generations could not be read, made or swapped.
    #[error("the cache folder could not be used: {0}")]
    Layout(#[source] std::sync::Arc<FolderError>),
    /// The flush's blocking task was cancelled or panicked.
    #[error("the cache could not be flushed")]
    Flush(#[source] std::sync::Arc<tokio::task::JoinError>),
}

/// What went wrong with the cache folder or a compaction.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("could not {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("another Larder is using the cache at {root}; close it first")]
    Locked { root: PathBuf },
    #[error("{root}/CURRENT names generation {generation}, which does not exist")]
    MissingGeneration { root: PathBuf, generation: u64 },
    #[error("{path} does not name a generation of the cache")]
    UnreadableCurrent { path: PathBuf },
    #[error("{root} holds cache generations {generations:?} but no CURRENT naming one")]
    NoCurrent {
        root: PathBuf,
        generations: Vec<u64>,
    },
    #[error("the database at {path} could not be opened: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: sled::Error,
    },
    #[error("tree {tree:?} of the live database could not be read: {source}")]
    Read {
        tree: String,
        #[source]
        source: sled::Error,
    },
    #[error("tree {tree:?} of the new database could not be written: {source}")]
    Write {
        tree: String,
        #[source]
        source: sled::Error,
    },
    #[error("the new database could not be flushed: {source}")]
    Flush {
        #[source]
        source: sled::Error,
    },
    #[error("the new database is not empty: tree {tree:?} holds data")]
    DestinationNotEmpty { tree: String },
}

impl FolderError {
    /// A mapper from an I/O error on `path` while doing `action`.
    pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_owned();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}
