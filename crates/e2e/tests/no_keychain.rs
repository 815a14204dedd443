//! A first run where no keychain answers, in the real webview: the window
//! explains it and offers Retry or a protected file; the user picks the
//! file, signs in and sees the dashboard; the choice is remembered (a
//! restart goes straight to the dashboard) and shown in the settings.

use anyhow::Result;
use larder_e2e::Harness;
use mock_api::{Config, RunningServer};

const ALL: [u8; 5] = [1, 2, 3, 4, 5];

#[tokio::test]
async fn without_a_keychain_the_window_offers_a_protected_file() -> Result<()> {
    let api = RunningServer::start(Config {
        delay_scale: 0.1,
        ..Config::default()
    })
    .await?;
    let url = api.url();
    let app = Harness::launch(&[
        ("LARDER_API_URL", &url),
        // No choice from the environment, and (in this development build,
        // on every OS) no keychain that answers.
        ("LARDER_SECRETS", "absent-keychain"),
    ])
    .await?;
    app.wait_until("the keychain choice", || app.has_test_id("no-keychain"))
        .await?;
    let explained = app
        .by_test_id("file-secrets-explained")
        .await?
        .text()
        .await?;
    assert!(
        explained.contains("not to someone who can read your own files"),
        "{explained}"
    );

    // Retry still finds none, and says so.
    app.by_test_id("keychain-retry").await?.click().await?;
    app.wait_until("the retry's answer", || {
        app.has_test_id("no-keychain-error")
    })
    .await?;

    app.by_test_id("use-file-secrets").await?.click().await?;
    app.wait_until("the sign-in view", || app.has_test_id("username"))
        .await?;
    app.sign_in("lena").await?;
    app.wait_until("the dashboard", || app.all_ready(&ALL))
        .await?;

    // Remembered: a restart opens straight onto the dashboard.
    let app = app.relaunch(&[]).await?;
    app.wait_until("the dashboard after a restart", || app.all_ready(&ALL))
        .await?;
    assert!(!app.has_test_id("no-keychain").await?);
    app.by_test_id("nav-settings").await?.click().await?;
    let file = app.by_test_id("setting-file-secrets").await?;
    assert_eq!(file.prop("checked").await?.as_deref(), Some("true"));
    app.close().await
}
