//! Measures the UI in the real webview (`cargo xtask ui-bench`):
//!
//! - warm open: from launching the app (with a signed-in user and a warm
//!   cache) to all five widgets painted, against the same launch until the
//!   page itself is loaded (the app showing a blank page), in one run;
//! - cold open after sign-in, with the upstream delays scaled ×0.1: from
//!   pressing "Sign in" to all five painted;
//! - the round trip of a cached `get_widget` from the UI, p50 and p99 over
//!   1,000 sequential calls timed with `performance.now()`.
//!
//! - memory: the proportional set size (PSS) of the app's process and each
//!   process it started (WebKit's web and network processes), with the
//!   dashboard open and on the sign-in view.
//!
//! Readiness is polled every 5 ms, so launch figures carry up to 5 ms of
//! polling granularity. For the warm open, the app's own process start is
//! also read from `/proc` (start time in clock ticks, 10 ms here) and set
//! against the page's `Date.now()` at the moment of readiness, which
//! leaves out the WebDriver session's own start-up.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use larder_e2e::Harness;

const ALL: [u8; 5] = [1, 2, 3, 4, 5];
const RUNS: usize = 5;

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

async fn page_loaded(app: &Harness) -> Result<bool> {
    Ok(app.script("return document.readyState").await? == "complete")
}

async fn painted(app: &Harness) -> Result<bool> {
    let states = app
        .script(
            "return [...document.querySelectorAll('[data-testid^=\"widget-\"]')] \
             .filter((w) => w.dataset.state === 'ready').length",
        )
        .await?;
    Ok(states.as_u64() == Some(ALL.len() as u64))
}

/// The newest process running `LARDER_E2E_APP`.
fn app_pid() -> Result<u32> {
    let app = std::fs::canonicalize(std::env::var("LARDER_E2E_APP")?)?;
    let mut newest = None::<(u64, u32)>;
    for entry in std::fs::read_dir("/proc")? {
        let path = entry?.path();
        let Some(pid) = path
            .file_name()
            .and_then(|n| n.to_str()?.parse::<u32>().ok())
        else {
            continue;
        };
        if std::fs::read_link(path.join("exe")).ok().as_deref() != Some(app.as_path()) {
            continue;
        }
        let start = stat_field(pid, 19)?.parse::<u64>()?;
        if newest.is_none_or(|(s, _)| start > s) {
            newest = Some((start, pid));
        }
    }
    Ok(newest.context("the app process was not found")?.1)
}

/// Field `n` (counted from 0 after the parenthesised name, so the state
/// is 0 and the parent is 1) of `/proc/<pid>/stat`.
fn stat_field(pid: u32, n: usize) -> Result<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(')').context("stat")?.1;
    Ok(after
        .split_whitespace()
        .nth(n)
        .context("a stat field")?
        .to_owned())
}

/// `pid` and every process beneath it, each with its name and PSS in KiB
/// (from `smaps_rollup`).
fn process_tree_pss(pid: u32) -> Result<Vec<(String, u64)>> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc")? {
        let Some(child) = entry?
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if let Ok(parent) = stat_field(child, 1).and_then(|p| Ok(p.parse::<u32>()?)) {
            parents.push((child, parent));
        }
    }
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    let mut sizes = Vec::new();
    for pid in tree {
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .unwrap_or_default()
            .trim()
            .to_owned();
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue;
        };
        let pss = rollup
            .lines()
            .find_map(|line| line.strip_prefix("Pss:"))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0);
        sizes.push((name, pss));
    }
    Ok(sizes)
}

/// Prints the app's memory by process, after a moment for the page to
/// settle.
async fn report_memory(what: &str) -> Result<()> {
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sizes = process_tree_pss(app_pid()?)?;
    let total: u64 = sizes.iter().map(|(_, kib)| kib).sum();
    let parts: Vec<String> = sizes
        .iter()
        .filter(|(_, kib)| *kib > 0)
        .map(|(name, kib)| format!("{name} {:.1}", *kib as f64 / 1024.0))
        .collect();
    println!(
        "memory, {what}: {:.1} MiB PSS in all ({})",
        total as f64 / 1024.0,
        parts.join(", ")
    );
    Ok(())
}

/// The Unix time in ms at which the app process (`LARDER_E2E_APP`)
/// started: its start in `/proc/<pid>/stat` (clock ticks since boot) set
/// against `/proc/uptime` read now, on the same clock. (`btime` in
/// `/proc/stat` is whole seconds, too coarse for this.)
fn app_started_ms() -> Result<f64> {
    // sysconf(_SC_CLK_TCK) is 100 on Linux's usual configurations.
    let ticks_per_sec = 100.0;
    let start: f64 = stat_field(app_pid()?, 19)?.parse()?;
    let start_secs = start / ticks_per_sec;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")?
        .split_whitespace()
        .next()
        .context("uptime")?
        .parse()?;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs_f64()
        * 1000.0;
    Ok(now_ms - (uptime - start_secs) * 1000.0)
}

async fn page_now_ms(app: &Harness) -> Result<f64> {
    app.script("return Date.now()")
        .await?
        .as_f64()
        .context("Date.now()")
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

#[tokio::main]
async fn main() -> Result<()> {
    // A signed-in user with a warm cache, at full upstream delays: a warm
    // open that waited for the network would take 15 s.
    let mut app = Harness::launch(&[]).await?;
    app.sign_in("bench").await?;
    app.wait_until("the first dashboard", || app.all_ready(&ALL))
        .await?;

    let (mut blank, mut warm) = (Vec::new(), Vec::new());
    let (mut blank_proc, mut warm_proc) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let stopped = app.quit().await?;
        let started = Instant::now();
        app = stopped.launch(&[]).await?;
        until(&app, page_loaded).await?;
        blank.push(ms(started.elapsed()));
        let loaded_at = page_now_ms(&app).await?;
        until(&app, painted).await?;
        warm.push(ms(started.elapsed()));
        let painted_at = page_now_ms(&app).await?;
        let process_start = app_started_ms()?;
        blank_proc.push(loaded_at - process_start);
        warm_proc.push(painted_at - process_start);
    }
    let report = |what: &str, values: &[f64]| {
        println!(
            "warm open, {what}: median {:.0} ms of {RUNS}: {values:.0?}",
            median(values.to_vec())
        );
    };
    report("launch to page loaded (blank page)", &blank);
    report("launch to 5 widgets painted", &warm);
    report("app process start to page loaded (blank page)", &blank_proc);
    report("app process start to 5 widgets painted", &warm_proc);
    report_memory("the dashboard open").await?;

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
    let mut cold = Vec::new();
    for run in 0..RUNS {
        let app = Harness::launch(&[("LARDER_MOCK_DELAY_SCALE", "0.1")]).await?;
        if run == 0 {
            app.wait_until("the sign-in view", || app.has_test_id("username"))
                .await?;
            report_memory("the sign-in view").await?;
        }
        app.by_test_id("username")
            .await?
            .send_keys(&format!("cold{run}"))
            .await?;
        let started = Instant::now();
        app.by_test_id("sign-in").await?.click().await?;
        until(&app, painted).await?;
        cold.push(ms(started.elapsed()));
        app.close().await?;
    }
    println!("cold open after sign-in (delays x0.1, slowest 1.5 s): median {:.0} ms of {RUNS}: {cold:.0?}", median(cold.clone()));
    Ok(())
}
