//! What the window shows ([`Larder::report_screen`]) and the automatic
//! refresh that keeps it fresh while it is visible (see
//! [`crate::auto_refresh`]); [`Larder`] is the schedule's target, through
//! the cache engine like every read.

use std::time::Duration;

use futures_util::future::BoxFuture;
use larder_protocol::{ScreenReport, ScreenView, WidgetId};

use super::Larder;
use crate::{auto_refresh, CoreError, Resource};

/// The resources a view shows.
fn items(view: &ScreenView) -> Result<Vec<Resource>, CoreError> {
    Ok(match view {
        ScreenView::Other => Vec::new(),
        ScreenView::Dashboard => WidgetId::ALL.into_iter().map(Resource::Widget).collect(),
        ScreenView::Profile { user_id } => vec![
            Resource::profile(user_id)?,
            Resource::posts(user_id, 1)?,
            Resource::followers(user_id, 1)?,
        ],
    })
}

impl Larder {
    /// Records what the window shows and whether it is visible or focused.
    /// Gaining the focus revalidates what is on screen and stale. A profile
    /// id that is not valid is refused and changes nothing.
    pub fn report_screen(&self, report: ScreenReport) -> Result<(), CoreError> {
        let items = items(&report.view)?;
        self.inner.screen.send_if_modified(|screen| {
            let gained_focus = report.focused && !screen.focused;
            let next = auto_refresh::Screen {
                visible: report.visible,
                focused: report.focused,
                focus_count: screen.focus_count + u64::from(gained_focus),
                items,
            };
            let changed = *screen != next;
            *screen = next;
            changed
        });
        Ok(())
    }

    /// Runs the automatic refresh until the returned task is aborted.
    pub(super) fn spawn_auto_refresh(&self) -> tokio::task::JoinHandle<()> {
        let target = std::sync::Arc::new(self.clone());
        let screen = self.inner.screen.subscribe();
        let clock = self.inner.engine.clock();
        tokio::spawn(auto_refresh::run(target, screen, clock))
    }
}

impl auto_refresh::Target for Larder {
    fn enabled(&self) -> bool {
        self.settings().auto_refresh()
            && self.read_session().is_some()
            && !self.inner.client.connectivity().is_offline()
    }

    fn fetched(&self, item: &Resource) -> Option<(u64, Duration)> {
        let session = self.read_session()?;
        // The stored entry's time only: a peek would count a cache hit.
        let entry = self
            .inner
            .engine
            .store()
            .get(&session.user.id, &item.key())
            .ok()??;
        let policy = self.policy_for(&item.policy_name());
        Some((entry.fetched_at_ms, policy.stale_after))
    }

    fn revalidate(&self, item: Resource) -> BoxFuture<'static, ()> {
        let larder = self.clone();
        Box::pin(async move {
            let Ok(session) = larder.signed_in() else {
                return;
            };
            let key = item.key();
            let fetch = larder.fetch_fn(&session, item);
            let result = larder
                .inner
                .engine
                .refresh_since(session.epoch, &session.user.id, &key, fetch, 0)
                .await;
            // A 401 ends the session here as on any read; the rest waits for
            // the next stale period (or the focus) to try again.
            if let Err(err) = larder.check_session(&session, result) {
                tracing::debug!(%err, key = %crate::log_key(&key), "an automatic refresh failed");
            }
        })
    }
}
