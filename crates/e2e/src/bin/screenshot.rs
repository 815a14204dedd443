//! Takes the README's screenshot: signs in, waits for every widget and saves
//! the webview as a PNG. Run it with `cargo xtask screenshot`.

use anyhow::{Context, Result};
use larder_e2e::Harness;

#[tokio::main]
async fn main() -> Result<()> {
    let out = std::env::args()
        .nth(1)
        .context("usage: screenshot <output.png>")?;
    let app = Harness::launch(&[("LARDER_MOCK_DELAY_SCALE", "0.05")]).await?;
    app.sign_in("Alice Martin").await?;
    app.wait_until("all five widgets", || app.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    // WebKit's snapshot can trail the DOM by a frame or two under Xvfb; give
    // the last paint time to land (this is a tool, not a test).
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let png = app.client.screenshot().await?;
    std::fs::write(&out, png).with_context(|| format!("writing {out}"))?;
    println!("saved {out}");
    app.close().await
}
