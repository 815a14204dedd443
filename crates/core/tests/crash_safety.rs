//! Crash safety of the cache store: a writer process is killed with SIGKILL
//! in the middle of its writes, again and again, and after every kill the
//! cache must reopen (`CacheStore::open_encrypted` returns `Ok`) without a
//! rebuild, keep every flushed write, and serve only values that were
//! really written, byte for byte. A rebuild fails the test: it would be a
//! total loss.
//!
//! The test binary re-executes itself as the writer: [`writer_process`] does
//! nothing unless `LARDER_KILL_CHILD` (see `common::kill`) is set, and then writes
//! self-verifying entries until it is killed. Every payload is derived from
//! its (user, key, sequence number), so the parent recomputes the exact
//! entry from the header it carries: a torn, mixed or misplaced value is
//! caught even when its checksum is valid. The writer also reports each
//! completed `flush`, and the parent checks that flushed writes survive.
//!
//! `LARDER_CRASH_KILLS` sets the number of kills (20 by default);
//! `cargo xtask soak` runs 1,000 in release mode. `LARDER_CRASH_SEED`
//! replays the kill timings of an earlier run.

use std::{
    collections::HashMap,
    io::Write,
    path::Path,
    time::{Duration, Instant},
};

use larder_store::{CacheEntry, CacheStore, OpenOutcome, StoreError};
use rand::Rng;
mod common;

/// Where the writer keeps its cache; set only in the re-executed writer.
/// The parent's kill number, which tags every sequence number of that run.
/// The writer test's name, for `--exact`.
const WRITER_TEST: &str = "writer_process";

/// Users and keys per user the writer cycles through.
const USERS: u64 = 8;
const KEYS: u64 = 16;
/// The writer flushes after every this many puts.
const FLUSH_EVERY: u64 = 50;
/// The writer stops by itself after this long, should nobody kill it.
const WRITER_LIMIT: Duration = Duration::from_secs(30);
/// How long the writer may take to open the cache and say "ready".
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// Kills per run when `LARDER_CRASH_KILLS` is unset.
const DEFAULT_KILLS: u32 = 20;

fn user_id(user: u64) -> String {
    format!("crash-user-{user}")
}

fn key_name(key: u64) -> String {
    format!("widget:{key}")
}

/// The (user, key) slot that the writer's `index`-th put goes to: round
/// robin over every slot, so slot `j` is written at indexes `j`, `j + S`, ...
fn slot_of(index: u64) -> (u64, u64) {
    (index % USERS, (index / USERS) % KEYS)
}

/// A sequence number: the run in the high half, the put's index in the low.
fn sequence(run: u64, index: u64) -> u64 {
    (run << 32) | index
}

/// The exact entry the writer stores in (user, key) for `seq`. The payload
/// opens with a header naming all three and its length, then a
/// pseudo-random body seeded by a SHA-256 of the header, so its length
/// (200 B to 64 KB) and every byte are determined by the header.
fn expected_entry(user: u64, key: u64, seq: u64) -> CacheEntry {
    CacheEntry {
        payload: common::derived_payload(
            &format!("larder-crash u{user} k{key} s{seq:016x}"),
            &format!("larder-crash:{user}:{key}:{seq}"),
        ),
        fetched_at_ms: seq,
        etag: Some(format!("\"{seq:x}\"")),
    }
}

/// The sequence number of a served entry, which must be exactly the one
/// the writer stored in (user, key) under that number.
fn verify(user: u64, key: u64, entry: &CacheEntry) -> u64 {
    let header_end = entry.payload.iter().position(|&b| b == b'|');
    let seq = header_end
        .and_then(|end| std::str::from_utf8(&entry.payload[..end]).ok())
        .and_then(|header| header.split(' ').find_map(|part| part.strip_prefix('s')))
        .and_then(|hex| u64::from_str_radix(hex, 16).ok());
    let Some(seq) = seq else {
        panic!(
            "a corrupt value was served for user {user} key {key}: no valid header in {} bytes",
            entry.payload.len()
        );
    };
    assert!(
        *entry == expected_entry(user, key, seq),
        "a corrupt value was served for user {user} key {key}: it claims sequence {seq:#x} \
         but differs from what was written ({} bytes, fetched_at {}, etag {:?})",
        entry.payload.len(),
        entry.fetched_at_ms,
        entry.etag
    );
    seq
}

/// The re-executed writer. In a normal test run (no `LARDER_KILL_CHILD`,
/// see `common::kill`) it returns at once.
#[test]
fn writer_process() {
    let Some(args) = common::kill::ChildArgs::of_this_process() else {
        return;
    };
    let dir = std::path::PathBuf::from(args.get("dir"));
    let run: u64 = args.get("run").parse().expect("the run number is a number");
    let (store, outcome) = open_waiting_for_lock(Path::new(&dir));
    let mut stdout = std::io::stdout().lock();
    let opened = match outcome {
        OpenOutcome::Opened => "opened",
        OpenOutcome::Rebuilt { .. } => "rebuilt",
    };
    // libtest has already printed "test writer_process ... " without a
    // newline; the parent reads whole lines.
    writeln!(stdout, "\nready {opened}").expect("stdout");
    stdout.flush().expect("stdout");
    let started = Instant::now();
    for index in 0..u64::from(u32::MAX) {
        let (user, key) = slot_of(index);
        let entry = expected_entry(user, key, sequence(run, index));
        store
            .put(&user_id(user), &key_name(key), &entry)
            .expect("put");
        if index % FLUSH_EVERY == FLUSH_EVERY - 1 {
            store.flush().expect("flush");
            // Everything up to `index` is on disk now.
            writeln!(stdout, "flushed {index}").expect("stdout");
            stdout.flush().expect("stdout");
            if started.elapsed() > WRITER_LIMIT {
                break;
            }
        }
    }
}

/// The cache as the app opens it: values sealed under per-user keys, kept
/// here in the file secret store beside the database (so a killed writer's
/// keys survive it, as a keychain's would).
fn encrypted(dir: &Path) -> Result<(CacheStore, OpenOutcome), StoreError> {
    let secrets = dir.with_extension("secrets");
    let secrets = larder_core::FileSecrets::open(&secrets).expect("the secrets open");
    CacheStore::open_encrypted(
        dir,
        larder_core::CacheKeys::new(std::sync::Arc::new(secrets)),
    )
}

/// Opens the store, waiting while the parent's handle is still closing.
fn open_waiting_for_lock(dir: &Path) -> (CacheStore, OpenOutcome) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match encrypted(dir) {
            Err(StoreError::Locked { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other.expect("the cache opens"),
        }
    }
}

/// One writer: started, allowed to write for a while, then killed.
struct KilledWriter {
    /// The highest put index the writer reported flushed, if any.
    flushed: Option<u64>,
    /// Whether the writer's own open had to rebuild the cache.
    rebuilt_on_open: bool,
}

fn run_and_kill_writer(dir: &Path, run: u64, write_for: Duration) -> KilledWriter {
    let child = common::spawn_self(
        WRITER_TEST,
        &[("dir", dir.display().to_string()), ("run", run.to_string())],
    );
    let mut flushed = None;
    let mut note = |line: &str| {
        if let Some(index) = line.strip_prefix("flushed ") {
            flushed = Some(index.trim().parse().expect("a flushed index"));
        }
    };
    let mut rebuilt_on_open = false;
    let ready = child.read_until(READY_TIMEOUT, &mut note, &mut |line| {
        rebuilt_on_open = line == "ready rebuilt";
        line.starts_with("ready ")
    });
    if !ready {
        let status = child.kill(&mut note);
        panic!("writer {run} never said ready (it ended with {status})");
    }
    std::thread::sleep(write_for);
    let status = child.kill(&mut note);
    assert!(
        common::was_killed(status),
        "writer {run} ended on its own ({status}) instead of being killed mid-write"
    );
    KilledWriter {
        flushed,
        rebuilt_on_open,
    }
}

/// For each slot, the lowest sequence number a reader may see: the last
/// write to it that a completed flush made durable.
#[derive(Default)]
struct Floors(HashMap<(u64, u64), u64>);

impl Floors {
    /// Records that run `run` flushed every put up to index `flushed`.
    fn raise(&mut self, run: u64, flushed: u64) {
        let slots = USERS * KEYS;
        for slot in 0..slots.min(flushed + 1) {
            // The last index <= flushed that wrote this slot.
            let index = flushed - (flushed - slot) % slots;
            let floor = self.0.entry(slot_of(index)).or_default();
            *floor = (*floor).max(sequence(run, index));
        }
    }

    fn get(&self, user: u64, key: u64) -> u64 {
        self.0.get(&(user, key)).copied().unwrap_or(0)
    }
}

/// What one reopen found.
#[derive(Default)]
struct Check {
    /// Entries read and found exactly as written.
    verified: u64,
    /// Slots whose flushed write was missing or older after the reopen.
    lost: Vec<String>,
}

fn check_store(store: &CacheStore, run: u64, floors: &Floors) -> Check {
    let mut check = Check::default();
    for user in 0..USERS {
        let mut present = 0;
        for key in 0..KEYS {
            let floor = floors.get(user, key);
            match store.get(&user_id(user), &key_name(key)).expect("get") {
                Some(entry) => {
                    let seq = verify(user, key, &entry);
                    assert!(
                        seq >> 32 <= run,
                        "user {user} key {key} holds sequence {seq:#x}, from a run not yet started"
                    );
                    if seq < floor {
                        check.lost.push(format!(
                            "user {user} key {key}: {seq:#x} after {floor:#x} was flushed"
                        ));
                    }
                    present += 1;
                    check.verified += 1;
                }
                None if floor > 0 => check.lost.push(format!(
                    "user {user} key {key}: missing after {floor:#x} was flushed"
                )),
                None => {}
            }
        }
        // A full scan serves the same entries, and nothing else.
        let entries = store.entries(&user_id(user)).expect("entries");
        for (name, entry) in &entries {
            let key = name
                .strip_prefix("widget:")
                .and_then(|k| k.parse::<u64>().ok())
                .filter(|k| *k < KEYS)
                .unwrap_or_else(|| panic!("user {user} has an unknown key {name:?}"));
            verify(user, key, entry);
        }
        assert_eq!(
            entries.len(),
            present,
            "user {user}: a scan and gets disagree"
        );
    }
    check
}

#[test]
fn killed_writers_never_leave_a_corrupt_cache() {
    if common::kill::is_child() {
        return;
    }
    let plan = common::KillPlan::from_env("LARDER_CRASH", DEFAULT_KILLS);
    let (kills, seed, mut rng) = (plan.kills, plan.seed, plan.rng());

    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("cache");
    let started = Instant::now();
    let mut floors = Floors::default();
    let (mut rebuilds, mut verified, mut lost) = (Vec::new(), 0u64, Vec::new());
    let (mut flushes_seen, mut flushed_puts) = (0u32, 0u64);
    for run in 1..=u64::from(kills) {
        let write_for = Duration::from_millis(rng.gen_range(20..=150));
        let writer = run_and_kill_writer(&dir, run, write_for);
        // No kill is allowed to cost a rebuild: a rebuilt cache is an empty
        // one, which is exactly the loss this test exists to catch. (Nothing
        // here damages the database on purpose; the rebuild path has its
        // own unit test, which corrupts the folder deliberately.)
        if writer.rebuilt_on_open {
            rebuilds.push(format!(
                "kill {}: the writer's open rebuilt the cache",
                run - 1
            ));
        }
        if let Some(flushed) = writer.flushed {
            floors.raise(run, flushed);
            flushes_seen += 1;
            flushed_puts += flushed + 1;
        }

        let (store, outcome) = encrypted(&dir)
            .unwrap_or_else(|err| panic!("reopening after kill {run} failed (seed {seed}): {err}"));
        if let OpenOutcome::Rebuilt { moved_to } = outcome {
            rebuilds.push(format!(
                "kill {run}: the reopen rebuilt the cache (kept at {})",
                moved_to.display()
            ));
        }
        let check = check_store(&store, run, &floors);
        verified += check.verified;
        lost.extend(check.lost.into_iter().map(|l| format!("kill {run}: {l}")));
        drop(store);
    }

    println!(
        "crash safety: {kills} kills, {} rebuilds, {verified} entries verified, \
         {} flushed writes lost ({flushed_puts} puts flushed, in {flushes_seen} of the runs), \
         cache folder {:.1} MiB at the end, {:.1} s (seed {seed})",
        rebuilds.len(),
        lost.len(),
        larder_store::folder_bytes(&dir) as f64 / (1024.0 * 1024.0),
        started.elapsed().as_secs_f64(),
    );
    assert!(
        flushes_seen > 0,
        "no writer ever completed a flush before it was killed: the test proves nothing"
    );
    assert!(
        rebuilds.is_empty(),
        "kills cost the whole cache (seed {seed}):\n{}",
        rebuilds.join("\n")
    );
    assert!(
        lost.is_empty(),
        "flushed writes were lost (seed {seed}):\n{}",
        lost.join("\n")
    );
}
