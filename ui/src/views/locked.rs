//! The locked view: a kept session whose token cannot be read because the
//! system keychain is locked (or gone). It is not a signed-out session, so
//! the window says what happened in plain words, promises that nothing was
//! deleted, and offers Retry (after unlocking) or signing in again.

use dioxus::prelude::*;
use larder_protocol::{CommandError, LockReason, LockedSession};

use crate::backend;

/// Shows why the saved dashboard cannot be opened. `on_unlocked` runs once
/// Retry succeeds; `on_sign_in` when the user chooses to sign in instead.
#[component]
pub fn Locked(
    locked: LockedSession,
    on_unlocked: EventHandler<()>,
    on_sign_in: EventHandler<()>,
) -> Element {
    use_effect(crate::host::reveal_live_ui);
    let mut message = use_signal(|| None::<String>);
    let mut pending = use_signal(|| false);
    let retry = move |_| {
        if pending() {
            return;
        }
        pending.set(true);
        spawn(async move {
            let result = backend::unlock().await;
            pending.set(false);
            match result {
                Ok(bootstrap) if bootstrap.session.is_some() => on_unlocked.call(()),
                Ok(bootstrap) => message.set(Some(still_locked(
                    bootstrap.locked.map(|l| l.reason.explain().to_owned()),
                ))),
                Err(err @ CommandError::CacheLocked { .. }) => {
                    message.set(Some(still_locked(Some(err.to_string()))))
                }
                Err(err) => message.set(Some(err.to_string())),
            }
        });
    };
    let name = locked.user.name.clone();
    rsx! {
        main { class: "sign-in",
            section { class: "sign-in-card", role: "alert", "data-testid": "locked",
                "data-reason": "{reason_name(&locked)}",
                h1 { "Your dashboard is locked" }
                p { class: "muted", "Signed in as {name}." }
                p { "data-testid": "locked-reason", "{locked.reason.explain()}" }
                if let Some(text) = message() {
                    p { class: "form-error", "data-testid": "locked-error", "{text}" }
                }
                button {
                    "data-testid": "unlock-retry",
                    disabled: pending(),
                    onclick: retry,
                    if pending() { "Trying…" } else { "Retry" }
                }
                button {
                    class: "link",
                    "data-testid": "locked-sign-in",
                    onclick: move |_| on_sign_in.call(()),
                    "Sign in again instead"
                }
            }
        }
    }
}

fn still_locked(detail: Option<String>) -> String {
    match detail {
        Some(detail) => format!("Still locked. {detail}"),
        None => "Still locked.".to_owned(),
    }
}

/// The reason as the wire names it, for tests and styling.
fn reason_name(locked: &LockedSession) -> &'static str {
    match locked.reason {
        LockReason::KeychainLocked => "keychain_locked",
        LockReason::KeychainUnavailable => "keychain_unavailable",
        LockReason::AccessDenied => "access_denied",
        LockReason::KeyMissing => "key_missing",
        LockReason::WrongKey => "wrong_key",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use larder_protocol::{Role, User};

    fn locked_app() -> Element {
        let locked = LockedSession {
            user: User {
                id: "u_1".into(),
                name: "Mia".into(),
                role: Role::Member,
                organization_id: "org_1".into(),
            },
            reason: LockReason::KeychainLocked,
        };
        rsx! { Locked { locked, on_unlocked: |_| {}, on_sign_in: |_| {} } }
    }

    #[test]
    fn names_the_locked_keychain_and_offers_retry() {
        let html = crate::test_render::render(locked_app);
        assert!(html.contains("keychain is locked"), "{html}");
        assert!(html.contains("Nothing has been deleted"), "{html}");
        assert!(
            html.contains("Retry") && html.contains("keychain_locked"),
            "{html}"
        );
    }
}
