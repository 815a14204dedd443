//! Running commands and finding the project's paths.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Context, Result};

/// The repository root (the folder that holds the workspace Cargo.toml).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where pinned tools are installed: `LARDER_TOOLS_DIR`, or `.tools/` in the
/// repository.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("LARDER_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".tools"))
}

/// Cargo's target directory, as cargo itself resolves it.
pub fn target_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let output = Command::new(cargo_bin())
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root())
        .output()
        .context("running cargo metadata")?;
    let text = String::from_utf8_lossy(&output.stdout);
    // The one field needed; a JSON parser would be a dependency for a
    // single string lookup.
    let key = "\"target_directory\":\"";
    let start = text
        .find(key)
        .context("cargo metadata has no target_directory")?
        + key.len();
    let end = text[start..]
        .find('"')
        .context("unterminated target_directory")?
        + start;
    Ok(PathBuf::from(text[start..end].replace("\\\\", "\\")))
}

/// The cargo that runs this task.
pub fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Runs `cargo <args> <extra>` in the repository root.
pub fn cargo(args: &[&str], extra: &[String]) -> Result<()> {
    let mut command = Command::new(cargo_bin());
    command.args(args).args(extra).current_dir(root());
    run(&mut command)
}

/// Runs a command, failing with its name when it fails.
pub fn run(command: &mut Command) -> Result<()> {
    let shown = format!("{command:?}");
    println!("xtask: {shown}");
    let status = command
        .status()
        .with_context(|| format!("could not start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}
