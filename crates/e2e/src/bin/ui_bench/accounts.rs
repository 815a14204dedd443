//! Switching accounts: a second account added from the top bar, then the
//! two switched between, each switch timed by the page's own marks from
//! the click to the other account's layout's first render (its dashboard
//! painted from the switch's answer).

use anyhow::Result;
use larder_e2e::Harness;

/// Adds account `other` beside the one shown (`first`), then switches
/// `runs` times each way; returns the times in ms. Leaves `first` shown.
pub async fn switch_ms(app: &Harness, first: &str, other: &str, runs: usize) -> Result<Vec<f64>> {
    app.add_account(other).await?;
    let mut times = Vec::new();
    for _ in 0..runs {
        times.push(app.switch_account(first).await?.1);
        times.push(app.switch_account(other).await?.1);
    }
    app.switch_account(first).await?;
    Ok(times)
}
