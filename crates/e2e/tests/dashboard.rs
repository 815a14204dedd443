//! The vertical slice in the real webview: sign in, then five independent
//! widgets, where the slow one never holds back the fast ones.

use anyhow::Result;
use larder_e2e::Harness;

/// Widget delays ×0.2: widgets 1 and 5 take 0.2 s, widget 3 takes 3 s.
const DELAY_SCALE: &str = "0.2";

#[tokio::test]
async fn fast_widgets_are_ready_while_the_slow_one_loads() -> Result<()> {
    let app = Harness::launch(&[("LARDER_MOCK_DELAY_SCALE", DELAY_SCALE)]).await?;
    app.sign_in("alice").await?;

    app.wait_until("widgets 1 and 5 to be ready", || app.all_ready(&[1, 5]))
        .await?;
    assert_eq!(
        app.widget_state(3).await?,
        "loading",
        "the 3 s widget must still be loading when the 0.2 s ones are ready"
    );

    app.wait_until("all five widgets to be ready", || {
        app.all_ready(&[1, 2, 3, 4, 5])
    })
    .await?;
    let user = app.by_test_id("user-name").await?.text().await?;
    assert_eq!(user, "alice");
    app.close().await
}
