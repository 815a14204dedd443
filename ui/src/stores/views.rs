//! Per-view stores, each provided at its view's root.
//!
//! - [`DashboardStore`]: each widget's and role widget's attempt counter
//!   (Retry and Ctrl+R bump it, which refetches that widget only) and the
//!   notifications being marked read.
//! - [`ProfileStore`]: how many pages of posts the profile view shows.
//! - [`PostStore`]: how many pages of comments the post view shows, and
//!   each part's attempt counter (its Retry, and Ctrl+R for all).

use std::collections::{HashMap, HashSet};

use dioxus::prelude::*;
use larder_protocol::{RoleWidget, WidgetId};

use super::LayoutStore;

#[derive(Clone, Copy, PartialEq)]
pub struct DashboardStore {
    pub attempts: Signal<HashMap<WidgetId, u32>>,
    pub role_attempts: Signal<HashMap<RoleWidget, u32>>,
    pub marking: Signal<HashSet<String>>,
}

impl DashboardStore {
    pub fn provide() -> Self {
        use_context_provider(|| Self {
            attempts: Signal::new(HashMap::new()),
            role_attempts: Signal::new(HashMap::new()),
            marking: Signal::new(HashSet::new()),
        })
    }

    pub fn attempt(&self, id: WidgetId) -> u32 {
        self.attempts.read().get(&id).copied().unwrap_or(0)
    }

    /// Refetches `id` from the upstream.
    pub fn retry(mut self, id: WidgetId) {
        *self.attempts.write().entry(id).or_default() += 1;
    }

    pub fn role_attempt(&self, widget: RoleWidget) -> u32 {
        self.role_attempts.read().get(&widget).copied().unwrap_or(0)
    }

    /// Refetches role widget `widget` from the upstream.
    pub fn retry_role(mut self, widget: RoleWidget) {
        *self.role_attempts.write().entry(widget).or_default() += 1;
    }

    /// Refetches every widget, and the role widgets of `role`.
    pub fn retry_all(self, role: Option<larder_protocol::Role>) {
        for id in WidgetId::ALL {
            self.retry(id);
        }
        for widget in role.into_iter().flat_map(RoleWidget::for_role) {
            self.retry_role(widget);
        }
    }
}

impl DashboardStore {
    /// Marks notification `note` read: the backend keeps the change in its
    /// outbox (sent exactly once, with its own Idempotency-Key) and answers
    /// at once with widget 4 showing it read and waiting to sync, which
    /// replaces the one `layout` knows. A note already being marked is left
    /// alone.
    pub fn mark_read(self, layout: LayoutStore, note: String) {
        self.mark_each(layout, vec![note]);
    }

    /// Marks every notification `layout` shows unread, one outbox change
    /// each, in order.
    pub fn mark_all_read(self, layout: LayoutStore) {
        self.mark_each(layout, layout.unread.peek().clone());
    }

    fn mark_each(mut self, layout: LayoutStore, notes: Vec<String>) {
        let notes: Vec<String> = notes
            .into_iter()
            .filter(|note| self.marking.write().insert(note.clone()))
            .collect();
        if notes.is_empty() {
            return;
        }
        spawn(async move {
            for note in notes {
                match crate::backend::mark_notification_read(&note).await {
                    Ok(envelope) => layout.offer(envelope),
                    Err(err) => {
                        web_sys::console::warn_1(&format!("mark as read failed: {err}").into())
                    }
                }
                self.marking.write().remove(&note);
            }
        });
    }
}

pub fn use_dashboard_store() -> DashboardStore {
    try_use_context::<DashboardStore>()
        .expect("use_dashboard_store: no DashboardStore provided; it is provided by Dashboard")
}

#[derive(Clone, Copy, PartialEq)]
pub struct ProfileStore {
    /// Pages of posts shown ("load more" adds one).
    pub post_pages: Signal<u32>,
    /// Bumped by Ctrl+R: every part refetches.
    pub generation: Signal<u32>,
}

impl ProfileStore {
    pub fn provide() -> Self {
        use_context_provider(|| Self {
            post_pages: Signal::new(1),
            generation: Signal::new(0),
        })
    }
}

/// The post view's parts, each with its own attempt counter.
#[derive(Clone, Copy, PartialEq)]
pub struct PostStore {
    pub post: Signal<u32>,
    pub comments: Signal<u32>,
    pub author: Signal<u32>,
    pub related: Signal<u32>,
    pub related_authors: Signal<u32>,
    /// Pages of comments shown ("more comments" adds one).
    pub comment_pages: Signal<u32>,
}

impl PostStore {
    pub fn provide() -> Self {
        use_context_provider(|| Self {
            post: Signal::new(0),
            comments: Signal::new(0),
            author: Signal::new(0),
            related: Signal::new(0),
            related_authors: Signal::new(0),
            comment_pages: Signal::new(1),
        })
    }

    /// Every part again (Ctrl+R).
    pub fn retry_all(self) {
        for mut part in [
            self.post,
            self.comments,
            self.author,
            self.related,
            self.related_authors,
        ] {
            part += 1;
        }
    }
}

pub fn use_post_store() -> PostStore {
    try_use_context::<PostStore>()
        .expect("use_post_store: no PostStore provided; it is provided by PostView")
}

pub fn use_profile_store() -> ProfileStore {
    try_use_context::<ProfileStore>()
        .expect("use_profile_store: no ProfileStore provided; it is provided by ProfileView")
}
