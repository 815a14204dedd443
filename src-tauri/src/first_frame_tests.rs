//! The page the window loads, with the first frame painted in from the
//! real core's cache (on Tauri's mock runtime, against the real mock API).

use std::borrow::Cow;

use larder_protocol::WidgetId;
use tauri::{
    http::{header::CONTENT_TYPE, Request, Response},
    Manager,
};

use super::paint;
use crate::{test_support::TestShell, AppState};

const INDEX: &str = include_str!("../../ui/dist/index.html");

fn request(path: &str) -> Request<Vec<u8>> {
    Request::builder()
        .uri(format!("tauri://localhost{path}"))
        .body(Vec::new())
        .expect("a request")
}

fn response(body: &str, mime: &str) -> Response<Cow<'static, [u8]>> {
    Response::builder()
        .header(CONTENT_TYPE, mime)
        .body(Cow::Owned(body.as_bytes().to_vec()))
        .expect("a response")
}

/// A shell with its core open, and the core.
fn opened() -> (TestShell, larder_core::Larder) {
    let shell = TestShell::new();
    shell.open_core();
    let larder = shell
        .app
        .state::<AppState>()
        .larder_blocking()
        .expect("ready");
    (shell, larder)
}

/// The page as the window would receive it for `path`.
fn served(shell: &TestShell, path: &str) -> String {
    let mut page = response(INDEX, "text/html");
    paint(shell.app.handle(), &request(path), &mut page);
    String::from_utf8(page.body().to_vec()).expect("UTF-8")
}

#[test]
fn the_page_carries_the_cached_dashboard_of_the_signed_in_user() {
    let (shell, larder) = opened();
    tauri::async_runtime::block_on(async {
        larder.sign_in("maya").await.expect("signed in");
        for id in [1, 2] {
            larder
                .get_widget(WidgetId::new(id).expect("a widget"))
                .await
                .expect("fetched");
        }
    });

    for path in ["/", "/index.html"] {
        let page = served(&shell, path);
        let frame = page
            .find(r#"<div id="first-frame">"#)
            .expect("a first frame");
        let main = page
            .find(r#"<div id="main" hidden>"#)
            .expect("main, hidden");
        assert!(frame < main);
        let painted = &page[frame..main];
        assert!(painted.contains(r#"data-testid="dashboard""#), "{painted}");
        assert!(painted.contains("maya"), "{painted}");
        for id in [1, 2] {
            assert!(
                painted.contains(&format!(r#"data-testid="widget-{id}" data-state="ready""#)),
                "widget {id}: {painted}"
            );
        }
    }
}

#[test]
fn without_a_session_the_page_paints_the_sign_in_form() {
    let shell = TestShell::new();
    shell.open_core();
    let page = served(&shell, "/");
    assert!(page.contains(r#"data-testid="username""#), "{page}");
    assert!(!page.contains(r#"data-testid="dashboard""#), "{page}");
}

#[test]
fn other_files_and_a_shell_not_started_are_served_as_they_are() {
    let shell = TestShell::new();
    // Nothing is managed yet: the page is served without a first frame.
    assert_eq!(served(&shell, "/"), INDEX);

    shell.open_core();
    let css = "body { margin: 0; }";
    let mut style = response(css, "text/css");
    paint(shell.app.handle(), &request("/larder.css"), &mut style);
    assert_eq!(style.body().as_ref(), css.as_bytes());
    let mut other = response(INDEX, "text/html");
    paint(shell.app.handle(), &request("/other.html"), &mut other);
    assert_eq!(other.body().as_ref(), INDEX.as_bytes());
}

#[test]
fn a_views_own_window_is_served_that_view_from_the_cache() {
    let (shell, larder) = opened();
    let (user, post) = tauri::async_runtime::block_on(async {
        let user = larder.sign_in("maya").await.expect("signed in").user.id;
        larder.get_profile(&user).await.expect("profile");
        let posts = larder.get_posts(&user, 1).await.expect("posts");
        larder.get_followers(&user, 1).await.expect("followers");
        let post = posts.data.items[0].clone();
        larder.get_post(&post.id).await.expect("post");
        (user, post)
    });

    let page = served(&shell, &format!("/post/{}", post.id));
    let frame = &page[page
        .find(r#"<div id="first-frame">"#)
        .expect("a first frame")..];
    assert!(frame.contains(r#"data-testid="post-view""#), "{frame}");
    assert!(frame.contains(r#"data-testid="post-title""#), "{frame}");
    assert!(frame.contains(&post.title), "{frame}");
    assert!(!frame.contains(r#"data-testid="dashboard""#));

    let page = served(&shell, &format!("/profile/{user}"));
    let frame = &page[page
        .find(r#"<div id="first-frame">"#)
        .expect("a first frame")..];
    assert!(frame.contains(r#"data-testid="profile-name""#), "{frame}");
    assert!(frame.contains(r#"data-testid="follower""#), "{frame}");
    assert!(frame.contains(r#"data-testid="post""#), "{frame}");

    // A path that names no view is served as it is.
    assert_eq!(served(&shell, "/post/../etc"), INDEX);
}
