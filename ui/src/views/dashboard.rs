//! The dashboard view: the five widgets, then the role widgets of the
//! user's role (admins: analytics, user management, system health;
//! managers: team analytics and members), each an island. Ctrl+R refreshes
//! every one of them from the upstream.

use dioxus::prelude::*;
use larder_protocol::{RoleWidget, WidgetId};

use crate::{
    stores::{use_global_store, use_refresh_tick, DashboardStore},
    widgets::{role_slot::RoleSlot, WidgetSlot},
};

#[component]
pub fn Dashboard() -> Element {
    use_hook(|| crate::host::mark("larder-dashboard-rendering"));
    let store = use_global_store();
    let dashboard = DashboardStore::provide();
    let role = store.session.read().as_ref().map(|s| s.user.role);
    use_refresh_tick(move || dashboard.retry_all(role));
    use_effect(|| crate::host::set_title("Larder"));

    rsx! {
        main { class: "grid", "data-testid": "dashboard",
            for id in WidgetId::ALL {
                WidgetSlot { key: "{id}", id }
            }
            for widget in role.into_iter().flat_map(RoleWidget::for_role) {
                RoleSlot { key: "{widget}", widget }
            }
        }
    }
}
