//! The signed-in layout's store: what the views inside the shell share.
//!
//! - `widgets`: the newest envelope known for each widget. Hydrated from the
//!   `bootstrap` payload (so cached widgets paint on the first frame),
//!   then kept current by query results and `widget-updated` pushes.
//! - `now_ms`: a clock ticking every 15 s, for "updated 3 min ago".
//! - `refresh`: bumped by Ctrl+R / Cmd+R; the current view refreshes.

use std::collections::HashMap;

use dioxus::prelude::*;
use larder_protocol::{WidgetEnvelope, WidgetId};

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

#[derive(Clone, Copy, PartialEq)]
pub struct LayoutStore {
    pub widgets: Signal<HashMap<WidgetId, WidgetEnvelope>>,
    pub now_ms: Signal<u64>,
    pub refresh: Signal<u64>,
}

impl LayoutStore {
    /// Provides the store, hydrated with `seed` (the bootstrap's cached
    /// widgets). This is a hook.
    pub fn provide(seed: Vec<WidgetEnvelope>) -> Self {
        use_context_provider(|| Self {
            widgets: Signal::new(seed.into_iter().map(|e| (e.data.widget_id, e)).collect()),
            now_ms: Signal::new(crate::host::now_ms()),
            refresh: Signal::new(0),
        })
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
