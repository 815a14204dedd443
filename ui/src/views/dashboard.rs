//! The dashboard view: the five widgets, each an island, plus the admins'
//! system health widget. Ctrl+R refreshes every widget from the upstream.

use dioxus::prelude::*;
use larder_protocol::{Role, WidgetId};

use crate::{
    stores::{use_global_store, use_refresh_tick, DashboardStore},
    widgets::{admin::AdminWidget, WidgetSlot},
};

#[component]
pub fn Dashboard() -> Element {
    let store = use_global_store();
    let dashboard = DashboardStore::provide();
    use_refresh_tick(move || dashboard.retry_all());
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
