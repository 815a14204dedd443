//! The automatic refresh: while the window is visible, each entry on screen
//! is revalidated when it turns stale, once per stale period, with a little
//! jitter per key so widgets do not fire together. Gaining the focus, or
//! waking the computer (a jump of the wall clock against the monotonic
//! one), revalidates what is on screen and stale at once. While the window
//! is hidden nothing is polled; showing it again revalidates at once,
//! because what went stale meanwhile is due.
//!
//! The schedule is written against [`Target`], which says when each item
//! was fetched and revalidates it; [`crate::Larder`] is the real target
//! (through the cache engine, so single-flight, the rate limit and
//! connectivity apply as for every read). Tests drive it on tokio's paused
//! clock with a counting target.

use std::{collections::HashMap, hash::Hasher, sync::Arc, time::Duration};

use futures_util::future::BoxFuture;
use tokio::{sync::watch, time::Instant};

use crate::{cache::Clock, Resource};

/// How often a visible window's schedule looks at the wall clock for a
/// wake, and at whether refreshing became possible (back online, signed
/// in). No request is sent unless something is due.
pub const CHECK_EVERY: Duration = Duration::from_secs(5);
/// A wall clock ahead of the monotonic one by more than this since the last
/// check means the computer slept.
pub const WAKE_JUMP: Duration = Duration::from_secs(10);
/// The most jitter added to a key's due time.
pub const MAX_JITTER: Duration = Duration::from_secs(3);

/// What the schedule sees of the window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Screen {
    pub visible: bool,
    pub focused: bool,
    /// Bumped each time the window gains the focus.
    pub focus_count: u64,
    /// What is on screen.
    pub items: Vec<Resource>,
}

/// What the schedule refreshes.
pub trait Target: Send + Sync + 'static {
    /// Whether refreshing is possible and wanted now: the setting is on, a
    /// user is signed in, and the API is not known to be unreachable.
    fn enabled(&self) -> bool;
    /// When `item` was fetched (Unix ms) and how long it stays fresh; `None`
    /// when nothing is cached for it (the view fetches it itself).
    fn fetched(&self, item: &Resource) -> Option<(u64, Duration)>;
    /// Revalidates `item` from the upstream; errors are the target's to
    /// log. Runs in its own task.
    fn revalidate(&self, item: Resource) -> BoxFuture<'static, ()>;
}

/// The jitter of `key`: the same for a key every time, spread over up to a
/// tenth of its stale time and at most [`MAX_JITTER`].
pub fn jitter(key: &str, stale: Duration) -> Duration {
    let spread = (stale / 10).min(MAX_JITTER).as_millis() as u64;
    if spread == 0 {
        return Duration::ZERO;
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hasher.write(key.as_bytes());
    Duration::from_millis(hasher.finish() % spread)
}

/// Runs the schedule until `screen`'s sender is dropped.
pub async fn run(
    target: Arc<dyn Target>,
    mut screen: watch::Receiver<Screen>,
    clock: Arc<dyn Clock>,
) {
    // When each key was last revalidated here: a failed attempt is not
    // retried sooner than one stale period later (the client's own retries
    // and backoff already ran), unless the focus or a wake asks.
    let mut attempted: HashMap<String, u64> = HashMap::new();
    let mut seen_focus = screen.borrow().focus_count;
    let mut last_check = (clock.now_ms(), Instant::now());
    loop {
        let state = screen.borrow_and_update().clone();
        if !state.visible {
            // Hidden: nothing is polled until the window changes.
            seen_focus = state.focus_count;
            if screen.changed().await.is_err() {
                return;
            }
            continue;
        }
        let now = clock.now_ms();
        let (wall_then, mono_then) = last_check;
        let woke =
            now.saturating_sub(wall_then) > (mono_then.elapsed() + WAKE_JUMP).as_millis() as u64;
        last_check = (now, Instant::now());
        let focused = state.focus_count != seen_focus;
        seen_focus = state.focus_count;
        let mut next = now + CHECK_EVERY.as_millis() as u64;
        if target.enabled() {
            for item in &state.items {
                let Some((fetched_at, stale)) = target.fetched(item) else {
                    continue;
                };
                let key = item.key();
                let stale_ms = stale.as_millis() as u64;
                let is_stale = now >= fetched_at + stale_ms;
                let due = (fetched_at + stale_ms + jitter(&key, stale).as_millis() as u64)
                    .max(attempted.get(&key).map_or(0, |at| at + stale_ms));
                if now >= due || ((focused || woke) && is_stale) {
                    attempted.insert(key, now);
                    tokio::spawn(target.revalidate(item.clone()));
                } else {
                    next = next.min(due);
                }
            }
        }
        let wait = Duration::from_millis(next.saturating_sub(now).max(1));
        tokio::select! {
            // In order, so one history always takes the same branch.
            biased;
            () = tokio::time::sleep(wait) => {}
            changed = screen.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Mutex,
    };

    use larder_protocol::WidgetId;

    use super::*;

    /// Wall time that follows tokio's (paused) clock, plus a jump for a
    /// simulated sleep of the computer.
    #[derive(Debug)]
    struct TestClock {
        start: Instant,
        jumped_ms: AtomicU64,
    }

    impl Clock for TestClock {
        fn now_ms(&self) -> u64 {
            1_000_000
                + self.start.elapsed().as_millis() as u64
                + self.jumped_ms.load(Ordering::SeqCst)
        }
    }

    /// Widgets fetched at given times, stale after 30 s; each revalidation
    /// is counted and refetches the item at once.
    struct Counting {
        clock: Arc<TestClock>,
        fetched: Mutex<HashMap<String, u64>>,
        requests: Mutex<Vec<(String, u64)>>,
        enabled: AtomicBool,
        /// Requests fail: nothing is refetched.
        failing: AtomicBool,
        /// How often the schedule looked.
        looks: AtomicU64,
    }

    impl Target for Counting {
        fn enabled(&self) -> bool {
            self.looks.fetch_add(1, Ordering::SeqCst);
            self.enabled.load(Ordering::SeqCst)
        }
        fn fetched(&self, item: &Resource) -> Option<(u64, Duration)> {
            let at = *self
                .fetched
                .lock()
                .expect("not poisoned")
                .get(&item.key())?;
            Some((at, STALE))
        }
        fn revalidate(&self, item: Resource) -> BoxFuture<'static, ()> {
            let now = self.clock.now_ms();
            self.requests
                .lock()
                .expect("not poisoned")
                .push((item.key(), now));
            if !self.failing.load(Ordering::SeqCst) {
                self.fetched
                    .lock()
                    .expect("not poisoned")
                    .insert(item.key(), now);
            }
            Box::pin(async {})
        }
    }

    const STALE: Duration = Duration::from_secs(30);

    fn widgets() -> Vec<Resource> {
        WidgetId::ALL.into_iter().map(Resource::Widget).collect()
    }

    struct Rig {
        target: Arc<Counting>,
        clock: Arc<TestClock>,
        screen: watch::Sender<Screen>,
    }

    impl Rig {
        /// Every widget fetched just now; the window as `visible` says.
        fn start(visible: bool) -> Self {
            let clock = Arc::new(TestClock {
                start: Instant::now(),
                jumped_ms: AtomicU64::new(0),
            });
            let now = clock.now_ms();
            let target = Arc::new(Counting {
                clock: clock.clone(),
                fetched: Mutex::new(widgets().iter().map(|w| (w.key(), now)).collect()),
                requests: Mutex::default(),
                enabled: AtomicBool::new(true),
                failing: AtomicBool::new(false),
                looks: AtomicU64::new(0),
            });
            let (screen, watched) = watch::channel(Screen {
                visible,
                focused: visible,
                focus_count: 0,
                items: widgets(),
            });
            tokio::spawn(run(target.clone(), watched, clock.clone()));
            Self {
                target,
                clock,
                screen,
            }
        }

        fn requests(&self) -> usize {
            self.target.requests.lock().expect("not poisoned").len()
        }

        fn requests_for(&self, key: &str) -> usize {
            let requests = self.target.requests.lock().expect("not poisoned");
            requests.iter().filter(|(k, _)| k == key).count()
        }
    }

    async fn pass(time: Duration) {
        tokio::time::sleep(time).await;
    }

    #[tokio::test(start_paused = true)]
    async fn stale_entries_on_screen_are_revalidated_once_per_stale_period() {
        let rig = Rig::start(true);
        pass(Duration::from_secs(29)).await;
        assert_eq!(rig.requests(), 0, "nothing is stale yet");
        // 10 stale periods, each key due once per period (jitter < 3 s).
        pass(Duration::from_secs(300) + MAX_JITTER).await;
        for widget in widgets() {
            assert_eq!(rig.requests_for(&widget.key()), 10, "{}", widget.key());
        }
        // Each came when it was stale, within its jitter.
        let requests = rig.target.requests.lock().expect("not poisoned").clone();
        let mut last: HashMap<String, u64> = HashMap::new();
        let start = 1_000_000;
        for (key, at) in requests {
            let previous = last.insert(key.clone(), at).unwrap_or(start);
            let gap = at - previous;
            assert!(
                (30_000..30_000 + MAX_JITTER.as_millis() as u64 + 1).contains(&gap),
                "{key}: {gap} ms after its last fetch"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_hidden_window_sends_nothing_and_showing_it_revalidates_at_once() {
        let rig = Rig::start(false);
        pass(Duration::from_secs(3600)).await;
        assert_eq!(rig.requests(), 0, "an hour hidden");
        rig.screen.send_modify(|s| s.visible = true);
        pass(Duration::from_millis(10)).await;
        assert_eq!(rig.requests(), 5, "every stale widget, at once");
    }

    #[tokio::test(start_paused = true)]
    async fn gaining_the_focus_sends_nothing_while_all_is_fresh() {
        let rig = Rig::start(true);
        pass(Duration::from_secs(10)).await;
        rig.screen.send_modify(|s| s.focus_count += 1);
        pass(Duration::from_millis(10)).await;
        assert_eq!(rig.requests(), 0, "fresh for another 20 s");
    }

    #[tokio::test(start_paused = true)]
    async fn with_nothing_due_the_schedule_looks_once_per_check_period() {
        let rig = Rig::start(true);
        rig.target.enabled.store(false, Ordering::SeqCst);
        pass(Duration::from_secs(60)).await;
        let looks = rig.target.looks.load(Ordering::SeqCst);
        let most = 60 / CHECK_EVERY.as_secs() + 1;
        assert!(
            looks <= most,
            "{looks} looks in a minute, at most {most} wanted"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn refreshing_waits_while_it_is_not_possible() {
        let rig = Rig::start(true);
        // Offline, say, while everything goes stale: nothing is sent.
        rig.target.enabled.store(false, Ordering::SeqCst);
        pass(Duration::from_secs(60)).await;
        assert_eq!(rig.requests(), 0);
        rig.target.enabled.store(true, Ordering::SeqCst);
        pass(CHECK_EVERY).await;
        assert_eq!(rig.requests(), 5, "one per stale widget once possible");
    }

    #[tokio::test(start_paused = true)]
    async fn gaining_the_focus_retries_what_is_stale_at_once() {
        let rig = Rig::start(true);
        rig.target.failing.store(true, Ordering::SeqCst);
        pass(Duration::from_secs(35)).await;
        assert_eq!(rig.requests(), 5, "one failed attempt each");
        pass(Duration::from_secs(10)).await;
        assert_eq!(
            rig.requests(),
            5,
            "a failure is not retried sooner than a stale period"
        );
        rig.target.failing.store(false, Ordering::SeqCst);
        rig.screen.send_modify(|s| s.focus_count += 1);
        pass(Duration::from_millis(10)).await;
        assert_eq!(
            rig.requests(),
            10,
            "the focus retries each stale widget once"
        );
        pass(Duration::from_secs(20)).await;
        assert_eq!(
            rig.requests(),
            10,
            "and nothing more until they are stale again"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_wake_retries_at_once_what_is_stale() {
        let rig = Rig::start(true);
        rig.target.failing.store(true, Ordering::SeqCst);
        // Every widget turns stale, is tried once and fails: the next try
        // waits a whole stale period.
        pass(STALE + MAX_JITTER + CHECK_EVERY).await;
        assert_eq!(rig.requests(), 5);
        // The computer slept 15 s, less than a stale period: the wall clock
        // jumps, tokio's does not. The network may be back: all five are
        // tried again at the next check, not a stale period after the last.
        rig.clock.jumped_ms.store(15_000, Ordering::SeqCst);
        pass(CHECK_EVERY + Duration::from_millis(10)).await;
        assert_eq!(rig.requests(), 10);
    }

    #[test]
    fn jitter_is_stable_and_bounded() {
        assert_eq!(jitter("widget:1", STALE), jitter("widget:1", STALE));
        for id in 0..200 {
            let key = format!("k{id}");
            assert!(jitter(&key, STALE) < MAX_JITTER);
            assert!(jitter(&key, Duration::from_secs(5)) < Duration::from_millis(500));
        }
        assert_eq!(jitter("k", Duration::ZERO), Duration::ZERO);
        // Spread: keys do not all fire at once.
        let spread: std::collections::BTreeSet<Duration> = (0..50)
            .map(|n| jitter(&format!("widget:{n}"), STALE))
            .collect();
        assert!(spread.len() > 40, "{spread:?}");
        assert!(spread.last().copied().unwrap_or_default() > MAX_JITTER / 2);
    }
}
