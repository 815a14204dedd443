//! Measures the UI in the real webview (`cargo xtask ui-bench`):
//!
//! - warm open, launched in turns with a blank window of the same Tauri
//!   (`LARDER_BENCH_BLANK_APP`, the `blank_window` example): see
//!   `warm_open.rs`;
//! - cold open after sign-in, with the upstream delays scaled ×0.1: from
//!   pressing "Sign in" to all five painted, timed in the page (and, for
//!   comparison, from the driver's side, which adds WebDriver's round trip);
//! - in-app navigation: from a click on a link in the top bar to the view
//!   painted, timed in the page;
//! - a repaint of the whole dashboard: from a change to the colour every
//!   widget's background uses to the second animation frame after it
//!   (the frame between paints the dashboard again), as drawn here and
//!   with the blurred shadows macOS and Windows are given;
//! - a change shown in another window: from marking a notification read
//!   in the main window to a post's own window showing the new unread
//!   count (see `windows.rs`);
//! - switching accounts: from a click in the account switcher to the
//!   other account's dashboard painted, by the page's own marks (see
//!   `accounts.rs`);
//! - the round trip of a cached `get_widget` from the UI, p50 and p99 over
//!   1,000 sequential calls timed with `performance.now()`;
//! - memory: the proportional set size (PSS) of the app's process and each
//!   process it started (WebKit's web and network processes), with the
//!   dashboard open, with a post's own window open beside it, on the
//!   sign-in view, and for the blank window.
//!
//! Launch times come from the page's own clocks, with nothing polled: the
//! navigation's `loadEventEnd`, the `first-contentful-paint` entry (the
//! first frame, which the page marks `larder-first-frame`) and the
//! `larder-live` mark the UI sets when it takes over, each on
//! `performance.timeOrigin`'s clock, set against the process's start time
//! read from `/proc/<pid>/stat` and `/proc/uptime` (10 ms ticks).

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use larder_e2e::Harness;

mod accounts;
mod procfs;
mod warm_open;
mod windows;
use mock_api::{Config, RunningServer};
use procfs::report_memory;

const ALL: [u8; 5] = [1, 2, 3, 4, 5];
const RUNS: usize = 5;
/// The benchmark's signed-in user.
const USER: &str = "bench";

async fn until(app: &Harness, mut ready: impl AsyncFnMut(&Harness) -> Result<bool>) -> Result<()> {
    let started = Instant::now();
    while !ready(app).await? {
        if started.elapsed() > Duration::from_secs(60) {
            anyhow::bail!("not ready after 60 s");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}

/// From a click on `link` to the element `target` in the DOM, timed in the
/// page; the next animation frame stands for the paint.
async fn navigation_ms(app: &Harness, link: &str, target: &str) -> Result<f64> {
    let took = app
        .client
        .execute_async(
            "const [link, target, done] = arguments; \
             const start = performance.now(); \
             document.querySelector(`[data-testid=\"${link}\"]`).click(); \
             const check = () => document.querySelector(`[data-testid=\"${target}\"]`) \
               ? requestAnimationFrame(() => done(performance.now() - start)) \
               : requestAnimationFrame(check); \
             check();",
            vec![link.into(), target.into()],
        )
        .await?;
    took.as_f64().context("a navigation time")
}

/// From a click on "Sign in" to all five widgets ready, timed in the page
/// like [`navigation_ms`]: the next animation frame stands for the paint.
async fn cold_open_ms(app: &Harness) -> Result<f64> {
    let took = app
        .client
        .execute_async(
            "const done = arguments[0]; \
             const start = performance.now(); \
             document.querySelector('[data-testid=\"sign-in\"]').click(); \
             const ready = () => document.querySelectorAll( \
               '[data-testid^=\"widget-\"][data-state=\"ready\"]').length === 5; \
             const check = () => ready() \
               ? requestAnimationFrame(() => done(performance.now() - start)) \
               : requestAnimationFrame(check); \
             check();",
            vec![],
        )
        .await?;
    took.as_f64().context("a cold open time")
}

/// A repaint of the whole dashboard, ten times: from a change to the
/// colour of every widget's background to the second animation frame
/// after it, so one frame paints the change and the time includes one
/// frame's wait.
async fn repaint_ms(app: &Harness) -> Result<Vec<f64>> {
    let took = app
        .client
        .execute_async(
            "const done = arguments[0]; \
             const root = document.documentElement.style; \
             const out = []; \
             const step = () => { \
               const start = performance.now(); \
               root.setProperty('--panel', out.length % 2 ? '#ffffff' : '#fefefe'); \
               requestAnimationFrame(() => requestAnimationFrame(() => { \
                 out.push(performance.now() - start); \
                 if (out.length < 10) step(); \
                 else { root.removeProperty('--panel'); done(out); } \
               })); \
             }; \
             step();",
            vec![],
        )
        .await?;
    serde_json::from_value(took).context("the repaint times")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn env_path(name: &str) -> Result<PathBuf> {
    Ok(PathBuf::from(
        std::env::var_os(name).with_context(|| format!("{name} is not set"))?,
    ))
}

fn report(what: &str, values: &[f64]) {
    if values.is_empty() {
        println!("{what}: no samples");
        return;
    }
    println!(
        "{what}: median {:.0} ms of {}: {values:.0?}",
        median(values.to_vec()),
        values.len()
    );
}

#[tokio::main]
async fn main() -> Result<()> {
    let larder = env_path("LARDER_E2E_APP")?;
    let blank = env_path("LARDER_BENCH_BLANK_APP")?;

    // The API runs in this process rather than embedded in the app, so the
    // app's memory is its own. A signed-in user with a warm cache, at full
    // upstream delays: a warm open that waited for the network would take
    // 15 s.
    let api = RunningServer::start(Config::default()).await?;
    let api_url = api.url();
    let app = Harness::launch(&[("LARDER_API_URL", &api_url)]).await?;
    app.sign_in(USER).await?;
    app.wait_until("the first dashboard", || app.all_ready(&ALL))
        .await?;

    // Warm opens, each after a blank window's launch (see `warm_open.rs`).
    let app = warm_open::measure(app, &larder, &blank).await?;

    // In-app navigation, there and back, five times.
    let mut navigation = Vec::new();
    for _ in 0..RUNS {
        navigation.push(navigation_ms(&app, "nav-cache", "cache-view").await?);
        navigation.push(navigation_ms(&app, "nav-dashboard", "dashboard").await?);
    }
    report(
        "in-app navigation, click to view painted (cache view and back)",
        &navigation,
    );

    report(
        "a repaint of the whole dashboard, to the second frame after the change",
        &repaint_ms(&app).await?,
    );
    // Side by side: the same, with the blurred shadows macOS and Windows
    // are given (and their font), then back.
    let platform = "const root = document.documentElement; \
                    const was = root.dataset.platform; root.dataset.platform = arguments[0]; return was;";
    let was = app.client.execute(platform, vec!["windows".into()]).await?;
    report(
        "the same repaint with macOS's and Windows's blurred shadows",
        &repaint_ms(&app).await?,
    );
    app.client.execute(platform, vec![was]).await?;

    // A change in the main window, shown in a post's own window.
    let elsewhere = windows::change_shown_elsewhere_ms(&app).await?;
    report(
        "a change in the main window shown in a post's own window",
        &elsewhere,
    );
    report_memory(&larder, "the dashboard and a post's own window open").await?;

    // A second account, and switches between the two.
    let switches = accounts::switch_ms(&app, USER, "bench-second", RUNS).await?;
    report(
        "switching accounts, click to the other dashboard painted (by the page's marks)",
        &switches,
    );

    // 1,000 cached get_widget round trips from the page.
    let timings = app
        .client
        .execute_async(
            "const done = arguments[0]; (async () => { const t = []; \
             for (let i = 0; i < 1000; i++) { const s = performance.now(); \
             await window.__TAURI__.core.invoke('get_widget', { id: 1 + (i % 5) }); \
             t.push(performance.now() - s); } done(t); })();",
            vec![],
        )
        .await?;
    let mut trips: Vec<f64> = serde_json::from_value(timings).context("timings")?;
    let mean = trips.iter().sum::<f64>() / trips.len() as f64;
    trips.sort_by(f64::total_cmp);
    println!(
        "cached get_widget round trip from the UI: mean {mean:.3} ms, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms over {} \
         (performance.now() here ticks in whole milliseconds)",
        percentile(&trips, 50.0),
        percentile(&trips, 99.0),
        trips[trips.len() - 1],
        trips.len()
    );
    app.close().await?;

    // Cold opens: a new user each time, delays ×0.1 (slowest widget 1.5 s).
    let fast_api = RunningServer::start(Config {
        delay_scale: 0.1,
        ..Config::default()
    })
    .await?;
    let fast_url = fast_api.url();
    let (mut cold, mut cold_driver) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let app = Harness::launch(&[("LARDER_API_URL", &fast_url)]).await?;
        if run == 0 {
            app.wait_until("the sign-in view", || app.has_test_id("username"))
                .await?;
            report_memory(&larder, "the sign-in view").await?;
        }
        app.by_test_id("username")
            .await?
            .send_keys(&format!("cold{run}"))
            .await?;
        let started = Instant::now();
        cold.push(cold_open_ms(&app).await?);
        cold_driver.push(ms(started.elapsed()));
        app.close().await?;
    }
    report(
        "cold open after sign-in (delays x0.1, slowest 1.5 s), click to all five painted, in the page",
        &cold,
    );
    report(
        "the same cold opens from the driver's side (with WebDriver's round trip)",
        &cold_driver,
    );
    Ok(())
}
