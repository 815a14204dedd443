//! A blank window of the same Tauri, webview and window size as Larder's,
//! for `cargo xtask ui-bench` to measure beside Larder: how soon a page
//! with nothing but one word on it loads and paints, and how much memory a
//! window costs before any of Larder's own code or data is in it.
//!
//! Its page comes from a protocol of its own, so it shares none of
//! Larder's assets, scripts or state.

use tauri::{http::Response, WebviewUrl, WebviewWindowBuilder};

/// One word of text, so that the page has a first contentful paint to time
/// against Larder's (an empty body never paints anything "contentful").
const PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\" />\
                    <title>Blank</title></head><body><p>Blank</p></body></html>";

fn main() {
    let result = tauri::Builder::default()
        .register_uri_scheme_protocol("blank", |_context, _request| {
            Response::builder()
                .header("Content-Type", "text/html")
                .body(PAGE.as_bytes().to_vec())
                .unwrap_or_default()
        })
        .setup(|app| {
            let url = if cfg!(windows) {
                "http://blank.localhost/"
            } else {
                "blank://localhost/"
            };
            WebviewWindowBuilder::new(app, "main", WebviewUrl::CustomProtocol(url.parse()?))
                .title("Blank")
                .inner_size(1200.0, 820.0)
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("the blank window could not start: {err}");
        std::process::exit(1);
    }
}
