//! A locked keychain in the real webview, against a real Secret Service
//! (gnome-keyring): sign in and fill the dashboard, quit, lock the keyring,
//! take the API away and launch. The window names the locked keychain
//! instead of asking to sign in; once the keyring is unlocked, Retry opens
//! the cached dashboard, and so does a later offline launch: nothing was
//! lost.
//!
//! `#[ignore]`d in a plain run, where no Secret Service may exist: `cargo
//! xtask test` runs it with `--ignored` inside `dbus-run-session`, with
//! gnome-keyring on a throwaway keyring unlocked with the password
//! "larder-test" (and no display for its unlock prompt, so a locked read
//! fails at once instead of waiting on a window nobody can answer).

use anyhow::{ensure, Context, Result};
use larder_e2e::Harness;
use mock_api::{Config, RunningServer};

const ALL: [u8; 5] = [1, 2, 3, 4, 5];

/// The Secret Service's own `Lock` on the default collection, as a screen
/// lock does.
fn lock_keyring() -> Result<()> {
    let status = std::process::Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/aliases/default",
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .context("running dbus-send")?;
    ensure!(status.success(), "the keyring was not locked");
    Ok(())
}

/// Unlocks it with its password (a replacement daemon reads it on stdin;
/// the service's `Unlock` would need a prompt).
fn unlock_keyring() -> Result<()> {
    use std::io::Write;
    let mut daemon = std::process::Command::new("gnome-keyring-daemon")
        .args(["--replace", "--unlock", "--components=secrets"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .context("starting gnome-keyring-daemon")?;
    daemon
        .stdin
        .take()
        .context("its stdin")?
        .write_all(b"larder-test")?;
    ensure!(daemon.wait()?.success(), "the keyring was not unlocked");
    Ok(())
}

#[tokio::test]
#[ignore = "needs a real Secret Service; cargo xtask test runs it inside dbus-run-session"]
async fn a_locked_keychain_is_named_and_the_cached_dashboard_comes_back() -> Result<()> {
    let api = RunningServer::start(Config {
        delay_scale: 0.1,
        ..Config::default()
    })
    .await?;
    let url = api.url();
    let app = Harness::launch(&[("LARDER_API_URL", &url), ("LARDER_SECRETS", "keychain")]).await?;
    app.sign_in("kira").await?;
    app.wait_until("the dashboard", || app.all_ready(&ALL))
        .await?;
    let stopped = app.quit().await?;

    lock_keyring()?;
    drop(api); // and offline, too
    let app = stopped.launch(&[]).await?;
    app.wait_until("the locked view", || app.has_test_id("locked"))
        .await?;
    let locked = app.by_test_id("locked").await?;
    assert_eq!(
        locked.attr("data-reason").await?.as_deref(),
        Some("keychain_locked")
    );
    let reason = app.by_test_id("locked-reason").await?.text().await?;
    assert!(reason.contains("keychain is locked"), "{reason}");
    assert!(reason.contains("Nothing has been deleted"), "{reason}");
    assert!(
        !app.has_test_id("sign-in").await?,
        "not a signed-out session"
    );

    // Retry while still locked says so.
    app.by_test_id("unlock-retry").await?.click().await?;
    app.wait_until("the still-locked note", || app.has_test_id("locked-error"))
        .await?;

    // Unlocked: Retry opens the cached dashboard, offline.
    unlock_keyring()?;
    app.by_test_id("unlock-retry").await?.click().await?;
    app.wait_until("the cached dashboard", || app.all_ready(&ALL))
        .await?;

    // And a later offline launch shows all five from the cache.
    let app = app.relaunch(&[]).await?;
    app.wait_until("the cached dashboard", || app.all_ready(&ALL))
        .await?;
    for n in ALL {
        let freshness = app.widget_freshness(n).await?;
        assert!(
            freshness == "offline" || freshness == "stale",
            "widget {n}: {freshness}"
        );
    }
    app.close().await
}
