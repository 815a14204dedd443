//! On Windows, the msedgedriver.exe that tauri-driver needs, matching the
//! installed WebView2 runtime: `MSEDGEDRIVER` when set, otherwise fetched
//! once per WebView2 version from Microsoft into the tools folder.
//!
//! The version is read from the registry keys that the WebView2 installer
//! writes (machine-wide, then per-user); the download uses `curl.exe` and
//! `tar.exe`, which Windows 10 and later ship, so no crate is added for a
//! download that only this platform makes.

use std::{path::PathBuf, process::Command};

use anyhow::{bail, Context, Result};

use crate::process::{self, tools_dir};

/// The WebView2 runtime's client id in EdgeUpdate's registry keys.
const WEBVIEW2_CLIENT: &str = "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}";
/// Microsoft Edge (stable)'s: where no separate runtime is registered,
/// WebView2 runs on the installed Edge, whose version the driver matches.
const EDGE_CLIENT: &str = "{56EB18F8-B008-4CBD-B6D2-8C97FE7E9062}";

/// Where Microsoft publishes each version's driver.
const DRIVER_HOST: &str = "https://msedgedriver.microsoft.com";

/// The driver to use on Windows; `None` elsewhere (WebKitWebDriver is the
/// harness's default on Linux).
pub fn ensure() -> Result<Option<PathBuf>> {
    if !cfg!(windows) {
        return Ok(None);
    }
    if let Some(path) = std::env::var_os("MSEDGEDRIVER").map(PathBuf::from) {
        if !path.is_file() {
            bail!("MSEDGEDRIVER is {}, which is not a file", path.display());
        }
        return Ok(Some(path));
    }
    let version = webview2_version().context(
        "no WebView2 runtime found in the registry: install it \
         (https://developer.microsoft.com/microsoft-edge/webview2/) or set MSEDGEDRIVER",
    )?;
    let dir = tools_dir().join("msedgedriver").join(&version);
    let exe = dir.join("msedgedriver.exe");
    if exe.is_file() {
        return Ok(Some(exe));
    }
    std::fs::create_dir_all(&dir)?;
    let zip = dir.join("driver.zip");
    let url = format!("{DRIVER_HOST}/{version}/edgedriver_{}.zip", arch());
    println!("xtask: fetching msedgedriver {version} for WebView2 {version}");
    process::run(
        Command::new("curl.exe")
            .args(["-fsSL", "--retry", "3", "-o"])
            .arg(&zip)
            .arg(&url),
    )
    .with_context(|| format!("downloading {url}"))?;
    process::run(
        Command::new("tar.exe")
            .arg("-xf")
            .arg(&zip)
            .arg("-C")
            .arg(&dir),
    )?;
    let _ = std::fs::remove_file(&zip);
    if !exe.is_file() {
        bail!("{url} held no msedgedriver.exe");
    }
    Ok(Some(exe))
}

fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "arm64",
        "x86" => "win32",
        _ => "win64",
    }
}

/// The installed WebView2 runtime's version (or, without one, Edge's), from
/// the first registry key that has one.
fn webview2_version() -> Option<String> {
    let keys = [WEBVIEW2_CLIENT, EDGE_CLIENT].iter().flat_map(|client| {
        [
            format!(r"HKLM\SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\{client}"),
            format!(r"HKLM\SOFTWARE\Microsoft\EdgeUpdate\Clients\{client}"),
            format!(r"HKCU\Software\Microsoft\EdgeUpdate\Clients\{client}"),
        ]
    });
    keys.into_iter().find_map(|key| {
        let out = Command::new("reg")
            .args(["query", &key, "/v", "pv"])
            .output()
            .ok()?;
        parse_reg_version(&String::from_utf8_lossy(&out.stdout))
    })
}

/// The `pv` value in `reg query`'s output, when it is a real version
/// (the installer leaves `0.0.0.0` after an uninstall).
fn parse_reg_version(output: &str) -> Option<String> {
    output
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("pv "))
        .and_then(|line| line.split_whitespace().nth(2))
        .filter(|version| {
            version.split('.').count() == 4
                && version.split('.').all(|part| part.parse::<u32>().is_ok())
                && *version != "0.0.0.0"
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_version_from_reg_query() {
        let out = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\EdgeUpdate\\Clients\\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}\r\n    pv    REG_SZ    131.0.2903.112\r\n\r\n";
        assert_eq!(parse_reg_version(out).as_deref(), Some("131.0.2903.112"));
    }

    #[test]
    fn an_uninstalled_or_missing_runtime_has_no_version() {
        assert_eq!(parse_reg_version("    pv    REG_SZ    0.0.0.0\r\n"), None);
        assert_eq!(
            parse_reg_version(
                "ERROR: The system was unable to find the specified registry key or value.\r\n"
            ),
            None
        );
        assert_eq!(parse_reg_version("    pv    REG_SZ    latest\r\n"), None);
    }
}
