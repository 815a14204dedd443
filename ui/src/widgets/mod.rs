//! The dashboard's widgets. Each one is an island: [`WidgetSlot`] owns its
//! query and wraps the content in its own `ErrorBoundary` and
//! `SuspenseBoundary`, so a slow widget never holds back a fast one and a
//! failing one never breaks the others.
//!
//! # Layout
//! - [`slot`]: the island (query, hydration, boundaries).
//! - [`chrome`]: the frame with its test handles, the skeleton and the
//!   error card.
//! - [`freshness`]: the freshness badge.
//! - [`admin`]: the admins-only system health widget.
//! - one module per widget kind, each a pure component over its payload.

pub mod activity;
pub mod admin;
pub mod analytics;
pub mod chrome;
pub mod freshness;
pub mod kpis;
pub mod notifications;
pub mod profile;
pub mod slot;

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
    #[props(default)] on_mark_read: EventHandler<String>,
) -> Element {
    match data {
        WidgetData::Profile(profile) => rsx! { profile::ProfileCard { profile } },
        WidgetData::Activity(feed) => rsx! { activity::ActivityList { feed } },
        WidgetData::Analytics(series) => rsx! { analytics::AnalyticsChart { series } },
        WidgetData::Notifications(center) => {
            rsx! { notifications::NotificationsPanel { center, marking, on_mark_read } }
        }
        WidgetData::Kpis(board) => rsx! { kpis::KpiTiles { board } },
    }
}

/// Formats Unix milliseconds as a short "HH:MM" in UTC.
pub fn clock_time(ms: u64) -> String {
    let minutes = (ms / 60_000) % (24 * 60);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_clock_times() {
        assert_eq!(clock_time(0), "00:00");
        assert_eq!(clock_time((13 * 60 + 7) * 60_000 + 59_999), "13:07");
        assert_eq!(clock_time(24 * 3_600_000 + 60_000), "00:01");
    }
}
