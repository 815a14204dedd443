//! The outbox under SIGKILL (TerminateProcess on Windows), against the real
//! mock API: this test binary re-executes itself as a child that makes
//! changes and sends them, and is killed.
//!
//! - Offline, a change is made; the child is killed; a restart online
//!   applies it exactly once.
//! - A loop kills the child at random points while it records and sends
//!   changes, 50 times in a normal run (`LARDER_OUTBOX_KILLS`; `cargo xtask
//!   soak` runs 1,000). Afterwards the outbox drains, and the API's log of
//!   applied changes holds every change a child reported recorded, and no
//!   change twice.

use std::{
    collections::HashSet,
    io::Write,
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use larder_core::{ApiClient, FileSecrets, Larder, MemorySessions, ProbeSchedule, SecretStore};
use larder_protocol::{test_controls::RequestStats, Username, WidgetId};
use mock_api::RunningServer;
use rand::Rng;

mod common;

const CHILD_TEST: &str = "outbox_child";
const USER: &str = "kit";
const DEFAULT_KILLS: u32 = 50;

fn open(dir: &Path, api_url: &str) -> Larder {
    let secrets: Arc<dyn SecretStore> =
        Arc::new(FileSecrets::open(&dir.join("secrets")).expect("the key folder opens"));
    Larder::open_with(
        ApiClient::new(api_url).expect("url"),
        &dir.join("cache"),
        Arc::new(MemorySessions::default()),
        secrets,
    )
    .expect("the cache opens")
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").expect("stdout");
    out.flush().expect("stdout");
}

/// The re-executed child: `offline` makes one change with the API cut off,
/// `send` makes changes while its outbox sends them. Either then waits to
/// be killed. Without `LARDER_OUTBOX_CHILD_DIR` (a normal run) it returns.
#[test]
fn outbox_child() {
    let Some(args) = common::kill::ChildArgs::of_this_process() else {
        return;
    };
    let dir = std::path::PathBuf::from(args.get("dir"));
    let api: std::net::SocketAddr = args.get("api").parse().expect("an address");
    let mode = args.get("mode").to_owned();
    // The core's "recording a change" line, on stdout before a change is
    // written, and "recorded a change", the moment it is durable: a kill
    // anywhere leaves the test knowing every id that can reach the API.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("larder_core::service::outbox=debug")
        .with_writer(std::io::stdout)
        .with_ansi(false)
        .without_time()
        .try_init();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let link = common::Link::to(api).await;
        let larder = open(Path::new(&dir), link.url());
        larder.sign_in(USER).await.expect("sign in");
        larder
            .get_widget(WidgetId::NOTIFICATIONS)
            .await
            .expect("widget 4");
        // libtest has printed "test outbox_child ... " without a newline.
        say("\n");
        // What an earlier run recorded but was killed before reporting.
        for change in larder.outbox().expect("outbox").changes {
            say(&format!("recorded {}", change.id));
        }
        say("ready");
        if mode == "offline" {
            link.set_cut(true);
            let _ = larder.client().config().await;
            larder.mark_notification_read("n3").await.expect("kept");
            let id = &larder.outbox().expect("outbox").changes[0].id;
            say(&format!("recorded {id}"));
        } else {
            let _background = larder.start_background(ProbeSchedule::default());
            for i in 0..6 {
                let note = format!("n{}", i % 5 + 1);
                // Its id is said (by the core's log line, below) once the
                // change is durable and before it can be sent.
                larder.mark_notification_read(&note).await.expect("kept");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            say("made");
        }
        std::future::pending::<()>().await;
    });
}

/// Runs the child in `mode`, kills it `kill_after` its "ready" (or after it
/// said `until`), and returns the ids it reported recorded (durable) and
/// every id it was about to record (which may or may not have become
/// durable before the kill).
fn run_and_kill(
    dir: &Path,
    api: &RunningServer,
    mode: &str,
    kill: Kill,
) -> (HashSet<String>, HashSet<String>) {
    let child = common::spawn_self(
        CHILD_TEST,
        &[
            ("dir", dir.display().to_string()),
            ("api", api.addr().to_string()),
            ("mode", mode.to_owned()),
        ],
    );
    let (mut recorded, mut announced) = (HashSet::new(), HashSet::new());
    let logged_id = |line: &str, message: &str| {
        line.contains(message)
            .then(|| line.split("change=").nth(1))
            .flatten()
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_owned)
    };
    let mut note = |line: &str| {
        if let Some(id) = line.strip_prefix("recorded ") {
            recorded.insert(id.trim().to_owned());
        } else if let Some(id) = logged_id(line, "recorded a change") {
            recorded.insert(id);
        } else if let Some(id) = logged_id(line, "recording a change") {
            announced.insert(id);
        }
    };
    let ready = Duration::from_secs(60);
    assert!(
        child.read_until(ready, &mut note, &mut |line| line.trim() == "ready"),
        "the child never got ready"
    );
    match kill {
        // Whatever it says meanwhile still counts.
        Kill::After(delay) => {
            child.read_until(delay, &mut note, &mut |_| false);
        }
        Kill::When(word) => {
            child.read_until(ready, &mut note, &mut |line| line.starts_with(word));
        }
    }
    let status = child.kill(&mut note);
    assert!(!status.success(), "the child was killed, not finished");
    announced.extend(recorded.iter().cloned());
    (recorded, announced)
}

enum Kill {
    After(Duration),
    When(&'static str),
}

async fn api() -> RunningServer {
    RunningServer::start(mock_api::Config {
        rate_limit: 100_000,
        ..mock_api::testing::instant()
    })
    .await
    .expect("mock-api starts")
}

fn applied_keys(stats: &RequestStats) -> Vec<String> {
    let user = mock_api::data::user_for(&Username::parse(USER).expect("valid")).id;
    stats
        .applied_log
        .get(&user)
        .map(|log| {
            log.iter()
                .filter_map(|entry| entry.split_once(' ').map(|(_, key)| key.to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Opens the cache online as the user and waits until the outbox is empty;
/// returns the changes it found waiting.
async fn drain(dir: &Path, api: &RunningServer) -> Vec<String> {
    let larder = open(dir, &api.url());
    larder.sign_in(USER).await.expect("sign in");
    let waiting = larder
        .outbox()
        .expect("outbox")
        .changes
        .into_iter()
        .map(|change| change.id)
        .collect();
    let _background = larder.start_background(ProbeSchedule::default());
    let by = Instant::now() + Duration::from_secs(60);
    while !larder.outbox().expect("outbox").changes.is_empty() {
        assert!(Instant::now() < by, "the outbox never drained");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    waiting
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_offline_survives_a_kill_and_is_applied_once() {
    if common::kill::is_child() {
        return;
    }
    let api = api().await;
    let temp = tempfile::tempdir().expect("temp dir");
    let (recorded, _) = run_and_kill(temp.path(), &api, "offline", Kill::When("recorded"));
    assert_eq!(recorded.len(), 1);
    assert!(
        applied_keys(&api.state().stats().snapshot()).is_empty(),
        "not sent offline"
    );
    drain(temp.path(), &api).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let applied = applied_keys(&api.state().stats().snapshot());
    assert_eq!(applied.len(), 1, "exactly once: {applied:?}");
    assert!(
        recorded.contains(&applied[0]),
        "the change made before the kill"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_senders_never_lose_or_repeat_a_change() {
    if common::kill::is_child() {
        return;
    }
    let plan = common::KillPlan::from_env("LARDER_OUTBOX", DEFAULT_KILLS);
    let (kills, seed, mut rng) = (plan.kills, plan.seed, plan.rng());
    let api = api().await;
    let temp = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let (mut recorded, mut announced) = (HashSet::new(), HashSet::new());
    for _ in 0..kills {
        let delay = Duration::from_millis(rng.gen_range(0..=60));
        let (durable, about_to) = run_and_kill(temp.path(), &api, "send", Kill::After(delay));
        recorded.extend(durable);
        announced.extend(about_to);
    }
    let before_drain = applied_keys(&api.state().stats().snapshot()).len();
    let drained = drain(temp.path(), &api).await;
    announced.extend(drained.iter().cloned());
    recorded.extend(drained);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let stats = api.state().stats().snapshot();
    let applied = applied_keys(&stats);
    let unique: HashSet<&String> = applied.iter().collect();
    let user = mock_api::data::user_for(&Username::parse(USER).expect("valid")).id;
    let sent: u64 = stats
        .by_user
        .get(&user)
        .map(|routes| {
            routes
                .iter()
                .filter(|(route, _)| route.starts_with("POST /api/widgets/4/"))
                .map(|(_, n)| n)
                .sum()
        })
        .unwrap_or(0);
    println!(
        "outbox kills: {kills}, {} changes reported recorded, {} applied ({before_drain} before \
         the final drain), {} sent again after a kill and answered from the key, {} applied \
         twice, {:.1} s (seed {seed})",
        recorded.len(),
        applied.len(),
        sent.saturating_sub(applied.len() as u64),
        applied.len() - unique.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        unique.len(),
        applied.len(),
        "a change was applied twice under one key (seed {seed})"
    );
    // The mock applies a key once, so the way to apply a change twice is
    // to send it again under a new key: every key applied must be the id
    // of a change a child was recording (one killed between the write and
    // its report is sent by the next child's session start, before that
    // child lists its outbox).
    let unknown: Vec<&&String> = unique
        .iter()
        .filter(|key| !announced.contains(**key))
        .collect();
    assert!(
        unknown.is_empty(),
        "keys applied that no change was recorded under (seed {seed}): {unknown:?}"
    );
    let lost: Vec<&String> = recorded.iter().filter(|id| !unique.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "recorded changes were lost (seed {seed}): {lost:?}"
    );
    assert!(
        !recorded.is_empty(),
        "no change was ever recorded: the test proves nothing"
    );
}
