//! Keeps the webview's own caches small. Larder's window shows one page
//! from the app's own assets and never navigates away, so a browser's
//! caches for pages gone back to and resources fetched again buy nothing
//! and cost memory in the webview's processes.
//!
//! - Linux: WebKitGTK's document-viewer cache model (no page cache, the
//!   smallest memory cache), made for apps like this one.
//! - Linux: WebKitGTK paints the page's tiles with Skia on the CPU
//!   ([`paint_on_cpu`]); its compositor still puts them on screen with
//!   OpenGL. Skia on the GPU keeps glyph atlases and scratch textures in
//!   the web process, about 30 MiB for the dashboard, and painted no
//!   sooner (docs/BENCHMARKS.md).
//! - Windows and macOS: nothing is set. WebView2's memory target level is
//!   a COM call, and WKWebView has no such setting; both keep their
//!   defaults.

use tauri::{Runtime, WebviewWindow};

/// The variable WebKitGTK reads, in each web process it starts, to paint
/// with Skia on the CPU; any value but `0` turns it on.
pub const CPU_PAINTING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Asks WebKitGTK to paint on the CPU, unless the variable is already set
/// (so `WEBKIT_SKIA_ENABLE_CPU_RENDERING=0` gives the GPU back). WebKit
/// has no setting for it, only this variable, which its web processes
/// inherit. It must be called before any other thread starts: setting a
/// variable races with a C library reading the environment elsewhere.
pub fn paint_on_cpu() {
    #[cfg(target_os = "linux")]
    if std::env::var_os(CPU_PAINTING).is_none() {
        std::env::set_var(CPU_PAINTING, "1");
    }
}

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
