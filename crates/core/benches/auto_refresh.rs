//! Requests per hour sent by the automatic refresh for an open dashboard,
//! under the API's default policy, against the same hour with the window
//! hidden: the schedule of `larder_core::auto_refresh` driven for one hour
//! of tokio's paused clock, with a target that counts each revalidation and
//! answers it at once. Run with `cargo bench -p larder-core --bench
//! auto_refresh`.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use futures_util::future::BoxFuture;
use larder_core::{
    auto_refresh::{run, Screen, Target},
    cache::{Clock, Policy},
    Resource,
};
use larder_protocol::WidgetId;
use tokio::time::Instant;

const HOUR: Duration = Duration::from_secs(3600);

/// Wall time that follows tokio's paused clock.
#[derive(Debug)]
struct PausedClock(Instant);

impl Clock for PausedClock {
    fn now_ms(&self) -> u64 {
        1_700_000_000_000 + self.0.elapsed().as_millis() as u64
    }
}

/// The dashboard's widgets, fetched at start, each refetched at once when
/// asked, with the API's published stale times.
struct Dashboard {
    clock: Arc<PausedClock>,
    stale: HashMap<String, Duration>,
    fetched: Mutex<HashMap<String, u64>>,
    requests: Mutex<HashMap<String, u64>>,
}

impl Target for Dashboard {
    fn enabled(&self) -> bool {
        true
    }
    fn fetched(&self, item: &Resource) -> Option<(u64, Duration)> {
        let at = *self.fetched.lock().expect("lock").get(&item.key())?;
        Some((at, self.stale[&item.policy_name()]))
    }
    fn revalidate(&self, item: Resource) -> BoxFuture<'static, ()> {
        let now = self.clock.now_ms();
        *self
            .requests
            .lock()
            .expect("lock")
            .entry(item.key())
            .or_default() += 1;
        self.fetched.lock().expect("lock").insert(item.key(), now);
        Box::pin(async {})
    }
}

/// Requests per widget in one hour with the window `visible` throughout.
async fn one_hour(visible: bool) -> Vec<(String, u64)> {
    let clock = Arc::new(PausedClock(Instant::now()));
    let config = mock_api::routes::config::app_config();
    let widgets: Vec<Resource> = WidgetId::ALL.into_iter().map(Resource::Widget).collect();
    let stale = widgets
        .iter()
        .map(|w| {
            let published = config
                .cache
                .get(&w.policy_name())
                .copied()
                .unwrap_or(larder_protocol::CachePolicy::DEFAULT);
            (w.policy_name(), Policy::from(published).stale_after)
        })
        .collect();
    let now = clock.now_ms();
    let target = Arc::new(Dashboard {
        clock: clock.clone(),
        stale,
        fetched: Mutex::new(widgets.iter().map(|w| (w.key(), now)).collect()),
        requests: Mutex::default(),
    });
    let (screen, watched) = tokio::sync::watch::channel(Screen {
        visible,
        focused: visible,
        focus_count: 0,
        items: widgets.clone(),
    });
    let task = tokio::spawn(run(target.clone(), watched, clock));
    tokio::time::sleep(HOUR).await;
    task.abort();
    drop(screen);
    let requests = target.requests.lock().expect("lock").clone();
    widgets
        .iter()
        .map(|w| (w.key(), requests.get(&w.key()).copied().unwrap_or(0)))
        .collect()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    let config = mock_api::routes::config::app_config();
    println!("requests in one hour, default policy (paused clock)");
    println!(
        "{:<10} {:>10} {:>8} {:>7}",
        "widget", "stale", "visible", "hidden"
    );
    let visible = runtime.block_on(one_hour(true));
    let hidden = runtime.block_on(one_hour(false));
    for ((key, open), (_, closed)) in visible.iter().zip(&hidden) {
        let stale = config.cache.get(key).map_or(0, |p| p.stale_secs);
        println!("{key:<10} {:>9}s {open:>8} {closed:>7}", stale);
    }
    let total = |rows: &[(String, u64)]| rows.iter().map(|(_, n)| n).sum::<u64>();
    println!(
        "{:<10} {:>10} {:>8} {:>7}",
        "total",
        "",
        total(&visible),
        total(&hidden)
    );
}
