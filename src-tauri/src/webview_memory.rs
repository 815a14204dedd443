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

/// The variable WebKitGTK reads for how many threads paint on the CPU.
pub const CPU_PAINTING_THREADS: &str = "WEBKIT_SKIA_CPU_PAINTING_THREADS";

/// Asks WebKitGTK to paint on the CPU, with [`painting_threads`] threads,
/// unless the user set either variable (so
/// `WEBKIT_SKIA_ENABLE_CPU_RENDERING=0` gives the GPU back). WebKit has no
/// setting for these, only the variables, which its web processes
/// inherit. It must be called before any other thread starts: setting a
/// variable races with a C library reading the environment elsewhere.
pub fn paint_on_cpu() {
    #[cfg(target_os = "linux")]
    {
        if std::env::var_os(CPU_PAINTING).is_none() {
            std::env::set_var(CPU_PAINTING, "1");
        }
        if std::env::var_os(CPU_PAINTING_THREADS).is_none() {
            let cores = std::thread::available_parallelism().map_or(1, usize::from);
            std::env::set_var(CPU_PAINTING_THREADS, painting_threads(cores).to_string());
        }
    }
}

/// How many threads paint on the CPU with `cores` cores: half of them, at
/// most eight, but never fewer than two. With one
/// painting thread a view change waited on it: in-app navigation took
/// about 110 ms on two cores, against about 70 with two threads and 80
/// painting on the GPU (docs/BENCHMARKS.md).
pub fn painting_threads(cores: usize) -> usize {
    (cores / 2).clamp(2, 8)
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

#[cfg(test)]
mod tests {
    use super::painting_threads;

    #[test]
    fn painting_threads_are_half_the_cores_from_two_to_eight() {
        let threads: Vec<usize> = [1, 2, 4, 6, 16, 64].map(painting_threads).to_vec();
        assert_eq!(threads, [2, 2, 2, 3, 8, 8]);
    }
}
