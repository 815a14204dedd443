//! [`RoleSlot`]: one role widget's island, built as [`super::WidgetSlot`]
//! is: the slot owns the one query and hands it to the content through
//! context; the first run answers from the layout store's hydration (no IPC
//! call for a cached role widget); Retry bumps an attempt counter in the
//! key, and attempts after the first refresh from the upstream. The user id
//! is in the key, so one user's results are never shown to the next.

use std::hash::{Hash, Hasher};

use dioxus::prelude::*;
use dioxus_query::prelude::*;
use larder_protocol::{CommandError, Role, RoleEnvelope, RoleWidget};

use super::{
    chrome::{SlotState, WidgetFrame},
    freshness::{Badge, BadgeState},
    island::Island,
    role_views::RoleView,
    UI_STALE_TIME,
};
use crate::{
    backend,
    stores::{use_dashboard_store, use_global_store, use_layout_store, LayoutStore},
};

/// Fetches one role widget: the first run from the layout store's
/// hydration, otherwise through the backend.
#[derive(Clone, PartialEq, Eq)]
pub struct FetchRoleWidget {
    layout: LayoutStore,
}

/// As for `FetchWidget`: one layout store per shell, so hashing nothing
/// keeps `Hash` consistent with `Eq`; the keys tell entries apart.
impl Hash for FetchRoleWidget {
    fn hash<H: Hasher>(&self, _state: &mut H) {}
}

impl QueryCapability for FetchRoleWidget {
    type Ok = RoleEnvelope;
    type Err = CommandError;
    /// The signed-in user, the role widget and the attempt number.
    type Keys = (String, RoleWidget, u32);

    async fn run(
        &self,
        (_user, widget, attempt): &Self::Keys,
    ) -> Result<RoleEnvelope, CommandError> {
        if *attempt > 0 {
            return backend::refresh_role_widget(*widget).await;
        }
        match self.layout.take_first_role_answer(*widget) {
            Some(envelope) => Ok(envelope),
            None => backend::get_role_widget(*widget).await,
        }
    }
}

/// Whether the content is on screen (see `WidgetSlot`'s).
#[derive(Clone, Copy)]
struct Painted(Signal<bool>);

/// Who may see `widget`, as its frame says.
fn audience(widget: RoleWidget) -> &'static str {
    match widget.role() {
        Role::Admin => "admins only",
        Role::Manager => "managers only",
        Role::Member => "members only",
    }
}

/// One role widget: its frame, its query and its two boundaries.
#[component]
pub fn RoleSlot(widget: RoleWidget) -> Element {
    crate::render_count::tick(|| format!("role-slot-{widget}"));
    let global = use_global_store();
    let layout = use_layout_store();
    let dashboard = use_dashboard_store();
    let user = global.viewer_id();
    let query = use_query(
        Query::new(
            (user, widget, dashboard.role_attempt(widget)),
            FetchRoleWidget { layout },
        )
        .stale_time(UI_STALE_TIME),
    );
    use_context_provider(|| query);
    let painted =
        use_context_provider(|| Painted(Signal::new(layout.role_widget(widget).peek().is_some())));
    use_effect(move || {
        if let QueryStateData::Settled {
            res: Ok(envelope), ..
        } = &*query.read().state()
        {
            layout.offer_role(envelope.clone());
        }
    });

    let state = match &*query.read().state() {
        _ if (painted.0)() => SlotState::Ready,
        QueryStateData::Settled { res: Err(_), .. } => SlotState::Error,
        _ => SlotState::Loading,
    };
    let known = layout.role_widget(widget).read().clone();
    let badge = known.as_ref().map(|envelope| {
        let now = *layout.now_ms.read();
        Badge {
            state: BadgeState::of(
                envelope,
                *global.connectivity.read(),
                now,
                global.stale_after_policy(widget.name()),
            ),
            fetched_at: envelope.fetched_at,
            now_ms: now,
        }
    });
    let refresh_failed = match &*query.read().state() {
        QueryStateData::Settled { res: Err(err), .. } if known.is_some() => Some(err.to_string()),
        _ => None,
    };

    rsx! {
        WidgetFrame {
            handle: widget.name().to_string(),
            title: widget.title().to_string(),
            state,
            badge,
            refresh_failed,
            on_retry: move |_| dashboard.retry_role(widget),
            p { class: "muted small audience", "{audience(widget)}" }
            Island { on_retry: move |_| dashboard.retry_role(widget),
                RoleContent { widget }
            }
        }
    }
}

/// Paints the newest known value at once; without one, suspends until the
/// slot's query settles, then renders it or throws its error to the slot's
/// `ErrorBoundary`.
#[component]
fn RoleContent(widget: RoleWidget) -> Element {
    let layout = use_layout_store();
    let query = use_context::<UseQuery<FetchRoleWidget>>();
    let Painted(mut painted) = use_context::<Painted>();
    let suspension = super::suspension::use_suspension();
    use_effect(move || painted.set(true));
    use_drop(move || painted.set(false));
    let known = layout.role_widget(widget).read().clone();
    let envelope = match known {
        Some(envelope) => envelope,
        None => suspension.until_settled(query)??,
    };
    rsx! { RoleView { data: envelope.data } }
}
