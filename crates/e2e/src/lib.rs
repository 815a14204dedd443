//! The end-to-end harness: launches the built Larder app in the real webview
//! through tauri-driver (which drives WebKitWebDriver on Linux) and gives the
//! tests a WebDriver client plus helpers for Larder's test handles.
//!
//! `cargo xtask e2e` (or `cargo xtask test`) builds the app, provides a
//! display and sets:
//! - `LARDER_E2E_APP`: the app binary;
//! - `LARDER_E2E_DRIVER`: the tauri-driver binary;
//! - `LARDER_E2E_NATIVE_DRIVER` (Windows): the msedgedriver.exe that
//!   tauri-driver runs underneath. On Linux it is /usr/bin/WebKitWebDriver
//!   unless this says otherwise.
//!
//! Each [`Harness`] starts its own tauri-driver on free ports, with the app's
//! data folder (`LARDER_DATA_DIR`, which the app honours on every platform)
//! and `HOME`/`XDG_*` in a fresh temporary home, so tests never share state.
//!
//! # Layout
//! - this file: [`Harness`], its page helpers and its waits;
//! - `launch`: starting the app under tauri-driver, and stopping it;
//! - `app_process`: whether the app is still running, for failure messages;
//! - `first_frame`: holding back and releasing the live UI's takeover;
//! - `screenshot`: the window's pixels, compared block by block.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use fantoccini::{elements::Element, Client, Locator};
use launch::{app_env, required_path, stop_driver};

mod app_process;
mod first_frame;
mod launch;
mod restartable_api;
mod screenshot;
mod views;

pub use app_process::AppProcess;
pub use restartable_api::RestartableApi;
pub use screenshot::Screenshot;

/// The longest any condition is waited for. Conditions are polled, so a
/// passing test takes only as long as the app does.
pub const WAIT_LIMIT: Duration = Duration::from_secs(45);

/// An app that was quit, with its data kept.
pub struct Stopped {
    home: std::sync::Arc<tempfile::TempDir>,
    env: Vec<(String, String)>,
}

impl Stopped {
    /// Starts the app again on the same data, with the same environment
    /// plus `extra`.
    pub async fn launch(self, extra: &[(&str, &str)]) -> Result<Harness> {
        let env = self.env_with(extra);
        Harness::launch_in(self.home, env).await
    }

    /// The environment of the last launch, with `extra` in place of what
    /// it sets.
    fn env_with(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut env = self.env.clone();
        for (key, value) in extra {
            env.retain(|(k, _)| k != key);
            env.push((key.to_string(), value.to_string()));
        }
        env
    }
}

/// A running app under a WebDriver session.
pub struct Harness {
    pub client: Client,
    /// `None` once stopped.
    driver: Option<Child>,
    /// The app's HOME and XDG folders; removed on drop.
    home: std::sync::Arc<tempfile::TempDir>,
    env: Vec<(String, String)>,
    /// The program the driver launched.
    app: PathBuf,
}

impl Harness {
    /// Launches the app with `env` added to its environment.
    pub async fn launch(env: &[(&str, &str)]) -> Result<Self> {
        let home = std::sync::Arc::new(tempfile::tempdir().context("creating a temporary home")?);
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Self::launch_in(home, env).await
    }

    /// Quits the app and starts it again with the same data (a restart),
    /// and the same environment plus `extra`.
    pub async fn relaunch(self, extra: &[(&str, &str)]) -> Result<Self> {
        self.quit().await?.launch(extra).await
    }

    /// Quits the app, keeping its data for [`Stopped::launch`].
    pub async fn quit(mut self) -> Result<Stopped> {
        let _ = self.client.clone().close().await;
        if let Some(mut driver) = self.driver.take() {
            stop_driver(&mut driver);
        }
        let env = std::mem::take(&mut self.env);
        let home = self.home.clone();
        Ok(Stopped { home, env })
    }

    /// Starts the app binary itself (no WebDriver session) with this one's
    /// data and environment, as a user's second launch would.
    pub fn start_plain_beside(&self) -> Result<Child> {
        let app = required_path("LARDER_E2E_APP")?;
        Command::new(&app)
            .envs(app_env(self.home.path()))
            .env_remove("LARDER_API_URL")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", app.display()))
    }

    /// Launches a second app on the same data while this one runs.
    pub async fn launch_beside(&self) -> Result<Self> {
        Self::launch_in(self.home.clone(), self.env.clone()).await
    }

    /// Launches the app; a launch that gives no WebDriver session (the app
    /// died at start: a display that refused it for a moment) is tried
    /// once more, saying so.
    async fn launch_in(
        home: std::sync::Arc<tempfile::TempDir>,
        env: Vec<(String, String)>,
    ) -> Result<Self> {
        let harness = match Self::launch_once(home.clone(), env.clone()).await {
            Ok(harness) => harness,
            Err(err) => {
                println!("note: the app gave no session ({err:#}); launching it once more");
                Self::launch_once(home, env).await?
            }
        };
        // Tests act on the live UI: the first frame's elements are gone as
        // soon as it takes over, and only the live UI's are interactable.
        harness
            .wait_until("the live UI to take over from the first frame", || {
                harness.live()
            })
            .await?;
        Ok(harness)
    }

    /// The element `css` selects, waiting for it.
    pub async fn by_css(&self, css: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(WAIT_LIMIT)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element matches {css}"))
    }

    /// Clicks the element `css` selects, as a user would (WebDriver's
    /// element click: scrolled into view, at its centre).
    pub async fn click(&self, css: &str) -> Result<()> {
        Ok(self.by_css(css).await?.click().await?)
    }

    /// Types `text` into the element `css` selects, as a user would.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        Ok(self.by_css(css).await?.send_keys(text).await?)
    }

    /// The value of `name` in the environment of each of the app's WebKit
    /// web processes; `None` off Linux (see `app_process.rs`).
    pub fn web_process_env(&self, name: &str) -> Option<Vec<Option<String>>> {
        let driver = self.driver.as_ref()?;
        app_process::web_process_env(driver.id(), name)
    }

    /// Whether the app this harness drives is still running.
    pub fn app_process(&self) -> AppProcess {
        match &self.driver {
            Some(driver) => app_process::app_process(driver.id(), &self.app),
            None => AppProcess::Gone,
        }
    }

    /// Runs `script` in the page (WebDriver "execute sync").
    pub async fn script(&self, script: &str) -> Result<serde_json::Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// Calls a backend command from the page, as the UI does, and returns
    /// its answer (or its error, as JSON).
    pub async fn invoke(
        &self,
        command: &str,
        args: serde_json::Value,
    ) -> Result<serde_json::Value> {
        let script = "const [command, args, done] = arguments; \
            window.__TAURI__.core.invoke(command, args) \
              .then((ok) => done({ ok }), (err) => done({ err }));";
        let answer = self
            .client
            .execute_async(script, vec![command.into(), args])
            .await?;
        match answer.get("err") {
            Some(err) => bail!("{command} failed: {err}"),
            None => Ok(answer.get("ok").cloned().unwrap_or_default()),
        }
    }

    /// Widget `n`'s `data-freshness`: fresh, stale or offline (empty before
    /// it shows data).
    pub async fn widget_freshness(&self, n: u8) -> Result<String> {
        self.widget_attr(&n.to_string(), "data-freshness").await
    }

    /// How many elements have `data-testid="{id}"` now. Counted in the
    /// page in one step: finding elements through WebDriver creates a
    /// handle per element, which fails ("stale element") when the UI
    /// re-renders one of them in between.
    pub async fn count_test_id(&self, id: &str) -> Result<usize> {
        let count = self
            .client
            .execute(
                "return document.querySelectorAll(`[data-testid=\"${arguments[0]}\"]`).length;",
                vec![id.into()],
            )
            .await?;
        count
            .as_u64()
            .map(|n| n as usize)
            .with_context(|| format!("counting data-testid={id} answered {count}"))
    }

    /// Finds the element with `data-testid="{id}"`, waiting for it.
    pub async fn by_test_id(&self, id: &str) -> Result<Element> {
        self.by_css(&format!("[data-testid=\"{id}\"]")).await
    }

    /// Whether an element with `data-testid="{id}"` is on the page now
    /// (see [`Self::count_test_id`]).
    pub async fn has_test_id(&self, id: &str) -> Result<bool> {
        Ok(self.count_test_id(id).await? > 0)
    }

    /// Types `username` and presses the sign-in button.
    pub async fn sign_in(&self, username: &str) -> Result<()> {
        let input = self.by_test_id("username").await?;
        input.clear().await?;
        if !username.is_empty() {
            input.send_keys(username).await?;
        }
        self.by_test_id("sign-in").await?.click().await?;
        Ok(())
    }

    /// Widget `n`'s `data-state`: loading, ready or error.
    pub async fn widget_state(&self, n: u8) -> Result<String> {
        self.widget_attr(&n.to_string(), "data-state").await
    }

    /// Role widget `widget`'s `data-state`; empty when it is not shown.
    pub async fn role_widget_state(&self, widget: larder_protocol::RoleWidget) -> Result<String> {
        self.widget_attr(widget.name(), "data-state").await
    }

    /// An attribute of the widget frame `handle` (`3`, `team-members`),
    /// read in the page in one step (see [`Self::count_test_id`]); empty
    /// when the widget or the attribute is not there yet.
    async fn widget_attr(&self, handle: &str, attribute: &str) -> Result<String> {
        let value = self
            .client
            .execute(
                "const w = document.querySelector(`[data-testid=\"widget-${arguments[0]}\"]`); \
                 return (w && w.getAttribute(arguments[1])) || \"\";",
                vec![handle.into(), attribute.into()],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Whether every widget in `widgets` is `ready`.
    pub async fn all_ready(&self, widgets: &[u8]) -> Result<bool> {
        for &n in widgets {
            if self.widget_state(n).await? != "ready" {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// How many times `user` asked `api` for each widget, in dashboard
    /// order.
    pub fn widget_requests(api: &mock_api::RunningServer, user: &str) -> [u64; 5] {
        let controls = mock_api::testing::Controls::of(api);
        larder_protocol::WidgetId::ALL.map(|widget| controls.widget_requests(user, widget))
    }

    /// A mock API on a loopback port for a test: its delays ×0.1 and its
    /// test controls on.
    pub async fn quick_api() -> Result<mock_api::RunningServer> {
        Ok(mock_api::RunningServer::start(mock_api::Config {
            delay_scale: 0.1,
            test_controls: true,
            ..mock_api::Config::default()
        })
        .await?)
    }

    /// The app on `api`, signed in as `user`, its whole dashboard ready.
    pub async fn signed_in(api: &mock_api::RunningServer, user: &str) -> Result<Self> {
        let app = Self::launch(&[("LARDER_API_URL", &api.url())]).await?;
        app.sign_in(user).await?;
        app.wait_until("the dashboard", || app.all_ready(&[1, 2, 3, 4, 5]))
            .await?;
        Ok(app)
    }

    /// The ids of the notifications shown unread (with "Mark as read").
    pub async fn unread_notifications(&self) -> Result<Vec<String>> {
        let buttons = self
            .client
            .find_all(fantoccini::Locator::Css("[data-testid^=\"mark-read-\"]"))
            .await?;
        let mut ids = Vec::new();
        for button in buttons {
            let id = button.attr("data-testid").await?.unwrap_or_default();
            ids.push(id.trim_start_matches("mark-read-").to_owned());
        }
        Ok(ids)
    }

    /// Polls `condition` until it holds, or fails after [`WAIT_LIMIT`].
    pub async fn wait_until<F, Fut>(&self, what: &str, mut condition: F) -> Result<()>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<bool>>,
    {
        let started = Instant::now();
        loop {
            match condition().await {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                // A check that fails because the app is gone will never
                // pass: said at once, rather than after the limit.
                Err(err) if self.app_process() == AppProcess::Gone => {
                    bail!("waiting for {what}: {err:#}; {}", AppProcess::Gone)
                }
                // WebKitWebDriver answers "Could not parse script result"
                // now and then while the page re-renders; a check that
                // keeps failing fails with its error at the limit.
                Err(err) if started.elapsed() <= WAIT_LIMIT => {
                    println!("note: checking for {what} failed once ({err}); trying again");
                }
                Err(err) => {
                    return Err(err.context(format!("waiting for {what}; {}", self.app_process())))
                }
            }
            if started.elapsed() > WAIT_LIMIT {
                let page = self
                    .page_snapshot()
                    .await
                    .unwrap_or_else(|err| format!("(the page could not be read: {err})"));
                bail!(
                    "timed out after {WAIT_LIMIT:?} waiting for {what}; {}; the page showed:\n{page}",
                    self.app_process()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What the window shows, for a failure message: the test handles on
    /// the page, then each widget's state and text.
    pub async fn page_snapshot(&self) -> Result<String> {
        let snapshot = self
            .client
            .execute(
                "const ids = [...document.querySelectorAll('[data-testid]')] \
                   .map(e => e.getAttribute('data-testid')) \
                   .filter(id => !/^(widget-|mark-read-)/.test(id)); \
                 const widgets = [...document.querySelectorAll('[data-testid^=\"widget-\"]')] \
                   .map(w => `${w.getAttribute('data-testid')} [${w.getAttribute('data-state')}] ` \
                     + (w.innerText || '').replace(/\\s+/g, ' ').slice(0, 160)); \
                 const frame = document.getElementById('first-frame') ? 'first frame still shown\\n' : ''; \
                 return `${frame}handles: ${ids.slice(0, 60).join(' ')}\\n${widgets.join('\\n')}`;",
                vec![],
            )
            .await?;
        Ok(snapshot.as_str().unwrap_or_default().to_owned())
    }

    /// Ends the session and stops the app and the driver.
    pub async fn close(self) -> Result<()> {
        // Dropping `self` afterwards stops the driver's process group.
        self.client
            .clone()
            .close()
            .await
            .context("closing the WebDriver session")
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(mut driver) = self.driver.take() {
            stop_driver(&mut driver);
        }
    }
}
