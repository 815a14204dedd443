//! Links to a post's or a profile's page. A plain click opens it in this
//! window; a modified click (Ctrl, Cmd or Shift, as in a browser) or the
//! "open in a new window" button beside it opens it in a window of its own
//! (`open_window`), which a second click brings forward. A post link warms
//! its page while hovered (the likely next page).

use dioxus::prelude::*;
use larder_protocol::{Post, WindowKind, WindowTarget};

use crate::{app::Route, backend};

/// Opens `kind`'s `id` in a window of its own.
fn open_in_window(kind: WindowKind, id: &str) {
    let Some(target) = WindowTarget::new(kind, id) else {
        return;
    };
    spawn(async move {
        if let Err(err) = backend::open_window(&target).await {
            web_sys::console::warn_1(&format!("opening a window: {err}").into());
        }
    });
}

/// Whether `event` asks for a new window: a click with Ctrl, Cmd or Shift.
fn wants_window(event: &MouseEvent) -> bool {
    let modifiers = event.modifiers();
    modifiers.ctrl() || modifiers.meta() || modifiers.shift()
}

/// Warms post `id`'s page in the background, once per hover.
fn warm(id: &str) {
    let id = id.to_owned();
    spawn(async move {
        if let Err(err) = backend::prewarm_post(&id).await {
            web_sys::console::warn_1(&format!("warming {id}: {err}").into());
        }
    });
}

/// A link to post `post`'s page that warms it while hovered.
#[component]
pub fn PostLink(post: Post, children: Element) -> Element {
    let (warmed, opened) = (post.id.clone(), post.id.clone());
    rsx! {
        span { onmouseenter: move |_| warm(&warmed),
            ViewLink {
                to: Route::PostView { id: post.id.clone() },
                kind: WindowKind::Post,
                id: opened,
                testid: "post-link",
                {children}
            }
        }
    }
}

/// A link to user `user_id`'s profile.
#[component]
pub fn ProfileLink(user_id: String, children: Element) -> Element {
    rsx! {
        ViewLink {
            to: Route::ProfileView { user_id: user_id.clone() },
            kind: WindowKind::Profile,
            id: user_id,
            testid: "profile-link",
            {children}
        }
    }
}

/// The link and its "open in a new window" button.
#[component]
fn ViewLink(
    to: Route,
    kind: WindowKind,
    id: String,
    testid: &'static str,
    children: Element,
) -> Element {
    let (clicked, pressed) = (id.clone(), id);
    rsx! {
        // The router's link leaves a modified click to the page, which
        // would load the view in place of the whole app: caught here.
        span {
            onclick: move |event: MouseEvent| {
                if wants_window(&event) {
                    event.prevent_default();
                    event.stop_propagation();
                    open_in_window(kind, &clicked);
                }
            },
            Link { to, class: "post-link", "data-testid": testid, {children} }
        }
        button {
            class: "link open-window",
            "data-testid": "open-window",
            title: "Open in a new window",
            "aria-label": "Open in a new window",
            onclick: move |_| open_in_window(kind, &pressed),
            "⧉"
        }
    }
}
