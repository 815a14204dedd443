//! `cargo xtask wine-test`: builds the GUI-free test suites (larder-protocol,
//! larder-core and mock-api: unit, integration and fuzz tests) as Windows
//! programs and runs them under Wine, from Linux. Cargo starts each test
//! program through Wine as its target runner, so `cargo test --target
//! x86_64-pc-windows-gnu` works as it does natively: the integration tests
//! start the real mock-api on a loopback port, open real sled databases in
//! temporary folders, and the kill tests re-execute their own program as a
//! child and end it with `TerminateProcess`.
//!
//! Then the keychain test (crates/core/tests/keychain.rs) runs against Wine's
//! Credential Manager (`CredWriteW`, `CredReadW`, `CredDeleteW`, which the
//! `keyring` crate's Windows backend calls), in a Wine prefix of the
//! project's own under the target folder, never `~/.wine`.
//!
//! This is Windows's API as Wine implements it, on Linux's kernel and file
//! systems: it finds code that does not build or behave as Windows programs,
//! but it is not a run on Windows.
//!
//! # Wine 8 and Rust's std
//! Since Rust 1.78 every Windows program imports `ProcessPrng` from
//! `bcryptprimitives.dll` (std's source of random hash keys). Wine has that
//! DLL from 8.13; Debian 12 ships Wine 8.0, where every program fails to load
//! with "bcryptprimitives.dll ... not found" (exit code 53). When the prefix
//! lacks the DLL, a stand-in ([`PROCESS_PRNG_SHIM`]) is compiled with
//! MinGW-w64 into the prefix's system32: its `ProcessPrng` returns
//! `RtlGenRandom`'s bytes, as Wine's own later DLL does.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result};

use crate::{
    platforms::{WINDOWS_PACKAGES, WINDOWS_TARGET},
    process::{self, root},
    setup,
};

/// Debian packages for running Windows programs: 64-bit Wine. Without its
/// recommended `wine` package, the loader is /usr/lib/wine/wine64 and no
/// `wine64` is on `PATH`.
const WINE_PACKAGES: &[&str] = &["wine64"];

/// The suites run under Wine: every package with no GUI.
const PACKAGES: &[&str] = &["larder-protocol", "larder-core", "mock-api"];

/// `bcryptprimitives.dll`'s one function that Rust's std calls.
const PROCESS_PRNG_SHIM: &str = r#"#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
    while (size > 0) {
        ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
        if (!RtlGenRandom(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
"#;

/// Installs Wine and MinGW-w64, prepares the prefix, then runs the suites
/// and the keychain test.
pub fn run_tests() -> Result<()> {
    if !cfg!(target_os = "linux") {
        anyhow::bail!("wine-test runs the Windows tests from Linux; on Windows run them natively");
    }
    setup::ensure_system_packages(&[WINDOWS_PACKAGES, WINE_PACKAGES])?;
    setup::ensure_rustup_targets(&[WINDOWS_TARGET])?;
    let wine = wine_loader()?;
    check_wine_version(&wine)?;
    let prefix = process::target_dir()?.join("wine").join("prefix");
    prepare_prefix(&wine, &prefix)?;
    let _server = Wineserver::start(&wine, &prefix)?;

    process::run(&mut cargo_test(&wine, &prefix, &[]))?;
    // The keychain test is ignored in a plain run (it writes to the
    // Credential Manager); the prefix is this project's own.
    process::run(&mut cargo_test(
        &wine,
        &prefix,
        &["--test", "keychain", "--", "--ignored"],
    ))?;
    println!(
        "xtask: the Windows builds of {} passed under Wine",
        PACKAGES.join(", ")
    );
    Ok(())
}

/// `cargo test --target x86_64-pc-windows-gnu` over [`PACKAGES`], with
/// Wine as the runner.
fn cargo_test(wine: &Path, prefix: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(process::cargo_bin());
    command.args(["test", "--target", WINDOWS_TARGET]);
    for package in PACKAGES {
        command.args(["-p", package]);
    }
    command
        .args(extra)
        .env(
            format!(
                "CARGO_TARGET_{}_RUNNER",
                WINDOWS_TARGET.replace('-', "_").to_uppercase()
            ),
            wine,
        )
        .current_dir(root());
    wine_env(&mut command, prefix);
    command
}

/// Quiet, headless Wine on `prefix`.
fn wine_env(command: &mut Command, prefix: &Path) {
    command
        .env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        // No offer to install Mono or Gecko, which nothing here uses.
        .env("WINEDLLOVERRIDES", "mscoree=;mshtml=")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
}

/// The oldest Wine the Windows test programs run under: tokio's network
/// driver (mio) needs the AFD support that came in Wine 6.11.
const WINE_MINIMUM: (u32, u32) = (6, 11);

/// `wine --version`'s answer (`wine-8.0 (Debian 8.0~repack-4)`) as
/// (major, minor).
fn wine_version(text: &str) -> Option<(u32, u32)> {
    let digits = text.trim().strip_prefix("wine-")?;
    let number: String = digits
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let mut parts = number.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    Some((major, minor))
}

/// Stops with what is needed when the installed Wine is too old (Ubuntu
/// 22.04 packages 6.0.3).
fn check_wine_version(wine: &Path) -> Result<()> {
    let out = Command::new(wine)
        .arg("--version")
        .output()
        .with_context(|| format!("running {} --version", wine.display()))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (major, minor) = WINE_MINIMUM;
    match wine_version(&text) {
        Some(found) if found >= WINE_MINIMUM => Ok(()),
        found => anyhow::bail!(
            "wine-test needs Wine {major}.{minor} or later (tokio's network driver needs its AFD \
             support); {} has {}. Debian 12 (Wine 8.0) and Ubuntu 24.04 (Wine 9.0) package one \
             that works; Ubuntu 22.04's 6.0.3 does not.",
            wine.display(),
            found.map_or_else(
                || format!("an unknown version ({})", text.trim()),
                |(a, b)| format!("{a}.{b}")
            )
        ),
    }
}

/// The 64-bit Wine loader: `wine64` or `wine` on `PATH`, or Debian's
/// /usr/lib/wine/wine64.
fn wine_loader() -> Result<PathBuf> {
    let on_path = |name: &str| {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
    };
    on_path("wine64")
        .or_else(|| Some(PathBuf::from("/usr/lib/wine/wine64")).filter(|p| p.is_file()))
        .or_else(|| on_path("wine"))
        .context("Wine is not installed (Debian: apt-get install wine64)")
}

/// One wineserver kept running for the whole run, stopped when dropped.
///
/// Left to itself, a wineserver exits 3 s after its last program, and a
/// test program that starts in that moment connects to a server on its way
/// out ("wine client error: recvmsg: Connection reset by peer").
#[derive(Debug)]
struct Wineserver {
    program: PathBuf,
    prefix: PathBuf,
}

impl Wineserver {
    fn start(wine: &Path, prefix: &Path) -> Result<Self> {
        let program = wineserver_program(wine)?;
        let server = Self {
            program,
            prefix: prefix.to_owned(),
        };
        // `wineboot --init` on a new prefix leaves its own server running
        // for a few seconds, and `-p` refuses to start beside it: wait for
        // it to exit first (at once when none runs).
        process::run(&mut server.command("-w"))?;
        process::run(&mut server.command("-p"))?;
        Ok(server)
    }

    fn command(&self, flag: &str) -> Command {
        let mut command = Command::new(&self.program);
        command.arg(flag);
        wine_env(&mut command, &self.prefix);
        command
    }
}

impl Drop for Wineserver {
    fn drop(&mut self) {
        if let Err(err) = process::run(&mut self.command("-k")) {
            eprintln!("xtask: could not stop the wineserver: {err:#}");
        }
    }
}

/// The wineserver beside `wine` (Debian: /usr/lib/wine/wineserver64), or
/// `wineserver` on `PATH`.
fn wineserver_program(wine: &Path) -> Result<PathBuf> {
    let beside = wine
        .parent()
        .into_iter()
        .flat_map(|dir| ["wineserver64", "wineserver"].map(|name| dir.join(name)));
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("wineserver"));
    beside
        .chain(on_path)
        .find(|candidate| candidate.is_file())
        .context("Wine's wineserver is not installed beside its loader or on PATH")
}

/// Creates the prefix on first use, and gives it the `ProcessPrng`
/// stand-in when its Wine lacks `bcryptprimitives.dll`.
fn prepare_prefix(wine: &Path, prefix: &Path) -> Result<()> {
    if !prefix.join("system.reg").exists() {
        std::fs::create_dir_all(prefix)
            .with_context(|| format!("creating {}", prefix.display()))?;
        // A 64-bit-only Wine says here that it cannot open
        // syswow64\rundll32.exe: the 32-bit half is not installed, and
        // nothing needs it.
        let mut boot = Command::new(wine);
        boot.args(["wineboot", "--init"]);
        wine_env(&mut boot, prefix);
        process::run(&mut boot)?;
    }
    let system32 = prefix.join("drive_c").join("windows").join("system32");
    let dll = system32.join("bcryptprimitives.dll");
    if dll.exists() {
        return Ok(());
    }
    println!("xtask: this Wine has no bcryptprimitives.dll; installing a ProcessPrng stand-in");
    let source = prefix.parent().unwrap_or(prefix).join("bcryptprimitives.c");
    std::fs::write(&source, PROCESS_PRNG_SHIM)
        .with_context(|| format!("writing {}", source.display()))?;
    let mut gcc = Command::new("x86_64-w64-mingw32-gcc");
    gcc.args(["-O2", "-shared", "-static-libgcc", "-s", "-o"])
        .arg(&dll)
        .arg(&source)
        .arg("-ladvapi32");
    process::run(&mut gcc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wine_versions_read_as_distributions_print_them() {
        assert_eq!(wine_version("wine-8.0 (Debian 8.0~repack-4)"), Some((8, 0)));
        assert_eq!(
            wine_version("wine-6.0.3 (Ubuntu 6.0.3~repack-1)"),
            Some((6, 0))
        );
        assert_eq!(
            wine_version("wine-9.0 (Ubuntu 9.0~repack-4build3)\n"),
            Some((9, 0))
        );
        assert_eq!(wine_version("wine-6.11"), Some((6, 11)));
        assert_eq!(wine_version("not wine"), None);
        assert!(wine_version("wine-6.0.3").is_some_and(|v| v < WINE_MINIMUM));
        assert!(wine_version("wine-8.0").is_some_and(|v| v >= WINE_MINIMUM));
    }
}
