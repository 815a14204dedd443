//! The first frame: the view a window opens on, rendered to HTML by the
//! desktop backend before any wasm has loaded, from the same `bootstrap`
//! payload and through the same components as the live UI
//! ([`crate::app::started`]), so the two cannot drift.
//!
//! The live UI does not hydrate this markup. dioxus-web's hydration needs
//! the data a Dioxus fullstack server embeds, runs on every launch once
//! enabled, and adopts the markup without checking it against its own first
//! render. Instead the page keeps the first frame on screen while the live
//! UI renders, hidden, into `#main`; once that render shows the same view,
//! [`crate::host::reveal_live_ui`] has `first-frame.js` swap the two in one
//! task and replay what the user clicked or typed meanwhile.

use std::rc::Rc;

use dioxus::prelude::*;
use dioxus_history::{History, MemoryHistory};
use larder_protocol::{Bootstrap, CommandError, Theme};

use crate::app::Route;

/// A window's first frame.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstFrame {
    /// The view's markup, as the live UI renders it into `#main`.
    pub html: String,
    /// The theme the live UI applies to the root element.
    pub theme: Theme,
}

/// Where the first frame goes in `index.html`, and what replaces it.
const MOUNT: &str = r#"<div id="main"></div>"#;
const ROOT: &str = r#"<html lang="en">"#;
/// The start of the stylesheet's link, which the first frame replaces with
/// the stylesheet itself (see [`FirstFrame::into_page`]). Only its start:
/// Tauri serves `index.html` re-serialised, `<link …>` where the file has
/// `<link … />`.
const STYLESHEET: &str = r#"<link rel="stylesheet" href="/larder.css""#;

impl FirstFrame {
    /// Renders the view the live UI settles on once `bootstrap` has
    /// answered `start`: the dashboard from the cache, the sign-in, locked
    /// or keychain-choice view, or why Larder could not start. Relative
    /// times ("updated 3 min ago") are read against the clock now.
    pub fn render(start: Result<Bootstrap, CommandError>) -> Self {
        Self::render_at(start, None)
    }

    /// As [`Self::render`], for a window that opens on the route `path`
    /// (a view's own window, `/post/<id>`): that view, signed in; `None`
    /// or a path that is no route, the dashboard.
    pub fn render_at(start: Result<Bootstrap, CommandError>, path: Option<&str>) -> Self {
        let theme = start
            .as_ref()
            .map(|bootstrap| bootstrap.settings.theme)
            .unwrap_or_default();
        let route = path.and_then(|path| path.parse::<Route>().ok());
        let mut dom = VirtualDom::new_with_props(first_frame_root, (start, route));
        dom.rebuild_in_place();
        Self {
            html: dioxus_ssr::render(&dom),
            theme,
        }
    }

    /// `index` (the UI's `index.html`) with this frame painted in: the
    /// frame in `#first-frame`, the live UI's `#main` hidden until it takes
    /// over, and the theme on the root element. `None` when `index` lacks
    /// the places these go, so the page is served as it is.
    ///
    /// With `stylesheet` (the text of `larder.css`), the page carries it in
    /// a `<style>` element in place of its link, so the frame paints without
    /// waiting for a second request to the app; the live UI renders into the
    /// same document and keeps it. Left linked when it could end its own
    /// element early.
    pub fn into_page(self, index: &str, stylesheet: Option<&str>) -> Option<String> {
        if !index.contains(MOUNT) || !index.contains(ROOT) {
            return None;
        }
        let theme = crate::host::theme_name(self.theme);
        let mount = format!(
            r#"<div id="first-frame">{}</div><div id="main" hidden></div>"#,
            self.html
        );
        let root = format!(
            r#"<html lang="en" data-theme="{theme}" data-platform="{}">"#,
            crate::host::platform_name()
        );
        let mut page = index.replacen(ROOT, &root, 1);
        // Before the frame goes in, so only the page's own link is replaced.
        let link = page
            .find(STYLESHEET)
            .and_then(|start| Some(start..start + page[start..].find('>')? + 1));
        let css = stylesheet.filter(|css| !css.to_ascii_lowercase().contains("</style"));
        if let (Some(link), Some(css)) = (link, css) {
            page.replace_range(link, &format!("<style>{css}</style>"));
        }
        Some(page.replacen(MOUNT, &mount, 1))
    }
}

/// The root of the first frame: the router starts where the live UI's
/// settles (for a session, the window's `route` or else the dashboard;
/// without one, the sign-in), and the views
/// are what [`crate::app::App`] shows once its bootstrap has answered.
fn first_frame_root((start, route): (Result<Bootstrap, CommandError>, Option<Route>)) -> Element {
    let signed_in = start
        .as_ref()
        .is_ok_and(|bootstrap| bootstrap.session.is_some());
    use_hook(|| {
        let path = match route {
            Some(route) if signed_in => route,
            _ if signed_in => Route::Dashboard {},
            _ => Route::SignIn {},
        };
        let history: Rc<dyn History> = Rc::new(MemoryHistory::with_initial_path(path));
        provide_context(history)
    });
    let sign_in_instead = use_signal(|| false);
    crate::app::started(&start, sign_in_instead, || {})
}

#[cfg(test)]
#[path = "prerender_tests.rs"]
mod tests;
