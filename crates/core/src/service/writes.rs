//! The commands that change something: marking a notification read (on
//! the API, then refetching the widget that lists it) and clearing the
//! cache.

use larder_protocol::{profile::is_plain_id, WidgetEnvelope, WidgetId};

use super::Larder;
use crate::{CoreError, Resource};

/// The error of a change asked for while offline: nothing was sent.
fn offline_not_sent() -> CoreError {
    CoreError::Unreachable("offline: the change was not sent".into())
}

impl Larder {
    /// Marks notification `id` read, then refetches widget 4 (which lists
    /// it) and returns the widget's new envelope; windows also get it pushed.
    #[tracing::instrument(skip_all)]
    pub async fn mark_notification_read(&self, id: &str) -> Result<WidgetEnvelope, CoreError> {
        if !is_plain_id(id) {
            return Err(CoreError::InvalidNotificationId(
                id.chars().take(64).collect(),
            ));
        }
        let session = self.signed_in()?;
        if self.inner.client.connectivity().is_offline() {
            return Err(offline_not_sent());
        }
        let marked = self
            .inner
            .client
            .mark_notification_read(&session.token, id, uuid::Uuid::new_v4())
            .await;
        self.check_session(&session, marked)?;
        self.refresh_widget(WidgetId::NOTIFICATIONS).await
    }

    /// Clears one entry, or the user's whole cache when `key` is `None`.
    pub fn clear_cache(&self, key: Option<&str>) -> Result<(), CoreError> {
        let session = self.signed_in()?;
        let store = self.inner.engine.store();
        match key {
            Some(key) => {
                let resource = Resource::from_key(key)
                    .ok_or_else(|| CoreError::InvalidCacheKey(key.chars().take(32).collect()))?;
                store.remove(&session.user.id, &resource.key())?;
            }
            None => store.purge_user(&session.user.id)?,
        }
        Ok(())
    }
}
