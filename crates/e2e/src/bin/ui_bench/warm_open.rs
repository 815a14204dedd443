//! The warm open, launched in turns with a blank window of the same Tauri
//! (`LARDER_BENCH_BLANK_APP`, the `blank_window` example): from each
//! process's start to its page loaded and painted (the blank page's one
//! word, Larder's cached dashboard), to Larder's dashboard interactive,
//! and where Larder's time goes after the navigation starts. The memory of
//! each, with the page open, is read on the last launch; the two never
//! run at the same time.

use std::path::Path;

use anyhow::{Context, Result};
use larder_e2e::Harness;

use crate::{
    median,
    procfs::{report_memory, started_ms},
    report, until, ALL, RUNS,
};

/// Measures `RUNS` warm opens of Larder, each after a blank window's, and
/// answers Larder, left open on its dashboard.
pub async fn measure(mut app: Harness, larder: &Path, blank: &Path) -> Result<Harness> {
    let mut blanks = Vec::new();
    let mut launches = Vec::new();
    for run in 0..RUNS {
        // Larder is stopped while the blank window runs, as the blank
        // window is closed while Larder runs: each is timed, and its
        // memory read, alone. (PSS splits a shared library's pages
        // between the processes that map them, so a blank window read
        // beside Larder looked about 66 MiB smaller than it is.)
        let stopped = app.quit().await?;
        let (window, launch) = blank_launch(blank).await?;
        blanks.push(launch);
        if run == RUNS - 1 {
            report_memory(blank, "a blank Tauri window").await?;
        }
        window.close().await?;
        app = stopped.launch(&[]).await?;
        until(&app, painted).await?;
        launches.push(launch_times(&app, larder).await?);
        if run == RUNS - 1 {
            report_memory(larder, "the dashboard open").await?;
        }
    }
    report_launches(&launches, &blanks);
    Ok(app)
}

/// The blank window's moments, then Larder's, then Larder against the
/// blank window's load and paint (the paint is the like-for-like
/// comparison; the load is kept so earlier runs can be compared).
fn report_launches(launches: &[Launch], blanks: &[BlankLaunch]) {
    let blank_of = |pick: fn(&BlankLaunch) -> f64| blanks.iter().map(pick).collect::<Vec<_>>();
    report_moments(
        "blank window",
        blanks,
        &[
            ("navigation start", |b| b.navigation),
            ("page loaded", |b| b.loaded),
            ("page painted", |b| b.painted),
        ],
    );
    let with_frame = launches.iter().filter(|l| l.first_frame).count();
    println!(
        "warm open, Larder: the first frame was the cached dashboard in {with_frame} of {} launches",
        launches.len()
    );
    let of = |pick: fn(&Launch) -> f64| launches.iter().map(pick).collect::<Vec<_>>();
    report_moments(
        "Larder",
        launches,
        &[
            ("navigation start", |l| l.navigation),
            ("page loaded", |l| l.loaded),
            ("dashboard painted", |l| l.painted),
            ("dashboard interactive", |l| l.interactive),
        ],
    );
    for (n, step) in STEPS.iter().enumerate() {
        report(
            &format!("warm open, Larder: navigation start to {step}"),
            &of_step(launches, n),
        );
    }
    for (what, blank_median) in [
        ("loaded", median(blank_of(|b| b.loaded))),
        ("painted", median(blank_of(|b| b.painted))),
    ] {
        println!(
            "warm open, Larder, against the blank window's median {what}: painted {:+.0} ms, interactive {:+.0} ms",
            median(of(|l| l.painted)) - blank_median,
            median(of(|l| l.interactive)) - blank_median
        );
    }
}

/// A moment of a launch, named, and how to read it from one.
type Moment<T> = (&'static str, fn(&T) -> f64);

/// One line per moment: its values over every launch of `who`.
fn report_moments<T>(who: &str, launches: &[T], moments: &[Moment<T>]) {
    for (what, pick) in moments {
        let values: Vec<f64> = launches.iter().map(pick).collect();
        report(
            &format!("warm open, {who}: process start to {what}"),
            &values,
        );
    }
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

/// One launch's moments, in ms from its process's start.
#[derive(Debug, Clone, Copy)]
struct Launch {
    /// The webview's navigation to the page started.
    navigation: f64,
    loaded: f64,
    /// The dashboard on screen: the first contentful paint when it was the
    /// first frame, else the moment the live UI showed it.
    painted: f64,
    /// The live UI in charge: its handlers attached, the first frame gone.
    interactive: f64,
    first_frame: bool,
    /// From the navigation's start: the page's HTML received, the boot
    /// module and the glue it imports loaded, the wasm compiled, the wasm
    /// running (the root component's first render), every event
    /// subscribed, the first payload answered, and the live UI in charge.
    steps: [f64; STEPS.len()],
}

/// The marks of a launch's steps, in order (see [`Launch::steps`]).
const STEPS: [&str; 7] = [
    "html",
    "larder-boot",
    "larder-wasm-compiled",
    "larder-wasm-started",
    "larder-subscribed",
    "larder-bootstrapped",
    "larder-live",
];

/// Reads the page's timings of its launch (see the module's comment).
async fn launch_times(app: &Harness, program: &Path) -> Result<Launch> {
    let times = app
        .client
        .execute(
            "const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null; \
             const nav = performance.getEntriesByType('navigation')[0]; \
             return { origin: performance.timeOrigin, loaded: nav ? nav.loadEventEnd : null, \
               paint: at('first-contentful-paint'), live: at('larder-live'), \
               frame: at('larder-first-frame') !== null, \
               steps: arguments[0].map((name) => name === 'html' ? (nav ? nav.responseEnd : null) : at(name)) };",
            vec![serde_json::json!(STEPS)],
        )
        .await?;
    let field = |name: &str| times.get(name).and_then(serde_json::Value::as_f64);
    let since_start = field("origin").context("performance.timeOrigin")? - started_ms(program)?;
    let loaded = field("loaded").context("the navigation's loadEventEnd")?;
    let first_frame = times.get("frame") == Some(&serde_json::Value::Bool(true));
    let live = field("live");
    let paint = field("paint");
    let painted = match (first_frame, paint) {
        (true, Some(paint)) => paint,
        _ => live.context("neither a first frame nor the larder-live mark")?,
    };
    let mut steps = [f64::NAN; STEPS.len()];
    for (step, value) in steps
        .iter_mut()
        .zip(times["steps"].as_array().into_iter().flatten())
    {
        *step = value.as_f64().unwrap_or(f64::NAN);
    }
    Ok(Launch {
        navigation: since_start,
        loaded: since_start + loaded,
        painted: since_start + painted,
        interactive: since_start + live.unwrap_or(f64::NAN),
        first_frame,
        steps,
    })
}

/// One blank window's launch, in ms from its process's start.
#[derive(Debug, Clone, Copy)]
struct BlankLaunch {
    navigation: f64,
    loaded: f64,
    /// Its first contentful paint: the one word on its page.
    painted: f64,
}

async fn blank_painted(app: &Harness) -> Result<bool> {
    Ok(page_loaded(app).await?
        && app
            .script("return performance.getEntriesByName('first-contentful-paint').length")
            .await?
            .as_u64()
            .is_some_and(|n| n > 0))
}

/// Launches the blank window, waits for its page to load and paint, and
/// reads when its navigation started, when it loaded and when it painted.
async fn blank_launch(program: &Path) -> Result<(Harness, BlankLaunch)> {
    let app = Harness::launch_program(program).await?;
    until(&app, blank_painted).await?;
    let times = app
        .script(
            "const nav = performance.getEntriesByType('navigation')[0]; \
             const paint = performance.getEntriesByName('first-contentful-paint')[0]; \
             return [performance.timeOrigin, nav ? nav.loadEventEnd : null, \
                     paint ? paint.startTime : null];",
        )
        .await?;
    let origin = times[0].as_f64().context("performance.timeOrigin")?;
    let loaded = times[1].as_f64().context("the navigation's loadEventEnd")?;
    let painted = times[2].as_f64().context("the first contentful paint")?;
    let navigation = origin - started_ms(program)?;
    Ok((
        app,
        BlankLaunch {
            navigation,
            loaded: navigation + loaded,
            painted: navigation + painted,
        },
    ))
}

/// Step `n` of every launch.
fn of_step(launches: &[Launch], n: usize) -> Vec<f64> {
    launches.iter().map(|launch| launch.steps[n]).collect()
}
