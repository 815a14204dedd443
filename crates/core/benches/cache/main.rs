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
//!
//! One module per part: [`hit_latency`] (a, b), [`cold_dashboard`] (c),
//! [`many_users`] (d); [`measure`] holds what they share (one timed hit,
//! latency samples, payloads) and [`redis_server`] the comparison's server.

mod cold_dashboard;
mod hit_latency;
mod many_users;
mod measure;
mod redis_server;

use std::time::Instant;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let started = Instant::now();
    hit_latency::hits(&runtime);
    cold_dashboard::cold_dashboard(&runtime);
    many_users::many_users(&runtime);
    println!("Whole run: {:.1} s.", started.elapsed().as_secs_f64());
}
