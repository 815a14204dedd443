//! Tests of the host page helpers: the platform name, and what the
//! stylesheet draws on each platform (fonts, shadows).

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
    for (selector, body) in linux_rules(css) {
        let Some(families) = body.split("font-family:").nth(1) else {
            continue;
        };
        let families = families.split(';').next().unwrap_or_default();
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

/// The rules that apply on Linux, the default: every one not scoped to a
/// macOS or Windows `data-platform` alone. Each is `(selector, body)`.
fn linux_rules(css: &str) -> Vec<(&str, &str)> {
    css.split('}')
        .filter_map(|rule| rule.split_once('{'))
        .map(|(selector, body)| {
            (
                selector.rsplit("*/").next().unwrap_or(selector).trim(),
                body,
            )
        })
        .filter(|(selector, _)| {
            !selector.split(',').all(|s| {
                s.contains("data-platform=\"macos\"") || s.contains("data-platform=\"windows\"")
            })
        })
        .collect()
}

/// A shadow's layers, split at the commas outside its colours'
/// parentheses, each with its colours taken out.
fn shadow_layers(value: &str) -> Vec<String> {
    let (mut layers, mut layer, mut depth) = (Vec::new(), String::new(), 0);
    for c in value.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => layers.push(std::mem::take(&mut layer)),
            _ if depth == 0 => layer.push(c),
            _ => {}
        }
    }
    layers.push(layer);
    layers
}

/// WebKitGTK paints on the CPU (see `webview_memory.rs` in the app), and
/// blurs a blurred shadow again on every repaint: with one on each
/// widget, a repaint of the dashboard took about 130 ms here, and about
/// 33 without (docs/BENCHMARKS.md). So on Linux no shadow has a blur;
/// soft ones sit behind a macOS or Windows `data-platform`.
#[test]
fn linux_is_given_no_blurred_shadow() {
    let css = include_str!("../dist/larder.css");
    let mut checked = 0;
    for (selector, body) in linux_rules(css) {
        for declaration in body.split(';') {
            let Some((property, value)) = declaration.split_once(':') else {
                continue;
            };
            let property = property.rsplit("*/").next().unwrap_or(property).trim();
            if !(property == "box-shadow" || property.starts_with("--shadow")) {
                continue;
            }
            for layer in shadow_layers(value) {
                let lengths: Vec<&str> = layer
                    .split_whitespace()
                    .filter(|token| {
                        token.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
                    })
                    .collect();
                if let Some(blur) = lengths.get(2) {
                    assert!(
                        blur.trim_end_matches(|c: char| c.is_ascii_alphabetic())
                            .parse::<f64>()
                            == Ok(0.0),
                        "`{selector}` gives {property} a blur of {blur} on Linux: {value}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "the stylesheet draws no shadow on Linux");
}

/// WebKitGTK made the page a scrolling one, and painted all of it again,
/// at the moment a widget's data first made the dashboard taller than the
/// window: the frame that showed the data took about 80 ms more
/// (docs/BENCHMARKS.md). So on Linux the page can always scroll, and no
/// rule for Linux takes that back.
#[test]
fn linux_pages_can_always_scroll() {
    let css = include_str!("../dist/larder.css");
    let mut always = false;
    for (selector, body) in linux_rules(css) {
        let Some(value) = body.split("overflow-y:").nth(1) else {
            continue;
        };
        let value = value.split(';').next().unwrap_or_default().trim();
        if selector == "html" && value == "scroll" {
            always = true;
        } else if selector.contains("html") || selector.contains(":root") {
            panic!("`{selector}` sets the page's overflow-y to {value} on Linux");
        }
    }
    assert!(always, "the page scrolls only once it overflows");
}
