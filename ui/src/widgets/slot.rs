//! [`WidgetSlot`]: one widget's island.
//!
//! The slot owns the widget's one dioxus-query query and hands it to the
//! content through context. dioxus-query starts a fetch for every subscriber
//! that mounts while a query is loading (it has no in-flight dedup), so only
//! the slot subscribes with `use_query`; the content reads the same handle.
//!
//! The query's first run answers from the layout store's hydration (see
//! [`crate::stores::layout`]), so a cached widget costs no IPC call.
//!
//! Retry (and Ctrl+R) bumps an attempt counter that is part of the query's
//! key; attempts after the first ask the backend to refresh from the
//! upstream. The user id is part of the key too, so one user's results are
//! never shown to the next.

use std::hash::{Hash, Hasher};

use dioxus::prelude::*;
use dioxus_query::prelude::*;
use larder_protocol::{CommandError, WidgetEnvelope, WidgetId};

use super::{
    chrome::{SlotState, WidgetFrame},
    freshness::{Badge, BadgeState},
    island::Island,
    WidgetView,
};
use crate::{
    backend,
    stores::{use_dashboard_store, use_global_store, use_layout_store, LayoutStore},
};

use super::UI_STALE_TIME;

/// Fetches one widget: the first run from the layout store's hydration,
/// otherwise through the backend.
#[derive(Clone, PartialEq, Eq)]
pub struct FetchWidget {
    layout: LayoutStore,
}

/// Equal capabilities share one layout store, and a shell has exactly one,
/// so hashing nothing keeps `Hash` consistent with `Eq` (equal values hash
/// equal); the query's keys tell its entries apart.
impl Hash for FetchWidget {
    fn hash<H: Hasher>(&self, _state: &mut H) {}
}

impl QueryCapability for FetchWidget {
    type Ok = WidgetEnvelope;
    type Err = CommandError;
    /// The signed-in user, the widget and the attempt number.
    type Keys = (String, WidgetId, u32);

    async fn run(&self, (_user, id, attempt): &Self::Keys) -> Result<WidgetEnvelope, CommandError> {
        if *attempt > 0 {
            return backend::refresh_widget(*id).await;
        }
        match self.layout.take_first_answer(*id) {
            Some(envelope) => Ok(envelope),
            None => backend::get_widget(*id).await,
        }
    }
}

/// Whether the widget's content is on screen; set by [`WidgetContent`] once
/// it is mounted, so `data-state="ready"` means painted, not just fetched.
#[derive(Clone, Copy)]
struct Painted(Signal<bool>);

/// Ready once content is painted; an error once the query settled with
/// one; loading otherwise.
fn slot_state(state: &QueryStateData<FetchWidget>, painted: bool) -> SlotState {
    match state {
        _ if painted => SlotState::Ready,
        QueryStateData::Settled { res: Err(_), .. } => SlotState::Error,
        _ => SlotState::Loading,
    }
}

/// One widget: its frame, its query and its two boundaries.
#[component]
pub fn WidgetSlot(id: WidgetId) -> Element {
    crate::render_count::tick(|| format!("slot-{id}"));
    let global = use_global_store();
    let layout = use_layout_store();
    let dashboard = use_dashboard_store();
    let user = global.viewer_id();
    let query = use_query(
        Query::new((user, id, dashboard.attempt(id)), FetchWidget { layout })
            .stale_time(UI_STALE_TIME),
    );
    use_context_provider(|| query);
    // A known value paints in this same render (the content does not
    // suspend for it), so the slot is ready from its first frame: the
    // backend's first frame renders it so too.
    let painted = use_context_provider(|| Painted(Signal::new(layout.widget(id).peek().is_some())));

    // Every result the query settles with becomes the newest known value.
    use_effect(move || {
        if let QueryStateData::Settled {
            res: Ok(envelope), ..
        } = &*query.read().state()
        {
            layout.offer(envelope.clone());
        }
    });

    let state = slot_state(&query.read().state(), (painted.0)());
    let known = layout.widget(id).read().clone();
    let badge = known.as_ref().map(|envelope| {
        let now = *layout.now_ms.read();
        Badge {
            state: BadgeState::of(
                envelope,
                *global.connectivity.read(),
                now,
                global.stale_after(id),
            ),
            fetched_at: envelope.fetched_at,
            now_ms: now,
        }
    });
    let refresh_failed = match &*query.read().state() {
        QueryStateData::Settled { res: Err(err), .. } if known.is_some() => Some(err.to_string()),
        _ => None,
    };

    rsx! {
        WidgetFrame { handle: id.to_string(), title: id.title().to_string(), state, badge, refresh_failed, on_retry: move |_| dashboard.retry(id),
            Island { on_retry: move |_| dashboard.retry(id),
                WidgetContent { id }
            }
        }
    }
}

/// Paints the newest known value at once; without one, suspends until the
/// slot's query settles, then renders it or throws its error to the slot's
/// `ErrorBoundary`.
#[component]
fn WidgetContent(id: WidgetId) -> Element {
    crate::render_count::tick(|| format!("content-{id}"));
    let layout = use_layout_store();
    let dashboard = use_dashboard_store();
    let query = use_context::<UseQuery<FetchWidget>>();
    let Painted(mut painted) = use_context::<Painted>();
    let suspension = super::suspension::use_suspension();
    use_effect(move || painted.set(true));
    use_drop(move || painted.set(false));
    let known = layout.widget(id).read().clone();
    let envelope = match known {
        Some(envelope) => envelope,
        None => suspension.until_settled(query)??,
    };
    let marking = dashboard.marking.read().clone();
    rsx! {
        WidgetView {
            data: envelope.data.data,
            marking,
            pending: envelope.pending,
            on_mark_read: move |note: String| dashboard.mark_read(layout, note),
            on_mark_all_read: move |_| dashboard.mark_all_read(layout),
        }
    }
}
