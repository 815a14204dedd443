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

/// Runs crates/core/tests/crash_safety.rs in release mode with `kills`
/// kills of the writer, printing its summary line.
pub fn soak(kills: u32) -> Result<()> {
    let mut command = Command::new(process::cargo_bin());
    command
        .args([
            "test",
            "--release",
            "-p",
            "larder-core",
            "--test",
            "crash_safety",
        ])
        .args(["--", CRASH_TEST, "--exact", "--nocapture"])
        .env("LARDER_CRASH_KILLS", kills.to_string())
        .current_dir(root());
    process::run(&mut command)
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

/// Installs the pinned cargo-deny and checks advisories, licenses, bans and
/// sources against deny.toml. The advisory database comes from GitHub.
pub fn audit() -> Result<()> {
    setup::ensure_cargo_deny()?;
    let mut command = Command::new(setup::tool_path("cargo-deny"));
    command.args(["check"]).current_dir(root());
    process::run(&mut command)
}
