//! The dashboard view: the five widgets, each an island, plus the top bar
//! with the signed-in user and sign-out.

use dioxus::prelude::*;
use larder_protocol::WidgetId;

use crate::{app::Route, backend, stores::use_global_store, widgets::WidgetSlot};

#[component]
pub fn Dashboard() -> Element {
    let store = use_global_store();
    let navigator = use_navigator();
    let mut signing_out = use_signal(|| false);

    // Without a session there is nothing to show: back to sign-in.
    use_effect(move || {
        if store.session.read().is_none() {
            navigator.replace(Route::SignIn {});
        }
    });
    let Some(session) = store.session.read().clone() else {
        return rsx! {};
    };

    let sign_out = move |_| {
        signing_out.set(true);
        let mut session = store.session;
        spawn(async move {
            // Signing out always ends the session locally; the backend
            // revokes the token upstream on a best-effort basis.
            if let Err(err) = backend::sign_out().await {
                tracing_warn(&err.to_string());
            }
            signing_out.set(false);
            session.set(None);
        });
    };

    rsx! {
        div { class: "shell",
            header { class: "topbar",
                div { class: "brand", "Larder" }
                div { class: "topbar-right",
                    span { class: "user", "data-testid": "user-name", "{session.user.name}" }
                    button {
                        class: "secondary",
                        "data-testid": "sign-out",
                        disabled: signing_out(),
                        onclick: sign_out,
                        "Sign out"
                    }
                }
            }
            main { class: "grid",
                for id in WidgetId::ALL {
                    WidgetSlot { key: "{id}", id }
                }
            }
        }
    }
}

/// Logs to the webview console (visible in the devtools).
fn tracing_warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}
