//! Widget 2: a list of recent activity.

use dioxus::prelude::*;
use larder_protocol::widgets::ActivityFeed;

use crate::host::clock_time;

#[component]
pub fn ActivityList(feed: ActivityFeed) -> Element {
    if feed.items.is_empty() {
        return rsx! { p { class: "muted", "Nothing has happened yet." } };
    }
    rsx! {
        ul { class: "activity",
            for item in feed.items {
                li { key: "{item.id}",
                    span { class: "time", "{clock_time(item.at)}" }
                    span { strong { "{item.actor}" } " {item.verb} " em { "{item.target}" } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use larder_protocol::widgets::ActivityItem;

    #[test]
    fn renders_items_and_the_empty_state() {
        let feed = ActivityFeed {
            items: vec![ActivityItem {
                id: "a1".into(),
                actor: "Ana".into(),
                verb: "approved".into(),
                target: "Q4 budget".into(),
                at: 9 * 3_600_000,
            }],
        };
        let html = dioxus_ssr::render_element(rsx! { ActivityList { feed } });
        assert!(html.contains("Ana") && html.contains("Q4 budget") && html.contains("09:00"));
        let empty = dioxus_ssr::render_element(
            rsx! { ActivityList { feed: ActivityFeed { items: vec![] } } },
        );
        assert!(empty.contains("Nothing has happened yet"));
    }
}
