//! A deterministic simulation of Larder's core, in the manner of
//! FoundationDB's and TigerBeetle's: one seed fixes a whole history.
//!
//! The real core (store, engine, outbox, sessions, background tasks,
//! auto-refresh, compaction, sweeper, eviction) runs on a single-threaded
//! tokio runtime with a paused clock, against the real mock API served in
//! the same process through the client's transport seam (no sockets), a
//! keychain that fails on demand, and a wall clock the history moves. Its
//! randomness (retry jitter, Idempotency-Keys) comes from the seed, its
//! blocking work runs inline, and sled runs no thread of its own.
//!
//! - [`ops`]: the operations and how a seed chooses them;
//! - [`world`]: the world they act on, and one process of Larder in it;
//! - [`invariants`]: what must hold after every step and at the end;
//! - [`net`]: the network, clock, keychain and kept session.
//!
//! A failing history is shrunk ([`shrink`]) to the fewest operations that
//! still fail, and printed so it can become a named regression test.

pub mod invariants;
pub mod net;
pub mod ops;
pub mod world;

use rand::{rngs::StdRng, SeedableRng};

use crate::{ops::Op, world::World};

/// How many operations a seed's history has.
pub const HISTORY_LEN: usize = 40;

/// Why a history failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The step at which it was found (the history's length: at the end).
    pub step: usize,
    pub what: String,
}

impl Failure {
    pub fn setup(what: String) -> Self {
        Self { step: 0, what }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at step {}: {}", self.step, self.what)
    }
}

/// The history seed `seed` runs.
pub fn history_of(seed: u64) -> Vec<Op> {
    ops::history(&mut StdRng::seed_from_u64(seed), HISTORY_LEN)
}

/// Runs seed `seed`'s history.
pub fn run_seed(seed: u64) -> Result<String, Failure> {
    run(seed, &history_of(seed))
}

/// Runs `history` in a world fixed by `seed`, checking the invariants after
/// every step and at the end. Returns what the API saw (every request by
/// route and user, every change applied with its key): the same history
/// always gives the same answer.
pub fn run(seed: u64, history: &[Op]) -> Result<String, Failure> {
    invariants::count_panics();
    invariants::PANICS.with(|count| count.set(0));
    let mut world = World::new(seed)?;
    let mut step = 0;
    loop {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .map_err(|err| Failure::setup(err.to_string()))?;
        let last = runtime.block_on(async {
            let mut process = world.start()?;
            while step < history.len() {
                let op = history[step];
                if op == Op::Crash {
                    return Ok(false);
                }
                if op == Op::SwitchStore {
                    // The setting changed; it applies at the next start.
                    world.secrets.switch();
                    return Ok(false);
                }
                world.apply(&process, op).await;
                world.observe(&mut process);
                if let Some(what) = world.model.breach.take() {
                    return Err(Failure { step, what });
                }
                step += 1;
            }
            world.heal(&mut process).await;
            match world.model.breach.take() {
                Some(what) => Err(Failure { step, what }),
                None => Ok(true),
            }
        })?;
        // Dropping the runtime ends the process: every task in it goes.
        drop(runtime);
        world.secrets.unwatch();
        if last {
            return Ok(format!("{:?}", world.api.stats().snapshot()));
        }
        step += 1; // past the crash
    }
}

/// The shortest history found, by removing operations one at a time, that
/// still fails (with any breach) under `seed`.
pub fn shrink(seed: u64, history: &[Op]) -> Vec<Op> {
    let mut shortest = history.to_vec();
    loop {
        let before = shortest.len();
        let mut index = shortest.len();
        while index > 0 {
            index -= 1;
            let mut candidate = shortest.clone();
            candidate.remove(index);
            if run(seed, &candidate).is_err() {
                shortest = candidate;
            }
        }
        if shortest.len() == before {
            return shortest;
        }
    }
}

/// Runs `count` seeds from `from`; the first failure comes back shrunk and
/// written out as a regression test to paste.
pub fn run_seeds(from: u64, count: u64) -> Result<(), String> {
    for seed in from..from.saturating_add(count) {
        if let Err(failure) = run_seed(seed) {
            let shortest = shrink(seed, &history_of(seed));
            let last = run(seed, &shortest)
                .err()
                .map_or_else(|| failure.to_string(), |f| f.to_string());
            return Err(format!(
                "seed {seed} failed {failure}\n\
                 shrunk to {} operations, failing {last}:\n\n\
                 #[test]\nfn seed_{seed}() {{\n    \
                 use larder_sim::{{net::KeychainMode, ops::{{Fault, Op}}}};\n    \
                 let history = [{}];\n    \
                 larder_sim::run({seed}, &history).expect(\"holds\");\n}}\n",
                shortest.len(),
                shortest.iter().map(as_rust).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(())
}

/// `op` as Rust source, for a regression test.
pub fn as_rust(op: &Op) -> String {
    format!("Op::{op:?}")
        .replace("Fault(", "Fault(Fault::")
        .replace("Keychain(", "Keychain(KeychainMode::")
        .replace("FileStore(", "FileStore(KeychainMode::")
}
