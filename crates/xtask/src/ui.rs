//! Builds the Dioxus UI: cargo compiles it to wasm32, then wasm-bindgen
//! writes `ui.js` and `ui_bg.wasm` into `ui/dist`, beside the committed
//! `index.html`, `boot.js` and `larder.css`.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, SystemTime},
};

use anyhow::{Context, Result};

use crate::{
    process::{self, root},
    setup::tool_path,
};

/// Builds the UI once. `release` uses the size-optimised `wasm-release`
/// profile.
pub fn build(release: bool) -> Result<()> {
    let profile = if release { "wasm-release" } else { "dev" };
    process::cargo(
        &[
            "build",
            "--package",
            "ui",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            profile,
        ],
        &[],
    )?;
    let folder = if release { "wasm-release" } else { "debug" };
    let wasm = process::target_dir()?
        .join("wasm32-unknown-unknown")
        .join(folder)
        .join("ui.wasm");
    let dist = root().join("ui").join("dist");
    let output = dist.join("ui_bg.wasm");
    // Quick when nothing changed: a bindgen'd file newer than its input is
    // current (the stamp records which profile produced it).
    let stamp = dist.join(".profile");
    let same_profile = std::fs::read_to_string(&stamp).is_ok_and(|p| p == profile);
    if same_profile && modified(&output) >= modified(&wasm) && modified(&output).is_some() {
        return Ok(());
    }
    let mut bindgen = Command::new(tool_path("wasm-bindgen"));
    bindgen.args(["--target", "web", "--no-typescript", "--out-name", "ui"]);
    if release {
        // The function-name section is for debuggers only; it is about a
        // quarter of the release module.
        bindgen.args(["--remove-name-section", "--remove-producers-section"]);
    }
    process::run(bindgen.arg("--out-dir").arg(&dist).arg(&wasm))?;
    std::fs::write(&stamp, profile).context("writing ui/dist/.profile")?;
    // A new name for every build: under `cargo tauri dev` the page loads
    // the build it names and reloads when it changes (see ui/dist/boot.js).
    let id = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|since| since.as_nanos())
        .unwrap_or_default();
    std::fs::write(dist.join("build-id.txt"), id.to_string())
        .context("writing ui/dist/build-id.txt")?;
    Ok(())
}

/// Rebuilds on every change under the UI's sources, for `cargo tauri dev`.
///
/// It polls modification times once a second rather than using a file
/// watcher crate: the tree is small, and polling behaves the same on every
/// platform and file system.
pub fn watch() -> Result<()> {
    let sources = [
        root().join("ui").join("src"),
        root().join("ui").join("Cargo.toml"),
        root().join("crates").join("protocol").join("src"),
    ];
    let mut last = None;
    loop {
        let newest = sources.iter().filter_map(newest_in).max();
        if newest != last {
            last = newest;
            if let Err(err) = build(false) {
                eprintln!("xtask: the UI did not build: {err:#}");
            }
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of `path` or anything beneath it.
fn newest_in(path: &PathBuf) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| newest_in(&entry.path()))
        .chain(meta.modified().ok())
        .max()
}
