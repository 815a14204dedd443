//! Sign-in's bad input in the real webview: refused in the UI with a clear
//! message, and an unreachable API is said plainly without a hang.

use anyhow::Result;
use larder_e2e::Harness;

#[tokio::test]
async fn bad_usernames_are_refused_in_the_ui() -> Result<()> {
    // Nothing listens on this API: had anything been sent, the message would
    // say the server cannot be reached.
    let app = Harness::launch(&[("LARDER_API_URL", "http://127.0.0.1:9")]).await?;
    let long = "x".repeat(65);
    for (input, expected) in [
        ("", "Please enter a username"),
        ("    ", "Please enter a username"),
        (long.as_str(), "at most 64"),
    ] {
        app.sign_in(input).await?;
        let message = app.by_test_id("sign-in-error").await?.text().await?;
        assert!(
            message.contains(expected),
            "{input:?}: expected {expected:?} in {message:?}"
        );
        assert!(!app.has_test_id("widget-1").await?, "must stay on sign-in");
    }
    app.close().await
}

#[tokio::test]
async fn an_unreachable_api_is_reported_plainly() -> Result<()> {
    let app = Harness::launch(&[("LARDER_API_URL", "http://127.0.0.1:9")]).await?;
    app.sign_in("alice").await?;
    app.wait_until("the unreachable message", || async {
        app.has_test_id("sign-in-error").await
    })
    .await?;
    let message = app.by_test_id("sign-in-error").await?.text().await?;
    assert!(message.contains("cannot reach the server"), "{message}");
    // The app is still responsive: the button can be pressed again.
    let button = app.by_test_id("sign-in").await?;
    assert!(button.is_enabled().await?);
    // What a timed-out wait would report names what is on screen.
    let page = app.page_snapshot().await?;
    assert!(page.contains("sign-in-error"), "{page}");
    assert!(!page.contains("widget-1"), "{page}");
    app.close().await
}
