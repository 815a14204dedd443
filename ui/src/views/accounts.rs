//! The account switcher in the top bar: the account shown, every other
//! signed-in account to switch to, and "Add account", which signs one more
//! in without signing anyone out.
//!
//! A switch asks the backend once (`switch_account`); its answer is the
//! other account's snapshot from the cache (no request upstream, no
//! secret), handed to the next layout as its seed, so the account's
//! dashboard paints from it at once.

use dioxus::prelude::*;
use larder_protocol::{Role, Session};

use crate::{
    app::Route,
    backend,
    stores::{use_global_store, LayoutSeed},
};

#[component]
pub fn AccountSwitcher(session: Session) -> Element {
    let store = use_global_store();
    let navigator = use_navigator();
    let seed = use_context::<LayoutSeed>();
    let mut problem = use_signal(|| None::<String>);
    let mut switching = use_signal(|| false);
    let others: Vec<_> = session
        .accounts
        .iter()
        .filter(|user| user.id != session.user.id)
        .cloned()
        .collect();

    let mut switch_to = move |user_id: String| {
        if switching() {
            return;
        }
        switching.set(true);
        crate::host::mark("larder-switch-start");
        let (mut session, mut prewarm, mut to) = (store.session, store.prewarm, store.switching);
        // Until the answer, the pushed session naming this account waits
        // (see `App`): the answer shows it, with its snapshot as the seed.
        to.set(Some(user_id.clone()));
        spawn(async move {
            match backend::switch_account(&user_id).await {
                Ok(snapshot) => {
                    crate::host::mark("larder-switch-answered");
                    seed.refill(&snapshot);
                    prewarm.set(snapshot.prewarm);
                    navigator.push(Route::Dashboard {});
                    // Last: the next account's layout mounts on it and
                    // takes the seed.
                    session.set(snapshot.session);
                    crate::host::mark("larder-switch-applied");
                }
                Err(err) => problem.set(Some(err.to_string())),
            }
            to.set(None);
            switching.set(false);
        });
    };

    rsx! {
        details { class: "accounts", "data-testid": "accounts",
            summary { class: "user", title: "Switch account",
                span { "data-testid": "user-name", "{session.user.name}" }
            }
            div { class: "accounts-menu",
                for user in others {
                    button {
                        key: "{user.id}",
                        class: "link account",
                        "data-testid": "switch-account",
                        "data-user": "{user.id}",
                        disabled: switching(),
                        onclick: move |_| switch_to(user.id.clone()),
                        "{user.name}"
                        span { class: "muted small", " {role_name(user.role)}" }
                    }
                }
                Link { to: Route::AddAccount {}, class: "account", "data-testid": "add-account",
                    "Add account…"
                }
                if let Some(text) = problem() {
                    p { class: "form-error", role: "alert", "{text}" }
                }
            }
        }
    }
}

/// How a role is named beside an account.
fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Manager => "manager",
        Role::Member => "member",
    }
}
