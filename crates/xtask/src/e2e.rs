//! End-to-end runs: builds the app as a plain cargo binary (a binary built
//! by `cargo tauri dev` points at a dev server instead of its assets), gives
//! it a display (Xvfb on Linux when none is set) and runs the `larder-e2e`
//! tests, which drive it through tauri-driver and the platform's WebDriver:
//! WebKitWebDriver on Linux, msedgedriver on Windows (matching the installed
//! WebView2: see [`crate::edge_driver`]). On Windows the app
//! needs no virtual display.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use anyhow::{bail, Context, Result};

use crate::{
    process::{self, root},
    setup::tool_path,
};

/// Runs the `larder-e2e` test suite against a freshly built app.
pub fn run_tests() -> Result<()> {
    if cfg!(target_os = "macos") {
        println!("xtask: tauri-driver does not support macOS; the end-to-end tests run on Linux and Windows");
        return Ok(());
    }
    let env = prepare(false)?;
    let mut command = Command::new(process::cargo_bin());
    command
        .args(["test", "--package", "larder-e2e", "--", "--test-threads=1"])
        .current_dir(root())
        .envs(env.vars());
    process::run(&mut command)?;
    if cfg!(target_os = "linux") {
        locked_keychain_test(&env)?;
    }
    Ok(())
}

/// The locked-keychain test (crates/e2e/tests/locked_keychain.rs) against
/// a real Secret Service: inside a private `dbus-run-session`, with
/// gnome-keyring on a throwaway keyring unlocked with its test password.
/// The session bus gets no `DISPLAY`, so the keyring's unlock prompt cannot
/// open a window on the test display and wait there; the app and the test
/// get it back through `LARDER_E2E_DISPLAY`.
fn locked_keychain_test(env: &E2eEnv) -> Result<()> {
    let keyrings = tempfile::tempdir()?;
    let cargo = process::cargo_bin();
    let script = crate::keychain::with_unlocked_keyring(
        keyrings.path(),
        &format!(
            "if [ -n \"$LARDER_E2E_DISPLAY\" ]; then export DISPLAY=\"$LARDER_E2E_DISPLAY\"; fi && \
             '{cargo}' test --package larder-e2e --test locked_keychain -- --ignored --test-threads=1"
        ),
    );
    let mut command = Command::new("dbus-run-session");
    command
        .args(["--", "sh", "-c", &script])
        .current_dir(root())
        .envs(env.vars())
        .env_remove("DISPLAY");
    if let Some(display) = &env.display {
        command.env("LARDER_E2E_DISPLAY", display);
    }
    process::run(&mut command)
}

/// Runs the UI benchmark (crates/e2e/src/bin/ui_bench/main.rs) against a
/// release build of the app, beside a release build of the blank window
/// it compares the app with.
pub fn ui_bench() -> Result<()> {
    let env = prepare(true)?;
    process::cargo(&["build", "--release", "--example", "blank_window"], &[])?;
    let blank = process::target_dir()?
        .join("release")
        .join("examples")
        .join(format!("blank_window{}", std::env::consts::EXE_SUFFIX));
    let mut command = Command::new(process::cargo_bin());
    command
        .args([
            "run",
            "--release",
            "--package",
            "larder-e2e",
            "--bin",
            "ui_bench",
        ])
        .current_dir(root())
        .env("RUST_LOG", "warn")
        .env("LARDER_BENCH_BLANK_APP", blank)
        .envs(env.vars());
    process::run(&mut command)
}

/// Takes docs/screenshot.png of the dashboard.
pub fn screenshot() -> Result<()> {
    let env = prepare(false)?;
    let out = root().join("docs").join("screenshot.png");
    let mut command = Command::new(process::cargo_bin());
    command
        .args([
            "run",
            "--package",
            "larder-e2e",
            "--bin",
            "screenshot",
            "--",
        ])
        .arg(&out)
        .current_dir(root())
        .envs(env.vars());
    process::run(&mut command)
}

/// What the e2e harness needs: the app, the driver and a display.
struct E2eEnv {
    app: PathBuf,
    driver: PathBuf,
    /// The WebDriver tauri-driver runs underneath, when not its default
    /// (msedgedriver on Windows).
    native_driver: Option<PathBuf>,
    display: Option<String>,
    /// Keeps Xvfb running; killed on drop.
    xvfb: Option<Child>,
}

impl E2eEnv {
    fn vars(&self) -> Vec<(String, String)> {
        let mut vars = vec![
            ("LARDER_E2E_APP".into(), self.app.display().to_string()),
            (
                "LARDER_E2E_DRIVER".into(),
                self.driver.display().to_string(),
            ),
        ];
        if let Some(native) = &self.native_driver {
            vars.push((
                "LARDER_E2E_NATIVE_DRIVER".into(),
                native.display().to_string(),
            ));
        }
        if let Some(display) = &self.display {
            vars.push(("DISPLAY".into(), display.clone()));
        }
        vars
    }
}

impl Drop for E2eEnv {
    fn drop(&mut self) {
        if let Some(mut xvfb) = self.xvfb.take() {
            let _ = xvfb.kill();
            let _ = xvfb.wait();
        }
    }
}

fn prepare(release: bool) -> Result<E2eEnv> {
    // Before the build, so a missing driver fails at once.
    let native_driver = crate::edge_driver::ensure()?;
    let (args, profile): (&[&str], _) = if release {
        (&["build", "--release", "--bin", "larder"], "release")
    } else {
        (&["build", "--bin", "larder"], "debug")
    };
    process::cargo(args, &[])?;
    let app = process::target_dir()?
        .join(profile)
        .join(format!("larder{}", std::env::consts::EXE_SUFFIX));
    if !app.exists() {
        bail!("the app was not built at {}", app.display());
    }
    let (display, xvfb) = display()?;
    Ok(E2eEnv {
        app,
        driver: tool_path("tauri-driver"),
        native_driver,
        display,
        xvfb,
    })
}

/// The display to use: `DISPLAY` when set (outside CI), otherwise a new
/// Xvfb on Linux.
pub fn display() -> Result<(Option<String>, Option<Child>)> {
    if !cfg!(target_os = "linux") {
        return Ok((None, None));
    }
    let in_ci = std::env::var_os("CI").is_some();
    if let (Ok(display), false) = (std::env::var("DISPLAY"), in_ci) {
        return Ok((Some(display), None));
    }
    let number = (90..200)
        .find(|n| {
            !PathBuf::from(format!("/tmp/.X11-unix/X{n}")).exists()
                && !PathBuf::from(format!("/tmp/.X{n}-lock")).exists()
        })
        .context("no free X display number")?;
    let display = format!(":{number}");
    let child = Command::new("Xvfb")
        .args([
            display.as_str(),
            "-screen",
            "0",
            "1440x900x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting Xvfb (apt-get install xvfb)")?;
    // Xvfb creates its socket when it is ready.
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
    for _ in 0..100 {
        if socket.exists() {
            println!("xtask: Xvfb on {display}");
            return Ok((Some(display), Some(child)));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("Xvfb did not start on {display}")
}
