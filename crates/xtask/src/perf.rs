//! The long-running checks: `cargo xtask soak` (the crash-safety test with
//! many kills, in release mode), `cargo xtask bench` (the cache benchmark,
//! with Redis installed for its comparison), `cargo xtask fuzz` (the
//! property-based fuzzing with many cases) and `cargo xtask audit`
//! (cargo-deny over the dependency graph).

use std::process::Command;

use anyhow::Result;

use crate::{
    process::{self, root},
    setup,
};

/// The crash-safety test's main test, so the writer it re-executes is not
/// run on its own.
const CRASH_TEST: &str = "killed_writers_never_leave_a_corrupt_cache";
/// The compaction kill test's main test, likewise.
const COMPACTION_CRASH_TEST: &str = "killed_compactions_leave_old_or_new_complete";
/// The outbox kill test's main test, likewise.
const OUTBOX_CRASH_TEST: &str = "killed_senders_never_lose_or_repeat_a_change";

/// Runs crates/core/tests/crash_safety.rs, compaction_crash.rs and
/// outbox_crash.rs in release mode with `kills` kills each, printing their
/// summary lines.
pub fn soak(kills: u32) -> Result<()> {
    for (test, name, kills_var) in [
        ("crash_safety", CRASH_TEST, "LARDER_CRASH_KILLS"),
        (
            "compaction_crash",
            COMPACTION_CRASH_TEST,
            "LARDER_COMPACTION_KILLS",
        ),
        ("outbox_crash", OUTBOX_CRASH_TEST, "LARDER_OUTBOX_KILLS"),
    ] {
        let mut command = Command::new(process::cargo_bin());
        command
            .args(["test", "--release", "-p", "larder-core", "--test", test])
            .args(["--", name, "--exact", "--nocapture"])
            .env(kills_var, kills.to_string())
            .current_dir(root());
        process::run(&mut command)?;
    }
    Ok(())
}

/// Installs redis-server if it is missing, then runs the cache benchmark.
pub fn bench() -> Result<()> {
    setup::ensure_for_bench()?;
    process::cargo(&["bench", "-p", "larder-core", "--bench", "cache"], &[])
}

/// Runs crates/core/tests/fuzz.rs in release mode with `cases` cases per
/// property.
pub fn fuzz(cases: u32) -> Result<()> {
    let mut command = Command::new(process::cargo_bin());
    command
        .args(["test", "--release", "-p", "larder-core", "--test", "fuzz"])
        .env("PROPTEST_CASES", cases.to_string())
        .current_dir(root());
    process::run(&mut command)
}

/// Runs `seeds` seeds of the deterministic simulation of the core from
/// `from`, in release mode.
pub fn sim(seeds: u64, from: u64) -> Result<()> {
    let mut command = Command::new(process::cargo_bin());
    command
        .args(["run", "--release", "-p", "larder-sim", "--"])
        .args(["--seeds", &seeds.to_string(), "--from", &from.to_string()])
        .current_dir(root());
    process::run(&mut command)
}

/// Installs the pinned cargo-deny and checks advisories, licenses, bans and
/// sources against deny.toml. The advisory database comes from GitHub.
pub fn audit() -> Result<()> {
    setup::ensure_cargo_deny()?;
    let mut command = Command::new(setup::tool_path("cargo-deny"));
    command.args(["check"]).current_dir(root());
    process::run(&mut command)
}
