//! What the window-and-view tests and `ui-bench` share: the signed-in
//! user's own profile, settled; whether the live UI has taken over; and
//! timing a notification marked read in one window until another window's
//! unread count shows it, on the page's clock (`Date.now()`, the same for
//! every window of one process).

use anyhow::{Context, Result};

use crate::Harness;

impl Harness {
    /// Opens the signed-in user's profile from the top bar and waits until
    /// it has settled: the profile, at least `posts` posts and some
    /// followers (a part arriving later would move what is under a click).
    pub async fn open_own_profile(&self, posts: usize) -> Result<()> {
        self.click("[data-testid=nav-profile]").await?;
        self.wait_until("the profile, its posts and followers", || async {
            Ok(self.has_test_id("profile-name").await?
                && self.count_test_id("post").await? >= posts
                && self.count_test_id("follower").await? > 0)
        })
        .await
    }

    /// Whether the live UI has taken over from the first frame.
    pub async fn is_live(&self) -> Result<bool> {
        let live = self
            .script("return performance.getEntriesByName('larder-live').length > 0")
            .await?;
        Ok(live.as_bool() == Some(true))
    }

    /// In the current window: notes the moment its top bar's unread count
    /// next changes (read with [`Self::unread_changed_at`]).
    pub async fn watch_unread_count(&self) -> Result<()> {
        self.script(
            "window.__changedAt = null; \
             const shown = () => document.querySelector('[data-testid=unread-count]')?.textContent ?? ''; \
             const before = shown(); \
             const observer = new MutationObserver(() => { \
               if (shown() !== before) { window.__changedAt = Date.now(); observer.disconnect(); } \
             }); \
             observer.observe(document.body, { subtree: true, childList: true, characterData: true });",
        )
        .await?;
        Ok(())
    }

    /// In the current window: clicks the first "Mark as read" and returns
    /// the moment of the click.
    pub async fn mark_first_unread_read(&self) -> Result<f64> {
        self.script(
            "const button = document.querySelector('[data-testid^=mark-read-]'); \
             const at = Date.now(); button.click(); return at;",
        )
        .await?
        .as_f64()
        .context("the click's time")
    }

    /// In the current window: when its unread count changed since
    /// [`Self::watch_unread_count`], waiting for it.
    pub async fn unread_changed_at(&self) -> Result<f64> {
        self.wait_until("the unread count to change in this window", || async {
            Ok(!self.script("return window.__changedAt").await?.is_null())
        })
        .await?;
        self.script("return window.__changedAt")
            .await?
            .as_f64()
            .context("the change's time")
    }
}
