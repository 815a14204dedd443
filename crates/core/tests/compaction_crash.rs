//! Crash safety of cache compaction: a process that writes, flushes and
//! compacts the cache again and again is killed at random instants, many of
//! them inside a compaction, and after every kill the cache folder must
//! recover to exactly one live generation whose database opens and holds
//! every flushed write, byte for byte.
//!
//! The test binary re-executes itself as that process: [`compacting_child`]
//! does nothing unless `LARDER_KILL_CHILD` (see `common::kill`) is set. It opens the
//! cache as the app does ([`CacheDir::recover`], then sled at the live
//! path), writes self-verifying values (each derived from its tree, key
//! and sequence number, so a torn, mixed or misplaced value is caught),
//! reports each completed flush, says "compacting" before each compaction
//! and "compacted" once it is committed. The first run starts from the
//! legacy layout (sled's files directly in the cache folder), so the move
//! into generations is killed too.
//!
//! `LARDER_COMPACTION_KILLS` sets the number of kills (50 by default; the
//! soak runs 1,000 in release mode); `LARDER_COMPACTION_SEED` replays the
//! kill timings of an earlier run.

use std::{
    collections::HashMap,
    io::Write,
    path::Path,
    time::{Duration, Instant},
};

use larder_store::{compact, store::CACHE_CAPACITY_BYTES, CacheDir, FolderError};
use rand::{rngs::StdRng, Rng};
mod common;

const CHILD_TEST: &str = "compacting_child";

/// The trees written: user partitions, the app partition and sled's
/// default tree, as in Larder's database.
const TREES: [&str; 6] = [
    "user.00",
    "user.01",
    "user.02",
    "user.03",
    "~app",
    "__sled__default",
];
const KEYS: u64 = 24;
const FLUSH_EVERY: u64 = 25;
/// The child compacts after every this many puts (right after a flush).
const COMPACT_EVERY: u64 = 300;
const CHILD_LIMIT: Duration = Duration::from_secs(30);
const READY_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_KILLS: u32 = 50;

fn open(path: &Path) -> sled::Result<sled::Db> {
    sled::Config::new()
        .path(path)
        .cache_capacity(CACHE_CAPACITY_BYTES)
        .open()
}

/// Retries `attempt` while the cache is locked: a process that has just
/// dropped its handles (or died) releases its locks a moment later.
fn when_unlocked<T, E: std::fmt::Debug>(
    mut attempt: impl FnMut() -> Result<T, E>,
    locked: impl Fn(&E) -> bool,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match attempt() {
            Err(err) if locked(&err) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other.expect("the cache opens"),
        }
    }
}

fn recover(root: &Path) -> CacheDir {
    when_unlocked(
        || CacheDir::recover(root),
        |err| matches!(err, FolderError::Locked { .. }),
    )
}

fn open_live(dir: &CacheDir) -> sled::Db {
    when_unlocked(
        || open(dir.live_path()),
        |err| matches!(err, sled::Error::Io(_)),
    )
}

fn slot_of(index: u64) -> (usize, u64) {
    let trees = TREES.len() as u64;
    ((index % trees) as usize, (index / trees) % KEYS)
}

fn sequence(run: u64, index: u64) -> u64 {
    (run << 32) | index
}

/// The exact value stored in (tree, key) for `seq`: a header naming all
/// three and the length, then bytes seeded by a hash of the header. Mostly
/// 200 B-8 KB, now and then 16-64 KB (stored by sled as separate files).
fn expected_value(tree: usize, key: u64, seq: u64) -> Vec<u8> {
    common::derived_payload(
        &format!("t{tree} k{key} s{seq:016x}"),
        &format!("larder-compaction:{tree}:{key}:{seq}"),
    )
}

/// The sequence number of a stored value, which must be exactly the value
/// written to (tree, key) under that number.
fn verify(tree: usize, key: u64, value: &[u8]) -> u64 {
    let seq = value
        .iter()
        .position(|&b| b == b'|')
        .and_then(|end| std::str::from_utf8(&value[..end]).ok())
        .and_then(|header| header.split(' ').find_map(|part| part.strip_prefix('s')))
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .unwrap_or_else(|| panic!("tree {tree} key {key}: a value with no valid header"));
    assert!(
        value == expected_value(tree, key, seq),
        "tree {tree} key {key}: the value of sequence {seq:#x} differs from what was written"
    );
    seq
}

fn put(db: &sled::Db, run: u64, index: u64) {
    let (tree, key) = slot_of(index);
    let value = expected_value(tree, key, sequence(run, index));
    db.open_tree(TREES[tree])
        .and_then(|t| t.insert(key.to_be_bytes(), value))
        .expect("put");
}

/// The re-executed child. In a normal test run (no `LARDER_KILL_CHILD`,
/// see `common::kill`) it returns at once.
#[test]
fn compacting_child() {
    let Some(args) = common::kill::ChildArgs::of_this_process() else {
        return;
    };
    let root = std::path::PathBuf::from(args.get("dir"));
    let run: u64 = args.get("run").parse().expect("the run number is a number");
    let mut dir = recover(Path::new(&root));
    let mut db = open_live(&dir);
    let mut out = std::io::stdout().lock();
    let mut say = |line: String| {
        writeln!(out, "{line}").expect("stdout");
        out.flush().expect("stdout");
    };
    // libtest has printed "test compacting_child ... " without a newline.
    say("\nready".into());
    let started = Instant::now();
    for index in 0..u64::from(u32::MAX) {
        put(&db, run, index);
        if index % FLUSH_EVERY == FLUSH_EVERY - 1 {
            db.flush().expect("flush");
            say(format!("flushed {index}"));
        }
        if index % COMPACT_EVERY == COMPACT_EVERY - 1 {
            let (next, _) = dir.next_generation_path().expect("next generation");
            say(format!("compacting {next}"));
            let (fresh, report) = compact(&mut dir, &db, open).expect("compaction");
            say(format!("compacted {}", report.generation));
            // The swap: the old handle goes, then its folder.
            db = fresh;
            dir.remove_stale();
            if started.elapsed() > CHILD_LIMIT {
                break;
            }
        }
    }
}

/// Where a kill landed.
#[derive(Debug, Default)]
struct Killed {
    /// The highest put index reported flushed.
    flushed: Option<u64>,
    /// A compaction had started ("compacting") and not reported its commit.
    in_compaction: bool,
}

fn run_and_kill(root: &Path, run: u64, rng: &mut StdRng) -> Killed {
    let child = common::spawn_self(
        CHILD_TEST,
        &[
            ("dir", root.display().to_string()),
            ("run", run.to_string()),
        ],
    );
    let mut killed = Killed::default();
    let mut note = |line: &str| {
        if let Some(index) = line.strip_prefix("flushed ") {
            killed.flushed = Some(index.trim().parse().expect("a flushed index"));
        } else if line.starts_with("compacting ") {
            killed.in_compaction = true;
        } else if line.starts_with("compacted ") {
            killed.in_compaction = false;
        }
    };
    assert!(
        child.read_until(READY_TIMEOUT, &mut note, &mut |line| line == "ready"),
        "child {run} never said ready"
    );
    if rng.gen_bool(0.6) {
        // Into a compaction: after the start of the n-th one, 0-20 ms.
        let mut starts: u32 = rng.gen_range(1..=3);
        let mut nth = |line: &str| {
            starts -= u32::from(line.starts_with("compacting "));
            starts == 0
        };
        assert!(
            child.read_until(READY_TIMEOUT, &mut note, &mut nth),
            "child {run} never started a compaction"
        );
        std::thread::sleep(Duration::from_micros(rng.gen_range(0..=20_000)));
    } else {
        std::thread::sleep(Duration::from_millis(rng.gen_range(10..=300)));
    }
    let status = child.kill(&mut note);
    assert!(
        common::was_killed(status),
        "child {run} ended on its own ({status}) instead of being killed"
    );
    killed
}

/// For each (tree, key), the lowest sequence a reader may see: the last
/// write to it that a completed flush made durable.
#[derive(Default)]
struct Floors(HashMap<(usize, u64), u64>);

impl Floors {
    fn raise(&mut self, run: u64, flushed: u64) {
        let slots = TREES.len() as u64 * KEYS;
        for slot in 0..slots.min(flushed + 1) {
            let index = flushed - (flushed - slot) % slots;
            let floor = self.0.entry(slot_of(index)).or_default();
            *floor = (*floor).max(sequence(run, index));
        }
    }
}

/// The numbers of the generation folders in `root`, and the generation
/// CURRENT names (0 for none).
fn generations(root: &Path) -> (Vec<u64>, u64) {
    let mut numbers: Vec<u64> = std::fs::read_dir(root)
        .expect("the cache folder lists")
        .flatten()
        .filter_map(|entry| {
            entry
                .file_name()
                .to_str()?
                .strip_prefix("gen-")?
                .parse()
                .ok()
        })
        .collect();
    numbers.sort_unstable();
    let current = std::fs::read_to_string(root.join("CURRENT"))
        .ok()
        .and_then(|text| text.trim().strip_prefix("gen-")?.parse().ok())
        .unwrap_or(0);
    (numbers, current)
}

/// Checks the recovered database against the floors; returns the number
/// of values verified and the flushed writes lost.
fn check(db: &sled::Db, run: u64, floors: &Floors) -> (u64, Vec<String>) {
    let (mut verified, mut lost) = (0, Vec::new());
    for (tree, name) in TREES.iter().enumerate() {
        let handle = db.open_tree(name).expect("tree");
        for key in 0..KEYS {
            let floor = floors.0.get(&(tree, key)).copied().unwrap_or(0);
            match handle.get(key.to_be_bytes()).expect("get") {
                Some(value) => {
                    let seq = verify(tree, key, &value);
                    assert!(seq >> 32 <= run, "tree {tree} key {key}: from the future");
                    if seq < floor {
                        lost.push(format!("{name}/{key}: {seq:#x} after {floor:#x}"));
                    }
                    verified += 1;
                }
                None if floor > 0 => lost.push(format!("{name}/{key}: missing")),
                None => {}
            }
        }
        for item in handle.iter() {
            let (key, value) = item.expect("scan");
            let key = u64::from_be_bytes(key.as_ref().try_into().expect("an 8-byte key"));
            assert!(key < KEYS, "{name} holds an unknown key {key}");
            verify(tree, key, &value);
        }
    }
    for name in db.tree_names() {
        assert!(
            TREES.iter().any(|tree| tree.as_bytes() == &name[..]),
            "an unknown tree {:?} appeared",
            String::from_utf8_lossy(&name)
        );
    }
    (verified, lost)
}

#[test]
fn killed_compactions_leave_old_or_new_complete() {
    if common::kill::is_child() {
        return;
    }
    let plan = common::KillPlan::from_env("LARDER_COMPACTION", DEFAULT_KILLS);
    let (kills, seed, mut rng) = (plan.kills, plan.seed, plan.rng());
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().join("cache");

    // An install from before generations: sled's files in the folder.
    let mut floors = Floors::default();
    let legacy = open(&root).expect("the legacy database opens");
    let slots = TREES.len() as u64 * KEYS;
    (0..slots).for_each(|index| put(&legacy, 0, index));
    legacy.flush().expect("flush");
    floors.raise(0, slots - 1);
    drop(legacy);

    let started = Instant::now();
    let (mut in_compaction, mut uncommitted, mut replaced) = (0u32, 0u32, 0u32);
    let mut verified = 0u64;
    let (mut lost, mut last_generation) = (Vec::new(), 0u64);
    for run in 1..=u64::from(kills) {
        let killed = run_and_kill(&root, run, &mut rng);
        in_compaction += u32::from(killed.in_compaction);
        if let Some(flushed) = killed.flushed {
            floors.raise(run, flushed);
        }
        // Newer than CURRENT: a copy never committed; older: replaced.
        let (before, current) = generations(&root);
        uncommitted += u32::from(before.iter().any(|&n| n > current));
        replaced += u32::from(before.iter().any(|&n| n < current));
        let dir = recover(&root);
        let generation = dir.live().generation();
        assert!(
            generation.unwrap_or(0) >= last_generation,
            "kill {run}: generation {generation:?} is live after {last_generation} was"
        );
        last_generation = generation.unwrap_or(0);
        assert_eq!(
            generations(&root).0,
            Vec::from_iter(generation),
            "kill {run}: leftovers survive recovery (seed {seed}; before it: {before:?})"
        );
        let db = open_live(&dir);
        let (ok, missing) = check(&db, run, &floors);
        verified += ok;
        lost.extend(missing.into_iter().map(|l| format!("kill {run}: {l}")));
        drop((db, dir));
    }
    println!(
        "compaction crash safety: {kills} kills, {in_compaction} inside a compaction \
         ({uncommitted} left an uncommitted copy, {replaced} a replaced generation), \
         {verified} values verified, \
         {} flushed writes lost, generation {last_generation} live at the end, {:.1} s (seed {seed})",
        lost.len(),
        started.elapsed().as_secs_f64(),
    );
    assert!(
        lost.is_empty(),
        "flushed writes were lost (seed {seed}):\n{}",
        lost.join("\n")
    );
    assert!(
        in_compaction > 0,
        "no kill landed inside a compaction: the test proves nothing (seed {seed})"
    );
}
