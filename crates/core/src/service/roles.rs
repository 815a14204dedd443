//! The role widgets: what only admins or only managers see. Each is read
//! through the cache under its own policy like every widget, so it is
//! prewarmed, shown offline and kept fresh while on screen; what the role
//! adds is a gate. A widget of another role than the signed-in user's is
//! refused before anything is read or sent, and a user who signs in with a
//! new role has the old role's widgets removed from their cache, so what
//! their old role saw never reaches their window.

use larder_protocol::{Envelope, Freshness, Role, RoleEnvelope, RoleWidget, WidgetId};

use super::Larder;
use crate::{cache::CacheUpdate, resource::{decode_role, decode_role_value},
    CoreError, Resource};

/// What a dashboard of `role` shows: the five widgets, then the role's
/// widgets.
pub(super) fn dashboard(role: Role) -> impl Iterator<Item = Resource> {
    WidgetId::ALL
        .into_iter()
        .map(Resource::Widget)
        .chain(RoleWidget::for_role(role).map(Resource::Role))
}

/// `envelope`'s raw data decoded as `widget`'s.
fn as_role(
    widget: RoleWidget,
    envelope: Envelope<serde_json::Value>,
) -> Result<RoleEnvelope, CoreError> {
    Ok(Envelope {
        data: decode_role_value(widget, envelope.data)?,
        fetched_at: envelope.fetched_at,
        state: envelope.state,
        source: envelope.source,
        error: envelope.error,
        pending: envelope.pending,
    })
}

impl Larder {
    /// The signed-in user's role, when `widget` is theirs to see.
    fn check_role(&self, widget: RoleWidget) -> Result<(), CoreError> {
        let session = self.signed_in()?;
        if session.user.role == widget.role() {
            Ok(())
        } else {
            Err(CoreError::NotForRole {
                widget,
                role: widget.role(),
            })
        }
    }

    /// Role widget `widget`, through the cache like every read (shown
    /// offline, marked so). Another role's widget is refused, with nothing
    /// read or sent; the API refuses it too (403), and a refusal is never
    /// cached.
    #[tracing::instrument(skip(self))]
    pub async fn get_role_widget(&self, widget: RoleWidget) -> Result<RoleEnvelope, CoreError> {
        self.check_role(widget)?;
        as_role(widget, self.read_resource(Resource::Role(widget)).await?)
    }

    /// Role widget `widget`, fetched from the upstream now (Retry), as
    /// [`Self::refresh_widget`] does for a widget.
    #[tracing::instrument(skip(self))]
    pub async fn refresh_role_widget(&self, widget: RoleWidget) -> Result<RoleEnvelope, CoreError> {
        self.check_role(widget)?;
        as_role(widget, self.refresh_resource(Resource::Role(widget)).await?)
    }

    /// The signed-in user's role widgets already cached, in dashboard
    /// order, read without any request: hydration for the first frame.
    pub fn cached_role_widgets(&self) -> Vec<RoleEnvelope> {
        let Some(session) = self.read_session() else {
            return Vec::new();
        };
        RoleWidget::for_role(session.user.role)
            .filter_map(|widget| self.cached_role_widget(widget))
            .collect()
    }

    /// `widget`'s cached envelope, read without any request.
    pub(super) fn cached_role_widget(&self, widget: RoleWidget) -> Option<RoleEnvelope> {
        as_role(widget, self.peeked(&Resource::Role(widget))?).ok()
    }

    /// Whether `resource` is cached and fresh for `user_id`.
    pub(super) fn is_fresh(&self, user_id: &str, resource: &Resource) -> bool {
        let policy = self.policy_for(&resource.policy_name());
        matches!(
            self.inner.engine.peek(user_id, &resource.key(), policy),
            Ok(Some(read)) if read.state == Freshness::Fresh
        )
    }

    /// Removes from `user_id`'s cache the role widgets of every role but
    /// `role`: a user whose role changed never sees what the old one saw.
    pub(super) fn forget_other_roles(&self, user_id: &str, role: Role) {
        let store = self.inner.engine.store();
        for widget in RoleWidget::ALL.into_iter().filter(|w| w.role() != role) {
            if let Err(err) = store.remove(user_id, widget.key()) {
                tracing::warn!(%err, %widget, "another role's widget could not be removed");
            }
        }
    }

    beneath_the_facade! {
        /// The envelope to push for a cache update, when it is a role widget
        /// of the signed-in user's role.
        pub fn role_envelope_for_update(&self, update: &CacheUpdate) -> Option<RoleEnvelope> {
            let session = self.read_session()?;
            let Some(Resource::Role(widget)) = Resource::from_key(&update.key) else {
                return None;
            };
            if update.user_id != session.user.id || widget.role() != session.user.role {
                return None;
            }
            Some(Envelope {
                data: decode_role(widget, &update.entry.payload).ok()?,
                fetched_at: update.entry.fetched_at_ms,
                state: Freshness::Fresh,
                source: larder_protocol::Source::Network,
                error: None,
                pending: Vec::new(),
            })
        }
    }
}
