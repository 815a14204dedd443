//! The no-keychain view: at start no system keychain answered (a desktop
//! without gnome-keyring or KWallet, or one that is not running). The
//! window says so in plain words and offers two ways on: Retry (after
//! starting or unlocking a keychain), or keeping the keys in a protected
//! file on this computer, with what that does and does not protect.

use dioxus::prelude::*;
use larder_protocol::{Bootstrap, CommandError, SecretStoreChoice};

use crate::backend;

/// `on_started` gets the payload once Larder could open its data.
#[component]
pub fn NoKeychain(problem: String, on_started: EventHandler<Bootstrap>) -> Element {
    use_effect(crate::host::reveal_live_ui);
    let mut message = use_signal(|| None::<String>);
    let mut pending = use_signal(|| false);
    let mut attempt = move |file: bool| {
        if pending() {
            return;
        }
        pending.set(true);
        spawn(async move {
            let result = if file {
                backend::use_file_secrets().await
            } else {
                backend::retry_keychain().await
            };
            pending.set(false);
            match result {
                Ok(bootstrap) => on_started.call(bootstrap),
                Err(err @ CommandError::NoKeychain { .. }) => {
                    message.set(Some(format!("Still no keychain. {err}")))
                }
                Err(err) => message.set(Some(err.to_string())),
            }
        });
    };
    rsx! {
        main { class: "sign-in",
            section { class: "sign-in-card", role: "alert", "data-testid": "no-keychain",
                h1 { "Where should Larder keep its keys?" }
                p {
                    "Larder encrypts the data it saves on this computer and keeps the keys in the \
                     system keychain, but no keychain answered."
                }
                p { class: "muted small", "data-testid": "no-keychain-detail", "{problem}" }
                if let Some(text) = message() {
                    p { class: "form-error", "data-testid": "no-keychain-error", "{text}" }
                }
                button {
                    "data-testid": "keychain-retry",
                    disabled: pending(),
                    onclick: move |_| attempt(false),
                    "Retry"
                }
                p { class: "muted small",
                    "For example after starting or unlocking your keychain (GNOME Keyring, KWallet)."
                }
                button {
                    "data-testid": "use-file-secrets",
                    disabled: pending(),
                    onclick: move |_| attempt(true),
                    "Keep my keys in a protected file on this computer"
                }
                p { class: "muted small", "data-testid": "file-secrets-explained",
                    "{SecretStoreChoice::File.explain()} You can change this later in Settings."
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> Element {
        rsx! {
            NoKeychain {
                problem: "Larder keeps its keys in the system keychain, but no keychain answered.",
                on_started: |_| {},
            }
        }
    }

    #[test]
    fn offers_retry_and_the_protected_file_with_what_it_protects() {
        let html = crate::test_render::render(app);
        assert!(html.contains("no keychain answered"), "{html}");
        assert!(html.contains("Retry"), "{html}");
        assert!(
            html.contains("Keep my keys in a protected file on this computer"),
            "{html}"
        );
        assert!(
            html.contains("but not to someone who can read your own files"),
            "{html}"
        );
    }
}
