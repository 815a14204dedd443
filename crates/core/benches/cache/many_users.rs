//! (d): 1,000 users x 5 widgets: random hits, the folder's size against
//! the payloads', and resident memory.

use std::{path::Path, sync::Arc, time::Instant};

use larder_core::{
    cache::{Engine, SystemClock},
    service::widget_key,
};
use larder_protocol::{Username, WidgetId};
use larder_store::OpenOutcome;
use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::measure::{encrypted, fresh_entry, micros, no_fetch, timed_hit, Latencies};

/// Users in the large store, each with all five widgets.
pub const USERS: usize = 1_000;
/// Random (user, widget) reads over the large store.
pub const RANDOM_READS: usize = 100_000;

/// The process's resident memory, from /proc/self/status, in KiB.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The apparent bytes of every file under `dir`, and the bytes allocated
/// for them where the platform's metadata says (Unix's block count; std
/// has no portable equivalent, so elsewhere it is `None`).
fn disk_bytes(dir: &Path) -> (u64, Option<u64>) {
    let mut apparent = 0;
    let mut allocated = Some(0);
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for item in std::fs::read_dir(&dir).expect("a readable folder") {
            let item = item.expect("a folder entry");
            let meta = item.metadata().expect("metadata");
            if meta.is_dir() {
                pending.push(item.path());
            } else {
                apparent += meta.len();
                allocated = allocated.and_then(|sum| allocated_bytes(&meta).map(|n| sum + n));
            }
        }
    }
    (apparent, allocated)
}

#[cfg(unix)]
fn allocated_bytes(meta: &std::fs::Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.blocks() * 512)
}

#[cfg(not(unix))]
fn allocated_bytes(_meta: &std::fs::Metadata) -> Option<u64> {
    None
}

/// Times `reads` random hits over every (user, widget).
async fn random_hits(engine: &Engine, users: &[String], reads: usize, seed: u64) -> Latencies {
    let mut rng = StdRng::seed_from_u64(seed);
    let fetch = no_fetch();
    let keys: Vec<String> = WidgetId::ALL.into_iter().map(widget_key).collect();
    let mut samples = Vec::with_capacity(reads);
    for _ in 0..reads {
        let user = &users[rng.gen_range(0..users.len())];
        let key = &keys[rng.gen_range(0..keys.len())];
        samples.push(timed_hit(engine, user, key, &fetch).await);
    }
    Latencies::new(samples)
}

/// (d): 1,000 users x 5 widgets.
pub fn many_users(runtime: &tokio::runtime::Runtime) {
    println!("## (d) {USERS} users x 5 widgets\n");
    let rss_before = rss_kib();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cache");
    let (store, _) = encrypted(dir.path()).expect("the cache opens");
    let now = larder_core::now_ms();
    let mut users = Vec::with_capacity(USERS);
    let mut logical = 0u64;
    let mut framed = 0u64;
    let mut per_widget = [0u64; 5];
    let filling = Instant::now();
    for n in 0..USERS {
        let username = Username::parse(&format!("bench-user-{n:04}")).expect("a valid username");
        let user = mock_api::data::user_for(&username);
        for (i, widget) in WidgetId::ALL.into_iter().enumerate() {
            let response = mock_api::data::widget_response(&user, widget, now);
            let body = serde_json::to_vec(&response).expect("a widget encodes");
            logical += body.len() as u64;
            per_widget[i] += body.len() as u64;
            let entry = fresh_entry(body);
            framed += entry.encode().expect("an entry encodes").len() as u64;
            store
                .put(&user.id, &widget_key(widget), &entry)
                .expect("put");
        }
        users.push(user.id);
    }
    store.flush().expect("flush");
    let fill = filling.elapsed();
    let (apparent, allocated) = disk_bytes(&path);
    let engine = Engine::new(store, Arc::new(SystemClock));
    let warm = runtime.block_on(random_hits(&engine, &users, RANDOM_READS, 1));
    let rss_after = rss_kib();
    drop(engine);

    // The same reads after closing and reopening the cache, as after a
    // restart of the app (the OS's file cache is still warm).
    let (store, outcome) = encrypted(dir.path()).expect("the cache reopens");
    assert_eq!(outcome, OpenOutcome::Opened);
    let engine = Engine::new(store, Arc::new(SystemClock));
    let reopened = runtime.block_on(random_hits(&engine, &users, RANDOM_READS, 2));

    let averages = per_widget
        .iter()
        .zip(WidgetId::ALL)
        .map(|(total, widget)| format!("{widget}: {:.0}", *total as f64 / USERS as f64))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "{} entries filled and flushed in {:.2} s. Average payload bytes by widget: {averages}.\n",
        USERS * 5,
        fill.as_secs_f64()
    );
    println!("| reads | count | p50 µs | p99 µs | p99.9 µs | max µs |");
    println!("|---|---|---|---|---|---|");
    for (label, run) in [
        ("random (user, widget), warm", &warm),
        ("the same after a reopen", &reopened),
    ] {
        println!(
            "| {label} | {RANDOM_READS} | {:.1} | {:.1} | {:.1} | {:.1} |",
            micros(run.p50()),
            micros(run.p99()),
            micros(run.percentile(0.999)),
            micros(run.percentile(1.0)),
        );
    }
    println!("\n| size | bytes | MiB | x logical |");
    println!("|---|---|---|---|");
    let row = |label: &str, bytes: u64| {
        println!(
            "| {label} | {bytes} | {:.1} | {:.2} |",
            mib(bytes),
            bytes as f64 / logical as f64
        );
    };
    row("logical (sum of payloads)", logical);
    row("encoded frames (payload, ETag, header, CRC)", framed);
    row("cache folder on disk after flush (file sizes)", apparent);
    match allocated {
        Some(allocated) => row(
            "cache folder on disk after flush (allocated blocks)",
            allocated,
        ),
        None => println!("| cache folder on disk after flush (allocated blocks) | n/a | | |"),
    }
    let kib = |v: Option<u64>| {
        v.map_or("n/a".to_owned(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        })
    };
    println!(
        "\nProcess RSS (VmRSS): {} before the store opened, {} after filling it and {RANDOM_READS} reads; \
         sled's page cache is capped at {:.0} MiB.\n",
        kib(rss_before),
        kib(rss_after),
        mib(larder_store::store::CACHE_CAPACITY_BYTES),
    );
}
