//! `cargo xtask fresh-root`: proves the README's two commands on a fresh
//! Debian 12, the only proof that the set-up installs everything it needs.
//!
//! A machine that developers work on has things installed by hand, so a
//! green run there can hide a missing package. This task builds a new
//! Debian 12 root with `debootstrap` (only what a new machine with Rust has:
//! the base system, `ca-certificates`, `curl` and a C linker), installs Rust
//! in it with `rustup-init` as a new user would, clones the repository's
//! committed `HEAD` into it, and runs, inside `chroot` with its own process
//! and mount namespaces:
//! 1. `cargo xtask run` until the window shows the sign-in view (on a
//!    virtual display of this machine's, whose socket is the only thing
//!    shared);
//! 2. `cargo xtask test` with `CI=true`, as CI runs it.
//!
//! Both are timed. On success the set-up's fingerprint ([`setup_hash`]) is
//! written to [`PROOF_FILE`] with the times; a test fails while the set-up
//! has changed since that proof, so every change to it is proven again.
//! Linux only, as root (debootstrap and chroot need it).

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::{
    process::{self, root},
    setup,
};

/// The record of the last proof, beside this task's code.
pub const PROOF_FILE: &str = "crates/xtask/fresh-root-proof.txt";

/// The files whose content is the set-up: what installs packages, targets
/// and tools, and what CI runs. (Any edit to them asks for a new proof.)
/// Windows' own set-up (`edge_driver.rs`) is not here: a Debian root cannot
/// prove it; the Windows CI job does.
const SETUP_FILES: &[&str] = &[
    ".ci/run",
    "crates/xtask/Cargo.toml",
    "crates/xtask/src/main.rs",
    "crates/xtask/src/setup.rs",
    "crates/xtask/src/process.rs",
    "crates/xtask/src/ui.rs",
    "crates/xtask/src/e2e.rs",
    "crates/xtask/src/keychain.rs",
    "crates/xtask/src/workflows.rs",
    "crates/xtask/src/platforms.rs",
    "crates/xtask/src/wine.rs",
];

/// Packages of the fresh root besides debootstrap's minimal base: what a
/// new machine with Rust installed through rustup has (rustup needs a C
/// linker and downloads with TLS).
const BASE_EXTRAS: &str = "ca-certificates,curl,gcc,libc6-dev";

/// rustup's installer for this architecture, from the Rust project.
const RUSTUP_INIT: &str =
    "https://static.rust-lang.org/rustup/dist/x86_64-unknown-linux-gnu/rustup-init";

/// Set inside the fresh root: the run there is the proof being made, so
/// the check that the set-up was proven skips.
const PROVING: &str = "LARDER_FRESH_ROOT_PROOF";

/// The window title that says the UI is live: the sign-in view sets it.
const SIGNED_OUT_TITLE: &str = "Sign in · Larder";

/// The fingerprint of the set-up: SHA-256 over [`SETUP_FILES`] (line
/// endings normalised, so a Windows checkout agrees) and the pinned
/// wasm-bindgen version.
pub fn setup_hash(repo: &Path) -> Result<String> {
    let mut hasher = Sha256::new();
    for file in SETUP_FILES {
        let text =
            std::fs::read_to_string(repo.join(file)).with_context(|| format!("reading {file}"))?;
        hasher.update(file.as_bytes());
        hasher.update([0]);
        hasher.update(text.replace("\r\n", "\n").as_bytes());
        hasher.update([0]);
    }
    hasher.update(setup::locked_version("wasm-bindgen")?.as_bytes());
    Ok(format!("{:x}", hasher.finalize()))
}

/// The set-up fingerprint recorded by the last proof.
#[cfg(test)]
fn recorded_hash(repo: &Path) -> Result<Option<String>> {
    let path = repo.join(PROOF_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    Ok(text
        .lines()
        .find_map(|line| line.strip_prefix("setup-hash: "))
        .map(str::to_owned))
}

pub fn run(dir: PathBuf) -> Result<()> {
    if !cfg!(target_os = "linux") {
        bail!("fresh-root builds a Debian root with debootstrap and enters it with chroot: Linux only");
    }
    let uid = String::from_utf8_lossy(&Command::new("id").arg("-u").output()?.stdout)
        .trim()
        .to_owned();
    if uid != "0" {
        bail!("fresh-root needs root for debootstrap, chroot and mounts: run it with sudo");
    }
    let repo = root();
    let dirty = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .current_dir(&repo)
        .output()
        .context("running git")?;
    if !dirty.stdout.is_empty() {
        bail!("the proof runs the committed HEAD: commit or stash your changes first");
    }
    setup::ensure_system_packages(&[&["debootstrap", "xvfb", "xauth", "x11-utils"]])?;
    std::fs::create_dir_all(&dir)?;
    let base = dir.join("base");
    if !base.join(".larder-complete").exists() {
        let _ = std::fs::remove_dir_all(&base);
        process::run(Command::new("debootstrap").args([
            "--variant=minbase",
            &format!("--include={BASE_EXTRAS}"),
            "bookworm",
            &base.to_string_lossy(),
            "http://deb.debian.org/debian",
        ]))?;
        std::fs::write(base.join(".larder-complete"), "")?;
    }
    // A fresh copy each time: nothing of an earlier proof is kept.
    let fresh = dir.join("root");
    if fresh.exists() {
        process::run(Command::new("rm").arg("-rf").arg(&fresh))?;
    }
    process::run(Command::new("cp").arg("-a").arg(&base).arg(&fresh))?;
    std::fs::copy("/etc/resolv.conf", fresh.join("etc/resolv.conf"))
        .context("copying /etc/resolv.conf for name lookups")?;
    let extra = trust_network_anchors(&fresh)?;
    let commit = git(&repo, &["rev-parse", "HEAD"])?;
    // Taken now, while the tracked files are the committed ones the root
    // gets: edits made during the run are not what it proves.
    let proven = setup_hash(&repo)?;
    process::run(
        Command::new("git")
            .args(["clone", "--quiet", "--no-hardlinks"])
            .arg(&repo)
            .arg(fresh.join("root/larder")),
    )?;

    println!("xtask: installing Rust in the fresh root with rustup-init");
    in_root(
        &fresh,
        &format!(
            "{}curl --proto '=https' --tlsv1.2 -sSf -o /tmp/rustup-init {RUSTUP_INIT} \
             && chmod +x /tmp/rustup-init && /tmp/rustup-init -y --no-modify-path",
            if extra > 0 {
                "update-ca-certificates >/dev/null && "
            } else {
                ""
            }
        ),
        None,
    )?
    .wait_ok("installing Rust")?;

    let (display, _xvfb) = crate::e2e::display()?;
    let display = display.context("no display for the app's window")?;
    println!("xtask: `cargo xtask run` in the fresh root, until its window shows sign-in");
    let started = Instant::now();
    let app = in_root(
        &fresh,
        "cd /root/larder && LARDER_SECRETS=file cargo xtask run",
        Some(&display),
    )?;
    let shown = crate::devloop::wait_for_window(
        &display,
        SIGNED_OUT_TITLE,
        None,
        Duration::from_secs(3600),
    );
    drop(app);
    shown?;
    let run_secs = started.elapsed().as_secs();
    println!("xtask: the window showed sign-in after {run_secs} s");

    println!("xtask: `cargo xtask test` in the fresh root, with CI=true");
    let started = Instant::now();
    in_root(&fresh, "cd /root/larder && CI=true cargo xtask test", None)?
        .wait_ok("cargo xtask test")?;
    let test_secs = started.elapsed().as_secs();
    println!("xtask: `cargo xtask test` passed after {test_secs} s");

    let date = git(&repo, &["log", "-1", "--format=%cs"])?;
    let record = format!(
        "# Written by `cargo xtask fresh-root` after both README commands passed in a\n\
         # fresh Debian 12 root (debootstrap, Rust from rustup-init, nothing else).\n\
         setup-hash: {}\n\
         commit: {commit}\n\
         commit-date: {date}\n\
         run-to-sign-in-seconds: {run_secs}\n\
         test-seconds: {test_secs}\n",
        proven
    );
    std::fs::write(repo.join(PROOF_FILE), record)?;
    println!("xtask: wrote {PROOF_FILE}; commit it");
    Ok(())
}

/// Copies into the root the certificates that this machine trusts beyond
/// Debian's own bundle (a TLS-inspecting proxy's authority, on networks
/// that have one): the network is this machine's, so a new machine on it
/// trusts them too. Returns how many; `update-ca-certificates` adds them
/// in the root.
fn trust_network_anchors(fresh: &Path) -> Result<usize> {
    let bundle = "etc/ssl/certs/ca-certificates.crt";
    let host = std::fs::read_to_string(Path::new("/").join(bundle)).unwrap_or_default();
    let base = std::fs::read_to_string(fresh.join(bundle)).unwrap_or_default();
    let extra = extra_certificates(&host, &base);
    let dir = fresh.join("usr/local/share/ca-certificates");
    std::fs::create_dir_all(&dir)?;
    for (n, pem) in extra.iter().enumerate() {
        std::fs::write(dir.join(format!("machine-network-{n}.crt")), pem)?;
    }
    if !extra.is_empty() {
        println!(
            "xtask: the fresh root trusts this machine's {} network certificate(s) too",
            extra.len()
        );
    }
    Ok(extra.len())
}

/// The PEM certificates of `host` that `base` lacks.
fn extra_certificates(host: &str, base: &str) -> Vec<String> {
    const END: &str = "-----END CERTIFICATE-----";
    let blocks = |text: &str| -> Vec<String> {
        text.split_inclusive(END)
            .filter_map(|block| {
                let start = block.find("-----BEGIN CERTIFICATE-----")?;
                block
                    .ends_with(END)
                    .then(|| format!("{}\n", &block[start..]))
            })
            .collect()
    };
    let known = blocks(base);
    blocks(host)
        .into_iter()
        .filter(|pem| !known.contains(pem))
        .collect()
}

fn git(repo: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git").args(args).current_dir(repo).output()?;
    if !out.status.success() {
        bail!("git {args:?} failed");
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A shell command run as root inside the fresh root, in new process and
/// mount namespaces: its mounts vanish with it, and stopping it stops
/// every process it started.
struct InRoot(Child);

fn in_root(fresh: &Path, script: &str, display: Option<&str>) -> Result<InRoot> {
    let r = fresh.to_string_lossy();
    // X servers' abstract sockets are shared with this machine (the root
    // has no network namespace of its own, so that it reaches the
    // registries): with this machine's socket folder, a virtual display
    // started in the root picks a number no server here uses.
    let x11 =
        format!("mkdir -p {r}/tmp/.X11-unix && mount --bind /tmp/.X11-unix {r}/tmp/.X11-unix && ");
    let enter = format!(
        "mount --rbind /dev {r}/dev && mount -t proc proc {r}/proc && \
         mount -t sysfs sysfs {r}/sys && mount -t tmpfs tmpfs {r}/tmp && {x11}\
         exec chroot {r} /usr/bin/env -i HOME=/root TERM=dumb {PROVING}=1 \
         PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
         {} /bin/bash -c {}",
        display.map(|d| format!("DISPLAY={d}")).unwrap_or_default(),
        // bash stays the namespace's first process (no exec of the last
        // command), so it reaps what the tests leave behind.
        shell_quote(&format!("{script}; exit $?")),
    );
    let mut command = Command::new("unshare");
    command
        .args(["--fork", "--pid", "--mount", "--kill-child", "--"])
        .args(["/bin/sh", "-c", &enter])
        .stdin(Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    println!("xtask: in the fresh root: {script}");
    Ok(InRoot(command.spawn().context("starting unshare")?))
}

impl InRoot {
    fn wait_ok(mut self, what: &str) -> Result<()> {
        let status = self.0.wait()?;
        if !status.success() {
            bail!("{what} failed in the fresh root ({status})");
        }
        Ok(())
    }
}

impl Drop for InRoot {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.0.id())])
                .status();
            let _ = self.0.wait();
        }
    }
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails while the set-up differs from the one the last fresh-root
    /// proof ran: run `sudo cargo xtask fresh-root` and commit its record.
    #[test]
    fn the_setup_was_proven_on_a_fresh_root() {
        if std::env::var_os(PROVING).is_some() {
            println!("skipped: this run is the fresh-root proof itself");
            return;
        }
        let repo = root();
        let now = setup_hash(&repo).expect("the set-up files are readable");
        let recorded = recorded_hash(&repo).expect("readable");
        assert_eq!(
            recorded.as_deref(),
            Some(now.as_str()),
            "the set-up changed since its last proof on a fresh Debian 12 root: \
             run `sudo cargo xtask fresh-root` (Linux; about an hour on 2 cores) \
             and commit {PROOF_FILE}"
        );
    }

    #[test]
    fn the_fingerprint_ignores_line_endings_and_names_each_file() -> Result<()> {
        let dir = tempfile::tempdir()?;
        for file in SETUP_FILES {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().context("a folder")?)?;
            std::fs::write(&path, "a\nb\n")?;
        }
        let unix = setup_hash(dir.path())?;
        std::fs::write(dir.path().join(SETUP_FILES[0]), "a\r\nb\r\n")?;
        assert_eq!(setup_hash(dir.path())?, unix);
        std::fs::write(dir.path().join(SETUP_FILES[0]), "a\nc\n")?;
        assert_ne!(setup_hash(dir.path())?, unix);
        Ok(())
    }

    #[test]
    fn finds_the_certificates_only_the_host_trusts() {
        let a = "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----";
        let b = "-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----";
        let host = format!("# one\n{a}\n# two\n{b}\n");
        let base = format!("{a}\n");
        assert_eq!(extra_certificates(&host, &base), vec![format!("{b}\n")]);
        assert!(extra_certificates(&base, &host).is_empty());
    }

    #[test]
    fn quotes_survive_the_shell() {
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
