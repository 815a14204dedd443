//! The sign-in view: a username only, as the API's sign-in takes. The
//! same card adds an account beside those signed in ([`AddAccount`]).
//!
//! The username is checked with the same rules the backend and the API use
//! (`Username::parse`) before anything is sent, so an empty, blank or
//! over-long name gets a clear message at once.

use dioxus::prelude::*;
use larder_protocol::{CommandError, Username};

use crate::{app::Route, backend, stores::use_global_store};

#[component]
pub fn SignIn() -> Element {
    rsx! { SignInCard { adding: false } }
}

/// Signs one more account in; the accounts signed in stay signed in, and
/// the new one is shown.
#[component]
pub fn AddAccount() -> Element {
    rsx! { SignInCard { adding: true } }
}

#[component]
fn SignInCard(adding: bool) -> Element {
    let store = use_global_store();
    let navigator = use_navigator();
    let mut username = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut pending = use_signal(|| false);

    use_effect(move || {
        crate::host::set_title(if adding {
            "Add an account · Larder"
        } else {
            "Sign in · Larder"
        })
    });
    // A restored session goes straight to the dashboard; without one, this
    // is the view the window opens on.
    use_effect(move || {
        if !adding && store.session.read().is_some() {
            navigator.replace(Route::Dashboard {});
        } else {
            crate::host::reveal_live_ui();
        }
    });

    let submit = move |event: FormEvent| {
        event.prevent_default();
        if pending() {
            return;
        }
        let name = match Username::parse(&username.read()) {
            Ok(name) => name,
            Err(err) => {
                error.set(Some(err.to_string()));
                return;
            }
        };
        error.set(None);
        pending.set(true);
        let (mut session, mut notice) = (store.session, store.notice);
        spawn(async move {
            let result = backend::sign_in(name.as_str()).await;
            pending.set(false);
            match result {
                Ok(signed_in) => {
                    // What the sign-in view said of the last sign-out is
                    // not for the account signed in now.
                    notice.set(None);
                    session.set(Some(signed_in));
                    navigator.push(Route::Dashboard {});
                }
                Err(err) => error.set(Some(sign_in_message(&err))),
            }
        });
    };

    rsx! {
        main { class: "sign-in",
            form { class: "sign-in-card", onsubmit: submit,
                h1 { "Larder" }
                if adding {
                    p { class: "muted", "Add an account. Those signed in stay signed in." }
                } else {
                    p { class: "muted", "Your dashboard, ready before you are." }
                }
                if let Some(notice) = store.notice.read().clone() {
                    p { class: "notice", role: "status", "data-testid": "signed-out-notice", "{notice}" }
                }
                label { r#for: "username", "Username" }
                input {
                    id: "username",
                    "data-testid": "username",
                    r#type: "text",
                    autocomplete: "username",
                    autofocus: true,
                    maxlength: "200",
                    placeholder: "for example alice",
                    value: "{username}",
                    oninput: move |event| username.set(event.value()),
                }
                if let Some(message) = error() {
                    p { class: "form-error", role: "alert", "data-testid": "sign-in-error", "{message}" }
                }
                button {
                    "data-testid": "sign-in",
                    r#type: "submit",
                    disabled: pending(),
                    if pending() { "Signing in…" } else { "Sign in" }
                }
                if adding && store.session.read().is_some() {
                    Link { to: Route::Dashboard {}, class: "link", "data-testid": "cancel-add-account", "Cancel" }
                }
            }
        }
    }
}

/// The message shown for a failed sign-in.
pub fn sign_in_message(err: &CommandError) -> String {
    match err {
        CommandError::Unreachable { .. } => {
            "Larder cannot reach the server. Check your connection and try again.".to_owned()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_is_said_plainly() {
        let message = sign_in_message(&CommandError::Unreachable {
            message: "connection refused".into(),
        });
        assert!(message.contains("cannot reach the server"));
    }
}
