//! Every widget in every state, through the same frame the slot uses,
//! with real payloads from mock-api's generator.

use dioxus::prelude::*;
use larder_protocol::{Username, WidgetId};

use super::{
    chrome::{SlotState, WidgetFrame, WidgetSkeleton},
    freshness::{Badge, BadgeState},
    island::ErrorCard,
    WidgetView,
};

const NOW: u64 = 1_800_000_000_000;

fn frame(id: WidgetId, state: SlotState, badge: Option<Badge>) -> String {
    let mut dom = VirtualDom::new_with_props(
        |(id, state, badge): (WidgetId, SlotState, Option<Badge>)| {
            let user = mock_api::data::user_for(&Username::parse("alice").expect("valid"));
            let data = mock_api::data::widget_response(&user, id, NOW).data;
            rsx! {
                WidgetFrame { handle: id.to_string(), title: id.title().to_string(), state, badge, refresh_failed: None, on_retry: |_| {},
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
        assert!(error.contains("data-state=\"error\"") && error.contains("data-testid=\"retry\""));
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
