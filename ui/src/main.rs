//! The UI's entry point: mounts [`ui::app::App`] in the webview.

#[cfg(target_arch = "wasm32")]
fn main() {
    // The font is the platform's from the first render on.
    ui::host::apply_platform();
    dioxus::launch(ui::app::App);
}

/// The UI only runs in the webview; natively the crate exists for its tests.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Larder's UI runs in the desktop app's webview: build it with `cargo xtask ui`.");
}
