//! Keeps the webview's own caches small. Larder's window shows one page
//! from the app's own assets and never navigates away, so a browser's
//! caches for pages gone back to and resources fetched again buy nothing
//! and cost memory in the webview's processes.
//!
//! - Linux: WebKitGTK's document-viewer cache model (no page cache, the
//!   smallest memory cache), made for apps like this one.
//! - Windows and macOS: nothing is set. WebView2's memory target level is
//!   a COM call, and WKWebView has no such setting; both keep their
//!   defaults.

use tauri::{Runtime, WebviewWindow};

/// Applies the lean cache settings to `window`'s webview.
pub fn keep_lean<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let applied = window.with_webview(|webview| {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = webview.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
        if let Err(err) = applied {
            tracing::warn!(%err, "the webview's cache model could not be set");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}
