//! The signed-in layout's store: what the views inside the shell share.
//!
//! - `widget(id)` and `role_widget(w)`: the newest envelope known for each
//!   widget and role widget, one signal each, kept current by query
//!   results and the `widget-updated` and `role-widget-updated` pushes.
//! - derived values, computed once for every reader: `unread` (the
//!   notifications shown unread) and `tasks_due` (open tasks due today or
//!   earlier), both from widget 4.
//! - `first_answers`: the bootstrap's envelopes not yet used by a query.
//! - `outbox`: the changes waiting to sync (from the bootstrap, then kept
//!   current), and `refused`: those the server refused for good (until
//!   dismissed; a switch's answer brings those refused while the account
//!   was not shown); both kept current by the backend's `outbox-changed`
//!   and `change-refused` events.
//! - `now_ms`: a clock ticking every 15 s, for "updated 3 min ago".
//! - `refresh`: bumped by Ctrl+R / Cmd+R; the current view refreshes.
//!
//! # Hydration
//! This is the one path by which the `bootstrap` payload's cached widgets
//! (and role widgets) reach the widgets:
//! 1. the root hands them over once with [`LayoutSeed::provide`];
//! 2. the shell's [`LayoutStore::provide`] takes them, so they are in
//!    their widget's signal and paint on the first frame, with no suspense;
//! 3. each widget's first query run answers from `first_answers` with
//!    [`LayoutStore::take_first_answer`] instead of an IPC call
//!    (dioxus-query has no "initial data"), so hydrating the dashboard sends
//!    nothing to the backend. Later runs (a retry, Ctrl+R, a remount after
//!    the query went stale) find nothing there and ask the backend.
//!
//! A second sign-in in the same window finds the seed already taken and
//! starts from the backend, so no user ever sees another's envelopes. A
//! switch of account refills the seed with the other account's snapshot
//! ([`LayoutSeed::refill`]) just before its layout mounts and takes it.

use std::collections::HashMap;

use dioxus::prelude::*;
use larder_protocol::{
    widgets::NotificationCenter, Bootstrap, Envelope, Outbox, RefusedChange, RoleEnvelope,
    RoleWidget, WidgetData, WidgetEnvelope, WidgetId,
};

/// What the bootstrap (or a switch's answer) hands to the next layout
/// store.
type Seed = (
    Vec<WidgetEnvelope>,
    Vec<RoleEnvelope>,
    Outbox,
    Vec<RefusedChange>,
);

/// Runs `on_tick` each time Ctrl+R / Cmd+R is pressed while the calling
/// view is shown (not for presses before it mounted). This is a hook.
pub fn use_refresh_tick(mut on_tick: impl FnMut() + 'static) {
    let layout = super::use_layout_store();
    let mut seen = use_signal(|| *layout.refresh.peek());
    use_effect(move || {
        let tick = *layout.refresh.read();
        if tick != *seen.peek() {
            seen.set(tick);
            on_tick();
        }
    });
}

/// A payload's cached widgets and outbox on their way to the next
/// [`LayoutStore`], with the account they are of.
#[derive(Clone, Copy)]
pub struct LayoutSeed(CopyValue<Option<(String, Seed)>>);

/// The seed in `payload`, for its account.
fn seed_of(payload: &Bootstrap) -> Option<(String, Seed)> {
    let user = payload.session.as_ref()?.user.id.clone();
    Some((
        user,
        (
            payload.widgets.clone(),
            payload.role_widgets.clone(),
            payload.outbox.clone(),
            payload.refused.clone(),
        ),
    ))
}

impl LayoutSeed {
    /// Hands the payload's widgets and outbox to the layout store the shell
    /// provides next. This is a hook, used once at the root.
    pub fn provide(bootstrap: &Bootstrap) {
        let seed = seed_of(bootstrap);
        use_context_provider(|| Self(CopyValue::new(seed)));
    }

    /// Hands another account's snapshot (a switch's answer) to the next
    /// layout store, in place of whatever is left of the seed.
    pub fn refill(self, snapshot: &Bootstrap) {
        let mut seed = self.0;
        seed.set(seed_of(snapshot));
    }

    /// The seed, once, if it is `user`'s; empty otherwise, afterwards or
    /// without a provider (a seed of another account is dropped: no layout
    /// ever starts from another account's data). Not a hook: it runs
    /// inside the layout store's provider.
    fn take(user: &str) -> Seed {
        try_consume_context::<Self>()
            .and_then(|seed| seed.0.write_unchecked().take())
            .filter(|(of, _)| of == user)
            .map(|(_, seed)| seed)
            .unwrap_or_default()
    }
}

/// One signal per widget and per role widget, each `None` until a value is
/// known: a component reading one widget re-renders when that widget
/// changes, not when another does.
type WidgetSignals = [Signal<Option<WidgetEnvelope>>; WidgetId::ALL.len()];
type RoleSignals = [Signal<Option<RoleEnvelope>>; RoleWidget::ALL.len()];

#[derive(Clone, Copy, PartialEq)]
pub struct LayoutStore {
    widgets: WidgetSignals,
    first_answers: CopyValue<HashMap<WidgetId, WidgetEnvelope>>,
    role_widgets: RoleSignals,
    first_role_answers: CopyValue<HashMap<RoleWidget, RoleEnvelope>>,
    /// Derived from widget 4: the notifications shown unread, newest
    /// first. Computed once here for every reader (the top bar, the
    /// widget, "mark all read"); it notifies them only when it changes.
    pub unread: Memo<Vec<String>>,
    /// Derived from widget 4 and the clock: the open tasks due today or
    /// earlier (in the user's time zone).
    pub tasks_due: Memo<usize>,
    pub outbox: Signal<Outbox>,
    pub refused: Signal<Vec<RefusedChange>>,
    pub now_ms: Signal<u64>,
    pub refresh: Signal<u64>,
}

/// Equality is identity (each part is a handle), which is reflexive, so
/// the query capabilities that hold the store can be `Eq`.
impl Eq for LayoutStore {}

/// The position of `widget` in [`RoleWidget::ALL`].
fn role_index(widget: RoleWidget) -> usize {
    RoleWidget::ALL
        .iter()
        .position(|w| *w == widget)
        .unwrap_or_default()
}

/// Widget 4's payload, if `envelope` is it.
fn notification_center(envelope: Option<&WidgetEnvelope>) -> Option<&NotificationCenter> {
    match &envelope?.data.data {
        WidgetData::Notifications(center) => Some(center),
        _ => None,
    }
}

/// The ids of `center`'s unread notifications.
pub fn unread_of(center: Option<&NotificationCenter>) -> Vec<String> {
    center
        .map(|center| {
            center
                .notifications
                .iter()
                .filter(|note| !note.read)
                .map(|note| note.id.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// How many of `center`'s open tasks are due on or before `today`
/// ("YYYY-MM-DD", which orders as text).
pub fn tasks_due_of(center: Option<&NotificationCenter>, today: &str) -> usize {
    center.map_or(0, |center| {
        center
            .tasks
            .iter()
            .filter(|task| !task.done && task.due.as_str() <= today)
            .count()
    })
}

impl LayoutStore {
    /// Provides the store, hydrated from the [`LayoutSeed`]. This is a hook.
    pub fn provide(user: &str) -> Self {
        use_context_provider(|| {
            let (widgets, role_widgets, outbox, refused) = LayoutSeed::take(user);
            let seed: HashMap<WidgetId, WidgetEnvelope> = widgets
                .into_iter()
                .map(|envelope| (envelope.data.widget_id, envelope))
                .collect();
            let role_seed: HashMap<RoleWidget, RoleEnvelope> = role_widgets
                .into_iter()
                .map(|envelope| (envelope.data.widget(), envelope))
                .collect();
            let widget_signals: WidgetSignals =
                WidgetId::ALL.map(|id| Signal::new(seed.get(&id).cloned()));
            let role_signals: RoleSignals =
                RoleWidget::ALL.map(|widget| Signal::new(role_seed.get(&widget).cloned()));
            let notifications = widget_signals[usize::from(WidgetId::NOTIFICATIONS.get() - 1)];
            let now_ms = Signal::new(crate::host::now_ms());
            Self {
                widgets: widget_signals,
                first_answers: CopyValue::new(seed),
                role_widgets: role_signals,
                first_role_answers: CopyValue::new(role_seed),
                unread: Memo::new(move || {
                    unread_of(notification_center(notifications.read().as_ref()))
                }),
                tasks_due: Memo::new(move || {
                    let today = crate::host::local_date(now_ms());
                    tasks_due_of(notification_center(notifications.read().as_ref()), &today)
                }),
                outbox: Signal::new(outbox),
                refused: Signal::new(refused),
                now_ms,
                refresh: Signal::new(0),
            }
        })
    }

    /// The newest value known for widget `id`.
    pub fn widget(self, id: WidgetId) -> Signal<Option<WidgetEnvelope>> {
        self.widgets[usize::from(id.get() - 1)]
    }

    /// The newest value known for role widget `widget`.
    pub fn role_widget(self, widget: RoleWidget) -> Signal<Option<RoleEnvelope>> {
        self.role_widgets[role_index(widget)]
    }

    /// The bootstrap's envelope for `id`, once: the answer to that widget's
    /// first query run.
    pub fn take_first_answer(self, id: WidgetId) -> Option<WidgetEnvelope> {
        self.first_answers.write_unchecked().remove(&id)
    }

    /// The bootstrap's envelope for role widget `widget`, once.
    pub fn take_first_role_answer(self, widget: RoleWidget) -> Option<RoleEnvelope> {
        self.first_role_answers.write_unchecked().remove(&widget)
    }

    /// Keeps `envelope` if it is newer than what is known for its role
    /// widget; only that role widget's readers are told.
    pub fn offer_role(self, envelope: RoleEnvelope) {
        let mut known = self.role_widget(envelope.data.widget());
        if is_newer(known.peek().as_ref(), &envelope) {
            known.set(Some(envelope));
        }
    }

    /// Keeps `envelope` if it is newer than what is known for its widget;
    /// only that widget's readers (and the values derived from it) are
    /// told.
    pub fn offer(self, envelope: WidgetEnvelope) {
        let mut known = self.widget(envelope.data.widget_id);
        if is_newer(known.peek().as_ref(), &envelope) {
            known.set(Some(envelope));
        }
    }
}

/// Whether `offered` replaces `known`: as new or newer, and different.
fn is_newer<T: PartialEq>(known: Option<&Envelope<T>>, offered: &Envelope<T>) -> bool {
    known.is_none_or(|known| known.fetched_at <= offered.fetched_at && known != offered)
}

/// The layout store; panics outside the signed-in shell, which provides it.
pub fn use_layout_store() -> LayoutStore {
    try_use_context::<LayoutStore>()
        .expect("use_layout_store: no LayoutStore provided; it is provided by the Shell layout")
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
