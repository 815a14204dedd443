use anyhow::Result;
use larder_e2e::Harness;
use mock_api::{Config, RunningServer};
#[tokio::main]
async fn main() -> Result<()> {
    let api = RunningServer::start(Config {
        delay_scale: 0.1,
        ..Config::default()
    })
    .await?;
    let url = api.url();
    for run in 0..2 {
        let app = Harness::launch(&[("LARDER_API_URL", &url)]).await?;
        app.wait_until("sign-in", || app.has_test_id("username"))
            .await?;
        app.by_test_id("username")
            .await?
            .send_keys(&format!("probe{run}"))
            .await?;
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let extra = std::env::var("PROBE_CSS").unwrap_or_default();
        app.client.execute("const s = document.createElement('style'); s.textContent = arguments[0]; document.head.appendChild(s);", vec![extra.into()]).await?;
        let v = app.client.execute_async(
            "const done = arguments[0]; const start = performance.now(); const seen = {}; let last = 0; const gaps = []; \
             const muts = []; new MutationObserver((list) => { const t = Math.round(performance.now() - start); if (t > 1300) muts.push([t, list.length, list.map(m => (m.target.closest && m.target.closest('[data-testid]') || m.target.parentElement?.closest('[data-testid]'))?.dataset?.testid).filter((v, i, a) => a.indexOf(v) === i).join('|')]); }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true}); \
             document.querySelector('[data-testid=\"sign-in\"]').click(); \
             let after = 0; \
             const check = () => { const t = Math.round(performance.now() - start); if (t - last > 30) gaps.push([last, t]); last = t; \
               for (const w of document.querySelectorAll('[data-testid^=\"widget-\"]')) { const k = w.dataset.testid + ':' + w.dataset.state; if (!(k in seen)) seen[k] = t; } \
               const ready = document.querySelectorAll('[data-testid^=\"widget-\"][data-state=\"ready\"]').length === 5; \
               if (ready) after++; \
               if (after > 5) done(JSON.stringify({seen, gaps, muts})); else requestAnimationFrame(check); }; \
             check();", vec![]).await?;
        println!("{}", v.as_str().unwrap_or_default());
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        let r = app.client.execute_async(
            "const done = arguments[0]; const out = []; let i = 0; \
             const step = () => { const s = performance.now(); \
               if (i % 2 == 0) document.documentElement.style.setProperty('--panel', i % 4 ? '#fff' : '#fefefe'); \
               else document.querySelector('[data-testid=\"widget-3\"]').style.opacity = i % 4 == 1 ? '0.99' : '1'; \
               requestAnimationFrame(() => requestAnimationFrame(() => { out.push(Math.round(performance.now() - s)); i++; if (i < 8) step(); else done(JSON.stringify(out)); })); }; \
             step();", vec![]).await?;
        println!(
            "repaint (full, widget3 alternating): {}",
            r.as_str().unwrap_or_default()
        );
        app.close().await?;
    }
    Ok(())
}
