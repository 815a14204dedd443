//! Builds the Dioxus UI: cargo compiles it to wasm32, then wasm-bindgen
//! writes `ui.js` and `ui_bg.wasm` into `ui/dist`, beside the committed
//! `index.html`, `boot.js`, `first-frame.js` and `larder.css`. A release
//! build is then shrunk further by binaryen's `wasm-opt`.

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
    // current (the stamp, kept out of `ui/dist` so writing it reloads no
    // page, records which profile produced it).
    let stamp = process::target_dir()?.join("ui-dist.profile");
    let same_profile = std::fs::read_to_string(&stamp).is_ok_and(|p| p == profile);
    if same_profile && modified(&output) >= modified(&wasm) && modified(&output).is_some() {
        return Ok(());
    }
    // wasm-bindgen writes into a staging folder first, and the two files
    // are then renamed into `ui/dist`: under `cargo tauri dev` the CLI's
    // dev server reloads the page on every change there, and a page loaded
    // between two half-written files would fail.
    // Beside it, so the moves are renames on one file system.
    let staging = root().join("ui").join(".dist-staging");
    let _ = std::fs::remove_dir_all(&staging);
    let mut bindgen = Command::new(tool_path("wasm-bindgen"));
    bindgen.args(["--target", "web", "--no-typescript", "--out-name", "ui"]);
    if release {
        // The function-name section is for debuggers only; it is about a
        // quarter of the release module.
        bindgen.args(["--remove-name-section", "--remove-producers-section"]);
    }
    process::run(bindgen.arg("--out-dir").arg(&staging).arg(&wasm))?;
    if release {
        shrink(&staging.join("ui_bg.wasm"))?;
    }
    publish(&staging, &dist)?;
    std::fs::write(&stamp, profile).context("writing the UI's profile stamp")?;
    Ok(())
}

/// The WebAssembly features rustc's wasm32 target emits by default, which
/// wasm-opt must be told it may keep.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Optimises `wasm` in place for size with binaryen's `wasm-opt -Oz`.
fn shrink(wasm: &Path) -> Result<()> {
    let before = std::fs::metadata(wasm).map(|m| m.len()).unwrap_or(0);
    let mut optimise = crate::setup::wasm_opt()?;
    optimise
        .arg("-Oz")
        .args(WASM_FEATURES)
        .arg(wasm)
        .arg("-o")
        .arg(wasm);
    process::run(&mut optimise)?;
    let after = std::fs::metadata(wasm).map(|m| m.len()).unwrap_or(0);
    println!("xtask: wasm-opt -Oz: {before} bytes to {after}");
    Ok(())
}

/// Moves everything wasm-bindgen wrote in `staging` into `dist`, the
/// module before the script that loads it.
fn publish(staging: &Path, dist: &Path) -> Result<()> {
    let mut written: Vec<PathBuf> = std::fs::read_dir(staging)
        .context("reading the UI's staging folder")?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    written.sort_by_key(|path| path.extension().is_none_or(|ext| ext != "wasm"));
    for from in written {
        let to = dist.join(from.file_name().context("a staged file's name")?);
        if from.is_dir() {
            let _ = std::fs::remove_dir_all(&to);
        }
        std::fs::rename(&from, &to)
            .with_context(|| format!("moving {} into ui/dist", from.display()))?;
    }
    Ok(())
}

/// Rebuilds on every change under the UI's sources, for `cargo tauri dev`.
///
/// It polls modification times four times a second rather than using a file
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
        std::thread::sleep(Duration::from_millis(250));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishing_replaces_the_served_files_and_empties_the_staging_folder() -> Result<()> {
        let staging = tempfile::tempdir()?;
        let dist = tempfile::tempdir()?;
        std::fs::write(dist.path().join("ui.js"), "old")?;
        std::fs::write(dist.path().join("index.html"), "kept")?;
        std::fs::create_dir(dist.path().join("snippets"))?;
        std::fs::write(dist.path().join("snippets").join("stale.js"), "old")?;
        std::fs::write(staging.path().join("ui.js"), "new")?;
        std::fs::write(staging.path().join("ui_bg.wasm"), "new")?;
        std::fs::create_dir(staging.path().join("snippets"))?;
        std::fs::write(staging.path().join("snippets").join("fresh.js"), "new")?;

        publish(staging.path(), dist.path())?;

        let read = |name: &str| std::fs::read_to_string(dist.path().join(name)).ok();
        assert_eq!(read("ui.js").as_deref(), Some("new"));
        assert_eq!(read("ui_bg.wasm").as_deref(), Some("new"));
        assert_eq!(read("index.html").as_deref(), Some("kept"));
        assert_eq!(read("snippets/fresh.js").as_deref(), Some("new"));
        assert_eq!(
            read("snippets/stale.js"),
            None,
            "a whole folder is replaced"
        );
        assert_eq!(std::fs::read_dir(staging.path())?.count(), 0);
        Ok(())
    }
}
