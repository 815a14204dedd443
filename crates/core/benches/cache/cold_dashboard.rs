//! (c): a cold dashboard: all five widgets in parallel with an empty cache.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use larder_core::{ApiClient, Larder};
use larder_protocol::{Source, WidgetId};
use mock_api::{Config, RunningServer};

use crate::measure::{millis, Latencies};

/// Cold dashboard runs, each in a fresh folder with a fresh user.
pub const COLD_RUNS: usize = 5;
/// The cold dashboard's delay scale: widget 3's 15 s becomes 1.5 s.
pub const COLD_DELAY_SCALE: f64 = 0.1;

/// (c): the cold dashboard.
pub fn cold_dashboard(runtime: &tokio::runtime::Runtime) {
    println!(
        "## (c) cold dashboard: sign-in, then all five widgets in parallel, empty cache, delays x{COLD_DELAY_SCALE}\n"
    );
    let config = Config {
        delay_scale: COLD_DELAY_SCALE,
        rate_limit: u32::MAX,
        ..Config::default()
    };
    let delays: Vec<Duration> = WidgetId::ALL
        .iter()
        .map(|w| config.widget_delay(*w, 0.0))
        .collect();
    let slowest = delays.iter().copied().max().unwrap_or_default();
    let sum: Duration = delays.iter().sum();
    runtime.block_on(async {
        let server = RunningServer::start(config.clone())
            .await
            .expect("mock-api starts");
        println!("| run | sign-in ms | dashboard ms | slowest widget ms | dashboard / slowest delay | dashboard / sum of delays |");
        println!("|---|---|---|---|---|---|");
        let mut dashboards = Vec::new();
        for run in 1..=COLD_RUNS {
            let dir = tempfile::tempdir().expect("temp dir");
            let client = ApiClient::new(&server.url()).expect("the API URL");
            let larder = Larder::open(client, &dir.path().join("cache")).expect("the cache opens");
            let signing_in = Instant::now();
            larder
                .sign_in(&format!("bench-cold-{run}-{}", larder_core::now_ms()))
                .await
                .expect("signs in");
            let sign_in = signing_in.elapsed();
            let started = Instant::now();
            let widgets = join_all(WidgetId::ALL.map(|widget| {
                let larder = larder.clone();
                async move {
                    let envelope = larder.get_widget(widget).await.expect("a widget");
                    assert_eq!(envelope.source, Source::Network, "the cache was not empty");
                    started.elapsed()
                }
            }))
            .await;
            let dashboard = started.elapsed();
            let slowest_seen = widgets.iter().copied().max().unwrap_or_default();
            println!(
                "| {run} | {:.0} | {:.0} | {:.0} | {:.2} | {:.2} |",
                millis(sign_in),
                millis(dashboard),
                millis(slowest_seen),
                dashboard.as_secs_f64() / slowest.as_secs_f64(),
                dashboard.as_secs_f64() / sum.as_secs_f64(),
            );
            dashboards.push(dashboard);
        }
        let dashboards = Latencies::new(dashboards);
        let median = dashboards.p50();
        println!(
            "\nDelays: {} ms; the slowest is {:.0} ms, their sum {:.0} ms. Median dashboard: {:.0} ms ({:.2}x the slowest, {:.2}x the sum).",
            delays
                .iter()
                .map(|d| format!("{:.0}", millis(*d)))
                .collect::<Vec<_>>()
                .join(", "),
            millis(slowest),
            millis(sum),
            millis(median),
            median.as_secs_f64() / slowest.as_secs_f64(),
            median.as_secs_f64() / sum.as_secs_f64(),
        );
        let verdict = if median.as_secs_f64() < 1.2 * slowest.as_secs_f64() {
            "met"
        } else {
            "MISSED"
        };
        println!("Goal, about the slowest widget (within 20%), not the sum: {verdict}.\n");
    });
}
