//! The admins-only widget: the API's system health. It is shown only to
//! admins, and the API refuses it (403) to anyone else, so hiding it is a
//! convenience, not the protection.

use std::time::Duration;

use dioxus::prelude::*;
use dioxus_query::prelude::*;
use larder_protocol::{health::SystemHealth, CommandError, HealthEnvelope};

use super::island::Island;
use crate::backend;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FetchSystemHealth;

impl QueryCapability for FetchSystemHealth {
    type Ok = HealthEnvelope;
    type Err = CommandError;
    /// The signed-in user and the attempt number.
    type Keys = (String, u32);

    async fn run(&self, _keys: &Self::Keys) -> Result<HealthEnvelope, CommandError> {
        backend::get_system_health().await
    }
}

/// The system health widget, with its own boundaries.
#[component]
pub fn AdminWidget(user_id: String) -> Element {
    let mut attempt = use_signal(|| 0u32);
    let query = use_query(
        Query::new((user_id, attempt()), FetchSystemHealth).stale_time(Duration::from_secs(60)),
    );
    // The handle reaches the content through context, as each widget
    // slot's does: `use_query` keeps one handle and updates it in place.
    use_context_provider(|| query);
    rsx! {
        section { class: "widget widget-admin", "data-testid": "widget-admin",
            header { class: "widget-head", h2 { "System health" } span { class: "badge", "admins only" } }
            div { class: "widget-body",
                Island { on_retry: move |_| attempt += 1,
                    HealthContent {}
                }
            }
        }
    }
}

#[component]
fn HealthContent() -> Element {
    let query = use_context::<UseQuery<FetchSystemHealth>>();
    let envelope = super::suspension::use_suspension().until_settled(query)??;
    rsx! { HealthTiles { health: envelope.data } }
}

/// The health figures as tiles.
#[component]
pub fn HealthTiles(health: SystemHealth) -> Element {
    let minutes = health.uptime_secs / 60;
    rsx! {
        div { class: "tiles",
            div { class: "tile", p { class: "muted small", "Status" } p { class: "tile-value", "{health.status}" } }
            div { class: "tile", p { class: "muted small", "Uptime" } p { class: "tile-value", "{minutes} min" } }
            div { class: "tile", p { class: "muted small", "Sessions" } p { class: "tile-value", "{health.active_sessions}" } }
            div { class: "tile", p { class: "muted small", "Requests" } p { class: "tile-value", "{health.requests_served}" } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_figures() {
        let health = SystemHealth {
            status: "ok".into(),
            uptime_secs: 600,
            active_sessions: 3,
            requests_served: 42,
            version: "1".into(),
        };
        let html = dioxus_ssr::render_element(rsx! { HealthTiles { health } });
        assert!(
            html.contains("10 min") && html.contains(">3<") && html.contains(">42<"),
            "{html}"
        );
    }
}
