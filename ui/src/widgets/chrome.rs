//! A widget's chrome: the frame (title, freshness badge and test handles),
//! and what it shows without content: the loading skeleton (with a clock
//! for slow widgets) and the error card with Retry.

use dioxus::prelude::*;
use larder_protocol::{CommandError, WidgetId};

use super::{
    freshness::{Badge, FreshnessBadge},
    slot::SlotState,
};

/// The frame around a widget's content. `badge` is the shown data's
/// freshness, when there is data; `refresh_failed` says that a refresh
/// failed while older data stays on screen.
#[component]
pub fn WidgetFrame(
    id: WidgetId,
    state: SlotState,
    badge: Option<Badge>,
    refresh_failed: Option<String>,
    on_retry: EventHandler<MouseEvent>,
    children: Element,
) -> Element {
    let freshness = badge.map(|badge| badge.state.as_str());
    rsx! {
        section {
            class: "widget widget-{id}",
            "data-testid": "widget-{id}",
            "data-state": state.as_str(),
            "data-freshness": freshness,
            header { class: "widget-head",
                h2 { "{id.title()}" }
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

/// One island: an error boundary (whose card's Retry calls `on_retry`)
/// around a suspense boundary (showing the skeleton) around `children`.
/// Every widget, profile part and the admin widget sits in one, so a slow
/// or failing island never holds back or breaks another.
#[component]
pub fn Island(on_retry: EventHandler<()>, children: Element) -> Element {
    rsx! {
        ErrorBoundary {
            handle_error: move |errors: ErrorContext| rsx! {
                ErrorCard {
                    message: error_message(&errors),
                    on_retry: move |_| {
                        errors.clear_errors();
                        on_retry.call(());
                    },
                }
            },
            SuspenseBoundary {
                fallback: |_| rsx! { WidgetSkeleton {} },
                {children}
            }
        }
    }
}

/// The message for what an island caught: a command's own words when it is
/// a [`CommandError`], else the error as it prints.
pub fn error_message(errors: &ErrorContext) -> String {
    errors
        .error()
        .map(|captured| match captured.0.downcast_ref::<CommandError>() {
            Some(err) => err.to_string(),
            None => captured.to_string(),
        })
        .unwrap_or_default()
}

/// The error card: what went wrong, and a Retry that refreshes this widget
/// only.
#[component]
pub fn ErrorCard(message: String, on_retry: EventHandler<MouseEvent>) -> Element {
    rsx! {
        div { class: "error-card", role: "alert",
            p { class: "error-title", "This widget could not load." }
            p { class: "muted", "{message}" }
            button { class: "retry", "data-testid": "retry", onclick: move |event| on_retry.call(event), "Retry" }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Every widget in every state, through the same frame the slot uses,
    //! with real payloads from mock-api's generator.

    use dioxus::prelude::*;
    use larder_protocol::{Username, WidgetId};

    use super::*;
    use crate::widgets::{freshness::BadgeState, WidgetView};

    const NOW: u64 = 1_800_000_000_000;

    fn frame(id: WidgetId, state: SlotState, badge: Option<Badge>) -> String {
        let mut dom = VirtualDom::new_with_props(
            |(id, state, badge): (WidgetId, SlotState, Option<Badge>)| {
                let user = mock_api::data::user_for(&Username::parse("alice").expect("valid"));
                let data = mock_api::data::widget_response(&user, id, NOW).data;
                rsx! {
                    WidgetFrame { id, state, badge, refresh_failed: None, on_retry: |_| {},
                        match state {
                            SlotState::Loading => rsx! { WidgetSkeleton {} },
                            SlotState::Error => rsx! { ErrorCard { message: "The server answered 503", on_retry: |_| {} } },
                            SlotState::Ready => rsx! { WidgetView { data } },
                        }
                    }
                }
            },
            (id, state, badge),
        );
        dom.rebuild_in_place();
        dioxus_ssr::render(&dom)
    }

    #[test]
    fn every_widget_in_every_state() {
        for id in WidgetId::ALL {
            let loading = frame(id, SlotState::Loading, None);
            assert!(
                loading.contains(&format!("data-testid=\"widget-{id}\"")),
                "{loading}"
            );
            assert!(loading.contains("data-state=\"loading\"") && loading.contains("aria-busy"));
            assert!(!loading.contains("data-freshness"), "no data, no badge");

            let error = frame(id, SlotState::Error, None);
            assert!(
                error.contains("data-state=\"error\"") && error.contains("data-testid=\"retry\"")
            );
            assert!(error.contains("The server answered 503"));

            for (freshness, fetched_at, words) in [
                (BadgeState::Fresh, NOW - 180_000, "updated 3 min ago"),
                (
                    BadgeState::Stale,
                    NOW - 7_200_000,
                    "stale · updated 2 h ago",
                ),
                (
                    BadgeState::Offline,
                    NOW - 60_000,
                    "offline, showing data from",
                ),
            ] {
                let badge = Badge {
                    state: freshness,
                    fetched_at,
                    now_ms: NOW,
                };
                let ready = frame(id, SlotState::Ready, Some(badge));
                assert!(ready.contains("data-state=\"ready\""), "{ready}");
                assert!(
                    ready.contains(&format!("data-freshness=\"{}\"", freshness.as_str())),
                    "{ready}"
                );
                assert!(ready.contains(words), "widget {id}: {ready}");
                assert!(!ready.contains("aria-busy"), "content, not a skeleton");
            }
        }
    }

    #[test]
    fn the_analytics_widget_draws_a_chart_with_axes() {
        let html = frame(WidgetId::new(3).expect("valid"), SlotState::Ready, None);
        assert!(html.contains("<svg") && html.contains("axis"), "{html}");
    }
}
