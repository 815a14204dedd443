//! A signed-in Larder against the real mock API behind a link that can be
//! cut: the dashboard cached, the background (and so the outbox's sender)
//! running with a quick connectivity probe, and the mock's controls.

use std::time::Duration;

use larder_core::{ApiClient, Larder, ProbeSchedule};
use larder_protocol::{
    test_controls::{FaultKind, RequestStats},
    Connectivity, WidgetData, WidgetId,
};
use mock_api::{testing::Controls, RunningServer};

use super::{prewarmed, Link};

pub struct Fixture {
    pub api: RunningServer,
    pub link: Link,
    pub larder: Larder,
    pub user: String,
    _background: larder_core::BackgroundGuard,
    _dir: tempfile::TempDir,
}

/// Signed in as `name`, the dashboard cached, the background (and so the
/// outbox's sender) running, with a quick connectivity probe.
pub async fn fixture(name: &str) -> Fixture {
    let api = RunningServer::start(mock_api::Config {
        // A hundred changes in a burst stay under it.
        rate_limit: 1000,
        ..mock_api::testing::instant()
    })
    .await
    .expect("mock-api starts");
    let link = Link::to(api.addr()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let larder = Larder::open(ApiClient::new(link.url()).expect("url"), dir.path()).expect("opens");
    let user = larder.sign_in(name).await.expect("sign in").user.id;
    prewarmed(&larder).await;
    let background = larder.start_background(ProbeSchedule {
        first: Duration::from_millis(100),
        max: Duration::from_millis(200),
    });
    Fixture {
        api,
        link,
        larder,
        user,
        _background: background,
        _dir: dir,
    }
}

impl Fixture {
    /// The API's request counts and applied changes.
    pub fn stats(&self) -> RequestStats {
        Controls::of(&self.api).stats()
    }

    /// Widget 4's requests (mark-as-read included) misbehave with
    /// `fault`, `times` times.
    pub fn fault(&self, fault: FaultKind, times: u32) {
        Controls::of(&self.api).fault(WidgetId::NOTIFICATIONS, fault, Some(times));
    }

    pub async fn go_offline(&self) {
        self.link.set_cut(true);
        let _ = self.larder.client().config().await;
        assert_eq!(
            self.larder.client().connectivity().current(),
            Connectivity::Offline
        );
    }

    /// Waits (bounded) until the outbox holds `n` changes.
    pub async fn outbox_len_becomes(&self, n: usize) {
        for _ in 0..400 {
            if self.larder.outbox().expect("outbox").changes.len() == n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "the outbox never held {n}: {:?}",
            self.larder.outbox().expect("outbox")
        );
    }

    /// Notification `id` turns unread upstream (another device, say).
    pub fn unread_upstream(&self, id: &str) {
        Controls::of(&self.api).unread(&self.user, id);
    }

    pub async fn notification_read_upstream(&self, id: &str) -> bool {
        let widget = self
            .larder
            .refresh_widget(WidgetId::NOTIFICATIONS)
            .await
            .expect("widget 4");
        match widget.data.data {
            WidgetData::Notifications(center) => {
                center.notifications.iter().any(|n| n.id == id && n.read)
            }
            _ => false,
        }
    }
}
