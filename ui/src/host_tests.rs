//! Tests of the host page helpers: the platform name and the fonts it picks.

use super::*;

#[test]
fn each_webviews_agent_names_its_platform() {
    let webkit_gtk = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15";
    let wkwebview =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)";
    let webview2 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
    assert_eq!(platform_of_agent(webkit_gtk), "linux");
    assert_eq!(platform_of_agent(wkwebview), "macos");
    assert_eq!(platform_of_agent(webview2), "windows");
    // The first frame, rendered natively, names this build's platform
    // the same way the live UI will.
    let here = if cfg!(target_os = "macos") {
        wkwebview
    } else if cfg!(windows) {
        webview2
    } else {
        webkit_gtk
    };
    assert_eq!(platform_name(), platform_of_agent(here));
}

/// WebKitGTK looks up every family a rule names, installed or not,
/// before the first frame paints (about 100 ms for the five-family
/// stack Larder once had; docs/BENCHMARKS.md). So on Linux, the
/// default, the stylesheet names only generic families; named ones
/// sit behind a macOS or Windows `data-platform`.
#[test]
fn linux_is_given_only_generic_font_families() {
    // Not system-ui: WebKitGTK resolves it through the desktop's font
    // setting, which painted about 20 ms later than sans-serif.
    const CHEAP: [&str; 4] = ["sans-serif", "serif", "monospace", "inherit"];
    let css = include_str!("../dist/larder.css");
    let mut checked = 0;
    for rule in css.split('}') {
        let Some((selector, body)) = rule.split_once('{') else {
            continue;
        };
        let selector = selector.rsplit("*/").next().unwrap_or(selector).trim();
        let Some(families) = body.split("font-family:").nth(1) else {
            continue;
        };
        let families = families.split(';').next().unwrap_or_default();
        let for_others = selector.split(',').all(|s| {
            s.contains("data-platform=\"macos\"") || s.contains("data-platform=\"windows\"")
        });
        if for_others {
            continue;
        }
        for family in families.split(',').map(str::trim) {
            assert!(
                CHEAP.contains(&family),
                "`{selector}` names the font family {family} on Linux"
            );
        }
        checked += 1;
    }
    assert!(checked > 0, "the stylesheet sets no font family for Linux");
}
