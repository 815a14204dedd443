//! The signed-in layout's store: what the views inside the shell share.
//!
//! - `widgets` and `role_widgets`: the newest envelope known for each
//!   widget and role widget, kept current by query results and the
//!   `widget-updated` and `role-widget-updated` pushes.
//! - `first_answers`: the bootstrap's envelopes not yet used by a query.
//! - `outbox`: the changes waiting to sync (from the bootstrap, then kept
//!   current), and `refused`: those the server
//!   refused for good (until dismissed); both kept current by the backend's
//!   `outbox-changed` and `change-refused` events.
//! - `now_ms`: a clock ticking every 15 s, for "updated 3 min ago".
//! - `refresh`: bumped by Ctrl+R / Cmd+R; the current view refreshes.
//!
//! # Hydration
//! This is the one path by which the `bootstrap` payload's cached widgets
//! (and role widgets) reach the widgets:
//! 1. the root hands them over once with [`LayoutSeed::provide`];
//! 2. the shell's [`LayoutStore::provide`] takes them, so they are in
//!    `widgets` and paint on the first frame, with no suspense;
//! 3. each widget's first query run answers from `first_answers` with
//!    [`LayoutStore::take_first_answer`] instead of an IPC call
//!    (dioxus-query has no "initial data"), so hydrating the dashboard sends
//!    nothing to the backend. Later runs (a retry, Ctrl+R, a remount after
//!    the query went stale) find nothing there and ask the backend.
//!
//! A second sign-in in the same window finds the seed already taken and
//! starts from the backend, so no user ever sees another's envelopes.

use std::collections::HashMap;

use dioxus::prelude::*;
use larder_protocol::{
    Bootstrap, Outbox, RefusedChange, RoleEnvelope, RoleWidget, WidgetEnvelope, WidgetId,
};

/// What the bootstrap hands to the first layout store.
type Seed = (Vec<WidgetEnvelope>, Vec<RoleEnvelope>, Outbox);

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

/// The bootstrap's cached widgets and outbox on their way to the first
/// [`LayoutStore`].
#[derive(Clone, Copy)]
pub struct LayoutSeed(CopyValue<Seed>);

impl LayoutSeed {
    /// Hands the payload's widgets and outbox to the layout store the shell
    /// provides next. This is a hook, used once at the root.
    pub fn provide(bootstrap: &Bootstrap) {
        let seed = (
            bootstrap.widgets.clone(),
            bootstrap.role_widgets.clone(),
            bootstrap.outbox.clone(),
        );
        use_context_provider(|| Self(CopyValue::new(seed)));
    }

    /// The seed, once; empty afterwards or without a provider. Not a hook:
    /// it runs inside the layout store's provider.
    fn take() -> Seed {
        try_consume_context::<Self>()
            .map(|seed| std::mem::take(&mut *seed.0.write_unchecked()))
            .unwrap_or_default()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub struct LayoutStore {
    pub widgets: Signal<HashMap<WidgetId, WidgetEnvelope>>,
    first_answers: CopyValue<HashMap<WidgetId, WidgetEnvelope>>,
    pub role_widgets: Signal<HashMap<RoleWidget, RoleEnvelope>>,
    first_role_answers: CopyValue<HashMap<RoleWidget, RoleEnvelope>>,
    pub outbox: Signal<Outbox>,
    pub refused: Signal<Vec<RefusedChange>>,
    pub now_ms: Signal<u64>,
    pub refresh: Signal<u64>,
}

impl LayoutStore {
    /// Provides the store, hydrated from the [`LayoutSeed`]. This is a hook.
    pub fn provide() -> Self {
        use_context_provider(|| {
            let (widgets, role_widgets, outbox) = LayoutSeed::take();
            let seed: HashMap<WidgetId, WidgetEnvelope> = widgets
                .into_iter()
                .map(|envelope| (envelope.data.widget_id, envelope))
                .collect();
            let role_seed: HashMap<RoleWidget, RoleEnvelope> = role_widgets
                .into_iter()
                .map(|envelope| (envelope.data.widget(), envelope))
                .collect();
            Self {
                widgets: Signal::new(seed.clone()),
                first_answers: CopyValue::new(seed),
                role_widgets: Signal::new(role_seed.clone()),
                first_role_answers: CopyValue::new(role_seed),
                outbox: Signal::new(outbox),
                refused: Signal::new(Vec::new()),
                now_ms: Signal::new(crate::host::now_ms()),
                refresh: Signal::new(0),
            }
        })
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
    /// widget.
    pub fn offer_role(mut self, envelope: RoleEnvelope) {
        let widget = envelope.data.widget();
        let newer = self
            .role_widgets
            .peek()
            .get(&widget)
            .is_none_or(|known| known.fetched_at <= envelope.fetched_at && *known != envelope);
        if newer {
            self.role_widgets.write().insert(widget, envelope);
        }
    }

    /// Keeps `envelope` if it is newer than what is known for its widget.
    pub fn offer(mut self, envelope: WidgetEnvelope) {
        let id = envelope.data.widget_id;
        let newer = self
            .widgets
            .peek()
            .get(&id)
            .is_none_or(|known| known.fetched_at <= envelope.fetched_at && *known != envelope);
        if newer {
            self.widgets.write().insert(id, envelope);
        }
    }
}

/// The layout store; panics outside the signed-in shell, which provides it.
pub fn use_layout_store() -> LayoutStore {
    try_use_context::<LayoutStore>()
        .expect("use_layout_store: no LayoutStore provided; it is provided by the Shell layout")
}
