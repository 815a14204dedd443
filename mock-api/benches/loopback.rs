//! Throughput and latency of a zero-delay widget over loopback: the real
//! server on 127.0.0.1:0, driven by reqwest with keep-alive connections.
//!
//! `cargo bench -p mock-api --bench loopback` prints requests per second and
//! p50/p99 latency, sequentially and with 32 requests in flight; the figures
//! go in docs/BENCHMARKS.md.

use std::time::{Duration, Instant};

use futures_util::{stream, StreamExt};
use larder_protocol::LoginResponse;
use mock_api::RunningServer;

const REQUESTS: usize = 20_000;

struct Run {
    label: &'static str,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[index]
    }

    fn print(&self) {
        println!(
            "| {} | {} | {:.0} | {:.3} | {:.3} |",
            self.label,
            self.latencies.len(),
            self.latencies.len() as f64 / self.elapsed.as_secs_f64(),
            self.percentile(0.50).as_secs_f64() * 1000.0,
            self.percentile(0.99).as_secs_f64() * 1000.0,
        );
    }
}

async fn measure(label: &'static str, in_flight: usize, url: &str, token: &str) -> Run {
    let http = reqwest::Client::new();
    let one = |http: reqwest::Client| async move {
        let started = Instant::now();
        let response = http.get(url).bearer_auth(token).send().await.expect("sent");
        assert_eq!(response.status(), 200);
        response.bytes().await.expect("body");
        started.elapsed()
    };
    // Warm the connections up.
    for _ in 0..200 {
        one(http.clone()).await;
    }
    let started = Instant::now();
    let latencies: Vec<Duration> = stream::iter(0..REQUESTS)
        .map(|_| one(http.clone()))
        .buffer_unordered(in_flight)
        .collect()
        .await;
    Run {
        label,
        elapsed: started.elapsed(),
        latencies,
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let server = RunningServer::start(mock_api::Config {
            rate_limit: u32::MAX,
            ..mock_api::testing::instant()
        })
        .await
        .expect("starts");
        let base = server.url();
        let login: LoginResponse = reqwest::Client::new()
            .post(format!("{base}/auth/login"))
            .json(&serde_json::json!({ "username": "bench" }))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("a login");
        let url = format!("{base}/api/widgets/5?userId={}", login.user.id);
        println!("| run | requests | req/s | p50 ms | p99 ms |");
        println!("|---|---|---|---|---|");
        measure("sequential (1 in flight)", 1, &url, &login.token)
            .await
            .print();
        measure("concurrent (32 in flight)", 32, &url, &login.token)
            .await
            .print();
    });
}
