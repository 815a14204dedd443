//! The cache folder's size against its live bytes, before and after a
//! compaction, and the compaction's time:
//!
//! - (a) 1,000 users x 5 widgets, payloads of 1-8 KB, written once;
//! - (b) 100,000 overwrites of 128 keys, values of 1-8 KB, flushed every
//!   100 writes.
//!
//! Each is measured at rest (the database flushed and closed), compacted
//! into the next generation, and measured again after the new generation is
//! closed and reopened. `cargo bench -p larder-core --bench compaction`
//! prints a Markdown table; the figures go in docs/BENCHMARKS.md.

use std::path::Path;

use larder_core::cache::{
    compact, compaction::FLOOR_BYTES, live_bytes, needs_compaction, store::partition_name,
    store::CACHE_CAPACITY_BYTES, CacheDir,
};
use rand::{rngs::StdRng, Rng, SeedableRng};

const USERS: usize = 1_000;
const WIDGETS: usize = 5;
const OVERWRITE_KEYS: usize = 128;
const OVERWRITES: usize = 100_000;
const FLUSH_EVERY: usize = 100;

fn open(path: &Path) -> sled::Result<sled::Db> {
    sled::Config::new()
        .path(path)
        .cache_capacity(CACHE_CAPACITY_BYTES)
        .open()
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

/// Fills a fresh cache folder with `write`, closes it, then compacts it.
fn measure(case: &'static str, root: &Path, write: impl FnOnce(&sled::Db)) -> Row {
    let dir = CacheDir::recover(root).expect("the cache folder recovers");
    let db = open(dir.live_path()).expect("the database opens");
    write(&db);
    db.flush().expect("flush");
    drop(db);
    drop(dir);

    let mut dir = CacheDir::recover(root).expect("the cache folder recovers");
    let before = dir.live_folder_bytes();
    let db = open(dir.live_path()).expect("the database reopens");
    let live = live_bytes(&db).expect("live bytes");
    let (fresh, report) = compact(&mut dir, &db, open).expect("compaction");
    assert_eq!(report.live_bytes, live);
    drop(db);
    let left = dir.remove_stale();
    assert!(left.is_empty(), "stale generations left: {left:?}");
    drop(fresh);
    let after = dir.live_folder_bytes();
    let reopened = {
        let db = open(dir.live_path()).expect("the new generation reopens");
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
        |db| {
            for user in 0..USERS {
                let tree = db
                    .open_tree(partition_name(&format!("bench-user-{user}")))
                    .expect("tree");
                for widget in 0..WIDGETS {
                    tree.insert(format!("widget:{widget}"), payload(&mut rng))
                        .expect("insert");
                }
            }
        },
    );
    let overwrite = measure(
        "(b) 100,000 overwrites of 128 keys, 1-8 KB",
        &temp.path().join("overwrite"),
        |db| {
            let tree = db.open_tree(partition_name("bench-user")).expect("tree");
            for write in 0..OVERWRITES {
                tree.insert(
                    format!("widget:{}", write % OVERWRITE_KEYS),
                    payload(&mut rng),
                )
                .expect("insert");
                if write % FLUSH_EVERY == FLUSH_EVERY - 1 {
                    db.flush().expect("flush");
                }
            }
        },
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
    for row in [fill, overwrite] {
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
