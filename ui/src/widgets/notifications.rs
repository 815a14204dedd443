//! Widget 4: notifications and tasks.

use dioxus::prelude::*;
use larder_protocol::widgets::NotificationCenter;

use super::clock_time;

#[component]
pub fn NotificationsPanel(center: NotificationCenter) -> Element {
    let unread = center.notifications.iter().filter(|n| !n.read).count();
    rsx! {
        p { class: "muted small", "{unread} unread" }
        ul { class: "notifications",
            for note in center.notifications {
                li { key: "{note.id}", class: if note.read { "read" } else { "unread" },
                    span { class: "time", "{clock_time(note.at)}" }
                    span { "{note.title}" }
                }
            }
        }
        h3 { "Tasks" }
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
        let note = |id: &str, read| Notification {
            id: id.into(),
            title: format!("note {id}"),
            body: String::new(),
            read,
            at: 0,
        };
        let center = NotificationCenter {
            notifications: vec![note("n1", false), note("n2", true), note("n3", false)],
            tasks: vec![Task {
                id: "t1".into(),
                title: "Approve expenses".into(),
                due: "2026-12-01".into(),
                done: true,
            }],
        };
        let html = dioxus_ssr::render_element(rsx! { NotificationsPanel { center } });
        assert!(html.contains("2 unread"), "{html}");
        assert!(html.contains("Approve expenses") && html.contains("due 2026-12-01"));
    }
}
