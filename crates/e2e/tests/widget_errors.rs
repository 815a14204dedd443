//! A failing widget in the real webview: it shows an error card with Retry
//! while the others render, and Retry recovers it alone. The app talks to a
//! mock API started here with its test controls, which makes widget 2 send
//! a body that is not JSON until the fault is cleared.

use anyhow::Result;
use fantoccini::Locator;
use larder_e2e::Harness;
use larder_protocol::{test_controls::FaultKind, WidgetId};
use mock_api::{testing::Controls, Config, RunningServer};

#[tokio::test]
async fn a_failing_widget_blocks_no_other_and_retry_recovers_it() -> Result<()> {
    let api = RunningServer::start(Config {
        delay_scale: 0.1,
        test_controls: true,
        ..Config::default()
    })
    .await?;
    let controls = Controls::of(&api);
    controls.fault(WidgetId::new(2)?, FaultKind::MalformedJson, None);

    let app = Harness::launch(&[("LARDER_API_URL", &api.url())]).await?;
    app.sign_in("erin").await?;
    app.wait_until("widget 2 to fail", || async {
        Ok(app.widget_state(2).await? == "error")
    })
    .await?;
    app.wait_until("the other widgets to be ready", || {
        app.all_ready(&[1, 3, 4, 5])
    })
    .await?;

    let widget = app.by_test_id("widget-2").await?;
    let card = widget.find(Locator::Css(".error-card")).await?;
    assert!(card.text().await?.contains("could not load"));

    // The upstream recovers; Retry fetches widget 2 again.
    controls.clear_faults();
    widget
        .find(Locator::Css("[data-testid=\"retry\"]"))
        .await?
        .click()
        .await?;
    app.wait_until("widget 2 to recover", || async {
        Ok(app.widget_state(2).await? == "ready")
    })
    .await?;
    for n in [1, 3, 4, 5] {
        assert_eq!(
            app.widget_state(n).await?,
            "ready",
            "widget {n} kept its state"
        );
    }
    app.close().await
}
