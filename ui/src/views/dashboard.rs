//! The dashboard view: the five widgets, each an island, plus the admins'
//! system health widget. Ctrl+R refreshes every widget from the upstream.

use dioxus::prelude::*;
use larder_protocol::{Role, WidgetId};

use crate::{
    stores::{use_global_store, use_layout_store, DashboardStore},
    widgets::{admin::AdminWidget, WidgetSlot},
};

#[component]
pub fn Dashboard() -> Element {
    let store = use_global_store();
    let layout = use_layout_store();
    let dashboard = DashboardStore::provide();
    let mut seen_refresh = use_signal(|| *layout.refresh.peek());
    use_effect(move || {
        let tick = *layout.refresh.read();
        if tick != *seen_refresh.peek() {
            seen_refresh.set(tick);
            dashboard.retry_all();
        }
    });
    use_effect(|| crate::host::set_title("Larder"));
    let session = store.session.read().clone();
    let admin = session
        .as_ref()
        .filter(|s| s.user.role == Role::Admin)
        .map(|s| s.user.id.clone());

    rsx! {
        main { class: "grid", "data-testid": "dashboard",
            for id in WidgetId::ALL {
                WidgetSlot { key: "{id}", id }
            }
            if let Some(user_id) = admin {
                AdminWidget { user_id }
            }
        }
    }
}
