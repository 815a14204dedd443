//! Widget 4: notifications (each unread one with "Mark as read", and "Mark
//! all read"; one marked read whose change has not reached the server yet
//! says "waiting to sync") and tasks. The unread count and the tasks due
//! are the layout store's derived values when there is one.

use std::collections::HashSet;

use dioxus::prelude::*;
use larder_protocol::widgets::NotificationCenter;

use crate::{
    host::clock_time,
    stores::{
        layout::{tasks_due_of, unread_of},
        LayoutStore,
    },
};

#[component]
pub fn NotificationsPanel(
    center: NotificationCenter,
    #[props(default)] marking: HashSet<String>,
    /// Notifications shown read whose change waits in the outbox.
    #[props(default)]
    pending: Vec<String>,
    #[props(default)] on_mark_read: EventHandler<String>,
    #[props(default)] on_mark_all_read: EventHandler<()>,
) -> Element {
    crate::render_count::tick(|| "notifications".to_owned());
    // The store's values, computed once for every reader; a panel shown
    // outside the signed-in layout (a test, a preview) computes its own.
    let layout = try_use_context::<LayoutStore>();
    let (unread, due) = match layout {
        Some(layout) => (layout.unread.read().len(), *layout.tasks_due.read()),
        None => {
            let today = crate::host::local_date(crate::host::now_ms());
            (
                unread_of(Some(&center)).len(),
                tasks_due_of(Some(&center), &today),
            )
        }
    };
    let all_marking = unread > 0 && unread <= marking.len();
    rsx! {
        div { class: "notifications-head",
            p { class: "muted small", "data-testid": "unread-in-widget", "{unread} unread" }
            if unread > 0 {
                button {
                    class: "link",
                    "data-testid": "mark-all-read",
                    disabled: all_marking,
                    onclick: move |_| on_mark_all_read.call(()),
                    "Mark all read"
                }
            }
        }
        ul { class: "notifications",
            for note in center.notifications {
                li { key: "{note.id}", class: if note.read { "read" } else { "unread" },
                    "data-testid": "notification-{note.id}",
                    span { class: "time", "{clock_time(note.at)}" }
                    span { class: "note-title", "{note.title}" }
                    if pending.contains(&note.id) {
                        span { class: "pending muted small", "data-testid": "pending-{note.id}",
                            title: "Marked read on this computer; it will reach the server when it can",
                            "waiting to sync"
                        }
                    }
                    if !note.read {
                        button {
                            class: "link",
                            "data-testid": "mark-read-{note.id}",
                            disabled: marking.contains(&note.id),
                            onclick: {
                                let id = note.id.clone();
                                move |_| on_mark_read.call(id.clone())
                            },
                            if marking.contains(&note.id) { "marking…" } else { "Mark as read" }
                        }
                    }
                }
            }
        }
        h3 { "Tasks" if due > 0 { span { class: "muted small", " · {due} due" } } }
        ul { class: "tasks",
            for task in center.tasks {
                li { key: "{task.id}", class: if task.done { "done" } else { "open" },
                    span { if task.done { "✓ " } else { "○ " } "{task.title}" }
                    span { class: "muted small", "due {task.due}" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use larder_protocol::widgets::{Notification, Task};

    #[test]
    fn counts_unread_and_lists_tasks() {
        let html = crate::test_render::render(|| rsx! { NotificationsPanel { center: sample() } });
        assert!(html.contains("2 unread"), "{html}");
        assert!(html.contains("mark-read-n1") && html.contains("mark-read-n3"));
        assert!(!html.contains("mark-read-n2"), "read ones have no button");
        assert!(html.contains("Approve expenses") && html.contains("due 2026-12-01"));
    }

    #[test]
    fn changes_waiting_to_sync_are_marked() {
        let html = crate::test_render::render(|| {
            rsx! { NotificationsPanel { center: sample(), pending: vec!["n2".to_owned()] } }
        });
        assert!(
            html.contains("pending-n2") && html.contains("waiting to sync"),
            "{html}"
        );
        assert!(!html.contains("pending-n1"));
    }

    fn sample() -> NotificationCenter {
        let note = |id: &str, read| Notification {
            id: id.into(),
            title: format!("note {id}"),
            body: String::new(),
            read,
            at: 0,
        };
        NotificationCenter {
            notifications: vec![note("n1", false), note("n2", true), note("n3", false)],
            tasks: vec![Task {
                id: "t1".into(),
                title: "Approve expenses".into(),
                due: "2026-12-01".into(),
                done: true,
            }],
        }
    }
}
