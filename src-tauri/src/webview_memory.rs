//! Keeps the webview lean. Larder's window shows one page from the app's
//! own assets and never navigates away, so a browser's caches for pages
//! gone back to and resources fetched again buy nothing and cost memory in
//! the webview's processes; and its page is cards of text, which need no
//! GPU to draw.
//!
//! - Linux: WebKitGTK's document-viewer cache model (no page cache, the
//!   smallest memory cache), made for apps like this one; and no
//!   accelerated compositing, unless [`GPU_COMPOSITING`] is set to `1`.
//!   WebKitGTK's compositor needs an OpenGL context in both the app's and
//!   the web process, which costs memory and start-up time (and, on a
//!   machine without a GPU, runs through Mesa's software renderer), and is
//!   the usual cause of a blank window on drivers it does not get along
//!   with. Drawing without it, the web process paints into shared memory
//!   and the app's process shows that.
//! - Windows and macOS: nothing is set. WebView2's memory target level is
//!   a COM call, and WKWebView has no such setting; both keep their
//!   defaults.

use tauri::{Runtime, WebviewWindow};

/// With this set to `1`, Larder leaves WebKitGTK's hardware acceleration
/// policy at its default (Linux only).
pub const GPU_COMPOSITING: &str = "LARDER_GPU_COMPOSITING";

/// Whether the webview should composite on the GPU: only when the user
/// asks for it with [`GPU_COMPOSITING`]` = 1`.
pub fn gpu_compositing_asked(value: Option<&std::ffi::OsStr>) -> bool {
    value.is_some_and(|v| v == "1")
}

/// Applies the lean settings to `window`'s webview.
pub fn keep_lean<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let gpu = gpu_compositing_asked(std::env::var_os(GPU_COMPOSITING).as_deref());
        let applied = window.with_webview(move |webview| {
            use webkit2gtk::{
                CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
            };
            let view = webview.inner();
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
            if !gpu {
                if let Some(settings) = WebViewExt::settings(&view) {
                    settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                }
            }
        });
        if let Err(err) = applied {
            tracing::warn!(%err, "the webview's lean settings could not be applied");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_asks_for_gpu_compositing() {
        assert!(gpu_compositing_asked(Some("1".as_ref())));
        for value in [None, Some(""), Some("0"), Some("yes"), Some("true")] {
            assert!(
                !gpu_compositing_asked(value.map(AsRef::as_ref)),
                "{value:?} asked for it"
            );
        }
    }
}
