//! The root component: the backend's events are subscribed, then one
//! `bootstrap` call (the snapshot), then the global store is hydrated from
//! its payload and applies the events that came after it (see
//! [`backend::feed`]), and the router takes over.

use dioxus::prelude::*;
use larder_protocol::{Bootstrap, CommandError};

use crate::{
    backend::{
        self,
        feed::{self, Audience, Pushed},
    },
    stores::{GlobalStore, LayoutSeed, Opening},
    views::{
        AddAccount, CacheInspector, Dashboard, Locked, NoKeychain, PostView, ProfileView,
        SettingsView, Shell, SignIn,
    },
};

/// Larder's routes. Every signed-in view sits in the [`Shell`] layout.
#[derive(Routable, Clone, PartialEq, Debug)]
#[rustfmt::skip]
pub enum Route {
    #[route("/")]
    SignIn {},
    #[route("/add-account")]
    AddAccount {},
    #[layout(Shell)]
        #[route("/dashboard")]
        Dashboard {},
        #[route("/profile/:user_id")]
        ProfileView { user_id: String },
        #[route("/post/:id")]
        PostView { id: String },
        #[route("/settings")]
        SettingsView {},
        #[route("/cache")]
        CacheInspector {},
    #[end_layout]
    #[route("/:..rest")]
    NotFound { rest: Vec<String> },
}

/// Loads the bootstrap payload, then renders the hydrated app; a kept
/// session locked behind the keychain gets the locked view first.
#[component]
pub fn App() -> Element {
    // The moments of a launch, for `cargo xtask ui-bench`.
    use_hook(|| crate::host::mark("larder-wasm-started"));
    // The router starts where the window was opened (see
    // `host::initial_path`) and keeps its history in memory.
    use_hook(|| {
        let history: std::rc::Rc<dyn dioxus_history::History> = std::rc::Rc::new(
            dioxus_history::MemoryHistory::with_initial_path(crate::host::initial_path()),
        );
        provide_context(history)
    });
    let mut bootstrap = use_resource(|| async {
        // Subscribed first, so nothing sent after the snapshot is missed.
        backend::feed::start().await;
        crate::host::mark("larder-subscribed");
        let bootstrap = backend::bootstrap().await;
        crate::host::mark("larder-bootstrapped");
        bootstrap
    });
    let sign_in_instead = use_signal(|| false);
    let state = bootstrap.read();
    match &*state {
        None => rsx! { div { class: "boot", "Opening Larder…" } },
        Some(start) => started(start, sign_in_instead, move || bootstrap.restart()),
    }
}

/// What the app shows once `bootstrap` has answered `start`. The desktop
/// backend's first frame (see [`crate::prerender`]) renders the same, so
/// the two cannot drift. `restart` asks for the bootstrap again.
pub(crate) fn started(
    start: &Result<Bootstrap, CommandError>,
    mut sign_in_instead: Signal<bool>,
    mut restart: impl FnMut() + Copy + 'static,
) -> Element {
    match start {
        Ok(payload) if payload.session.is_none() && !sign_in_instead() => {
            match payload.locked.clone() {
                Some(locked) => rsx! {
                    Locked {
                        locked,
                        on_unlocked: move |_| restart(),
                        on_sign_in: move |_| sign_in_instead.set(true),
                    }
                },
                None => rsx! { Hydrated { bootstrap: payload.clone() } },
            }
        }
        Err(err @ CommandError::NoKeychain { .. }) => rsx! {
            NoKeychain {
                problem: err.to_string(),
                on_started: move |_| restart(),
            }
        },
        Err(err @ CommandError::Storage { .. }) => rsx! {
            CacheUnavailable {
                problem: err.to_string(),
                on_started: move |_| restart(),
            }
        },
        Err(err) => rsx! {
            div { class: "boot boot-error", role: "alert", "data-testid": "startup-error",
                h1 { "Larder could not start" }
                p { "{err}" }
            }
            LiveUi {}
        },
        Ok(payload) => rsx! { Hydrated { bootstrap: payload.clone() } },
    }
}

/// Shows the live UI in place of the backend's first frame, once, after
/// the render it sits in (see [`crate::host::reveal_live_ui`]). Each view
/// a window can open on renders it, or calls that function itself.
#[component]
pub fn LiveUi() -> Element {
    use_effect(crate::host::reveal_live_ui);
    rsx! {}
}

/// Provides the global store from the payload, applies the backend's
/// app-wide events from then on, then routes.
#[component]
fn Hydrated(bootstrap: Bootstrap) -> Element {
    let store = GlobalStore::provide(&bootstrap);
    LayoutSeed::provide(&bootstrap);
    Opening::provide(bootstrap.post_page.clone());
    Opening::provide(bootstrap.profile_page.clone());

    // Applied as long as the app runs.
    let _feed = use_hook(|| {
        let (mut session, mut connectivity, mut prewarm) =
            (store.session, store.connectivity, store.prewarm);
        let switching = store.switching;
        std::rc::Rc::new(feed::attach(Audience::Global, move |pushed| match pushed {
            // The switch's answer shows the account it switches to.
            Pushed::Session(now)
                if now.as_ref().map(|s| &s.user.id) == switching.peek().as_ref() => {}
            Pushed::Session(now) => session.set(now),
            Pushed::Connectivity(now) => connectivity.set(now),
            Pushed::Prewarm(now) => prewarm.set(now),
            _ => {}
        }))
    });
    use_effect(move || crate::host::apply_theme(store.settings.read().theme));
    let mut rebuilt = use_signal(|| bootstrap.cache_rebuilt.clone());

    rsx! {
        RefusedSettingsBanner {}
        if let Some(moved_to) = rebuilt() {
            div { class: "banner", role: "alert", "data-testid": "cache-rebuilt",
                "Larder's cache was damaged, so it was set aside (kept at {moved_to}) and started afresh; what the server has will be fetched again. "
                button { class: "link", onclick: move |_| rebuilt.set(None), "Dismiss" }
            }
        }
        Router::<Route> {}
    }
}

/// Saved settings that could not be used at start: each named with its
/// saved value and why, their defaults in effect meanwhile. "Reset" saves
/// the settings in effect (the defaults for those), the settings view marks
/// the field for a fix.
#[component]
fn RefusedSettingsBanner() -> Element {
    let store = crate::stores::use_global_store();
    let mut problem = use_signal(|| None::<String>);
    let refused = store.refused_settings.read().clone();
    if refused.is_empty() {
        return rsx! {};
    }
    let reset = move |_| {
        let settings = store.settings.peek().clone();
        let mut refused = store.refused_settings;
        spawn(async move {
            match backend::save_settings(&settings).await {
                Ok(_) => refused.set(Vec::new()),
                Err(err) => problem.set(Some(err.to_string())),
            }
        });
    };
    rsx! {
        div { class: "banner", role: "alert", "data-testid": "settings-refused",
            for item in refused {
                p { key: "{item.field}",
                    "A saved setting cannot be used, so its default is in effect: "
                    strong { "{item.field}" }
                    " = \u{201c}{item.stored}\u{201d} ({item.message}). "
                    if item.field == "apiUrl" { "Larder is using {store.api_url} until this is fixed in the settings. " }
                }
            }
            button { class: "link", "data-testid": "reset-refused-settings", onclick: reset, "Reset to the defaults" }
            if let Some(text) = problem() { p { class: "form-error", "{text}" } }
        }
    }
}

/// An unknown path: back to where the user belongs.
#[component]
fn NotFound(rest: Vec<String>) -> Element {
    let navigator = use_navigator();
    use_effect(move || {
        navigator.replace(Route::Dashboard {});
    });
    rsx! {}
}

/// The cache could not be opened at start for a reason that may pass (a
/// full disk, too many open files): nothing was moved or changed, and Retry
/// tries again.
#[component]
fn CacheUnavailable(problem: String, on_started: EventHandler<()>) -> Element {
    use_effect(crate::host::reveal_live_ui);
    let mut trying = use_signal(|| false);
    let mut still = use_signal(|| None::<String>);
    rsx! {
        div { class: "boot boot-error", role: "alert", "data-testid": "cache-unavailable",
            h1 { "The cache is unavailable right now" }
            p { "{problem}" }
            p { class: "muted", "Nothing was moved or deleted. Free some disk space or close other programs, then try again." }
            if let Some(still) = still() {
                p { class: "muted small", "{still}" }
            }
            button { disabled: trying(),
                onclick: move |_| {
                    trying.set(true);
                    spawn(async move {
                        match backend::retry_keychain().await {
                            Ok(_) => on_started.call(()),
                            Err(err) => still.set(Some(err.to_string())),
                        }
                        trying.set(false);
                    });
                },
                "Retry"
            }
        }
    }
}
