//! Installs what the tasks need, and nothing when it is already there:
//! - on Debian and Ubuntu, the system packages (with apt, as root or through
//!   passwordless sudo);
//! - rustup's targets: wasm32 for the UI, and those of
//!   [`crate::platforms`] and [`crate::wine`];
//! - pinned tools in a project-local folder ([`crate::process::tools_dir`]):
//!   wasm-bindgen-cli at the exact version in Cargo.lock, and tauri-driver.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Context, Result};

use crate::process::{self, root, tools_dir};

/// The pinned tauri-driver (the WebDriver bridge for end-to-end tests).
pub const TAURI_DRIVER_VERSION: &str = "2.1.0";

/// Binaryen's optimiser for the release UI: binaryen's official JavaScript
/// build from npm, run with Node.js, the same on every platform. (The
/// `wasm-opt` crate bundles binaryen 116 and Debian packages 108; neither
/// reads the `table.fill` that wasm-bindgen writes for rustc's default
/// wasm features.) Only release builds of the UI need it.
pub const BINARYEN_VERSION: &str = "132.0.0";

/// Debian packages for running binaryen's JavaScript build.
const NODE_PACKAGES: &[&str] = &["nodejs", "npm"];

/// Debian packages for building and running the app.
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
];

/// Debian packages for the end-to-end tests: a virtual display and WebKit's
/// WebDriver.
/// gnome-keyring and dbus-daemon give the keychain test a real Secret
/// Service inside `dbus-run-session`.
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "gnome-keyring",
    "dbus-daemon",
];

/// Debian packages for timing the development loop: a virtual display and
/// `xwininfo`, which lists the windows' titles.
const DEV_TIMING_PACKAGES: &[&str] = &["xvfb", "xauth", "x11-utils"];

/// Debian packages for the cache benchmark: Redis, its point of comparison.
const BENCH_PACKAGES: &[&str] = &["redis-server"];

/// Debian packages for the workflow check: pip, which installs actionlint
/// and ShellCheck (a fresh Debian 12 has neither python3 nor pip).
const LINT_PACKAGES: &[&str] = &["python3", "python3-pip"];

/// What running the app needs.
pub fn ensure_for_run() -> Result<()> {
    ensure_system_packages(&[BUILD_PACKAGES])?;
    ensure_ui_tools()
}

/// Everything the tests need too: their packages and tauri-driver.
pub fn ensure_all() -> Result<()> {
    ensure_system_packages(&[BUILD_PACKAGES, TEST_PACKAGES])?;
    ensure_ui_tools()?;
    if cfg!(any(target_os = "linux", target_os = "windows")) {
        ensure_cargo_tool("tauri-driver", TAURI_DRIVER_VERSION)?;
    }
    Ok(())
}

/// What the cache benchmark needs: redis-server (elsewhere than Debian and
/// Ubuntu the benchmark skips its Redis comparison when it is missing).
pub fn ensure_for_bench() -> Result<()> {
    ensure_system_packages(&[BENCH_PACKAGES])
}

/// What `cargo xtask dev-timing` needs besides the Tauri CLI.
pub fn ensure_for_dev_timing() -> Result<()> {
    ensure_system_packages(&[BUILD_PACKAGES, DEV_TIMING_PACKAGES])?;
    ensure_ui_tools()
}

/// The Tauri CLI (`cargo tauri`), pinned; about 9 minutes to build on two
/// cores.
pub fn ensure_tauri_cli(version: &str) -> Result<()> {
    ensure_cargo_tool("tauri-cli", version)
}

/// What the workflow check needs when no Python with pip answers: python3
/// and pip on Debian and Ubuntu (elsewhere Python is a prerequisite, listed
/// in the README).
pub fn ensure_for_workflow_lint() -> Result<()> {
    ensure_system_packages(&[LINT_PACKAGES])
}

/// What building the UI needs: the wasm target and wasm-bindgen-cli.
pub fn ensure_ui_tools() -> Result<()> {
    ensure_rustup_targets(&["wasm32-unknown-unknown"])?;
    ensure_cargo_tool("wasm-bindgen-cli", &locked_version("wasm-bindgen")?)
}

/// The command that runs binaryen's `wasm-opt` ([`BINARYEN_VERSION`]),
/// installed into the tools folder first if it is not there: what a
/// release build of the UI needs besides [`ensure_ui_tools`]. Elsewhere
/// than Debian and Ubuntu, Node.js and npm are prerequisites (README).
pub fn wasm_opt() -> Result<Command> {
    ensure_system_packages(&[NODE_PACKAGES])?;
    let prefix = tools_dir().join("npm");
    let package = prefix.join("node_modules").join("binaryen");
    let wanted = format!("\"version\": \"{BINARYEN_VERSION}\"");
    let installed = std::fs::read_to_string(package.join("package.json"))
        .is_ok_and(|manifest| manifest.contains(&wanted));
    if !installed {
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        let mut install = Command::new(npm);
        install
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&prefix)
            .arg(format!("binaryen@{BINARYEN_VERSION}"));
        process::run(&mut install).context("installing binaryen with npm (Node.js is needed)")?;
    }
    let mut command = Command::new("node");
    command.arg(package.join("bin").join("wasm-opt"));
    Ok(command)
}

/// The dependency auditor, pinned.
pub fn ensure_cargo_deny() -> Result<()> {
    ensure_cargo_tool("cargo-deny", "0.18.3")
}

/// The path of a tool installed by [`ensure_cargo_tool`].
pub fn tool_path(binary: &str) -> PathBuf {
    tools_dir()
        .join("bin")
        .join(format!("{binary}{}", std::env::consts::EXE_SUFFIX))
}

/// Installs the Debian packages of `sets` that are missing, on Debian and
/// Ubuntu; elsewhere it does nothing.
pub fn ensure_system_packages(sets: &[&[&str]]) -> Result<()> {
    if !cfg!(target_os = "linux") || !Path::new("/usr/bin/dpkg-query").exists() {
        // Windows and macOS prerequisites are listed in the README.
        return Ok(());
    }
    let missing: Vec<&str> = sets
        .iter()
        .flat_map(|set| set.iter().copied())
        .filter(|package| !deb_installed(package) && !provided_by_file(package))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: installing system packages: {}", missing.join(" "));
    let as_root = is_root();
    let sudo = !as_root
        && Command::new("sudo")
            .args(["-n", "true"])
            .status()
            .is_ok_and(|s| s.success());
    if !as_root && !sudo {
        bail!(
            "these system packages are missing: {0}\n\
             install them with: sudo apt-get install -y {0}",
            missing.join(" ")
        );
    }
    let apt = |args: &[&str]| -> Result<()> {
        // sudo resets the environment, so the variable goes through `env`.
        let mut command = if sudo {
            let mut c = Command::new("sudo");
            c.args(["-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            c
        } else {
            let mut c = Command::new("apt-get");
            c.env("DEBIAN_FRONTEND", "noninteractive");
            c
        };
        command.args(args);
        process::run(&mut command)
    };
    apt(&["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
    install.extend(&missing);
    apt(&install)
}

fn deb_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
}

/// Whether the program that `package` brings is already there. Before
/// Debian 12 split it out, `dbus-daemon` was only a name that the `dbus`
/// package provides (Ubuntu 22.04), which dpkg-query never reports as
/// installed. Node.js from elsewhere than Debian (NodeSource's `nodejs` bundles npm
/// and conflicts with Debian's `npm`) counts as there when its programs
/// are on `PATH`.
fn provided_by_file(package: &str) -> bool {
    let on_path = |program: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
    };
    match package {
        "dbus-daemon" => Path::new("/usr/bin/dbus-run-session").exists(),
        "nodejs" => on_path("node"),
        "npm" => on_path("npm"),
        _ => false,
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Adds the rustup targets of `targets` that are not installed yet.
pub fn ensure_rustup_targets(targets: &[&str]) -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("rustup is needed to add compilation targets (https://rustup.rs)")?;
    let installed = String::from_utf8_lossy(&installed.stdout);
    let missing: Vec<&str> = targets
        .iter()
        .copied()
        .filter(|target| !installed.lines().any(|line| line.trim() == *target))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    process::run(
        Command::new("rustup")
            .args(["target", "add"])
            .args(&missing),
    )
}

/// Installs `krate` at exactly `version` into the tools folder unless
/// cargo's install record there already lists it.
fn ensure_cargo_tool(krate: &str, version: &str) -> Result<()> {
    let record = tools_dir().join(".crates.toml");
    let wanted = format!("\"{krate} {version} ");
    if std::fs::read_to_string(&record).is_ok_and(|text| text.contains(&wanted)) {
        return Ok(());
    }
    // No `--locked`: the registry index reachable from some machines lags
    // behind the tools' lockfiles, and the exact version pin is what matters.
    let mut command = Command::new(process::cargo_bin());
    command
        .args(["install", "--root"])
        .arg(tools_dir())
        .args([krate, "--version", &format!("={version}")])
        // Tools build into their own folder so `cargo clean` keeps them.
        .env_remove("CARGO_TARGET_DIR");
    process::run(&mut command)
}

/// The version of `package` that Cargo.lock pins.
pub fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .context("reading Cargo.lock (run `cargo generate-lockfile`)")?;
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == name_line {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
            {
                return Ok(version.to_owned());
            }
        }
    }
    bail!("{package} is not in Cargo.lock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pinned_versions_from_the_lockfile() {
        let version = locked_version("wasm-bindgen").expect("wasm-bindgen is locked");
        // The workspace pins it exactly; the CLI must match it.
        assert!(version.starts_with("0.2."), "{version}");
        assert!(locked_version("no-such-package-anywhere").is_err());
    }

    #[test]
    fn tools_live_in_the_tools_folder() {
        let path = tool_path("wasm-bindgen");
        assert!(path.starts_with(tools_dir().join("bin")));
    }
}
