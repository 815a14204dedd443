//! Compaction of the cache: every live key and value is copied into a fresh
//! generation of the cache folder ([`crate::layout`]), which is then
//! committed as the live one.
//!
//! sled 0.34.7 gives little of the space of overwritten values back: in
//! benches/compaction.rs, 100,000 overwrites of 0.6 MiB of live data leave
//! a 4.5-6 MiB folder, and with large values across restarts (whose
//! separate files sled leaves behind) 0.8 MiB takes 27.7 MiB after 100
//! sessions, growing without bound. Its cleanup settings and low-space
//! mode do nothing in this version, and its export/import panics on an
//! error, so a copy into a new database is the way back to size.
//!
//! [`compact`] does not stop writers: a write to the live database after
//! the copy has read its key is not in the new generation. The caller keeps
//! writers out from before [`compact`] until it has swapped its handle to
//! the returned database, then drops every clone of the old handle and
//! calls [`CacheDir::remove_stale`].

use std::{
    path::Path,
    time::{Duration, Instant},
};

use crate::{
    layout::{folder_bytes, CacheDir},
    FolderError,
};

/// The slack [`needs_compaction`] allows on top of three times the live
/// bytes, so that a small cache is never compacted for nothing, nor again
/// right after a compaction.
///
/// Measured with sled 0.34.7 and Larder's configuration (benches/
/// compaction.rs): a fresh, empty database folder is 158 bytes (`conf` 62,
/// `db` 96), but the data file grows by whole 512 KiB segments and a
/// reopened database starts a new one, so a small cache's size is mostly
/// segments: 0.6-0.8 MiB of live data measures 1.7-2.5 MiB (3-3.5x) right
/// after a compaction and its reopen, and 4.5-6 MiB after 100,000
/// overwrites in one session. A large cache sits near 2x (21.8 MiB of
/// 1,000 users' widgets: 41.6 MiB, before and after a compaction). 16 MiB
/// (32 segments) is well above those fixed costs, and rewriting less is
/// not worth the I/O; the runaway case (sled keeps the files of large
/// values across restarts: 27.7 MiB for 0.8 MiB live after 100 sessions,
/// hundreds of MiB later) is caught early.
pub const FLOOR_BYTES: u64 = 16 * 1024 * 1024;

/// How many times the live bytes the folder may hold (plus
/// [`FLOOR_BYTES`]) before a compaction is due.
pub const AMPLIFICATION_LIMIT: u64 = 3;

/// The copy flushes the new database after every this many bytes: sled
/// reuses a segment only once the pages in it are on disk, and flushing as
/// the copy goes leaves the new folder at about 2x the live bytes instead
/// of 3x (measured at 8 KB values; a segment is 512 KiB).
const COPY_FLUSH_BYTES: u64 = 256 * 1024;

/// What a compaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactionReport {
    /// The generation now live.
    pub generation: u64,
    /// Keys plus values copied, in bytes.
    pub live_bytes: u64,
    /// The old live database's folder, in bytes.
    pub folder_bytes_before: u64,
    /// The new generation's folder, in bytes.
    pub folder_bytes_after: u64,
    /// From the start of the copy to the commit.
    pub elapsed: Duration,
}

/// Whether a database folder of `folder_bytes` holding `live_bytes` of keys
/// and values should be compacted: folder > 3 x live + [`FLOOR_BYTES`].
pub fn needs_compaction(folder_bytes: u64, live_bytes: u64) -> bool {
    folder_bytes
        > live_bytes
            .saturating_mul(AMPLIFICATION_LIMIT)
            .saturating_add(FLOOR_BYTES)
}

fn tree_label(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

/// The bytes of every key and value in every tree of `db` (a full scan).
pub fn live_bytes(db: &sled::Db) -> Result<u64, FolderError> {
    let mut total = 0u64;
    for name in db.tree_names() {
        let read = |source| FolderError::Read {
            tree: tree_label(&name),
            source,
        };
        for item in db.open_tree(&name).map_err(read)?.iter() {
            let (key, value) = item.map_err(read)?;
            total += (key.len() + value.len()) as u64;
        }
    }
    Ok(total)
}

/// Copies every tree of `from` (the default tree included, and empty trees
/// as trees) into the empty database `to`, key by key as raw bytes, then
/// flushes `to`. Returns the bytes of keys and values copied.
pub fn copy_live(from: &sled::Db, to: &sled::Db) -> Result<u64, FolderError> {
    for name in to.tree_names() {
        let tree = to.open_tree(&name).map_err(|source| FolderError::Write {
            tree: tree_label(&name),
            source,
        })?;
        if !tree.is_empty() {
            return Err(FolderError::DestinationNotEmpty {
                tree: tree_label(&name),
            });
        }
    }
    let flush = |source| FolderError::Flush { source };
    let (mut copied, mut unflushed) = (0u64, 0u64);
    for name in from.tree_names() {
        let read = |source| FolderError::Read {
            tree: tree_label(&name),
            source,
        };
        let write = |source| FolderError::Write {
            tree: tree_label(&name),
            source,
        };
        let source = from.open_tree(&name).map_err(read)?;
        let target = to.open_tree(&name).map_err(write)?;
        for item in source.iter() {
            let (key, value) = item.map_err(read)?;
            let len = (key.len() + value.len()) as u64;
            target.insert(key, value).map_err(write)?;
            copied += len;
            unflushed += len;
            if unflushed >= COPY_FLUSH_BYTES {
                to.flush().map_err(flush)?;
                unflushed = 0;
            }
        }
    }
    to.flush().map_err(flush)?;
    Ok(copied)
}

/// Copies `live` into the next generation of `dir`, opened with `open`,
/// flushes it and commits it as the live generation. Returns the new
/// database, which the caller swaps in for `live`; then, once every clone
/// of the old handle is dropped, [`CacheDir::remove_stale`] deletes the old
/// generation.
///
/// Writers must be kept out from the call until the swap (see the module
/// documentation). On an error nothing is committed: `live` stays the live
/// database, and the unfinished generation is removed (or left for
/// [`CacheDir::remove_stale`] to remove).
pub fn compact(
    dir: &mut CacheDir,
    live: &sled::Db,
    open: impl Fn(&Path) -> sled::Result<sled::Db>,
) -> Result<(sled::Db, CompactionReport), FolderError> {
    let started = Instant::now();
    let folder_bytes_before = dir.live_folder_bytes();
    let (generation, path) = dir.next_generation_path()?;
    let fresh = open(&path).map_err(|source| FolderError::Open {
        path: path.clone(),
        source,
    })?;
    let copied = copy_live(live, &fresh).and_then(|copied| {
        dir.commit(generation)?;
        Ok(copied)
    });
    let live_bytes = match copied {
        Ok(copied) => copied,
        Err(err) => {
            drop(fresh);
            if let Err(io) = std::fs::remove_dir_all(&path) {
                tracing::debug!(%io, path = %path.display(), "an unfinished generation stays until the next clean-up");
            }
            return Err(err);
        }
    };
    let report = CompactionReport {
        generation,
        live_bytes,
        folder_bytes_before,
        folder_bytes_after: folder_bytes(&path),
        elapsed: started.elapsed(),
    };
    tracing::debug!(?report, "compacted the cache");
    Ok((fresh, report))
}

#[cfg(test)]
#[path = "compaction_tests.rs"]
mod tests;
