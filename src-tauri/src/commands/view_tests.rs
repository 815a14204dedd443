//! The role widget and post page commands through Tauri's real IPC,
//! against the real mock API: an unknown role widget is a typed
//! `UnknownWidget`, another role's widget a typed `NotForRole`, and the
//! bootstrap carries the cached role widgets of the user's role only; a
//! bad post id, tag or page is a typed error too; a post or a profile
//! opens in one window of its own, and a bad kind or id is refused with
//! none opened; a second account is switched to (anything else is a typed
//! `NotSignedIn`) and signed out alone.

use larder_protocol::{commands, Bootstrap, CommandError, Role, RoleEnvelope, RoleWidget};
use serde_json::json;

use super::tests::{command_error, invoke, test_app};

#[test]
fn role_widgets_are_typed_and_refused_to_other_roles() {
    let app = test_app();
    invoke(&app, commands::SIGN_IN, json!({ "username": "manager-mo" })).expect("sign in");
    for command in [commands::GET_ROLE_WIDGET, commands::REFRESH_ROLE_WIDGET] {
        for bad in ["", "admin", "widget:1", "TEAM-MEMBERS", &"x".repeat(10_000)] {
            let err = invoke(&app, command, json!({ "widget": bad })).expect_err("refused");
            assert!(
                matches!(command_error(err), CommandError::UnknownWidget { ref id } if id.len() <= 32),
                "{command} {bad:.20}"
            );
        }
        for widget in RoleWidget::for_role(Role::Admin) {
            let err =
                invoke(&app, command, json!({ "widget": widget.name() })).expect_err("refused");
            assert!(
                matches!(
                    command_error(err),
                    CommandError::NotForRole {
                        role: Role::Admin,
                        ..
                    }
                ),
                "{command} {widget}"
            );
        }
    }
    let team: RoleEnvelope = serde_json::from_value(
        invoke(
            &app,
            commands::GET_ROLE_WIDGET,
            json!({ "widget": "team-members" }),
        )
        .expect("the manager's own"),
    )
    .expect("a RoleEnvelope");
    assert_eq!(team.data.widget(), RoleWidget::TeamMembers);

    let boot: Bootstrap =
        serde_json::from_value(invoke(&app, commands::BOOTSTRAP, json!({})).expect("bootstrap"))
            .expect("a Bootstrap");
    let cached: Vec<RoleWidget> = boot.role_widgets.iter().map(|e| e.data.widget()).collect();
    // Prewarm may have cached the other one by now; only the manager's.
    assert!(cached.contains(&RoleWidget::TeamMembers), "{cached:?}");
    assert!(
        cached.iter().all(|w| w.role() == Role::Manager),
        "{cached:?}"
    );
}

#[test]
fn post_page_commands_validate_their_input() {
    let app = test_app();
    let me = invoke(&app, commands::SIGN_IN, json!({ "username": "fay" })).expect("sign in")
        ["user"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let id = format!("{me}-p1");
    let post = invoke(&app, commands::GET_POST, json!({ "id": id })).expect("the post");
    let tag = post["data"]["tag"].as_str().expect("a tag").to_owned();
    invoke(
        &app,
        commands::GET_COMMENTS,
        json!({ "postId": id, "page": 1 }),
    )
    .expect("comments");
    invoke(
        &app,
        commands::GET_RELATED,
        json!({ "tag": tag, "exclude": id }),
    )
    .expect("related");
    invoke(&app, commands::PREWARM_POST, json!({ "id": id })).expect("warming starts");
    let page: larder_protocol::PostPage = serde_json::from_value(
        invoke(&app, commands::POST_PAGE, json!({ "id": id })).expect("page"),
    )
    .expect("a PostPage");
    assert_eq!(
        page.post.map(|p| p.data.id),
        Some(id.clone()),
        "the post is cached"
    );
    for bad in ["", "../x", "a b", &"p".repeat(100)] {
        let err = invoke(&app, commands::GET_POST, json!({ "id": bad })).expect_err("refused");
        assert!(
            matches!(command_error(err), CommandError::InvalidPostId { .. }),
            "{bad:?}"
        );
        for command in [commands::PREWARM_POST, commands::POST_PAGE] {
            let err = invoke(&app, command, json!({ "id": bad })).expect_err("refused");
            assert!(
                matches!(command_error(err), CommandError::InvalidPostId { .. }),
                "{command} {bad:?}"
            );
        }
        let err = invoke(
            &app,
            commands::GET_RELATED,
            json!({ "tag": bad, "exclude": id }),
        )
        .expect_err("refused");
        assert!(
            matches!(command_error(err), CommandError::InvalidTag { .. }),
            "{bad:?}"
        );
    }
    for page in [0, -1, 1_000_000_000] {
        let err = invoke(
            &app,
            commands::GET_COMMENTS,
            json!({ "postId": id, "page": page }),
        )
        .expect_err("refused");
        assert!(
            matches!(command_error(err), CommandError::InvalidPage { .. }),
            "{page}"
        );
    }
}

#[test]
fn a_view_opens_in_one_window_of_its_own() {
    use tauri::Manager;
    let app = test_app();
    let open = |kind: &str, id: &str| {
        invoke(
            &app,
            commands::OPEN_WINDOW,
            json!({ "kind": kind, "id": id }),
        )
        .map_err(command_error)
    };
    assert_eq!(open("post", "u1-p1"), Err(CommandError::NotSignedIn));
    invoke(&app, commands::SIGN_IN, json!({ "username": "wren" })).expect("sign in");
    for (kind, bad) in [("post", ""), ("post", "../x"), ("profile", "a b")] {
        let refused = open(kind, bad).expect_err("refused");
        assert!(
            matches!(
                refused,
                CommandError::InvalidPostId { .. } | CommandError::InvalidUserId { .. }
            ),
            "{kind} {bad:?}: {refused:?}"
        );
    }
    assert!(matches!(
        open("settings", "x"),
        Err(CommandError::WindowUnavailable { .. })
    ));
    let views = || {
        let mut labels: Vec<String> = app
            .shell
            .app
            .webview_windows()
            .into_keys()
            .filter(|label| label != crate::MAIN_WINDOW)
            .collect();
        labels.sort();
        labels
    };
    assert!(views().is_empty(), "nothing opened on a refusal");

    open("post", "u1-p1").expect("opens");
    open("post", "u1-p1").expect("brought forward");
    open("profile", "u1").expect("opens");
    assert_eq!(views(), ["post-u1-p1", "profile-u1"], "one window each");

    // Closing them with the session is the end-to-end test's to show
    // (crates/e2e/tests/windows.rs): the mock runtime has no event loop to
    // carry a window's destruction out.
}

#[test]
fn a_second_account_is_switched_to_from_the_cache_and_signed_out_alone() {
    let app = test_app();
    let wren: larder_protocol::Session = serde_json::from_value(
        invoke(&app, commands::SIGN_IN, json!({ "username": "wren" })).expect("sign in"),
    )
    .expect("a Session");
    let yara: larder_protocol::Session = serde_json::from_value(
        invoke(&app, commands::SIGN_IN, json!({ "username": "yara" })).expect("sign in"),
    )
    .expect("a Session");
    assert_eq!(yara.accounts, vec![wren.user.clone(), yara.user.clone()]);

    for bad in ["", "u_nobody", "../wren", &"x".repeat(10_000)] {
        let err =
            invoke(&app, commands::SWITCH_ACCOUNT, json!({ "userId": bad })).expect_err("refused");
        assert!(
            matches!(command_error(err), CommandError::NotSignedIn),
            "{bad:.20}"
        );
    }
    invoke(&app, commands::SWITCH_ACCOUNT, json!({})).expect_err("no id");

    let answer: Bootstrap = serde_json::from_value(
        invoke(
            &app,
            commands::SWITCH_ACCOUNT,
            json!({ "userId": wren.user.id }),
        )
        .expect("switched"),
    )
    .expect("a Bootstrap");
    let shown = answer.session.expect("a session");
    assert_eq!(shown.user, wren.user, "wren shown");
    assert_eq!(shown.accounts.len(), 2);

    // Signing wren out answers with yara, still signed in.
    let next: Option<larder_protocol::Session> =
        serde_json::from_value(invoke(&app, commands::SIGN_OUT, json!({})).expect("signed out"))
            .expect("a session or none");
    assert_eq!(next.map(|s| s.accounts), Some(vec![yara.user.clone()]));
    let last: Option<larder_protocol::Session> =
        serde_json::from_value(invoke(&app, commands::SIGN_OUT, json!({})).expect("signed out"))
            .expect("a session or none");
    assert_eq!(last, None, "nobody left");
}
