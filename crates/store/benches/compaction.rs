//! The cache folder's size against its live bytes, before and after a
//! compaction, and the compaction's time:
//!
//! - (a) 1,000 users x 5 widgets, payloads of 1-8 KB, written once;
//! - (b) 100,000 overwrites of 128 keys, values of 1-8 KB, flushed every
//!   100 writes;
//! - (c) as (b), but one value in 16 of 16-64 KB (sled stores those as
//!   files of their own), and the database closed and reopened every 1,000
//!   writes, as across the app's restarts.
//!
//! Each is measured at rest (the database flushed and closed), compacted
//! into the next generation, and measured again after the new generation is
//! closed and reopened. `cargo bench -p larder-store --bench compaction`
//! prints a Markdown table; the figures go in docs/BENCHMARKS.md.

use std::path::Path;

use larder_store::{
    compact, compaction::FLOOR_BYTES, live_bytes, needs_compaction, store::partition_name,
    store::CACHE_CAPACITY_BYTES, CacheDir,
};
use rand::{rngs::StdRng, Rng, SeedableRng};

const USERS: usize = 1_000;
const WIDGETS: usize = 5;
const OVERWRITE_KEYS: usize = 128;
const OVERWRITES: usize = 100_000;
const FLUSH_EVERY: usize = 100;
const REOPEN_EVERY: usize = 1_000;

fn open(path: &Path) -> sled::Result<sled::Db> {
    sled::Config::new()
        .path(path)
        .cache_capacity(CACHE_CAPACITY_BYTES)
        .open()
}

/// [`open`], waiting while a handle just dropped still holds the lock
/// (sled's background threads release it a moment later).
fn reopen(path: &Path) -> sled::Db {
    for _ in 0..1_000 {
        match open(path) {
            Err(sled::Error::Io(_)) => std::thread::sleep(std::time::Duration::from_millis(5)),
            other => return other.expect("the database reopens"),
        }
    }
    panic!("the database at {} stays locked", path.display());
}

/// A payload of 1-8 KB; sealed values look random, so these are.
fn payload(rng: &mut StdRng) -> Vec<u8> {
    let mut value = vec![0u8; rng.gen_range(1_024..=8 * 1_024)];
    rng.fill(&mut value[..]);
    value
}

struct Row {
    case: &'static str,
    live: u64,
    before: u64,
    millis: f64,
    after: u64,
    reopened: u64,
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn ratio(bytes: u64, live: u64) -> String {
    format!("{:.2}x", bytes as f64 / live.max(1) as f64)
}

/// Fills a fresh cache folder with `write` (given the database's folder),
/// then compacts it.
fn measure(case: &'static str, root: &Path, write: impl FnOnce(&Path)) -> Row {
    let dir = CacheDir::recover(root).expect("the cache folder recovers");
    write(dir.live_path());
    drop(dir);

    let mut dir = CacheDir::recover(root).expect("the cache folder recovers");
    let before = dir.live_folder_bytes();
    let db = reopen(dir.live_path());
    let live = live_bytes(&db).expect("live bytes");
    let (fresh, report) = compact(&mut dir, &db, open).expect("compaction");
    assert_eq!(report.live_bytes, live);
    drop(db);
    let left = dir.remove_stale();
    assert!(left.is_empty(), "stale generations left: {left:?}");
    drop(fresh);
    let after = dir.live_folder_bytes();
    let reopened = {
        let db = reopen(dir.live_path());
        assert_eq!(live_bytes(&db).expect("live bytes"), live);
        db.flush().expect("flush");
        drop(db);
        dir.live_folder_bytes()
    };
    Row {
        case,
        live,
        before,
        millis: report.elapsed.as_secs_f64() * 1_000.0,
        after,
        reopened,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a `cargo test` run of the benches
    // does not, and has no time for this.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let temp = tempfile::tempdir().expect("temp dir");
    let mut rng = StdRng::seed_from_u64(0x1a2de2);
    let fill = measure(
        "(a) 1,000 users x 5 widgets, 1-8 KB",
        &temp.path().join("fill"),
        |path| {
            let db = open(path).expect("the database opens");
            for user in 0..USERS {
                let tree = db
                    .open_tree(partition_name(&format!("bench-user-{user}")))
                    .expect("tree");
                for widget in 0..WIDGETS {
                    tree.insert(format!("widget:{widget}"), payload(&mut rng))
                        .expect("insert");
                }
            }
            db.flush().expect("flush");
        },
    );
    let mut overwrite = |path: &Path, large_and_reopened: bool| {
        let mut db = open(path).expect("the database opens");
        for write in 0..OVERWRITES {
            let mut value = payload(&mut rng);
            if large_and_reopened && rng.gen_range(0..16) == 0 {
                value.resize(rng.gen_range(16 * 1_024..=64 * 1_024), 0x5a);
            }
            let key = format!("widget:{}", write % OVERWRITE_KEYS);
            db.open_tree(partition_name("bench-user"))
                .and_then(|tree| tree.insert(key, value))
                .expect("insert");
            if write % FLUSH_EVERY == FLUSH_EVERY - 1 {
                db.flush().expect("flush");
            }
            if large_and_reopened && write % REOPEN_EVERY == REOPEN_EVERY - 1 {
                drop(db);
                db = reopen(path);
            }
        }
        db.flush().expect("flush");
    };
    let overwritten = measure(
        "(b) 100,000 overwrites of 128 keys, 1-8 KB",
        &temp.path().join("overwrite"),
        |path| overwrite(path, false),
    );
    let restarted = measure(
        "(c) as (b), 1 in 16 of 16-64 KB, reopened every 1,000",
        &temp.path().join("restarts"),
        |path| overwrite(path, true),
    );

    println!(
        "Compaction threshold: folder > 3 x live + {}.\n",
        mib(FLOOR_BYTES)
    );
    println!(
        "| Case | Live bytes | Folder before | Before / live | Due | Compaction | \
         Folder after | After / live | After reopen | Due after |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let due = |folder, live| {
        if needs_compaction(folder, live) {
            "yes"
        } else {
            "no"
        }
    };
    for row in [fill, overwritten, restarted] {
        println!(
            "| {} | {} | {} | {} | {} | {:.0} ms | {} | {} | {} ({}) | {} |",
            row.case,
            mib(row.live),
            mib(row.before),
            ratio(row.before, row.live),
            due(row.before, row.live),
            row.millis,
            mib(row.after),
            ratio(row.after, row.live),
            mib(row.reopened),
            ratio(row.reopened, row.live),
            due(row.reopened, row.live),
        );
    }
}
