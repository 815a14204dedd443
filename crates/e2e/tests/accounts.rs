//! Two accounts and two windows in the real webview: a second account is
//! added from the top bar without signing the first out; each account's
//! dashboard is prewarmed once, and switching sends nothing more; a view's
//! window closes when the account shown changes; a switch paints the other
//! account's dashboard from the cache, offline too (how long it took is
//! printed from the page's own marks; the figure for the 100 ms goal is a
//! release build's); a change made offline in one account waits while the
//! other is shown, and is sent exactly once when the API is back, though
//! its account is not shown; signing out of one (a change waiting,
//! discarded) leaves the other shown, and its layout says what was
//! discarded.

use anyhow::{Context, Result};
use larder_e2e::Harness;
use mock_api::testing::Controls;

/// The window handles open now, once there are `count`.
async fn windows_become(app: &Harness, count: usize) -> Result<()> {
    app.wait_until(&format!("{count} windows"), || async {
        Ok(app.client.windows().await?.len() == count)
    })
    .await
}

#[tokio::test]
async fn two_accounts_and_two_windows_online_and_offline() -> Result<()> {
    // Sessions kept in a file, so the API started again knows both.
    let (restartable, api) = Harness::restartable_api().await?;
    let app = Harness::signed_in(&api, "wren").await?;
    let main = app.client.window().await?;

    // A post of wren's in a window of its own.
    app.open_own_profile(1).await?;
    app.script("document.querySelector('[data-testid=post] [data-testid=open-window]').click()")
        .await?;
    windows_become(&app, 2).await?;

    // A second account from the top bar: wren stays signed in, and the
    // view's window (wren's) closes, since yara is shown now.
    app.add_account("yara").await?;
    windows_become(&app, 1).await?;
    app.client.switch_to_window(main.clone()).await?;

    // Back to wren: from the cache, nothing asked of the API.
    let (wren_id, took) = app.switch_account("wren").await?;
    println!("switching to wren painted in {took:.0} ms (debug build)");
    let (yara_id, took) = app.switch_account("yara").await?;
    println!("switching to yara painted in {took:.0} ms (debug build)");
    app.switch_account("wren").await?;
    assert_eq!(
        Harness::widget_requests(&api, &wren_id),
        [1; 5],
        "prewarmed once"
    );
    assert_eq!(
        Harness::widget_requests(&api, &yara_id),
        [1; 5],
        "prewarmed once"
    );

    // Offline, wren marks a notification read: it waits.
    drop(api);
    app.wait_until("a notification to mark", || async {
        Ok(!app.unread_notifications().await?.is_empty())
    })
    .await?;
    let marked = app.unread_notifications().await?[0].clone();
    app.click(&format!("[data-testid=mark-read-{marked}]"))
        .await?;
    app.wait_until("the change to wait", || app.has_test_id("waiting-changes"))
        .await?;

    // Yara, shown offline, from the cache alone; wren's change waits in
    // the account not shown.
    let (_, took) = app.switch_account("yara").await?;
    let steps = app
        .script(
            "const last = n => performance.getEntriesByName(n).at(-1).startTime; \
             const start = last('larder-switch-start'); \
             return ['larder-switch-answered', 'larder-switch-applied', 'larder-account-rendering', \
                     'larder-dashboard-rendering', 'larder-account-painted'] \
               .map(n => n + ' ' + Math.round(last(n) - start)).join(', ');",
        )
        .await?;
    println!("switching offline painted in {took:.0} ms ({steps}) (debug build)");
    let (_, took) = app.switch_account("wren").await?;
    println!("switching offline again painted in {took:.0} ms (debug build)");
    let (_, took) = app.switch_account("yara").await?;
    println!("and back painted in {took:.0} ms (debug build)");

    // The API back: wren's change is sent while yara is shown, once.
    let api = restartable.restart().await?;
    app.wait_until("wren's change to be applied", || async {
        Ok(Controls::of(&api).stats().applied(&wren_id) == 1)
    })
    .await?;
    assert_eq!(app.account_shown().await?, "yara", "still yara");

    // Wren again: read, nothing waiting.
    app.switch_account("wren").await?;
    app.wait_until("nothing waiting", || async {
        Ok(!app.has_test_id("waiting-changes").await?)
    })
    .await?;
    assert!(!app.unread_notifications().await?.contains(&marked));
    assert_eq!(Controls::of(&api).stats().applied(&wren_id), 1, "once");

    // Signing wren out with a change waiting (offline again), asked
    // first, leaves yara signed in and shown, and yara's layout says what
    // was discarded.
    drop(api);
    let another = app
        .unread_notifications()
        .await?
        .first()
        .cloned()
        .context("another notification to mark")?;
    app.click(&format!("[data-testid=mark-read-{another}]"))
        .await?;
    app.wait_until("the change to wait", || app.has_test_id("waiting-changes"))
        .await?;
    app.click("[data-testid=sign-out]").await?;
    app.click("[data-testid=sign-out-anyway]").await?;
    app.wait_until("yara shown", || async {
        Ok(app.has_test_id("user-name").await? && app.account_shown().await? == "yara")
    })
    .await?;
    let notice = app.by_test_id("signed-out-notice").await?.text().await?;
    assert!(notice.contains("1 change"), "{notice}");
    assert!(!app.has_test_id("switch-account").await?, "yara alone");
    app.close().await
}
