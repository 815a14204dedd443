//! The first frame of each view a window can open on, from real payloads
//! of mock-api's generator.

use larder_protocol::{
    Bootstrap, ChangeKind, CommandError, Connectivity, Envelope, Freshness, LockReason,
    LockedSession, Outbox, PendingChange, Session, Settings, Source, Theme, Username, WidgetId,
};

use super::FirstFrame;

/// A payload for `name`, with the cached widgets `cached` fetched ten
/// seconds ago.
fn bootstrap(name: &str, signed_in: bool, cached: &[u8]) -> Bootstrap {
    let user = mock_api::data::user_for(&Username::parse(name).expect("valid"));
    let now = crate::host::now_ms();
    let widgets = cached
        .iter()
        .map(|&id| {
            let id = WidgetId::new(id).expect("a widget");
            Envelope {
                data: mock_api::data::widget_response(&user, id, now),
                fetched_at: now - 10_000,
                state: Freshness::Fresh,
                source: Source::Cache,
                error: None,
                pending: Vec::new(),
            }
        })
        .collect();
    Bootstrap {
        session: signed_in.then_some(Session::alone(user)),
        locked: None,
        api_url: "http://127.0.0.1:4000".into(),
        embedded_api: true,
        config: mock_api::routes::config::app_config(),
        settings: Settings::default(),
        connectivity: Connectivity::Online,
        prewarm: Default::default(),
        widgets,
        role_widgets: Vec::new(),
        outbox: Outbox::default(),
        post_page: None,
        profile_page: None,
        refused: Vec::new(),
        cache_rebuilt: None,
        refused_settings: Vec::new(),
    }
}

/// The attributes of the widget frame `id` in `html`.
fn widget_tag(html: &str, id: u8) -> &str {
    let at = html
        .find(&format!(r#"data-testid="widget-{id}""#))
        .unwrap_or_else(|| panic!("no widget {id} in {html}"));
    let start = html[..at].rfind('<').expect("an opening tag");
    let end = at + html[at..].find('>').expect("a closed tag");
    &html[start..end]
}

#[test]
fn a_cached_dashboard_is_painted_with_its_data_and_true_badges() {
    let frame = FirstFrame::render(Ok(bootstrap("carol", true, &[1, 2, 3, 4])));
    let html = &frame.html;
    assert!(html.contains(r#"data-testid="dashboard""#), "{html}");
    assert!(html.contains("carol"), "the top bar names the user: {html}");
    for id in 1..=4 {
        let tag = widget_tag(html, id);
        assert!(tag.contains(r#"data-state="ready""#), "widget {id}: {tag}");
        assert!(
            tag.contains(r#"data-freshness="fresh""#),
            "widget {id}: {tag}"
        );
    }
    assert!(html.contains("updated just now"), "{html}");
    // Not cached: the same skeleton the live UI shows while it loads.
    let tag = widget_tag(html, 5);
    assert!(tag.contains(r#"data-state="loading""#), "{tag}");
    assert!(!html.contains(r#"data-testid="sign-in""#));
}

/// The role widget frame `name` in `html`.
fn role_tag<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let at = html.find(&format!(r#"data-testid="widget-{name}""#))?;
    let start = html[..at].rfind('<').expect("an opening tag");
    let end = at + html[at..].find('>').expect("a closed tag");
    Some(&html[start..end])
}

#[test]
fn a_managers_cached_role_widgets_are_painted_and_no_other_roles() {
    let mut start = bootstrap("manager-mo", true, &[1, 2, 3, 4, 5]);
    let user = start.session.as_ref().expect("signed in").user.clone();
    let now = crate::host::now_ms();
    start.role_widgets.push(Envelope {
        data: larder_protocol::RoleData::TeamMembers(mock_api::role_data::team_roster(&user, now)),
        fetched_at: now - 10_000,
        state: Freshness::Fresh,
        source: Source::Cache,
        error: None,
        pending: Vec::new(),
    });
    let html = FirstFrame::render(Ok(start)).html;
    let members = role_tag(&html, "team-members").expect("team members");
    assert!(members.contains(r#"data-state="ready""#), "{members}");
    assert!(members.contains(r#"data-freshness="fresh""#), "{members}");
    // Not cached yet: its skeleton, as the live UI shows it.
    let analytics = role_tag(&html, "team-analytics").expect("team analytics");
    assert!(analytics.contains(r#"data-state="loading""#), "{analytics}");
    for admin in ["admin-analytics", "user-management", "system-health"] {
        assert_eq!(role_tag(&html, admin), None, "{admin} is not a manager's");
    }
}

#[test]
fn the_first_frame_says_what_waits_to_sync_and_that_it_is_offline() {
    let mut start = bootstrap("dave", true, &[4]);
    start.connectivity = Connectivity::Offline;
    start.outbox.changes.push(PendingChange {
        id: "b3f1".into(),
        seq: 1,
        change: ChangeKind::MarkNotificationRead {
            notification_id: "n1".into(),
        },
        created_at: crate::host::now_ms(),
        tries: 0,
        last_error: None,
    });
    let html = FirstFrame::render(Ok(start)).html;
    assert!(html.contains(r#"data-state="offline""#), "{html}");
    assert!(html.contains("1 change waiting to sync"), "{html}");
    assert!(html.contains("offline, showing data from"), "{html}");
}

#[test]
fn without_a_session_the_first_frame_is_the_sign_in_form() {
    let html = FirstFrame::render(Ok(bootstrap("erin", false, &[]))).html;
    assert!(html.contains(r#"data-testid="username""#), "{html}");
    assert!(!html.contains(r#"data-testid="dashboard""#), "{html}");
}

#[test]
fn a_locked_session_and_a_missing_keychain_get_their_own_views() {
    let mut locked = bootstrap("frank", false, &[]);
    locked.locked = Some(LockedSession {
        user: mock_api::data::user_for(&Username::parse("frank").expect("valid")),
        reason: LockReason::KeychainLocked,
    });
    let html = FirstFrame::render(Ok(locked)).html;
    assert!(html.contains(r#"data-testid="locked""#), "{html}");

    let html = FirstFrame::render(Err(CommandError::NoKeychain {
        message: "no Secret Service answered".into(),
    }))
    .html;
    assert!(html.contains(r#"data-testid="no-keychain""#), "{html}");
    assert!(html.contains("no Secret Service answered"), "{html}");
}

#[test]
fn the_page_carries_the_frame_with_the_live_ui_hidden_until_it_takes_over() {
    let index = include_str!("../dist/index.html");
    let mut start = bootstrap("gina", true, &[1]);
    start.settings.theme = Theme::Dark;
    let page = FirstFrame::render(Ok(start))
        .into_page(index, None)
        .expect("the UI's index.html has a mount point");
    assert!(
        page.contains(&format!(
            r#"<html lang="en" data-theme="dark" data-platform="{}">"#,
            crate::host::platform_name()
        )),
        "{page}"
    );
    let frame = page.find(r#"<div id="first-frame">"#).expect("the frame");
    let main = page.find(r#"<div id="main" hidden></div>"#).expect("main");
    let dashboard = page.find(r#"data-testid="dashboard""#).expect("painted");
    assert!(frame < dashboard && dashboard < main, "{page}");
    // The page's scripts are untouched and still come after the frame.
    assert!(
        page.find("first-frame.js").is_some_and(|at| at > main),
        "{page}"
    );
    assert!(page.contains("boot.js"));

    let elsewhere = FirstFrame::render(Ok(bootstrap("gina", true, &[])))
        .into_page("<html><body><p>another page</p></body></html>", None);
    assert_eq!(elsewhere, None, "a page without the mount is left alone");
    // Without the stylesheet's text, the page links it as it did.
    assert!(page.contains(r#"<link rel="stylesheet" href="/larder.css" />"#));
}

#[test]
fn the_page_carries_the_stylesheet_itself_so_the_frame_waits_for_no_request() {
    let index = include_str!("../dist/index.html");
    let css = include_str!("../dist/larder.css");
    let page = FirstFrame::render(Ok(bootstrap("gina", true, &[1])))
        .into_page(index, Some(css))
        .expect("the UI's index.html has a mount point");
    assert!(!page.contains("larder.css"), "no link left: {page}");
    let style = page.find("<style>").expect("the stylesheet inline");
    let head_end = page.find("</head>").expect("a head");
    let frame = page.find(r#"<div id="first-frame">"#).expect("the frame");
    assert!(style < head_end && head_end < frame, "in the head: {page}");
    assert!(
        page.contains(&format!("<style>{css}</style>\n")),
        "all of it, and nothing of the link left: {page}"
    );

    // As Tauri serves it, re-serialised without the self-closing slash.
    let served = index.replace(r#"href="/larder.css" />"#, r#"href="/larder.css">"#);
    assert_ne!(served, index);
    let page = FirstFrame::render(Ok(bootstrap("gina", true, &[1])))
        .into_page(&served, Some(css))
        .expect("a page");
    assert!(!page.contains("larder.css"), "no link left: {page}");
    assert!(page.contains(&format!("<style>{css}</style>\n")), "{page}");

    // Text that would end the element early is never inlined.
    let hostile = format!("{css}\n/* </STYLE><script>alert(1)</script> */");
    let page = FirstFrame::render(Ok(bootstrap("gina", true, &[1])))
        .into_page(index, Some(&hostile))
        .expect("a page");
    assert!(page.contains(r#"<link rel="stylesheet" href="/larder.css" />"#));
    assert!(!page.contains("alert(1)"), "{page}");
}
