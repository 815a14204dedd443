//! (a) and (b): the latency of a cache hit, hot and cold, beside a Redis
//! GET of the same size.

use std::{sync::Arc, time::Duration};

use larder_core::cache::{Engine, SystemClock};

use crate::{
    measure::{encrypted, fresh_entry, micros, no_fetch, payload, timed_hit, Latencies},
    redis_server::{redis_gets, RedisServer},
};

/// Payload sizes for the hit latency, with their labels.
pub const HIT_SIZES: [(&str, usize); 3] =
    [("1 KB", 1024), ("4 KB", 4 * 1024), ("64 KB", 64 * 1024)];
/// Hits measured per size, after a tenth as many to warm up.
pub const HIT_READS: usize = 100_000;
/// Redis GETs measured per size: each is a loopback round trip.
pub const REDIS_GETS: usize = 20_000;

/// Times `reads` hits of `(user, key)` through the engine after a warm-up.
async fn engine_hits(engine: &Engine, user: &str, key: &str, reads: usize) -> Latencies {
    let fetch = no_fetch();
    for _ in 0..reads / 10 {
        timed_hit(engine, user, key, &fetch).await;
    }
    let mut samples = Vec::with_capacity(reads);
    for _ in 0..reads {
        samples.push(timed_hit(engine, user, key, &fetch).await);
    }
    Latencies::new(samples)
}

/// (a) and (b): hit latency, ours and Redis's.
pub fn hits(runtime: &tokio::runtime::Runtime) {
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
