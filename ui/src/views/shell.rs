//! The signed-in layout: top bar (navigation, the account switcher,
//! sign-out, asking first when changes wait to sync), the connectivity
//! banner (with the changes waiting) and prewarm progress, around the
//! current view. It provides the layout store, follows `widget-updated`
//! pushes, keeps the clock for "updated 3 min ago", and turns Ctrl+R /
//! Cmd+R into a refresh of the current view. Without a session it sends the
//! user to sign-in (after the last sign-out, or when the API ended the
//! session).
//!
//! Each account shown gets a layout of its own (keyed by its user id): a
//! switch drops the old layout with its store, and the new one starts from
//! the switch's snapshot of the account's cache.

use std::time::Duration;

use dioxus::prelude::*;
use larder_protocol::{events::PrewarmProgress, Connectivity, ScreenReport, ScreenView};

use super::{
    accounts::AccountSwitcher,
    outbox::{RefusedNotices, SignOutConfirm, WaitingChanges},
};
use crate::{
    app::Route,
    backend::{
        self,
        feed::{self, Audience, Pushed},
    },
    stores::{use_global_store, LayoutStore},
};

#[component]
pub fn Shell() -> Element {
    let store = use_global_store();
    let navigator = use_navigator();
    use_effect(move || {
        if store.session.read().is_none() {
            navigator.replace(Route::SignIn {});
        } else {
            crate::host::reveal_live_ui();
        }
    });
    let Some(user) = store.session.read().as_ref().map(|s| s.user.id.clone()) else {
        return rsx! {};
    };
    rsx! {
        // Keyed, so another account's layout is a new one.
        for user in std::iter::once(user) {
            AccountShell { key: "{user}", user: user.clone() }
        }
    }
}

/// The layout of account `user`, shown.
#[component]
fn AccountShell(user: String) -> Element {
    use_hook(|| crate::host::mark("larder-account-rendering"));
    let store = use_global_store();
    let layout = LayoutStore::provide(&user);
    let mut signing_out = use_signal(|| false);

    // The backend's pushes for this account's layout, from the snapshot
    // on (see `backend::feed`); another account's are not for it.
    let _pushes = use_hook(|| {
        let (mut outbox, mut refused) = (layout.outbox, layout.refused);
        std::rc::Rc::new(feed::attach(Audience::Layout, move |pushed| {
            if pushed.user() != Some(user.as_str()) {
                return;
            }
            match pushed {
                Pushed::Widget(envelope) => layout.offer(envelope.value),
                Pushed::RoleWidget(envelope) => layout.offer_role(envelope.value),
                Pushed::Outbox(now) => outbox.set(now.value),
                Pushed::Refused(refusal) => refused.write().push(refusal.value),
                _ => {}
            }
        }))
    });
    use_effect(|| crate::host::mark("larder-account-painted"));
    // The outbox as it is now; the events above keep it current.
    use_future(move || async move {
        let mut outbox = layout.outbox;
        if let Ok(now) = backend::outbox().await {
            outbox.set(now);
        }
    });
    let mut confirming = use_signal(|| false);
    // A notice from signing out the account shown before this one stays
    // until dismissed (a sign-in clears it). This layout's own sign-out
    // notice is for the view after it, not for this layout.
    let mut notice = store.notice;
    let mut inherited = use_signal(|| notice.peek().clone());
    use_future(move || async move {
        let mut now = layout.now_ms;
        loop {
            crate::host::sleep(Duration::from_secs(15)).await;
            now.set(crate::host::now_ms());
        }
    });
    let _shortcut = use_hook(|| {
        let mut refresh = layout.refresh;
        std::rc::Rc::new(crate::host::on_refresh_shortcut(move || refresh += 1))
    });

    // What is on screen, and whether the window is visible and focused,
    // for the backend's automatic refresh.
    let mut window = use_signal(crate::host::window_state);
    let _window_watch = use_hook(|| {
        std::rc::Rc::new(crate::host::on_window_state_change(move |state| {
            window.set(state)
        }))
    });
    let view = screen_view(&use_route::<Route>());
    use_effect(use_reactive!(|view| {
        let state = window();
        let report = ScreenReport {
            visible: state.visible,
            focused: state.focused,
            view,
        };
        spawn(async move {
            if let Err(err) = backend::report_screen(&report).await {
                web_sys::console::warn_1(&err.to_string().into());
            }
        });
    }));

    let Some(session) = store.session.read().clone() else {
        return rsx! {};
    };

    let waiting = layout.outbox.read().changes.len();
    // With changes waiting, the user is asked first; signing out discards
    // them, and the sign-in view says so.
    let mut sign_out = move |confirmed: bool| {
        if waiting > 0 && !confirmed {
            confirming.set(true);
            return;
        }
        confirming.set(false);
        signing_out.set(true);
        let mut session = store.session;
        let mut notice = store.notice;
        // Said before the call: the backend announces the session's end
        // while it is still answering, and this layout (and any task it
        // spawned) goes as soon as the window hears of it.
        if waiting > 0 {
            notice.set(Some(super::outbox::discarded_notice(waiting)));
        }
        spawn(async move {
            // Signing out always ends the session locally; the backend
            // revokes the token upstream on a best-effort basis, and
            // answers with the account shown next, if another is signed in.
            let next = match backend::sign_out().await {
                Ok(next) => next,
                Err(err) => {
                    web_sys::console::warn_1(&err.to_string().into());
                    None
                }
            };
            signing_out.set(false);
            session.set(next);
        });
    };

    rsx! {
        div { class: "shell",
            header { class: "topbar",
                div { class: "brand", "Larder" }
                nav { class: "nav",
                    Link { to: Route::Dashboard {}, "data-testid": "nav-dashboard", "Dashboard" }
                    Link { to: Route::ProfileView { user_id: session.user.id.clone() }, "data-testid": "nav-profile", "Profile" }
                    Link { to: Route::CacheInspector {}, "data-testid": "nav-cache", "Cache" }
                    Link { to: Route::SettingsView {}, "data-testid": "nav-settings", "Settings" }
                }
                div { class: "topbar-right",
                    PrewarmStatus { progress: *store.prewarm.read() }
                    TasksDue {}
                    UnreadCount {}
                    AccountSwitcher { session: session.clone() }
                    button {
                        class: "secondary",
                        "data-testid": "sign-out",
                        disabled: signing_out(),
                        onclick: move |_| sign_out(false),
                        "Sign out"
                    }
                }
            }
            if confirming() {
                SignOutConfirm {
                    waiting,
                    on_confirm: move |_| sign_out(true),
                    on_cancel: move |_| confirming.set(false),
                }
            }
            // Over the foot of the window, so a banner that comes and goes
            // never moves the page under the pointer.
            div { class: "status-banners",
                ConnectivityBanner { connectivity: *store.connectivity.read(), waiting }
                if let Some(text) = inherited() {
                    div { class: "banner", role: "status", "data-testid": "signed-out-notice",
                        "{text} "
                        button { class: "link",
                            onclick: move |_| {
                                inherited.set(None);
                                notice.set(None);
                            },
                            "Dismiss"
                        }
                    }
                }
                RefusedNotices {
                    refused: layout.refused.read().clone(),
                    on_dismiss: move |_| {
                        let mut refused = layout.refused;
                        refused.write().clear();
                    },
                }
            }
            Outlet::<Route> {}
        }
    }
}

/// The unread notifications, from the layout store's derived value: it
/// re-renders when the count changes, not when widget 4 does.
#[component]
pub fn UnreadCount() -> Element {
    crate::render_count::tick(|| "unread-count".to_owned());
    let unread = crate::stores::use_layout_store().unread.read().len();
    if unread == 0 {
        return rsx! {};
    }
    rsx! {
        span { class: "count-badge", "data-testid": "unread-count", title: "Unread notifications",
            "{unread} unread"
        }
    }
}

/// The open tasks due today or earlier, from the layout store's derived
/// value.
#[component]
pub fn TasksDue() -> Element {
    crate::render_count::tick(|| "tasks-due".to_owned());
    let due = *crate::stores::use_layout_store().tasks_due.read();
    if due == 0 {
        return rsx! {};
    }
    let tasks = if due == 1 { "task" } else { "tasks" };
    rsx! {
        span { class: "count-badge muted", "data-testid": "tasks-due", title: "Open tasks due today or earlier",
            "{due} {tasks} due"
        }
    }
}

/// "warming 3 of 5" while a prewarm runs; nothing once it is done.
#[component]
pub fn PrewarmStatus(progress: PrewarmProgress) -> Element {
    if progress.total == 0 || progress.is_done() {
        return rsx! {};
    }
    let done = progress.warmed + progress.failed;
    rsx! {
        span { class: "prewarm muted small", "data-testid": "prewarm", "warming {done} of {progress.total}" }
    }
}

/// Says when the API is offline or degraded, and how many changes wait to
/// sync; nothing when online with nothing waiting.
#[component]
pub fn ConnectivityBanner(connectivity: Connectivity, #[props(default)] waiting: usize) -> Element {
    let message = match connectivity {
        Connectivity::Online if waiting > 0 => {
            return rsx! {
                div { class: "banner banner-syncing", role: "status", "data-testid": "connectivity", "data-state": "syncing",
                    WaitingChanges { waiting }
                }
            }
        }
        Connectivity::Online => return rsx! {},
        Connectivity::Degraded => {
            "The server is slow or failing. Showing what Larder has; retrying in the background."
        }
        Connectivity::Offline => {
            "You are offline. Showing cached data; Larder reconnects on its own."
        }
    };
    let state = match connectivity {
        Connectivity::Degraded => "degraded",
        _ => "offline",
    };
    rsx! {
        div { class: "banner banner-{state}", role: "status", "data-testid": "connectivity", "data-state": state,
            "{message} "
            WaitingChanges { waiting }
        }
    }
}

/// What the automatic refresh keeps fresh for `route`.
fn screen_view(route: &Route) -> ScreenView {
    match route {
        Route::Dashboard {} => ScreenView::Dashboard,
        Route::ProfileView { user_id } => ScreenView::Profile {
            user_id: user_id.clone(),
        },
        Route::PostView { id } => ScreenView::Post {
            post_id: id.clone(),
        },
        _ => ScreenView::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prewarm_and_connectivity_say_what_is_happening() {
        let progress = PrewarmProgress {
            warmed: 2,
            failed: 1,
            total: 5,
        };
        let html = dioxus_ssr::render_element(rsx! { PrewarmStatus { progress } });
        assert!(html.contains("warming 3 of 5"), "{html}");
        let done = PrewarmProgress {
            warmed: 5,
            failed: 0,
            total: 5,
        };
        assert!(
            !dioxus_ssr::render_element(rsx! { PrewarmStatus { progress: done } })
                .contains("warming")
        );

        let offline = dioxus_ssr::render_element(
            rsx! { ConnectivityBanner { connectivity: Connectivity::Offline } },
        );
        assert!(
            offline.contains("data-state=\"offline\"") && offline.contains("offline"),
            "{offline}"
        );
        let online = dioxus_ssr::render_element(
            rsx! { ConnectivityBanner { connectivity: Connectivity::Online } },
        );
        assert!(!online.contains("banner"));
    }
}
