//! The dashboard's widgets. Each one is an island: [`WidgetSlot`] owns its
//! query and wraps the content in its own `ErrorBoundary` and
//! `SuspenseBoundary`, so a slow widget never holds back a fast one and a
//! failing one never breaks the others.
//!
//! # Layout
//! - [`slot`]: one widget (its query, hydration and frame).
//! - [`island`]: the boundaries every widget sits in, and the error card.
//! - [`suspension`]: suspending until a query settles, robust to a
//!   component that goes while it loads.
//! - [`chrome`]: the frame with its test handles, and the skeleton.
//! - [`freshness`]: the freshness badge.
//! - [`role_slot`]: one role widget (admins' or managers' only), built as
//!   the slot is, and [`role_views`]: their content by kind.
//! - one module per widget kind, each a pure component over its payload.

pub mod activity;
pub mod analytics;
pub mod chrome;
pub mod freshness;
pub mod island;
pub mod kpis;
pub mod notifications;
pub mod profile;
pub mod role_slot;
pub mod role_views;
pub mod slot;
pub mod suspension;

pub use slot::WidgetSlot;

use std::collections::HashSet;

use dioxus::prelude::*;
use larder_protocol::WidgetData;

/// Renders a widget's payload with the component for its kind. `marking`
/// holds the notifications being marked read; `on_mark_read` marks one.
#[component]
pub fn WidgetView(
    data: WidgetData,
    #[props(default)] marking: HashSet<String>,
    /// Items with a change waiting in the outbox (see `Envelope::pending`).
    #[props(default)]
    pending: Vec<String>,
    #[props(default)] on_mark_read: EventHandler<String>,
    #[props(default)] on_mark_all_read: EventHandler<()>,
) -> Element {
    match data {
        WidgetData::Profile(profile) => rsx! { profile::ProfileCard { profile } },
        WidgetData::Activity(feed) => rsx! { activity::ActivityList { feed } },
        WidgetData::Analytics(series) => rsx! { analytics::AnalyticsChart { series } },
        WidgetData::Notifications(center) => {
            rsx! { notifications::NotificationsPanel { center, marking, pending, on_mark_read, on_mark_all_read } }
        }
        WidgetData::Kpis(board) => rsx! { kpis::KpiTiles { board } },
    }
}

/// The backend answers from its cache and decides freshness, so the UI
/// keeps a query's result until something (a retry, a push, a refresh)
/// replaces it.
pub const UI_STALE_TIME: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

#[cfg(test)]
mod frame_tests;

#[cfg(test)]
mod tests {
    #[test]
    fn formats_clock_times() {
        use crate::host::clock_time;
        assert_eq!(clock_time(0), "00:00");
        assert_eq!(clock_time((13 * 60 + 7) * 60_000 + 59_999), "13:07");
        assert_eq!(clock_time(24 * 3_600_000 + 60_000), "00:01");
    }
}
