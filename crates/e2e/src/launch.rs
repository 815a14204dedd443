//! Starting the app under WebDriver: tauri-driver on free ports in a
//! process group of its own (so stopping it stops WebKitWebDriver and the
//! app too), a fresh home, and the session it gives.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use fantoccini::ClientBuilder;

use crate::Harness;

/// The environment every launch gets: its own HOME, XDG folders and data
/// folder in `home`, and the file secret store (a launch's own variables
/// are added after these).
pub(crate) fn app_env(home: &std::path::Path) -> Vec<(String, String)> {
    let path = |p: PathBuf| p.to_string_lossy().into_owned();
    vec![
        ("HOME".into(), path(home.to_path_buf())),
        ("XDG_DATA_HOME".into(), path(home.join("data"))),
        ("XDG_CONFIG_HOME".into(), path(home.join("config"))),
        ("XDG_CACHE_HOME".into(), path(home.join("cache"))),
        // Where XDG_DATA_HOME puts it on Linux; the same on Windows and
        // macOS, whose known folders ignore HOME.
        (
            "LARDER_DATA_DIR".into(),
            path(home.join("data").join("dev.larder.desktop")),
        ),
        // Under Xvfb there is no OS keychain: keep keys in the explicitly
        // chosen file store.
        ("LARDER_SECRETS".into(), "file".into()),
    ]
}

impl Harness {
    pub(crate) async fn launch_once(
        home: std::sync::Arc<tempfile::TempDir>,
        env: Vec<(String, String)>,
    ) -> Result<Self> {
        Self::launch_program_once(home, env, required_path("LARDER_E2E_APP")?).await
    }

    /// Launches `program`, another Tauri app (such as the benchmark's blank
    /// window), on a fresh home, as the app would be launched.
    pub async fn launch_program(program: &std::path::Path) -> Result<Self> {
        let home = std::sync::Arc::new(tempfile::tempdir().context("creating a temporary home")?);
        Self::launch_program_once(home, Vec::new(), program.to_owned()).await
    }

    async fn launch_program_once(
        home: std::sync::Arc<tempfile::TempDir>,
        env: Vec<(String, String)>,
        app: PathBuf,
    ) -> Result<Self> {
        let driver_bin = required_path("LARDER_E2E_DRIVER")?;
        let port = free_port()?;
        let native_port = free_port()?;

        let mut command = Command::new(&driver_bin);
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .envs(app_env(home.path()))
            .env_remove("LARDER_API_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        match std::env::var_os("LARDER_E2E_NATIVE_DRIVER") {
            Some(native) => {
                command.arg("--native-driver").arg(native);
            }
            None if cfg!(target_os = "linux") => {
                command.args(["--native-driver", "/usr/bin/WebKitWebDriver"]);
            }
            None => {}
        }
        for (key, value) in &env {
            command.env(key, value);
        }
        // Its own process group, so stopping it also stops the
        // WebKitWebDriver and app it spawns (see `stop_driver`).
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut driver = command
            .spawn()
            .with_context(|| format!("starting {}", driver_bin.display()))?;

        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), "wry".into());
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.display().to_string() }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let limit = Duration::from_secs(30);
        let client = loop {
            // Bounded: WebKitWebDriver waits for ever on an app that died.
            let left = limit.saturating_sub(started.elapsed());
            let attempt = tokio::time::timeout(
                left,
                ClientBuilder::native()
                    .capabilities(capabilities.clone())
                    .connect(&url),
            )
            .await;
            match attempt {
                Ok(Ok(client)) => break client,
                Ok(Err(_)) if started.elapsed() < limit => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Ok(Err(err)) => {
                    stop_driver(&mut driver);
                    bail!("tauri-driver at {url} gave no session: {err}");
                }
                Err(_) => {
                    stop_driver(&mut driver);
                    bail!("tauri-driver at {url} gave no session within {limit:?}");
                }
            }
        };
        Ok(Self {
            client,
            driver: Some(driver),
            home,
            env,
            app,
        })
    }
}

/// Stops tauri-driver and everything it started. Killing only tauri-driver
/// would leave WebKitWebDriver running, holding the test's output open (on
/// Windows, msedgedriver and the app, which the next launch would find
/// still running).
pub(crate) fn stop_driver(driver: &mut Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(driver.id()) {
        // The group id is the driver's pid (see `process_group(0)`).
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    // Windows has no process groups to signal; taskkill's /T ends the
    // driver's whole tree of child processes.
    #[cfg(windows)]
    let _ = Command::new("taskkill")
        .args(["/T", "/F", "/PID", &driver.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = driver.kill();
    let _ = driver.wait();
}

pub(crate) fn required_path(var: &str) -> Result<PathBuf> {
    let path = std::env::var_os(var).map(PathBuf::from).with_context(|| {
        format!("{var} is not set: run the end-to-end tests with `cargo xtask e2e`")
    })?;
    if !path.exists() {
        bail!("{var} points at {}, which does not exist", path.display());
    }
    Ok(path)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
