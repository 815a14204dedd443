//! Takes the README's screenshot: signs in, waits for every widget and saves
//! the webview as a PNG. Run it with `cargo xtask screenshot`; a second
//! argument signs in as that user instead (`admin-…` or `manager-…` for
//! their role widgets).

use anyhow::{Context, Result};
use larder_e2e::Harness;

#[tokio::main]
async fn main() -> Result<()> {
    let out = std::env::args()
        .nth(1)
        .context("usage: screenshot <output.png> [username]")?;
    let user = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "Alice Martin".to_owned());
    let app = Harness::launch(&[("LARDER_MOCK_DELAY_SCALE", "0.05")]).await?;
    app.sign_in(&user).await?;
    app.wait_until("every widget", || async {
        // The five widgets, and whatever role widgets the user has.
        let loading = app
            .script("return document.querySelectorAll('[data-state=loading]').length")
            .await?;
        Ok(app.all_ready(&[1, 2, 3, 4, 5]).await? && loading.as_u64() == Some(0))
    })
    .await?;
    // WebKit's snapshot can trail the DOM by a frame or two under Xvfb; give
    // the last paint time to land (this is a tool, not a test).
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let png = app.client.screenshot().await?;
    std::fs::write(&out, png).with_context(|| format!("writing {out}"))?;
    println!("saved {out}");
    app.close().await
}
