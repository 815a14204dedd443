//! The dashboard by role in the real webview: an admin sees admin
//! analytics, user management and system health, a manager team analytics
//! and team members, a member neither; each role widget is its own island
//! (a failing one fails alone, and its Retry recovers it), fetched once per
//! key cold and not at all warm, as the mock API's counts show.

use anyhow::{ensure, Result};
use larder_e2e::Harness;
use larder_protocol::{test_controls::FaultKind, Role, RoleWidget};
use mock_api::testing::Controls;

/// Whether every role widget of `role` is ready.
async fn role_ready(app: &Harness, role: Role) -> Result<bool> {
    for widget in RoleWidget::for_role(role) {
        if app.role_widget_state(widget).await? != "ready" {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The role widgets shown, by name.
async fn shown(app: &Harness) -> Result<Vec<RoleWidget>> {
    let mut shown = Vec::new();
    for widget in RoleWidget::ALL {
        if !app.role_widget_state(widget).await?.is_empty() {
            shown.push(widget);
        }
    }
    Ok(shown)
}

#[tokio::test]
async fn an_admin_sees_the_admin_widgets_and_a_failing_one_fails_alone() -> Result<()> {
    let api = Harness::quick_api().await?;
    let controls = Controls::of(&api);
    let unavailable = FaultKind::Status {
        status: 503,
        retry_after_secs: None,
    };
    controls.role_fault(RoleWidget::UserManagement, unavailable, None);
    let app = Harness::launch(&[("LARDER_API_URL", &api.url())]).await?;
    app.sign_in("admin-ann").await?;
    app.wait_until("the widgets, admin analytics and health", || async {
        Ok(app.all_ready(&[1, 2, 3, 4, 5]).await?
            && app.role_widget_state(RoleWidget::AdminAnalytics).await? == "ready"
            && app.role_widget_state(RoleWidget::SystemHealth).await? == "ready")
    })
    .await?;
    app.wait_until("user management to fail", || async {
        Ok(app.role_widget_state(RoleWidget::UserManagement).await? == "error")
    })
    .await?;
    assert_eq!(
        shown(&app).await?,
        RoleWidget::for_role(Role::Admin).collect::<Vec<_>>()
    );

    controls.clear_faults();
    app.click("[data-testid=widget-user-management] [data-testid=retry]")
        .await?;
    app.wait_until("user management after Retry", || {
        role_ready(&app, Role::Admin)
    })
    .await?;
    app.close().await
}

#[tokio::test]
async fn a_manager_gets_each_team_widget_once_cold_and_never_warm() -> Result<()> {
    let api = Harness::quick_api().await?;
    let controls = Controls::of(&api);
    let app = Harness::launch(&[("LARDER_API_URL", &api.url())]).await?;
    app.sign_in("manager-mo").await?;
    app.wait_until("the manager's dashboard", || async {
        Ok(app.all_ready(&[1, 2, 3, 4, 5]).await? && role_ready(&app, Role::Manager).await?)
    })
    .await?;
    assert_eq!(
        shown(&app).await?,
        RoleWidget::for_role(Role::Manager).collect::<Vec<_>>()
    );
    let user = app.by_test_id("user-name").await?.text().await?;
    ensure!(user == "manager-mo", "signed in as {user}");
    let requests = |controls: &Controls| {
        let stats = controls.stats();
        RoleWidget::ALL.map(|widget| {
            stats
                .by_route
                .get(&format!("GET /{}", widget.path()))
                .copied()
                .unwrap_or(0)
        })
    };
    assert_eq!(
        requests(&controls),
        [0, 0, 0, 1, 1],
        "one request per key, cold"
    );

    // A warm open paints them from the cache and asks for nothing.
    let app = app.relaunch(&[]).await?;
    app.wait_until("the manager's dashboard, warm", || async {
        Ok(app.all_ready(&[1, 2, 3, 4, 5]).await? && role_ready(&app, Role::Manager).await?)
    })
    .await?;
    assert_eq!(requests(&controls), [0, 0, 0, 1, 1], "none more, warm");
    app.close().await
}

#[tokio::test]
async fn a_member_sees_no_role_widget() -> Result<()> {
    let api = Harness::quick_api().await?;
    let app = Harness::signed_in(&api, "alice").await?;
    assert_eq!(shown(&app).await?, Vec::<RoleWidget>::new());
    let stats = Controls::of(&api).stats();
    for widget in RoleWidget::ALL {
        assert_eq!(
            stats.by_route.get(&format!("GET /{}", widget.path())),
            None,
            "{widget}"
        );
    }
    app.close().await
}
