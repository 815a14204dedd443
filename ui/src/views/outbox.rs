//! The outbox in the window: how many changes wait to sync (in the
//! connectivity banner), the notice when the server refuses one for good,
//! the question before signing out with changes waiting, and the list in
//! the cache inspector (what, when, tries, last error, discard).

use dioxus::prelude::*;
use larder_protocol::{Outbox, PendingChange, RefusedChange};

use crate::{backend, host::clock_time};

/// "2 changes waiting to sync"; nothing when none wait.
#[component]
pub fn WaitingChanges(waiting: usize) -> Element {
    if waiting == 0 {
        return rsx! {};
    }
    let noun = if waiting == 1 { "change" } else { "changes" };
    rsx! {
        span { class: "waiting", "data-testid": "waiting-changes", "data-count": "{waiting}",
            "{waiting} {noun} waiting to sync"
        }
    }
}

/// The question asked before signing out with changes waiting.
pub fn sign_out_question(waiting: usize) -> String {
    match waiting {
        1 => "1 change has not reached the server yet. Sign out anyway?".into(),
        n => format!("{n} changes have not reached the server yet. Sign out anyway?"),
    }
}

/// What is said after signing out discarded `discarded` changes.
pub fn discarded_notice(discarded: usize) -> String {
    match discarded {
        1 => "You signed out; 1 change that had not reached the server was discarded.".into(),
        n => format!("You signed out; {n} changes that had not reached the server were discarded."),
    }
}

/// Asks before signing out with changes waiting.
#[component]
pub fn SignOutConfirm(
    waiting: usize,
    on_confirm: EventHandler<()>,
    on_cancel: EventHandler<()>,
) -> Element {
    rsx! {
        div { class: "confirm", role: "alertdialog", "data-testid": "sign-out-confirm",
            p { "{sign_out_question(waiting)}" }
            button { class: "danger", "data-testid": "sign-out-anyway", onclick: move |_| on_confirm.call(()),
                "Sign out and discard them"
            }
            button { class: "secondary", "data-testid": "sign-out-cancel", onclick: move |_| on_cancel.call(()),
                "Stay signed in"
            }
        }
    }
}

/// What is said when a discarded change had already been sent.
pub fn may_still_arrive_notice(what: &str) -> String {
    format!("Discarded {what}, but it had already been sent, so the server may still apply it.")
}

/// The changes the server refused for good, each rolled back, until
/// dismissed.
#[component]
pub fn RefusedNotices(refused: Vec<RefusedChange>, on_dismiss: EventHandler<()>) -> Element {
    if refused.is_empty() {
        return rsx! {};
    }
    rsx! {
        div { class: "banner banner-refused", role: "alert", "data-testid": "refused-changes",
            for refusal in refused {
                p { key: "{refusal.change.id}",
                    "The server refused {refusal.change.change.describe()}, so it was undone: {refusal.reason}."
                }
            }
            button { class: "link", onclick: move |_| on_dismiss.call(()), "Dismiss" }
        }
    }
}

/// The outbox, for the cache inspector.
#[component]
pub fn OutboxList(outbox: Outbox) -> Element {
    // Set when a discarded change had already been sent: the server may
    // still apply it, and the user is told so rather than promised it is gone.
    let late = use_signal(|| None::<String>);
    rsx! {
        section { class: "outbox", "data-testid": "outbox",
            h2 { "Waiting to sync" }
            if let Some(late) = late() {
                p { class: "muted small", "data-testid": "discard-may-arrive", "{late}" }
            }
            if outbox.changes.is_empty() {
                p { class: "muted", "Nothing is waiting: every change has reached the server." }
            } else {
                table {
                    thead { tr { th { "Change" } th { "Made" } th { "Tries" } th { "Last error" } th {} } }
                    tbody {
                        for change in outbox.changes {
                            OutboxRow { key: "{change.id}", change, late }
                        }
                    }
                }
            }
            if outbox.set_aside > 0 {
                p { class: "muted small", "data-testid": "outbox-set-aside",
                    "{outbox.set_aside} damaged record(s) were set aside and will not be sent."
                }
            }
        }
    }
}

#[component]
fn OutboxRow(change: PendingChange, late: Signal<Option<String>>) -> Element {
    let mut discarding = use_signal(|| false);
    let id = change.id.clone();
    let what = change.change.describe();
    rsx! {
        tr { "data-testid": "outbox-{change.seq}",
            td { "{change.change.describe()}" }
            td { "{clock_time(change.created_at)}" }
            td { "{change.tries}" }
            td { class: "muted small", {change.last_error.clone().unwrap_or_default()} }
            td {
                button { class: "link", disabled: discarding(),
                    onclick: move |_| {
                        let (id, what) = (id.clone(), what.clone());
                        let mut late = late;
                        discarding.set(true);
                        spawn(async move {
                            match backend::discard_change(&id).await {
                                Ok(discarded) if discarded.may_still_arrive => {
                                    late.set(Some(may_still_arrive_notice(&what)));
                                }
                                Ok(_) => {}
                                Err(err) => web_sys::console::warn_1(&err.to_string().into()),
                            }
                            discarding.set(false);
                        });
                    },
                    "Discard"
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use larder_protocol::ChangeKind;

    use super::*;

    #[test]
    fn counts_and_questions_read_plainly() {
        let two = dioxus_ssr::render_element(rsx! { WaitingChanges { waiting: 2 } });
        assert!(
            two.contains("2 changes waiting to sync") && two.contains("data-count=\"2\""),
            "{two}"
        );
        let none = dioxus_ssr::render_element(rsx! { WaitingChanges { waiting: 0 } });
        assert!(!none.contains("waiting"));
        assert_eq!(
            sign_out_question(2),
            "2 changes have not reached the server yet. Sign out anyway?"
        );
        assert!(discarded_notice(1).contains("1 change that had not reached"));
    }

    fn sample() -> Outbox {
        let change = PendingChange {
            id: "k1".into(),
            seq: 7,
            change: ChangeKind::MarkNotificationRead {
                notification_id: "n2".into(),
            },
            created_at: 0,
            tries: 3,
            last_error: Some("the server answered 503".into()),
        };
        Outbox {
            changes: vec![change],
            set_aside: 1,
        }
    }

    #[test]
    fn the_inspector_lists_what_waits() {
        let html = crate::test_render::render(|| rsx! { OutboxList { outbox: sample() } });
        assert!(
            html.contains("outbox-7") && html.contains("notification n2"),
            "{html}"
        );
        assert!(html.contains("503") && html.contains("outbox-set-aside"));
    }
}
