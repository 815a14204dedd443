//! The role widgets through the router: each answers its own role only
//! (403 with the role's code for the others), deterministically per user,
//! with ETags, injected faults and its own delay; a role set by the test
//! controls applies from the next sign-in.

mod common;

use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use common::{get, login, send, send_with, test_app, test_app_with};
use larder_protocol::{
    health::SystemHealth,
    roles::{AdminAnalytics, TeamAnalytics, TeamRoster, UserDirectory},
    test_controls::{FaultKind, FaultRequest, FaultTarget},
    Role, RoleWidget,
};

fn route(widget: RoleWidget) -> String {
    format!("/{}", widget.path())
}

fn code(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin_only",
        Role::Manager => "manager_only",
        Role::Member => "member_only",
    }
}

#[tokio::test]
async fn each_role_widget_answers_its_own_role_only() {
    let (app, _) = test_app();
    let users = [
        (Role::Admin, login(&app, "Admin Ada").await.0),
        (Role::Manager, login(&app, "manager-mo").await.0),
        (Role::Member, login(&app, "alice").await.0),
    ];
    for widget in RoleWidget::ALL {
        for (role, token) in &users {
            let answer = get(&app, &route(widget), Some(token)).await;
            if *role == widget.role() {
                assert_eq!(answer.status, StatusCode::OK, "{widget} for {role:?}");
            } else {
                answer.assert_error(StatusCode::FORBIDDEN, code(widget.role()));
            }
        }
        get(&app, &route(widget), None)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "missing_token");
    }
    let (_, admin) = &users[0];
    let (_, manager) = &users[1];
    let analytics: AdminAnalytics = get(&app, "/api/admin/analytics", Some(admin)).await.json();
    assert_eq!(analytics.by_role.len(), 3);
    let directory: UserDirectory = get(&app, "/api/admin/users", Some(admin)).await.json();
    assert!(!directory.users.is_empty());
    let health: SystemHealth = get(&app, "/api/admin/system-health", Some(admin))
        .await
        .json();
    assert!(health.active_sessions >= 3);
    let team: TeamAnalytics = get(&app, "/api/team/analytics", Some(manager)).await.json();
    let roster: TeamRoster = get(&app, "/api/team/members", Some(manager)).await.json();
    assert_eq!(team.team, roster.team, "one team");
}

#[tokio::test]
async fn the_same_user_gets_the_same_bytes_and_a_304() {
    let (app, _) = test_app();
    let (first, _) = login(&app, "manager-mo").await;
    let (second, _) = login(&app, "manager-mo").await;
    let (other, _) = login(&app, "manager-kim").await;
    let a = get(&app, "/api/team/members", Some(&first)).await;
    let b = get(&app, "/api/team/members", Some(&second)).await;
    let c = get(&app, "/api/team/members", Some(&other)).await;
    // The minute can turn between the two requests; then the names stay.
    let roster = |answer: &common::Answer| answer.json::<TeamRoster>();
    assert_eq!(roster(&a).team, roster(&b).team);
    assert_ne!(roster(&a), roster(&c), "per user");
    let etag = a.headers[header::ETAG].to_str().expect("ascii").to_owned();
    let again = send_with(
        &app,
        Method::GET,
        "/api/team/members",
        Some(&first),
        None,
        &[("if-none-match", &etag)],
    )
    .await;
    assert!(
        again.status == StatusCode::NOT_MODIFIED || again.headers[header::ETAG] != etag,
        "a 304 for the same bytes"
    );
}

#[tokio::test]
async fn faults_target_one_role_widget_and_never_let_another_role_in() {
    let (app, state) = test_app();
    let (manager, _) = login(&app, "manager-mo").await;
    let (member, _) = login(&app, "alice").await;
    state.faults().add(FaultRequest {
        target: FaultTarget::role(RoleWidget::TeamMembers),
        user_id: None,
        fault: FaultKind::Status {
            status: 503,
            retry_after_secs: None,
        },
        times: Some(2),
    });
    get(&app, "/api/team/members", Some(&member))
        .await
        .assert_error(StatusCode::FORBIDDEN, "manager_only");
    get(&app, "/api/team/analytics", Some(&manager))
        .await
        .json::<TeamAnalytics>();
    get(&app, "/api/team/members", Some(&manager))
        .await
        .assert_error(StatusCode::SERVICE_UNAVAILABLE, "injected_fault");
    get(&app, "/api/team/members", Some(&manager))
        .await
        .assert_error(StatusCode::SERVICE_UNAVAILABLE, "injected_fault");
    get(&app, "/api/team/members", Some(&manager))
        .await
        .json::<TeamRoster>();
    // Over HTTP, the rule names the widget as `roleWidget`.
    let rule = r#"{"roleWidget": "admin-analytics", "fault": {"kind": "malformed_json"}}"#;
    let answer = send(&app, Method::POST, "/__admin/faults", None, Some(rule)).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let bad = r#"{"roleWidget": "admin-nothing", "fault": {"kind": "hang"}}"#;
    let answer = send(&app, Method::POST, "/__admin/faults", None, Some(bad)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

#[tokio::test(start_paused = true)]
async fn each_role_widget_has_its_own_delay() {
    let (app, _) = test_app_with(mock_api::Config {
        delay_scale: 1.0,
        ..mock_api::testing::instant()
    });
    let (manager, _) = login(&app, "manager-mo").await;
    let started = tokio::time::Instant::now();
    get(&app, "/api/team/members", Some(&manager)).await;
    assert_eq!(started.elapsed(), Duration::from_millis(1_000));
    let started = tokio::time::Instant::now();
    get(&app, "/api/team/analytics", Some(&manager)).await;
    assert_eq!(started.elapsed(), Duration::from_millis(2_500));
}

#[tokio::test]
async fn a_role_set_by_the_controls_applies_from_the_next_sign_in() {
    let (app, _) = test_app();
    let (before, id) = login(&app, "alice").await;
    let body = r#"{"username": " alice ", "role": "manager"}"#;
    let answer = send(&app, Method::POST, "/__admin/roles", None, Some(body)).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    get(&app, "/api/team/members", Some(&before))
        .await
        .assert_error(StatusCode::FORBIDDEN, "manager_only");
    let (after, same_id) = login(&app, "alice").await;
    assert_eq!(id, same_id, "the same user, with another role");
    get(&app, "/api/team/members", Some(&after))
        .await
        .json::<TeamRoster>();
    for bad in [
        r#"{"username": "", "role": "admin"}"#,
        r#"{"username": "bob", "role": "owner"}"#,
        "not json",
    ] {
        let answer = send(&app, Method::POST, "/__admin/roles", None, Some(bad)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}
