//! `cargo xtask <task>`: Larder's build, run and test tasks, written in Rust
//! so they behave the same on Linux, macOS and Windows (a Makefile or shell
//! script would not).
//!
//! Every task first makes sure what it needs is installed (see [`setup`]),
//! and is quick when nothing changed.
//!
//! # Layout
//! - [`setup`]: system packages, the wasm target and pinned tools.
//! - [`ui`]: builds the wasm UI into `ui/dist` (optionally on change).
//! - [`e2e`]: runs the end-to-end tests under Xvfb with tauri-driver.
//! - [`keychain`]: the keychain test against a real Secret Service.
//! - [`perf`]: the cache's crash soak and benchmark, the longer fuzzing
//!   and the longer simulation.
//! - [`devloop`]: timing the `cargo tauri dev` edit loop.
//! - [`workflows`]: actionlint over the GitHub Actions workflows.
//! - [`platforms`]: from Linux, checks that everything compiles for
//!   Windows and macOS.
//! - [`wine`]: from Linux, runs the GUI-free tests as Windows programs
//!   under Wine.
//! - [`edge_driver`]: msedgedriver for the end-to-end tests on Windows.
//! - [`fresh_root`]: proves the README's commands on a fresh Debian 12.
//! - [`process`]: running commands and finding paths.

mod devloop;
mod e2e;
mod edge_driver;
mod fresh_root;
mod keychain;
mod perf;
mod platforms;
mod process;
mod readme_paths;
mod setup;
mod ui;
mod wine;
mod workflows;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Larder's build, run and test tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Installs what is missing: system packages, the wasm target, tools.
    Setup,
    /// Builds the UI to wasm into ui/dist.
    Ui {
        /// Builds the small, optimised wasm.
        #[arg(long)]
        release: bool,
        /// Rebuilds whenever ui/ or crates/protocol change (for `cargo tauri dev`).
        #[arg(long)]
        watch: bool,
    },
    /// Runs the desktop app with the embedded mock API.
    Run {
        /// Arguments passed to the app.
        #[arg(trailing_var_arg = true)]
        args: Vec<String>,
    },
    /// Runs every test: the workflow check, unit, command, integration and
    /// end-to-end; on Linux also the Windows and macOS checks and the
    /// Windows tests under Wine.
    Test {
        /// Skips the end-to-end tests in the real webview.
        #[arg(long)]
        no_e2e: bool,
        /// Skips the Windows and macOS checks and the Wine run (Linux).
        #[arg(long)]
        no_platforms: bool,
    },
    /// Runs only the end-to-end tests (builds the app first).
    E2e,
    /// From Linux: `cargo check --all-targets` for Windows and for macOS
    /// (Intel and Apple silicon), installing the targets and C compilers.
    CheckPlatforms,
    /// From Linux: builds the GUI-free test suites for Windows and runs
    /// them under Wine, the keychain test against Wine's Credential Manager.
    WineTest,
    /// Takes the README's screenshot of the dashboard under Xvfb.
    Screenshot,
    /// Kills a cache writer mid-write, a compacting one, and one sending
    /// its outbox, many times each (release build): every reopen works
    /// without a rebuild, keeps every flushed write, serves only values
    /// written, and no change is lost or applied twice.
    Soak {
        /// How many times to kill the writer.
        #[arg(long, default_value_t = 1000)]
        kills: u32,
    },
    /// Runs the cache benchmark (installs redis-server for its comparison).
    Bench,
    /// Measures the UI in the real webview against a release build: warm
    /// open, cold open and cached round trips.
    UiBench,
    /// Runs the property-based fuzzing of the decoders for longer.
    Fuzz {
        /// Cases per property.
        #[arg(long, default_value_t = 200_000)]
        cases: u32,
    },
    /// Runs the deterministic simulation of the core over more seeds than
    /// the test suite's 2,000 (release build); a failure is shrunk and
    /// printed as a regression test.
    Sim {
        /// How many seeds.
        #[arg(long, default_value_t = 100_000)]
        seeds: u64,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        from: u64,
    },
    /// Audits the dependencies with cargo-deny (deny.toml).
    Audit,
    /// Times `cargo tauri dev` from saving a UI edit, and a core edit, to
    /// seeing it in the window (Linux, under Xvfb; installs the Tauri CLI).
    DevTiming,
    /// Proves the README's two commands on a fresh Debian 12 root
    /// (debootstrap, then chroot; Linux, as root) and records the set-up
    /// it proved.
    FreshRoot {
        /// Where the Debian root is built (kept between runs as a base copy).
        #[arg(long, default_value = "/var/tmp/larder-fresh-root")]
        dir: std::path::PathBuf,
    },
    /// Checks .github/workflows with actionlint and ShellCheck (pinned,
    /// installed with pip into the tools folder).
    LintWorkflows,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.task {
        Task::Setup => setup::ensure_all(),
        Task::Ui { release, watch } => {
            setup::ensure_ui_tools()?;
            if watch {
                ui::watch()
            } else {
                ui::build(release)
            }
        }
        Task::Run { args } => {
            setup::ensure_for_run()?;
            ui::build(false)?;
            process::cargo(&["run", "--bin", "larder", "--"], &args)
        }
        Task::Test {
            no_e2e,
            no_platforms,
        } => {
            // First: it takes seconds, and a broken workflow fails fast.
            workflows::lint_or_skip()?;
            setup::ensure_all()?;
            ui::build(false)?;
            process::cargo(
                &[
                    "test",
                    "--workspace",
                    "--exclude",
                    "larder-e2e",
                    "--exclude",
                    "larder-aead-bench",
                ],
                &[],
            )?;
            keychain::run_test()?;
            if no_e2e {
                println!("xtask: skipping the end-to-end tests (--no-e2e)");
            } else {
                e2e::run_tests()?;
            }
            if no_platforms {
                println!("xtask: skipping the Windows and macOS checks (--no-platforms)");
            } else if cfg!(target_os = "linux") {
                platforms::check()?;
                wine::run_tests()?;
            } else {
                // Here the build and tests above are this OS's own; the
                // cross checks stand in for them on Linux.
                println!(
                    "xtask: the cross-platform checks run on Linux; on {} the native run above covers this OS",
                    std::env::consts::OS
                );
            }
            Ok(())
        }
        Task::E2e => {
            setup::ensure_all()?;
            ui::build(false)?;
            e2e::run_tests()
        }
        Task::CheckPlatforms => platforms::check(),
        Task::FreshRoot { dir } => fresh_root::run(dir),
        Task::WineTest => wine::run_tests(),
        Task::Screenshot => {
            setup::ensure_all()?;
            ui::build(false)?;
            e2e::screenshot()
        }
        Task::Soak { kills } => perf::soak(kills),
        Task::Bench => perf::bench(),
        Task::UiBench => {
            setup::ensure_all()?;
            ui::build(true)?;
            e2e::ui_bench()
        }
        Task::Fuzz { cases } => perf::fuzz(cases),
        Task::Sim { seeds, from } => perf::sim(seeds, from),
        Task::Audit => perf::audit(),
        Task::DevTiming => devloop::run(),
        Task::LintWorkflows => workflows::lint(),
    }
}
