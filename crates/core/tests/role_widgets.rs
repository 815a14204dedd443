//! The role widgets against the real mock API: each role reads its own and
//! is refused the others' before anything is sent; prewarm fetches one per
//! key of the user's role only, a warm one none; a faulty role widget fails
//! alone and Retry recovers it; offline it is read from the cache; and a
//! user signed in again with a new role never sees the old role's widgets.

use std::sync::Arc;

use larder_core::{CoreError, Larder};
use larder_protocol::{
    test_controls::FaultKind, Freshness, Role, RoleData, RoleWidget, Source, WidgetId,
};
use mock_api::{testing::Controls, RunningServer};

mod common;
use common::{prewarmed, Machine, ManualClock};

const NOW: u64 = 1_800_000_000_000;

struct Fixture {
    api: RunningServer,
    machine: Machine,
    clock: Arc<ManualClock>,
    dir: tempfile::TempDir,
}

impl Fixture {
    async fn new() -> Self {
        Self {
            api: common::quick_api().await,
            machine: Machine::with_keychain(),
            clock: Arc::new(ManualClock::at(NOW)),
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A run of Larder on this machine's cache.
    fn larder(&self) -> Larder {
        self.machine
            .larder(&self.api.url(), self.dir.path(), self.clock.clone())
    }

    fn controls(&self) -> Controls {
        Controls::of(&self.api)
    }

    /// Role widget requests of `user`, per widget, in `RoleWidget::ALL`'s
    /// order.
    fn role_requests(&self, user: &str) -> Vec<u64> {
        RoleWidget::ALL
            .into_iter()
            .map(|widget| self.controls().role_requests(user, widget))
            .collect()
    }
}

/// Keeps the cache when the user signs out, so the next sign-in is warm.
fn keep_cache_on_sign_out(larder: &Larder) {
    larder
        .apply_settings(larder_protocol::Settings {
            keep_cache_on_sign_out: true,
            ..Default::default()
        })
        .expect("settings");
}

/// Signs `name` in and waits for the prewarm.
async fn signed_in(larder: &Larder, name: &str) -> String {
    let user = larder.sign_in(name).await.expect("signs in").user.id;
    prewarmed(larder).await;
    user
}

#[tokio::test]
async fn prewarm_fetches_each_of_the_roles_widgets_once_and_no_other() {
    let f = Fixture::new().await;
    let larder = f.larder();
    for (name, role, expected) in [
        ("admin-ann", Role::Admin, [1, 1, 1, 0, 0]),
        ("manager-mo", Role::Manager, [0, 0, 0, 1, 1]),
        ("alice", Role::Member, [0, 0, 0, 0, 0]),
    ] {
        let user = signed_in(&larder, name).await;
        assert_eq!(f.role_requests(&user), expected, "{name}");
        let progress = larder.prewarm_state();
        let total = 5 + RoleWidget::for_role(role).count() as u8;
        assert_eq!((progress.warmed, progress.total), (total, total), "{name}");
        // Everything the prewarm fetched is read from the cache.
        for widget in RoleWidget::for_role(role) {
            let read = larder.get_role_widget(widget).await.expect("cached");
            assert_eq!((read.source, read.data.widget()), (Source::Cache, widget));
        }
        assert_eq!(f.role_requests(&user), expected, "{name}: none more");
        assert_eq!(
            larder.cached_role_widgets().len(),
            expected.iter().sum::<u64>() as usize
        );
        larder.sign_out().await;
    }
}

#[tokio::test]
async fn a_warm_sign_in_sends_no_role_widget_request() {
    let f = Fixture::new().await;
    let larder = f.larder();
    keep_cache_on_sign_out(&larder);
    let user = signed_in(&larder, "manager-mo").await;
    larder.sign_out().await;
    f.controls().reset();
    signed_in(&larder, "manager-mo").await;
    assert_eq!(f.role_requests(&user), [0, 0, 0, 0, 0]);
    let progress = larder.prewarm_state();
    assert_eq!((progress.warmed, progress.total), (7, 7));
}

#[tokio::test]
async fn another_roles_widget_is_refused_before_anything_is_sent() {
    let f = Fixture::new().await;
    let larder = f.larder();
    let user = signed_in(&larder, "manager-mo").await;
    f.controls().reset();
    for widget in RoleWidget::for_role(Role::Admin) {
        for read in [
            larder.get_role_widget(widget).await,
            larder.refresh_role_widget(widget).await,
        ] {
            assert!(
                matches!(read, Err(CoreError::NotForRole { widget: w, role: Role::Admin }) if w == widget),
                "{widget}: {read:?}"
            );
        }
    }
    assert_eq!(f.controls().stats().total, 0, "nothing sent");
    assert_eq!(f.role_requests(&user), [0, 0, 0, 0, 0]);
    let team = larder
        .get_role_widget(RoleWidget::TeamMembers)
        .await
        .expect("the manager's own");
    assert!(matches!(team.data, RoleData::TeamMembers(ref roster) if !roster.members.is_empty()));
}

#[tokio::test]
async fn a_failing_role_widget_fails_alone_and_retry_recovers_it() {
    let f = Fixture::new().await;
    f.controls().role_fault(
        RoleWidget::UserManagement,
        FaultKind::Status {
            status: 503,
            retry_after_secs: None,
        },
        None,
    );
    let larder = f.larder();
    let user = signed_in(&larder, "admin-ann").await;
    let progress = larder.prewarm_state();
    assert_eq!(
        (progress.warmed, progress.failed, progress.total),
        (7, 1, 8)
    );
    for widget in WidgetId::ALL {
        larder
            .get_widget(widget)
            .await
            .expect("the widgets are fine");
    }
    for widget in [RoleWidget::AdminAnalytics, RoleWidget::SystemHealth] {
        larder
            .get_role_widget(widget)
            .await
            .expect("the other role widgets too");
    }
    let failed = larder.get_role_widget(RoleWidget::UserManagement).await;
    assert!(
        matches!(failed, Err(CoreError::UpstreamStatus { status: 503, .. })),
        "{failed:?}"
    );
    f.controls().clear_faults();
    let before = f
        .controls()
        .role_requests(&user, RoleWidget::UserManagement);
    let retried = larder
        .refresh_role_widget(RoleWidget::UserManagement)
        .await
        .expect("Retry recovers it");
    assert_eq!(
        (retried.source, retried.state, retried.data.widget()),
        (
            Source::Network,
            Freshness::Fresh,
            RoleWidget::UserManagement
        )
    );
    assert_eq!(
        f.controls()
            .role_requests(&user, RoleWidget::UserManagement),
        before + 1,
        "one request for the Retry"
    );
}

#[tokio::test]
async fn a_user_whose_role_changed_never_sees_the_old_roles_widgets() {
    let f = Fixture::new().await;
    let larder = f.larder();
    keep_cache_on_sign_out(&larder);
    let user = signed_in(&larder, "manager-mo").await;
    assert_eq!(larder.cached_role_widgets().len(), 2);
    larder.sign_out().await;

    f.controls().set_role("manager-mo", Role::Admin);
    let again = signed_in(&larder, "manager-mo").await;
    assert_eq!(again, user, "the same user, now an admin");
    let store = larder.engine().store();
    for widget in RoleWidget::for_role(Role::Manager) {
        assert!(
            store.get(&user, widget.key()).expect("readable").is_none(),
            "{widget} removed from the cache"
        );
        assert!(matches!(
            larder.get_role_widget(widget).await,
            Err(CoreError::NotForRole { .. })
        ));
    }
    let shown: Vec<RoleWidget> = larder
        .cached_role_widgets()
        .iter()
        .map(|envelope| envelope.data.widget())
        .collect();
    assert_eq!(shown, RoleWidget::for_role(Role::Admin).collect::<Vec<_>>());
    // The five widgets everyone sees were kept.
    assert_eq!(larder.cached_dashboard().len(), 5);
}

#[tokio::test]
async fn role_widgets_are_read_from_the_cache_offline_after_a_restart() {
    let api = common::quick_api().await;
    let (machine, dir) = (
        Machine::with_keychain(),
        tempfile::tempdir().expect("temp dir"),
    );
    let clock = Arc::new(ManualClock::at(NOW));
    let larder = machine.larder(&api.url(), dir.path(), clock.clone());
    signed_in(&larder, "manager-mo").await;
    drop(larder);

    // The API goes, and every entry ages past its TTL.
    drop(api);
    clock.advance(std::time::Duration::from_secs(3_600));
    let restarted = machine.larder("http://127.0.0.1:9", dir.path(), clock);
    restarted.restore_session().expect("kept");
    for widget in RoleWidget::for_role(Role::Manager) {
        let read = restarted
            .get_role_widget(widget)
            .await
            .expect("from the cache");
        assert_eq!((read.source, read.data.widget()), (Source::Cache, widget));
        assert_ne!(read.state, Freshness::Fresh);
        assert!(read.error.is_some(), "marked as not from the API");
    }
}
