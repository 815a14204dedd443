//! The API on a real listener at 127.0.0.1:0: a body cut mid-stream, 1,000
//! concurrent requests across 50 users, and the real binary's start-up,
//! flags and graceful shutdown (on SIGTERM, so on Unix).

use futures_util::{stream, StreamExt};
use larder_protocol::{
    test_controls::FaultKind, test_controls::FaultRequest, LoginResponse, WidgetResponse,
};
use mock_api::RunningServer;

async fn server() -> RunningServer {
    RunningServer::start(mock_api::Config {
        rate_limit: 10_000,
        ..mock_api::testing::instant()
    })
    .await
    .expect("starts")
}

async fn login(http: &reqwest::Client, base: &str, name: &str) -> LoginResponse {
    http.post(format!("{base}/auth/login"))
        .json(&serde_json::json!({ "username": name }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("a login")
}

#[tokio::test]
async fn a_truncated_body_fails_on_the_client() {
    let server = server().await;
    let base = server.url();
    let http = reqwest::Client::new();
    let alice = login(&http, &base, "alice").await;
    http.post(format!("{base}/__admin/faults"))
        .json(&FaultRequest {
            target: larder_protocol::test_controls::FaultTarget::widget(3),
            user_id: None,
            fault: FaultKind::Truncated,
            times: Some(1),
        })
        .send()
        .await
        .expect("injected");
    let response = http
        .get(format!("{base}/api/widgets/3?userId={}", alice.user.id))
        .bearer_auth(&alice.token)
        .send()
        .await
        .expect("the headers arrive before the cut");
    assert_eq!(response.status(), 200);
    assert!(
        response.bytes().await.is_err(),
        "the body is cut mid-stream"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_each_get_their_own_users_data() {
    let server = server().await;
    let base = server.url();
    let http = reqwest::Client::new();
    let mut users = Vec::new();
    for i in 0..50 {
        users.push(login(&http, &base, &format!("user{i}")).await);
    }
    let checked = stream::iter(0..1000)
        .map(|i| {
            let user = &users[i % 50];
            let widget = i % 5 + 1;
            let http = http.clone();
            let base = base.clone();
            async move {
                let answer: WidgetResponse = http
                    .get(format!(
                        "{base}/api/widgets/{widget}?userId={}",
                        user.user.id
                    ))
                    .bearer_auth(&user.token)
                    .send()
                    .await
                    .expect("answered")
                    .error_for_status()
                    .expect("200")
                    .json()
                    .await
                    .expect("a widget");
                assert_eq!(
                    answer.user_id, user.user.id,
                    "request {i} got another user's data"
                );
                assert_eq!(usize::from(answer.widget_id.get()), widget);
            }
        })
        // Bounded: 100 in flight at once.
        .buffer_unordered(100)
        .count()
        .await;
    assert_eq!(checked, 1000);
}

/// Runs on every OS; how it stops differs (see the two `stop`s).
#[tokio::test]
async fn the_binary_prints_its_address_serves_and_stops() {
    use std::{io::BufRead, process::Stdio};

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mock-api"))
        .args(["--addr", "127.0.0.1:0", "--delay-scale", "0"])
        .env("MOCK_API_ADMIN", "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let url = first
        .strip_prefix("mock-api listening on ")
        .expect("the address line")
        .to_owned();
    let http = reqwest::Client::new();
    let alice = login(&http, &url, "alice").await;
    let widget: WidgetResponse = http
        .get(format!("{url}/api/widgets/1?userId={}", alice.user.id))
        .bearer_auth(&alice.token)
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("a widget");
    assert_eq!(widget.user_id, alice.user.id);
    let stats = http
        .get(format!("{url}/__admin/stats"))
        .send()
        .await
        .expect("admin on");
    assert_eq!(stats.status(), 200, "MOCK_API_ADMIN=1 enables the controls");

    stop(&mut child);
}

/// Sends SIGTERM, as a service manager does: the binary shuts down
/// gracefully and exits 0.
#[cfg(unix)]
fn stop(child: &mut std::process::Child) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("signalled");
    let status = child.wait().expect("exits");
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

/// Windows has no SIGTERM; the binary stops gracefully on Ctrl-C, and std
/// cannot send a console Ctrl-C to one child (that takes
/// `GenerateConsoleCtrlEvent` through FFI, and the workspace forbids
/// `unsafe`). So there the test covers start-up and serving, then
/// terminates the child.
#[cfg(not(unix))]
fn stop(child: &mut std::process::Child) {
    child.kill().expect("terminated");
    child.wait().expect("reaped");
}

#[test]
fn the_binary_refuses_bad_flags() {
    for args in [
        vec!["--delay-scale", "-1"],
        vec!["--jitter", "2"],
        vec!["--rate-limit", "0"],
        vec!["--addr", "not-an-address"],
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_mock-api"))
            .args(&args)
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{args:?} must be refused");
        assert!(!output.stderr.is_empty(), "{args:?} must say why");
    }
}
