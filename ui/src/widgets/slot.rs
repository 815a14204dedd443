//! [`WidgetSlot`]: one widget's island.
//!
//! The slot owns the widget's one dioxus-query query and hands it to the
//! content through context. dioxus-query starts a fetch for every subscriber
//! that mounts while a query is loading (it has no in-flight dedup), so only
//! the slot subscribes with `use_query`; the content reads the same handle.
//!
//! Retry bumps an attempt counter that is part of the query's key. A new key
//! starts from `Pending`, so the widget shows its skeleton again instead of
//! the previous error while the retry runs.

use std::time::Duration;

use dioxus::prelude::*;
use dioxus_query::prelude::*;
use larder_protocol::{CommandError, WidgetEnvelope, WidgetId};

use super::{
    chrome::{ErrorCard, WidgetSkeleton},
    WidgetView,
};
use crate::backend;

/// The backend answers from its cache and decides freshness, so the UI keeps
/// a result until something (a retry, a push) invalidates it.
const UI_STALE_TIME: Duration = Duration::from_secs(24 * 3600);

/// Fetches one widget through the backend's `get_widget` command.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FetchWidget;

impl QueryCapability for FetchWidget {
    type Ok = WidgetEnvelope;
    type Err = CommandError;
    /// The widget and the attempt number (bumped by Retry).
    type Keys = (WidgetId, u32);

    async fn run(&self, (id, _attempt): &Self::Keys) -> Result<WidgetEnvelope, CommandError> {
        backend::get_widget(*id).await
    }
}

/// Whether the widget's content is on screen; set by [`WidgetContent`] once
/// it is mounted, so `data-state="ready"` means painted, not just fetched.
#[derive(Clone, Copy)]
struct Painted(Signal<bool>);

/// What the `data-state` test handle says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState {
    Loading,
    Ready,
    Error,
}

impl SlotState {
    /// Ready once content is painted; an error once the query settled with
    /// one; loading otherwise.
    pub fn of(state: &QueryStateData<FetchWidget>, painted: bool) -> Self {
        match state {
            _ if painted => Self::Ready,
            QueryStateData::Settled { res: Err(_), .. } => Self::Error,
            _ => Self::Loading,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Ready => "ready",
            Self::Error => "error",
        }
    }
}

/// One widget: its frame, its query and its two boundaries.
#[component]
pub fn WidgetSlot(id: WidgetId) -> Element {
    let mut attempt = use_signal(|| 0u32);
    let query = use_query(Query::new((id, attempt()), FetchWidget).stale_time(UI_STALE_TIME));
    use_context_provider(|| query);
    let painted = use_context_provider(|| Painted(Signal::new(false)));
    let state = SlotState::of(&query.read().state(), (painted.0)());

    rsx! {
        section {
            class: "widget widget-{id}",
            "data-testid": "widget-{id}",
            "data-state": state.as_str(),
            header { class: "widget-head",
                h2 { "{id.title()}" }
            }
            div { class: "widget-body",
                ErrorBoundary {
                    handle_error: move |errors: ErrorContext| {
                        let message = errors
                            .error()
                            .map(|captured| match captured.0.downcast_ref::<CommandError>() {
                                Some(err) => err.to_string(),
                                None => captured.to_string(),
                            })
                            .unwrap_or_default();
                        rsx! {
                            ErrorCard {
                                message,
                                on_retry: move |_| {
                                    errors.clear_errors();
                                    attempt += 1;
                                },
                            }
                        }
                    },
                    SuspenseBoundary {
                        fallback: move |_| rsx! { WidgetSkeleton { slow: id.base_delay_ms() > 2_000 } },
                        WidgetContent {}
                    }
                }
            }
        }
    }
}

/// Suspends until the slot's query settles, then renders it or throws its
/// error to the slot's `ErrorBoundary`.
#[component]
fn WidgetContent() -> Element {
    let query = use_context::<UseQuery<FetchWidget>>();
    let Painted(mut painted) = use_context::<Painted>();
    use_effect(move || painted.set(true));
    use_drop(move || painted.set(false));
    let envelope = query.suspend()??;
    rsx! { WidgetView { data: envelope.data.data } }
}
