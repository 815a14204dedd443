//! Larder's cache against its goals, measured in one run:
//!
//! - (a) the latency of a cache hit: `Engine::read` of a fresh entry, p50
//!   and p99 at 1 KB, 4 KB and 64 KB, both from the hot tier (decrypted
//!   entries in memory) and cold, with the hot tier off (sled get, AES-GCM
//!   open, frame decode, CRC check: the first read of an entry after a
//!   start);
//! - (b) beside it, a GET of the same size from a Redis server on loopback,
//!   which the bench starts itself (`redis-server --save '' --appendonly no`
//!   on a free 127.0.0.1 port) and stops at the end; without redis-server
//!   that part is skipped with a message. Goal: a hit at least 3x faster;
//! - (c) a cold dashboard: mock-api with its delays x0.1 (the slowest widget
//!   takes 1.5 s, all five add up to 2.6 s), sign-in, then all five widgets
//!   in parallel with an empty cache, in fresh folders with fresh users.
//!   Goal: about the slowest widget, not the sum;
//! - (d) 1,000 users x 5 widgets of realistic payloads (mock-api's own data
//!   generator): hit latency over random (user, widget) reads, the cache
//!   folder's size on disk against the payloads' size, and the process's
//!   resident memory.
//!
//! `cargo bench -p larder-core --bench cache` (or `cargo xtask bench`, which
//! installs redis-server first) prints Markdown tables; the figures go in
//! docs/BENCHMARKS.md.

use std::{
    hint::black_box,
    io::ErrorKind,
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use futures_util::{future::join_all, FutureExt};
use larder_core::{
    cache::{CacheEntry, CacheStore, Engine, FetchFn, OpenOutcome, Policy, SystemClock},
    service::widget_key,
    ApiClient, CoreError, Larder,
};
use larder_protocol::{Freshness, Source, Username, WidgetId};
use mock_api::{Config, RunningServer};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sha2::{Digest, Sha256};

/// Payload sizes for the hit latency, with their labels.
const HIT_SIZES: [(&str, usize); 3] = [("1 KB", 1024), ("4 KB", 4 * 1024), ("64 KB", 64 * 1024)];
/// Hits measured per size, after a tenth as many to warm up.
const HIT_READS: usize = 100_000;
/// Redis GETs measured per size: each is a loopback round trip.
const REDIS_GETS: usize = 20_000;
/// Cold dashboard runs, each in a fresh folder with a fresh user.
const COLD_RUNS: usize = 5;
/// The cold dashboard's delay scale: widget 3's 15 s becomes 1.5 s.
const COLD_DELAY_SCALE: f64 = 0.1;
/// Users in the large store, each with all five widgets.
const USERS: usize = 1_000;
/// Random (user, widget) reads over the large store.
const RANDOM_READS: usize = 100_000;

/// A set of latencies, sorted for percentiles.
struct Latencies(Vec<Duration>);

impl Latencies {
    fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        Self(samples)
    }

    fn percentile(&self, p: f64) -> Duration {
        let index = ((self.0.len() as f64 - 1.0) * p).round() as usize;
        self.0[index]
    }

    fn p50(&self) -> Duration {
        self.percentile(0.50)
    }

    fn p99(&self) -> Duration {
        self.percentile(0.99)
    }
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A fetch that must never run: every measured read is a cache hit.
fn no_fetch() -> FetchFn {
    Arc::new(|_etag| {
        async {
            Err(CoreError::Unreachable(
                "the benchmark's reads must all be cache hits".into(),
            ))
        }
        .boxed()
    })
}

/// `len` bytes of JSON-like text, varied enough not to be trivially
/// compressible.
fn payload(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        out.extend_from_slice(
            format!(
                "{{\"id\":{},\"value\":{:.3}}},",
                rng.gen::<u32>(),
                rng.gen::<f64>()
            )
            .as_bytes(),
        );
    }
    out.truncate(len);
    out
}

/// A strong ETag over `body`, as mock-api makes them.
fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

fn fresh_entry(payload: Vec<u8>) -> CacheEntry {
    CacheEntry {
        etag: Some(etag_of(&payload)),
        payload,
        fetched_at_ms: larder_core::now_ms(),
    }
}

/// Times `reads` hits of `(user, key)` through the engine after a warm-up.
async fn engine_hits(engine: &Engine, user: &str, key: &str, reads: usize) -> Latencies {
    let fetch = no_fetch();
    let one = || async {
        let started = Instant::now();
        let read = engine
            .read(user, key, Policy::default(), fetch.clone())
            .await
            .expect("a cache hit");
        let elapsed = started.elapsed();
        assert_eq!(
            (read.source, read.state),
            (Source::Cache, Freshness::Fresh),
            "a measured read was not a fresh hit"
        );
        black_box(read);
        elapsed
    };
    for _ in 0..reads / 10 {
        one().await;
    }
    let mut samples = Vec::with_capacity(reads);
    for _ in 0..reads {
        samples.push(one().await);
    }
    Latencies::new(samples)
}

/// A throwaway redis-server on a free loopback port, stopped when dropped.
struct RedisServer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    /// Starts redis-server, or says why not.
    fn start() -> Result<Self, String> {
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .map_err(|err| format!("no free port: {err}"))?
            .port();
        let dir = tempfile::tempdir().map_err(|err| format!("no temp dir: {err}"))?;
        let spawned = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(err) if err.kind() == ErrorKind::NotFound => {
                return Err(
                    "redis-server is not installed (`cargo xtask bench` installs it)".into(),
                )
            }
            Err(err) => return Err(format!("redis-server would not start: {err}")),
        };
        let mut server = Self {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match server.connect() {
                Ok(mut con) => {
                    if redis::cmd("PING").query::<String>(&mut con).is_ok() {
                        return Ok(server);
                    }
                }
                Err(err) if Instant::now() > deadline => {
                    return Err(format!("redis-server did not answer: {err}"))
                }
                Err(_) => {}
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("redis-server exited at once ({status})"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A synchronous connection with TCP_NODELAY, as a cache client uses.
    fn connect(&self) -> redis::RedisResult<redis::Connection> {
        use redis::IntoConnectionInfo;
        let info = format!("redis://127.0.0.1:{}/", self.port)
            .into_connection_info()?
            .set_tcp_settings(redis::io::tcp::TcpSettings::default().set_nodelay(true));
        redis::Client::open(info)?.get_connection()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Times `gets` GETs of a `value` stored under `key`, after a warm-up.
fn redis_gets(con: &mut redis::Connection, key: &str, value: &[u8], gets: usize) -> Latencies {
    redis::cmd("SET")
        .arg(key)
        .arg(value)
        .query::<()>(con)
        .expect("SET");
    let mut one = || {
        let started = Instant::now();
        let got: Vec<u8> = redis::cmd("GET").arg(key).query(con).expect("GET");
        let elapsed = started.elapsed();
        assert_eq!(got.len(), value.len());
        black_box(got);
        elapsed
    };
    for _ in 0..gets / 10 {
        one();
    }
    Latencies::new((0..gets).map(|_| one()).collect())
}

/// The cache as the app opens it: `<dir>/cache`, every value sealed with
/// AES-256-GCM under per-user keys kept in `<dir>/secrets` (the file
/// store; keys are read once per user, then held in memory, as with the
/// keychain).
fn encrypted(dir: &Path) -> Result<(CacheStore, OpenOutcome), larder_core::cache::StoreError> {
    let secrets = larder_core::FileSecrets::open(&dir.join("secrets")).expect("the secrets open");
    let keys = larder_core::CacheKeys::new(Arc::new(secrets));
    CacheStore::open_encrypted(&dir.join("cache"), keys)
}

/// (a) and (b): hit latency, ours and Redis's.
fn hits(runtime: &tokio::runtime::Runtime) {
    println!("## (a, b) cache hit latency: Engine::read vs a Redis GET on loopback\n");
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, _) = encrypted(dir.path()).expect("the cache opens");
    let engine = Engine::new(store.clone(), Arc::new(SystemClock));
    let cold = Engine::new(store.clone().without_hot_tier(), Arc::new(SystemClock));
    let user = "u_00000000bench001";
    let redis = RedisServer::start();
    let mut redis_con = match &redis {
        Ok(server) => Some(server.connect().expect("a Redis connection")),
        Err(why) => {
            println!("Redis comparison skipped: {why}\n");
            None
        }
    };
    println!(
        "| payload | hot hit p50 µs | p99 µs | cold hit p50 µs | p99 µs | Redis GET p50 µs | p99 µs | Redis / hot (p50) | Redis / cold (p50) | (p99) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut ratios = Vec::new();
    for (i, (label, size)) in HIT_SIZES.iter().enumerate() {
        let key = format!("widget:{}", i + 1);
        let value = payload(*size, i as u64);
        // Stored just before it is read, so it is fresh (30 s) throughout.
        store
            .put(user, &key, &fresh_entry(value.clone()))
            .expect("put");
        let ours = runtime.block_on(engine_hits(&engine, user, &key, HIT_READS));
        let ours_cold = runtime.block_on(engine_hits(&cold, user, &key, HIT_READS));
        let theirs = redis_con
            .as_mut()
            .map(|con| redis_gets(con, &format!("bench:{key}"), &value, REDIS_GETS));
        let cell =
            |d: Option<Duration>| d.map_or("–".to_owned(), |d| format!("{:.1}", micros(d)));
        let ratio = |a: Option<Duration>, b: Duration| {
            a.map_or("–".to_owned(), |a| {
                format!("{:.1}x", a.as_secs_f64() / b.as_secs_f64())
            })
        };
        println!(
            "| {label} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} | {} | {} |",
            micros(ours.p50()),
            micros(ours.p99()),
            micros(ours_cold.p50()),
            micros(ours_cold.p99()),
            cell(theirs.as_ref().map(Latencies::p50)),
            cell(theirs.as_ref().map(Latencies::p99)),
            ratio(theirs.as_ref().map(Latencies::p50), ours.p50()),
            ratio(theirs.as_ref().map(Latencies::p50), ours_cold.p50()),
            ratio(theirs.as_ref().map(Latencies::p99), ours_cold.p99()),
        );
        if let Some(theirs) = &theirs {
            ratios.push(theirs.p50().as_secs_f64() / ours.p50().as_secs_f64());
            ratios.push(theirs.p50().as_secs_f64() / ours_cold.p50().as_secs_f64());
        }
    }
    println!(
        "\n{HIT_READS} hits and {REDIS_GETS} GETs per size, after a tenth as many to warm up."
    );
    if !ratios.is_empty() {
        let worst = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let verdict = if worst >= 3.0 { "met" } else { "MISSED" };
        println!(
            "Goal, a hit at least 3x faster than Redis at p50, hot or cold: {verdict} (worst {worst:.1}x)."
        );
    }
    drop(redis_con);
    drop(redis);
    println!();
}

/// (c): the cold dashboard.
fn cold_dashboard(runtime: &tokio::runtime::Runtime) {
    println!(
        "## (c) cold dashboard: sign-in, then all five widgets in parallel, empty cache, delays x{COLD_DELAY_SCALE}\n"
    );
    let config = Config {
        delay_scale: COLD_DELAY_SCALE,
        rate_limit: u32::MAX,
        ..Config::default()
    };
    let delays: Vec<Duration> = WidgetId::ALL
        .iter()
        .map(|w| config.widget_delay(*w, 0.0))
        .collect();
    let slowest = delays.iter().copied().max().unwrap_or_default();
    let sum: Duration = delays.iter().sum();
    runtime.block_on(async {
        let server = RunningServer::start(config.clone())
            .await
            .expect("mock-api starts");
        println!("| run | sign-in ms | dashboard ms | slowest widget ms | dashboard / slowest delay | dashboard / sum of delays |");
        println!("|---|---|---|---|---|---|");
        let mut dashboards = Vec::new();
        for run in 1..=COLD_RUNS {
            let dir = tempfile::tempdir().expect("temp dir");
            let client = ApiClient::new(&server.url()).expect("the API URL");
            let larder = Larder::open(client, &dir.path().join("cache")).expect("the cache opens");
            let signing_in = Instant::now();
            larder
                .sign_in(&format!("bench-cold-{run}-{}", larder_core::now_ms()))
                .await
                .expect("signs in");
            let sign_in = signing_in.elapsed();
            let started = Instant::now();
            let widgets = join_all(WidgetId::ALL.map(|widget| {
                let larder = larder.clone();
                async move {
                    let envelope = larder.get_widget(widget).await.expect("a widget");
                    assert_eq!(envelope.source, Source::Network, "the cache was not empty");
                    started.elapsed()
                }
            }))
            .await;
            let dashboard = started.elapsed();
            let slowest_seen = widgets.iter().copied().max().unwrap_or_default();
            println!(
                "| {run} | {:.0} | {:.0} | {:.0} | {:.2} | {:.2} |",
                millis(sign_in),
                millis(dashboard),
                millis(slowest_seen),
                dashboard.as_secs_f64() / slowest.as_secs_f64(),
                dashboard.as_secs_f64() / sum.as_secs_f64(),
            );
            dashboards.push(dashboard);
        }
        let dashboards = Latencies::new(dashboards);
        let median = dashboards.p50();
        println!(
            "\nDelays: {} ms; the slowest is {:.0} ms, their sum {:.0} ms. Median dashboard: {:.0} ms ({:.2}x the slowest, {:.2}x the sum).",
            delays
                .iter()
                .map(|d| format!("{:.0}", millis(*d)))
                .collect::<Vec<_>>()
                .join(", "),
            millis(slowest),
            millis(sum),
            millis(median),
            median.as_secs_f64() / slowest.as_secs_f64(),
            median.as_secs_f64() / sum.as_secs_f64(),
        );
        let verdict = if median.as_secs_f64() < 1.2 * slowest.as_secs_f64() {
            "met"
        } else {
            "MISSED"
        };
        println!("Goal, about the slowest widget (within 20%), not the sum: {verdict}.\n");
    });
}

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
        let started = Instant::now();
        let read = engine
            .read(user, key, Policy::default(), fetch.clone())
            .await
            .expect("a cache hit");
        let elapsed = started.elapsed();
        assert_eq!(
            (read.source, read.state),
            (Source::Cache, Freshness::Fresh),
            "a measured read was not a fresh hit"
        );
        black_box(read);
        samples.push(elapsed);
    }
    Latencies::new(samples)
}

/// (d): 1,000 users x 5 widgets.
fn many_users(runtime: &tokio::runtime::Runtime) {
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
        mib(larder_core::cache::store::CACHE_CAPACITY_BYTES),
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let started = Instant::now();
    hits(&runtime);
    cold_dashboard(&runtime);
    many_users(&runtime);
    println!("Whole run: {:.1} s.", started.elapsed().as_secs_f64());
}
