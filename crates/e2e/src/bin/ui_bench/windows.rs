//! A change made in one window, shown in another: the main window on the
//! dashboard and a post in a window of its own. Each notification marked
//! read in the main window is timed, on the page's clock (`Date.now()`,
//! the same in both windows of one process), from the click to the post's
//! window's unread count changing in its DOM.

use anyhow::{Context, Result};
use larder_e2e::Harness;

/// Opens the profile's first post in its own window and returns the
/// times, in ms, one per notification shown unread. Leaves the main window
/// current, on the dashboard, and the post's window open.
pub async fn change_shown_elsewhere_ms(app: &Harness) -> Result<Vec<f64>> {
    let main = app.client.window().await?;
    app.click("[data-testid=nav-profile]").await?;
    app.wait_until("the profile's posts", || async {
        Ok(app.count_test_id("post").await? > 0)
    })
    .await?;
    app.script("document.querySelector('[data-testid=post] [data-testid=open-window]').click()")
        .await?;
    app.wait_until("the post's window", || async {
        Ok(app.client.windows().await?.len() == 2)
    })
    .await?;
    let post_window = app
        .client
        .windows()
        .await?
        .into_iter()
        .find(|handle| *handle != main)
        .context("the post's window")?;
    app.click("[data-testid=nav-dashboard]").await?;
    app.wait_until("the dashboard", || app.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    app.client.switch_to_window(post_window.clone()).await?;
    app.wait_until("the live post", || async {
        let live = app
            .script("return performance.getEntriesByName('larder-live').length > 0")
            .await?;
        Ok(live.as_bool() == Some(true) && app.has_test_id("unread-count").await?)
    })
    .await?;

    let mut times = Vec::new();
    loop {
        app.client.switch_to_window(main.clone()).await?;
        if app.unread_notifications().await?.is_empty() {
            break;
        }
        app.client.switch_to_window(post_window.clone()).await?;
        app.script(
            "window.__changedAt = null; \
             const shown = () => document.querySelector('[data-testid=unread-count]')?.textContent ?? ''; \
             const before = shown(); \
             const observer = new MutationObserver(() => { \
               if (shown() !== before) { window.__changedAt = Date.now(); observer.disconnect(); } \
             }); \
             observer.observe(document.body, { subtree: true, childList: true, characterData: true });",
        )
        .await?;
        app.client.switch_to_window(main.clone()).await?;
        let clicked = app
            .script(
                "const button = document.querySelector('[data-testid^=mark-read-]'); \
                 const at = Date.now(); button.click(); return at;",
            )
            .await?
            .as_f64()
            .context("the click's time")?;
        app.client.switch_to_window(post_window.clone()).await?;
        app.wait_until("the post's window to show the change", || async {
            Ok(!app.script("return window.__changedAt").await?.is_null())
        })
        .await?;
        let changed = app
            .script("return window.__changedAt")
            .await?
            .as_f64()
            .context("the change's time")?;
        times.push(changed - clicked);
    }
    app.client.switch_to_window(main).await?;
    Ok(times)
}
