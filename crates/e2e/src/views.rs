//! What the window-and-view tests, the accounts test and `ui-bench` share:
//! the signed-in user's own profile, settled; whether the live UI has taken
//! over; timing a notification marked read in one window until another
//! window's unread count shows it, on the page's clock (`Date.now()`, the
//! same for every window of one process); adding an account and switching
//! to another, timed by the page's own marks.

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

    /// The name of the account shown in the top bar.
    pub async fn account_shown(&self) -> Result<String> {
        Ok(self.by_test_id("user-name").await?.text().await?)
    }

    /// Adds account `name` from the top bar's switcher and waits for its
    /// dashboard.
    pub async fn add_account(&self, name: &str) -> Result<()> {
        self.click("[data-testid=accounts] summary").await?;
        self.click("[data-testid=add-account]").await?;
        self.sign_in(name).await?;
        self.wait_until(&format!("{name}'s dashboard"), || async {
            Ok(self.account_shown().await? == name && self.all_ready(&[1, 2, 3, 4, 5]).await?)
        })
        .await
    }

    /// Switches to account `to` (the other one signed in) from the top
    /// bar's switcher and waits for its dashboard; returns its user id and
    /// how long the page took, by its own marks, from the click to the
    /// account's layout's first render.
    pub async fn switch_account(&self, to: &str) -> Result<(String, f64)> {
        self.click("[data-testid=accounts] summary").await?;
        let button = self.by_test_id("switch-account").await?;
        let user = button.attr("data-user").await?.context("a user id")?;
        button.click().await?;
        self.wait_until(&format!("{to}'s dashboard"), || async {
            Ok(self.account_shown().await? == to && self.all_ready(&[1, 2, 3, 4, 5]).await?)
        })
        .await?;
        let took = self
            .script(
                "const last = n => performance.getEntriesByName(n).at(-1).startTime; \
                 return last('larder-account-painted') - last('larder-switch-start');",
            )
            .await?
            .as_f64()
            .context("the switch's marks")?;
        Ok((user, took))
    }
}
