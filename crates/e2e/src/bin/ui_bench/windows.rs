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
    app.open_own_profile(1).await?;
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
        Ok(app.is_live().await? && app.has_test_id("unread-count").await?)
    })
    .await?;

    let mut times = Vec::new();
    loop {
        app.client.switch_to_window(main.clone()).await?;
        if app.unread_notifications().await?.is_empty() {
            break;
        }
        app.client.switch_to_window(post_window.clone()).await?;
        app.watch_unread_count().await?;
        app.client.switch_to_window(main.clone()).await?;
        let clicked = app.mark_first_unread_read().await?;
        app.client.switch_to_window(post_window.clone()).await?;
        let changed = app.unread_changed_at().await?;
        times.push(changed - clicked);
    }
    app.client.switch_to_window(main).await?;
    Ok(times)
}
