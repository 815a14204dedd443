//! `cargo xtask dev-timing`: how long a developer waits under
//! `cargo tauri dev` between saving an edit and seeing it in the window.
//!
//! It runs the pinned Tauri CLI's `cargo tauri dev` on a fresh Xvfb display
//! with a throwaway data folder, then, alternately:
//! - edits the sign-in view's window title in `ui/src` and waits until the
//!   window's title shows the edit (the wasm is rebuilt by
//!   `cargo xtask ui --watch` and the CLI's dev server reloads the page;
//!   the app keeps running);
//! - edits a file of `crates/core` and waits until the app's window goes
//!   and a new one shows the sign-in view again (the CLI rebuilds and
//!   restarts the app).
//!
//! Each edit is undone by the next sample, and every file is restored when
//! the task ends, even on failure. Windows are found with `xwininfo`, so the
//! task runs on Linux only. The figures go in docs/BENCHMARKS.md.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};

use crate::{
    process::root,
    setup::{self, tool_path},
};

/// The pinned Tauri CLI.
pub const TAURI_CLI_VERSION: &str = "2.12.4";
/// The UI string edited: the sign-in view's window title.
const UI_FILE: &str = "ui/src/views/sign_in.rs";
const UI_TITLE: &str = "Sign in · Larder";
const UI_EDITED_TITLE: &str = "Sign in · Larder edited";
/// What only the edited title holds.
const EDIT_MARK: &str = "edited";
/// The core file edited (a comment line is added, then removed).
const CORE_FILE: &str = "crates/core/src/lib.rs";
/// How many edits of each kind are timed.
const SAMPLES: usize = 4;

pub fn run() -> Result<()> {
    if !cfg!(target_os = "linux") {
        bail!("dev-timing finds windows with xwininfo under Xvfb, so it runs on Linux only");
    }
    setup::ensure_for_dev_timing()?;
    setup::ensure_tauri_cli(TAURI_CLI_VERSION)?;
    let ui = Restore::new(root().join(UI_FILE))?;
    let core = Restore::new(root().join(CORE_FILE))?;
    if !ui.original.contains(UI_TITLE) {
        bail!("{UI_FILE} no longer holds the title {UI_TITLE:?}");
    }
    // The CLI starts the UI watcher without waiting for it, so on a fresh
    // clone the window would open before ui/dist exists; build it first.
    crate::ui::build(false)?;
    let (display, _xvfb) = crate::e2e::display()?;
    let display = display.context("no display")?;
    let data = tempfile::tempdir()?;
    let dev = DevServer::start(&display, data.path())?;

    println!("xtask: waiting for the first build and start (slow when cold)");
    let mut window = wait_for_window(&display, "Sign in", None, Duration::from_secs(1800))?;
    settle();

    let mut ui_times = Vec::new();
    let mut core_times = Vec::new();
    for sample in 0..SAMPLES {
        let edited = sample % 2 == 0;
        let text = if edited {
            ui.original.replace(UI_TITLE, UI_EDITED_TITLE)
        } else {
            ui.original.clone()
        };
        let started = Instant::now();
        std::fs::write(&ui.path, text)?;
        wait_for_title(&display, window, edited, Duration::from_secs(600))?;
        ui_times.push(started.elapsed());
        println!("xtask: UI edit {}: {:.1} s", sample + 1, secs(started));
        settle();

        let text = if edited {
            format!("{}\n// edited\n", core.original)
        } else {
            core.original.clone()
        };
        let started = Instant::now();
        std::fs::write(&core.path, text)?;
        // The old window goes when the CLI stops the app to restart it (a
        // new window may reuse its X id), then the new one shows sign-in.
        wait_for_no_window(&display, "Sign in", Duration::from_secs(1200))?;
        window = wait_for_window(&display, "Sign in", None, Duration::from_secs(600))?;
        core_times.push(started.elapsed());
        println!("xtask: core edit {}: {:.1} s", sample + 1, secs(started));
        settle();
    }
    drop(dev);
    println!(
        "xtask: edit to visible, median of {SAMPLES}: UI {:.1} s (app kept running), core {:.1} s (app rebuilt and restarted)",
        median(&mut ui_times),
        median(&mut core_times)
    );
    Ok(())
}

fn secs(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

fn median(times: &mut [Duration]) -> f64 {
    if times.is_empty() {
        return 0.0;
    }
    times.sort();
    let mid = times.len() / 2;
    if mid * 2 == times.len() {
        (times[mid - 1] + times[mid]).as_secs_f64() / 2.0
    } else {
        times[mid].as_secs_f64()
    }
}

/// Lets the watchers see the end of the last change before the next one.
fn settle() {
    std::thread::sleep(Duration::from_secs(3));
}

/// A file put back as it was when this is dropped.
struct Restore {
    path: PathBuf,
    original: String,
}

impl Restore {
    fn new(path: PathBuf) -> Result<Self> {
        let original =
            std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
        Ok(Self { path, original })
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        if std::fs::read_to_string(&self.path).ok().as_deref() != Some(&self.original) {
            let _ = std::fs::write(&self.path, &self.original);
        }
    }
}

/// `cargo tauri dev` in its own process group, stopped with the group.
struct DevServer(Child);

impl DevServer {
    fn start(display: &str, data: &Path) -> Result<Self> {
        let mut command = Command::new(tool_path("cargo-tauri"));
        command
            .arg("dev")
            .current_dir(root())
            .env("DISPLAY", display)
            .env("XDG_DATA_HOME", data.join("data"))
            .env("XDG_CONFIG_HOME", data.join("config"))
            .env("XDG_CACHE_HOME", data.join("cache"))
            .env("LARDER_SECRETS", "file")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        Ok(Self(command.spawn().context("starting cargo tauri dev")?))
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        // The CLI starts the UI watcher and the app; stop them all.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

/// The X windows whose name contains `needle`, by id.
fn windows(display: &str, needle: &str) -> Vec<u64> {
    let Ok(out) = Command::new("xwininfo")
        .args(["-root", "-tree"])
        .env("DISPLAY", display)
        .stderr(Stdio::null())
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|line| {
            line.split('"')
                .nth(1)
                .is_some_and(|name| name.contains(needle))
        })
        .filter_map(|line| {
            let id = line.split_whitespace().next()?;
            u64::from_str_radix(id.trim_start_matches("0x"), 16).ok()
        })
        .collect()
}

/// Waits for a window named with `needle` other than `not`.
pub(crate) fn wait_for_window(
    display: &str,
    needle: &str,
    not: Option<u64>,
    limit: Duration,
) -> Result<u64> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(id) = windows(display, needle)
            .into_iter()
            .find(|id| Some(*id) != not)
        {
            return Ok(id);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("no window named {needle:?} appeared within {limit:?}")
}

/// Waits until no window is named with `needle`.
fn wait_for_no_window(display: &str, needle: &str, limit: Duration) -> Result<()> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if windows(display, needle).is_empty() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("the window named {needle:?} never went within {limit:?}")
}

/// Waits until window `id`'s name shows the UI edit (`edited`) or no
/// longer does.
fn wait_for_title(display: &str, id: u64, edited: bool, limit: Duration) -> Result<()> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if windows(display, EDIT_MARK).contains(&id) == edited {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("the window's title did not change within {limit:?}")
}
