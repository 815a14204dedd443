//! A widget's chrome: the frame (title, freshness badge and test handles,
//! [`SlotState`] among them) and the loading skeleton (with a clock for
//! slow widgets) it shows before content.

use super::freshness::{Badge, FreshnessBadge};
use dioxus::prelude::*;

/// What the `data-state` test handle says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState {
    Loading,
    Ready,
    Error,
}

impl SlotState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Ready => "ready",
            Self::Error => "error",
        }
    }
}

/// The frame around a widget's content. `badge` is the shown data's
/// freshness, when there is data; `refresh_failed` says that a refresh
/// failed while older data stays on screen.
#[component]
pub fn WidgetFrame(
    /// What tells it apart in classes and test handles: `3` for widget 3,
    /// `team-members` for a role widget.
    handle: String,
    title: String,
    state: SlotState,
    badge: Option<Badge>,
    refresh_failed: Option<String>,
    on_retry: EventHandler<MouseEvent>,
    children: Element,
) -> Element {
    let freshness = badge.map(|badge| badge.state.as_str());
    rsx! {
        section {
            class: "widget widget-{handle}",
            "data-testid": "widget-{handle}",
            "data-state": state.as_str(),
            "data-freshness": freshness,
            header { class: "widget-head",
                h2 { "{title}" }
                if let Some(badge) = badge {
                    FreshnessBadge { badge }
                }
            }
            if let Some(message) = refresh_failed {
                p { class: "refresh-failed small", role: "status",
                    "Could not refresh: {message} "
                    button { class: "link", "data-testid": "retry", onclick: move |event| on_retry.call(event), "Retry" }
                }
            }
            div { class: "widget-body", {children} }
        }
    }
}

/// A placeholder with the shape of content. Once loading has taken longer
/// than [`SLOW_AFTER_SECS`], it also counts the seconds, so a slow report
/// visibly makes progress, whichever widget it is.
#[component]
pub fn WidgetSkeleton() -> Element {
    let mut seconds = use_signal(|| 0u32);
    use_future(move || async move {
        loop {
            sleep_one_second().await;
            seconds += 1;
        }
    });
    let slow = seconds() > SLOW_AFTER_SECS;
    rsx! {
        div { class: "skeleton", "aria-busy": "true",
            div { class: "skeleton-line wide" }
            div { class: "skeleton-line" }
            div { class: "skeleton-line short" }
            p { class: "muted loading-label",
                if slow { "loading… {seconds} s" } else { "loading…" }
            }
        }
    }
}

/// How long loading may take before the skeleton counts the seconds.
pub const SLOW_AFTER_SECS: u32 = 2;

async fn sleep_one_second() {
    crate::host::sleep(std::time::Duration::from_secs(1)).await;
}
