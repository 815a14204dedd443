//! The first frame in the real webview: a warm open shows the cached
//! dashboard painted by the backend before the UI's wasm has taken over;
//! the takeover changes nothing on screen, and a click made before it is
//! not lost. The stylesheet comes inside the page. On Linux, the webview
//! paints on the CPU.

use anyhow::{bail, Result};
use larder_e2e::{Harness, Stopped};
use larder_protocol::{test_controls::FaultKind, WidgetId};
use mock_api::testing::Controls;

/// The most a 4×4 block's mean colour may change (of 255) with nothing
/// visible changing. The same markup drawn again shades the anti-aliased
/// edges of the chart's line, the shadows and the gradients a little
/// differently (1 to 9 here, in 1–2 % of pixels); one badge's words
/// changed ("updated just now" to "updated 9 min ago") changed a block by
/// 89.
const VISIBLE: u8 = 24;

/// The app relaunched on `stopped`'s data with the takeover held. The
/// session usually exists well before the wasm has loaded; a launch where
/// it did not is tried again, twice at most.
async fn relaunch_held(mut stopped: Stopped) -> Result<Harness> {
    for attempt in 1..=3 {
        let (app, held) = stopped.launch_held(&[]).await?;
        if held {
            return Ok(app);
        }
        println!("note: launch {attempt}: the live UI took over before it could be held");
        stopped = app.quit().await?;
    }
    bail!("the live UI took over before the test could hold it, three launches running")
}

/// Waits until the held live UI asks to take over, then lets it.
async fn take_over(app: &Harness) -> Result<()> {
    app.wait_until("the live UI to be ready to take over", || {
        app.live_ui_waiting()
    })
    .await?;
    app.release_live_ui().await
}

/// `selector`'s text in the page, with runs of white space as one space.
async fn text(app: &Harness, selector: &str) -> Result<String> {
    let script = format!(
        "const e = document.querySelector('{selector}'); \
         return e ? e.textContent.replace(/\\s+/g, ' ').trim() : null;"
    );
    Ok(app
        .script(&script)
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// `selector`'s elements as a tree of tags, attributes and text: the
/// markup without comments (where Dioxus keeps its placeholders), without
/// the `data-dioxus-id` the live UI puts on elements with event handlers,
/// and with attributes in name order.
async fn markup(app: &Harness, selector: &str) -> Result<String> {
    let script = format!(
        "const walk = (node) => {{ \
           if (node.nodeType === 3) return node.data; \
           if (node.nodeType !== 1) return ''; \
           const attrs = [...node.attributes].filter((a) => a.name !== 'data-dioxus-id').map((a) => `${{a.name}}=\"${{a.value}}\"`).sort().join(' '); \
           return `<${{node.localName}} ${{attrs}}>` + [...node.childNodes].map(walk).join('') + `</${{node.localName}}>\n`; \
         }}; \
         return [...document.querySelector('{selector}').childNodes].map(walk).join('');"
    );
    Ok(app
        .script(&script)
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

#[tokio::test]
async fn a_warm_open_paints_the_cache_first_and_the_takeover_changes_nothing() -> Result<()> {
    let api = Harness::quick_api().await?;
    let app = Harness::signed_in(&api, "kate").await?;
    let stopped = app.quit().await?;
    // From now on the upstream never answers: what shows is the cache.
    for widget in WidgetId::ALL {
        Controls::of(&api).fault(widget, FaultKind::Hang, None);
    }
    let app = relaunch_held(stopped).await?;

    // The first frame is the dashboard, every widget painted from the cache.
    for n in 1..=5 {
        let state = app
            .script(&format!(
                "return document.querySelector('#first-frame [data-testid=\"widget-{n}\"]')\
                   ?.getAttribute('data-state') ?? null;"
            ))
            .await?;
        assert_eq!(state, "ready", "widget {n} in the first frame");
    }
    assert_eq!(
        text(&app, "#first-frame [data-testid=user-name]").await?,
        "kate"
    );
    // Its stylesheet came inside the page, and applies: the frame waited
    // for no second request.
    let styled = app
        .script(
            "return [document.querySelector('link[rel=stylesheet]') === null, \
               [...document.head.querySelectorAll('style')].some((s) => s.textContent.includes('.topbar')), \
               getComputedStyle(document.querySelector('#first-frame .topbar')).display];",
        )
        .await?;
    assert_eq!(
        styled,
        serde_json::json!([true, true, "grid"]),
        "no link, the stylesheet in the head, its rules applied"
    );

    // The live UI renders the same view, hidden, then asks to take over.
    app.wait_until("the live UI to be ready to take over", || {
        app.live_ui_waiting()
    })
    .await?;
    let painted = text(&app, "#first-frame").await?;
    assert!(!painted.is_empty());
    assert_eq!(text(&app, "#main").await?, painted, "the same words, live");
    assert_eq!(
        markup(&app, "#main").await?,
        markup(&app, "#first-frame").await?,
        "the same elements and attributes, live"
    );
    let before = app.screenshot().await?;
    app.release_live_ui().await?;
    assert!(app.live().await?, "the first frame is gone");
    let after = app.screenshot().await?;
    let (block_change, share) = before.change_from(&after);
    if block_change > VISIBLE {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::write(dir.join("first-frame-before.png"), &before.png)?;
        std::fs::write(dir.join("first-frame-after.png"), &after.png)?;
        bail!(
            "the window changed at the takeover: a 4×4 block's colour by {block_change}/255, \
             {:.2}% of pixels; both screenshots are in {}",
            share * 100.0,
            dir.display()
        );
    }
    app.close().await
}

#[tokio::test]
async fn a_click_on_the_first_frame_works_once_the_live_ui_takes_over() -> Result<()> {
    let api = Harness::quick_api().await?;
    let app = Harness::signed_in(&api, "liam").await?;
    let app = relaunch_held(app.quit().await?).await?;

    // Clicked while only the first frame can answer.
    app.click("#first-frame [data-testid=nav-cache]").await?;
    assert!(!app.has_test_id("cache-view").await?);

    take_over(&app).await?;
    app.wait_until("the cache view the click asked for", || {
        app.has_test_id("cache-view")
    })
    .await?;
    app.close().await
}

#[tokio::test]
async fn a_name_typed_into_the_first_frames_sign_in_is_carried_over() -> Result<()> {
    let api = Harness::quick_api().await?;
    let url = api.url();
    let first = Harness::launch(&[("LARDER_API_URL", &url)]).await?;
    let app = relaunch_held(first.quit().await?).await?;

    // Typed and submitted while only the first frame can answer.
    let field = "#first-frame [data-testid=username]";
    app.click(field).await?;
    app.type_into(field, "nora").await?;
    app.click("#first-frame [data-testid=sign-in]").await?;

    take_over(&app).await?;
    app.wait_until("the dashboard of the name typed", || {
        app.has_test_id("dashboard")
    })
    .await?;
    assert_eq!(app.by_test_id("user-name").await?.text().await?, "nora");
    app.close().await
}

/// WebKitGTK's web process paints with Skia on the CPU, on two threads at
/// least (see `src-tauri/src/webview_memory.rs`): it started with both
/// variables set. Elsewhere there is no web process of WebKitGTK's to
/// look at, and the test says it skipped.
#[tokio::test]
async fn the_webview_paints_on_the_cpu_where_it_is_webkitgtk() -> Result<()> {
    let api = Harness::quick_api().await?;
    let app = Harness::launch(&[("LARDER_API_URL", &api.url())]).await?;
    app.wait_until("the sign-in view", || app.has_test_id("username"))
        .await?;
    match app.web_process_env("WEBKIT_SKIA_ENABLE_CPU_RENDERING") {
        Some(values) => {
            assert!(!values.is_empty(), "no WebKit web process beneath the app");
            assert!(
                values.iter().all(|value| value.as_deref() == Some("1")),
                "the web processes' WEBKIT_SKIA_ENABLE_CPU_RENDERING: {values:?}"
            );
            let threads = app
                .web_process_env("WEBKIT_SKIA_CPU_PAINTING_THREADS")
                .unwrap_or_default();
            assert!(
                !threads.is_empty()
                    && threads.iter().all(|value| value
                        .as_deref()
                        .and_then(|n| n.parse::<usize>().ok())
                        .is_some_and(|n| n >= 2)),
                "the web processes' WEBKIT_SKIA_CPU_PAINTING_THREADS: {threads:?}"
            );
        }
        None => println!("skipped: only WebKitGTK on Linux has web processes to look at"),
    }
    app.close().await
}
