//! The commands through Tauri's real IPC serialisation, on the mock runtime
//! (no display), against the real mock API on an ephemeral port.

use larder_protocol::{commands, Bootstrap, CommandError, Session, WidgetEnvelope};
use serde_json::{json, Value};
use tauri::{
    ipc::{CallbackFn, InvokeBody},
    test::{get_ipc_response, MockRuntime, INVOKE_KEY},
    webview::InvokeRequest,
    Manager, WebviewWindow, WebviewWindowBuilder,
};

use crate::{api_endpoint::ApiEndpoint, test_support::TestShell, AppState};

/// The origin Tauri serves the app's own pages from; requests from anywhere
/// else are remote and may not reach Larder's commands.
const APP_ORIGIN: &str = if cfg!(windows) {
    "http://tauri.localhost"
} else {
    "tauri://localhost"
};

/// A shell with its core open, and its main window.
pub(super) struct TestApp {
    window: WebviewWindow<MockRuntime>,
    pub(super) shell: TestShell,
}

pub(super) fn test_app() -> TestApp {
    let shell = TestShell::new();
    shell.open_core();
    TestApp {
        window: main_window(&shell),
        shell,
    }
}

fn main_window(shell: &TestShell) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(&shell.app, "main", Default::default())
        .build()
        .expect("the window builds")
}

/// Invokes `command` with `args` as the webview would.
pub(super) fn invoke(app: &TestApp, command: &str, args: Value) -> Result<Value, Value> {
    invoke_in(&app.window, command, args)
}

fn invoke_in(
    window: &WebviewWindow<MockRuntime>,
    command: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: APP_ORIGIN.parse().expect("valid url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
}

pub(super) fn command_error(value: Value) -> CommandError {
    serde_json::from_value(value).expect("a typed CommandError")
}

#[test]
fn sign_in_then_widgets_then_sign_out() {
    let app = test_app();
    let boot: Bootstrap =
        serde_json::from_value(invoke(&app, commands::BOOTSTRAP, json!({})).expect("bootstrap"))
            .expect("a Bootstrap");
    assert_eq!(boot.session, None);
    assert!(!boot.embedded_api);

    let session: Session = serde_json::from_value(
        invoke(&app, commands::SIGN_IN, json!({ "username": "alice" })).expect("sign in"),
    )
    .expect("a Session");
    assert_eq!(session.user.name, "alice");
    // The token never crosses into the webview.
    let raw = invoke(&app, commands::BOOTSTRAP, json!({})).expect("bootstrap");
    assert!(!raw.to_string().contains("token"), "{raw}");

    for id in 1..=5 {
        let envelope: WidgetEnvelope = serde_json::from_value(
            invoke(&app, commands::GET_WIDGET, json!({ "id": id })).expect("widget"),
        )
        .expect("a WidgetEnvelope");
        assert_eq!(envelope.data.widget_id.get(), id);
        assert_eq!(envelope.data.user_id, session.user.id);
    }

    invoke(&app, commands::REFRESH_WIDGET, json!({ "id": 3 })).expect("refresh");
    invoke(&app, commands::PREWARM, json!({})).expect("prewarm starts");
    let stats: larder_protocol::CacheStats =
        serde_json::from_value(invoke(&app, commands::CACHE_STATS, json!({})).expect("stats"))
            .expect("CacheStats");
    assert!(
        stats.entries.iter().any(|e| e.key == "widget:3"),
        "{stats:?}"
    );
    invoke(&app, commands::CLEAR_CACHE, json!({ "key": "widget:3" })).expect("cleared one");
    for key in ["", "../x", &"k".repeat(200), "widget 3"] {
        let err = invoke(&app, commands::CLEAR_CACHE, json!({ "key": key })).expect_err("refused");
        assert!(
            matches!(command_error(err), CommandError::InvalidCacheKey { .. }),
            "{key:?}"
        );
    }
    invoke(&app, commands::CLEAR_CACHE, json!({})).expect("cleared all");

    invoke(&app, commands::SIGN_OUT, json!({})).expect("sign out");
    let err = invoke(&app, commands::GET_WIDGET, json!({ "id": 1 })).expect_err("signed out");
    assert_eq!(command_error(err), CommandError::NotSignedIn);
}

#[test]
fn bad_input_gets_typed_errors() {
    let app = test_app();
    for username in ["", "   ", &"x".repeat(65), "a\u{0}b"] {
        let err =
            invoke(&app, commands::SIGN_IN, json!({ "username": username })).expect_err("refused");
        assert!(
            matches!(command_error(err), CommandError::InvalidUsername { .. }),
            "{username:?}"
        );
    }
    invoke(&app, commands::SIGN_IN, json!({ "username": "bob" })).expect("sign in");
    for command in [commands::GET_WIDGET, commands::REFRESH_WIDGET] {
        for id in [0, 6, -1, 255, 1_000_000] {
            let err = invoke(&app, command, json!({ "id": id })).expect_err("refused");
            assert!(
                matches!(command_error(err), CommandError::UnknownWidget { .. }),
                "{command} {id}"
            );
        }
    }
}

#[test]
fn remote_origins_cannot_reach_commands() {
    let app = test_app();
    let answer = get_ipc_response(
        &app.window,
        InvokeRequest {
            cmd: commands::BOOTSTRAP.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "https://example.com".parse().expect("valid url"),
            body: InvokeBody::Json(json!({})),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    );
    assert!(answer.is_err(), "a remote page must not call bootstrap");
}

#[test]
fn nothing_outside_the_capability_can_be_called() {
    let app = test_app();
    for (command, args) in [
        ("plugin:store|load", json!({ "path": "settings.json" })),
        ("plugin:window|close", json!({ "label": "main" })),
        ("plugin:path|resolve_directory", json!({ "directory": 1 })),
    ] {
        let answer = invoke(&app, command, args);
        assert!(answer.is_err(), "{command} must be refused: {answer:?}");
    }
}

#[test]
fn every_protocol_command_is_registered() {
    let app = test_app();
    for command in commands::ALL {
        // A registered command may refuse its arguments, but an unknown one
        // answers with a plain string that says it was not found.
        let answer = invoke(&app, command, json!({}));
        if let Err(Value::String(message)) = &answer {
            assert!(!message.contains("not found"), "{command}: {message}");
        }
    }
}

#[test]
fn bootstrap_carries_the_cached_dashboard_and_app_state() {
    let app = test_app();
    invoke(&app, commands::SIGN_IN, json!({ "username": "carol" })).expect("sign in");
    for id in [1, 5] {
        invoke(&app, commands::GET_WIDGET, json!({ "id": id })).expect("widget");
    }
    let boot: Bootstrap =
        serde_json::from_value(invoke(&app, commands::BOOTSTRAP, json!({})).expect("bootstrap"))
            .expect("a Bootstrap");
    let cached: Vec<u8> = boot
        .widgets
        .iter()
        .map(|e| e.data.widget_id.get())
        .collect();
    // Prewarm may have cached more by now; what is there is in dashboard order.
    assert!(cached.contains(&1) && cached.contains(&5), "{cached:?}");
    assert!(
        cached.windows(2).all(|pair| pair[0] < pair[1]),
        "{cached:?}"
    );
    assert_eq!(boot.connectivity, larder_protocol::Connectivity::Online);
    assert_eq!(boot.settings, larder_protocol::Settings::default());
}

#[test]
fn screen_reports_are_validated() {
    let app = test_app();
    let report =
        |view: Value| json!({ "report": { "visible": true, "focused": true, "view": view } });
    invoke(
        &app,
        commands::REPORT_SCREEN,
        report(json!({ "kind": "dashboard" })),
    )
    .expect("the dashboard");
    invoke(
        &app,
        commands::REPORT_SCREEN,
        report(json!({ "kind": "profile", "userId": "u_1" })),
    )
    .expect("a profile");
    let err = invoke(
        &app,
        commands::REPORT_SCREEN,
        report(json!({ "kind": "profile", "userId": "../x" })),
    )
    .expect_err("refused");
    assert!(matches!(
        command_error(err),
        CommandError::InvalidUserId { .. }
    ));
    for bad in [
        json!({ "report": { "visible": "yes" } }),
        json!({ "report": { "visible": true, "focused": true, "view": { "kind": "nowhere" } } }),
        json!({ "report": 7 }),
    ] {
        let err = invoke(&app, commands::REPORT_SCREEN, bad.clone()).expect_err("refused");
        assert!(
            matches!(command_error(err), CommandError::InvalidScreenReport { .. }),
            "{bad}"
        );
    }
}

#[test]
fn profile_commands_and_mark_read_validate_their_input() {
    let app = test_app();
    let session: Session = serde_json::from_value(
        invoke(&app, commands::SIGN_IN, json!({ "username": "dave" })).expect("sign in"),
    )
    .expect("a Session");
    let me = session.user.id;
    let profile = invoke(&app, commands::GET_PROFILE, json!({ "userId": me })).expect("profile");
    assert_eq!(profile["data"]["id"], me);
    let posts = invoke(
        &app,
        commands::GET_POSTS,
        json!({ "userId": me, "page": 2 }),
    )
    .expect("posts");
    assert_eq!(posts["data"]["page"], 2);
    invoke(
        &app,
        commands::GET_FOLLOWERS,
        json!({ "userId": me, "page": 1 }),
    )
    .expect("followers");
    // The user sees the notifications before marking one (the prewarm may
    // still be fetching them).
    invoke(&app, commands::GET_WIDGET, json!({ "id": 4 })).expect("widget 4");
    let widget = invoke(
        &app,
        commands::MARK_NOTIFICATION_READ,
        json!({ "id": "n1" }),
    )
    .expect("marked");
    assert_eq!(widget["data"]["widgetId"], 4);

    for bad in ["", "../../etc", "ü", "a/b"] {
        let err =
            invoke(&app, commands::GET_PROFILE, json!({ "userId": bad })).expect_err("refused");
        assert!(
            matches!(command_error(err), CommandError::InvalidUserId { .. }),
            "{bad:?}"
        );
        let err = invoke(&app, commands::MARK_NOTIFICATION_READ, json!({ "id": bad }))
            .expect_err("refused");
        assert!(
            matches!(
                command_error(err),
                CommandError::InvalidNotificationId { .. }
            ),
            "{bad:?}"
        );
    }
    for page in [0, -5, 10_000_000_000_i64] {
        let err = invoke(
            &app,
            commands::GET_POSTS,
            json!({ "userId": me, "page": page }),
        )
        .expect_err("refused");
        assert_eq!(command_error(err), CommandError::InvalidPage { page });
    }
}

#[test]
fn settings_are_validated_saved_and_applied() {
    let app = test_app();
    let saved =
        json!({ "ttlSecs": 120, "staleSecs": 20, "keepCacheOnSignOut": true, "theme": "dark" });
    invoke(&app, commands::SAVE_SETTINGS, json!({ "settings": saved })).expect("saved");
    let current: larder_protocol::Settings =
        serde_json::from_value(invoke(&app, commands::GET_SETTINGS, json!({})).expect("settings"))
            .expect("Settings");
    assert_eq!(current.ttl_secs, Some(120));
    assert_eq!(current.theme, larder_protocol::Theme::Dark);
    // What a restart would load.
    let loaded = reload_settings(&app).settings();
    assert_eq!(loaded, current);

    for (bad, field) in [
        (json!({ "ttlSecs": 1 }), "ttlSecs"),
        (json!({ "ttlSecs": 60, "staleSecs": 61 }), "staleSecs"),
        (json!({ "apiUrl": "file:///etc/passwd" }), "apiUrl"),
        // The token would travel in cleartext to another machine.
        (json!({ "apiUrl": "http://api.example.com" }), "apiUrl"),
        (
            json!({ "apiUrl": "http://127.0.0.1.example.com" }),
            "apiUrl",
        ),
        // Shapes the client could never use: no host, a port past 65535,
        // an unclosed IPv6 bracket.
        (json!({ "apiUrl": "https://" }), "apiUrl"),
        (
            json!({ "apiUrl": "https://api.example.com:65536" }),
            "apiUrl",
        ),
        (json!({ "apiUrl": "http://[::1" }), "apiUrl"),
        (json!({ "ttlSecs": "soon" }), "settings"),
        (json!("not an object"), "settings"),
    ] {
        let err =
            invoke(&app, commands::SAVE_SETTINGS, json!({ "settings": bad })).expect_err("refused");
        match command_error(err) {
            CommandError::InvalidSetting { error } => assert_eq!(error.field, field, "{bad}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
    let after = reload_settings(&app).settings();
    assert_eq!(after, current, "a refused save changes nothing stored");

    // A URL stored by an older Larder that the client cannot use is left
    // out at load (its default taken), so the next start still opens.
    let store =
        tauri_plugin_store::StoreExt::store(app.window.app_handle(), &app.shell.paths.settings)
            .expect("the settings store");
    store.set("apiUrl", json!("https://"));
    store.set("staleSecs", json!("soon"));
    let reloaded = reload_settings(&app);
    let (loaded, refused) = (reloaded.settings(), reloaded.refused_settings());
    assert_eq!(loaded.api_url, None);
    assert_eq!(loaded.ttl_secs, Some(120), "the other settings stay");
    let fields: Vec<(&str, &str)> = refused
        .iter()
        .map(|r| (r.field.as_str(), r.stored.as_str()))
        .collect();
    assert_eq!(fields, [("apiUrl", "https://"), ("staleSecs", "soon")]);
    assert!(refused.iter().all(|r| !r.message.is_empty()), "{refused:?}");

    // The window is told, with each field, until the settings are saved.
    app.shell
        .app
        .state::<AppState>()
        .persistence()
        .set_refused_settings(refused);
    let boot: Bootstrap =
        serde_json::from_value(invoke(&app, commands::BOOTSTRAP, json!({})).expect("bootstrap"))
            .expect("a Bootstrap");
    assert_eq!(boot.refused_settings.len(), 2);
    assert_eq!(boot.refused_settings[0].field, "apiUrl");
    invoke(
        &app,
        commands::SAVE_SETTINGS,
        json!({ "settings": { "ttlSecs": 120 } }),
    )
    .expect("saved");
    let boot: Bootstrap =
        serde_json::from_value(invoke(&app, commands::BOOTSTRAP, json!({})).expect("bootstrap"))
            .expect("a Bootstrap");
    assert!(boot.refused_settings.is_empty());
    let refused = reload_settings(&app).refused_settings();
    assert!(
        refused.is_empty(),
        "the saved file holds only valid values now"
    );
}

/// The settings as the next start would read them from disk.
fn reload_settings(app: &TestApp) -> crate::persistence::Persistence {
    crate::persistence::Persistence::load(app.window.app_handle(), app.shell.paths.clone())
        .expect("loads")
}

#[test]
fn a_cache_can_be_set_aside_and_started_afresh() {
    let app = test_app();
    invoke(&app, commands::SIGN_IN, json!({ "username": "sam" })).expect("sign in");
    invoke(&app, commands::GET_WIDGET, json!({ "id": 1 })).expect("widget");
    let moved: larder_protocol::SetAsideCache = serde_json::from_value(
        invoke(&app, commands::SET_ASIDE_CACHE, json!({})).expect("set aside"),
    )
    .expect("a SetAsideCache");
    assert!(moved.entries >= 1, "{moved:?}");
    // Afresh: the widget is fetched again and read under the new key.
    invoke(&app, commands::GET_WIDGET, json!({ "id": 1 })).expect("widget again");
}

#[test]
fn a_second_instance_is_told_plainly() {
    let shell = TestShell::new();
    let state = AppState::new(
        crate::persistence::Persistence::with(shell.paths.clone(), Default::default(), Vec::new()),
        ApiEndpoint::remote(shell.api.url()),
    );
    state.set_degraded(CommandError::AlreadyRunning);
    shell.app.manage(state);
    let window = main_window(&shell);
    for command in [commands::BOOTSTRAP, commands::CACHE_STATS] {
        let answer = invoke_in(&window, command, json!({})).expect_err("no cache in this run");
        assert_eq!(
            command_error(answer),
            CommandError::AlreadyRunning,
            "{command}"
        );
    }
}
