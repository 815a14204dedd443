//! Builds the Tauri context. Every Larder command gets `allow-<command>` /
//! `deny-<command>` permissions generated from the protocol's command list,
//! so the capability in tauri.conf.json must grant each one by name: a
//! command that is not granted cannot be called from the webview.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&larder_protocol::commands::ALL);
    if let Err(err) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
    {
        panic!("tauri build failed: {err:#}");
    }
}
