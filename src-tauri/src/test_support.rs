//! What the shell's tests share: the real app (its real context, so its
//! real capabilities) on Tauri's mock runtime, the real mock API on an
//! ephemeral loopback port, and the app's files in a temporary folder.

use larder_core::{ApiClient, Larder, ProbeSchedule};
use tauri::{test::mock_builder, App, Manager, Runtime};

use crate::{
    api_endpoint::ApiEndpoint,
    build_app,
    persistence::StorePaths,
    push,
    state::{AppState, BackgroundTasks},
};

/// An app on the mock runtime, the API it talks to and its files.
pub struct TestShell {
    pub app: App<tauri::test::MockRuntime>,
    pub api: mock_api::RunningServer,
    pub paths: StorePaths,
    /// The data folder; removed when the shell is dropped.
    pub data: tempfile::TempDir,
}

impl TestShell {
    /// The app and a fresh mock API (no delays); nothing is managed yet.
    pub fn new() -> Self {
        let api =
            tauri::async_runtime::block_on(mock_api::RunningServer::start(mock_api::Config {
                delay_scale: 0.0,
                ..mock_api::Config::default()
            }))
            .expect("mock-api starts");
        let app = build_app(mock_builder())
            .build(tauri::generate_context!())
            .expect("the app builds");
        let data = tempfile::tempdir().expect("temp dir");
        let paths = StorePaths::in_dir(data.path());
        Self {
            app,
            api,
            paths,
            data,
        }
    }

    /// A client of the mock API.
    pub fn client(&self) -> ApiClient {
        ApiClient::new(&self.api.url()).expect("valid url")
    }

    /// Opens the core as start-up does, with its background tasks, and
    /// manages the ready state.
    pub fn open_core(&self) {
        let larder = Larder::open(self.client(), &self.paths.cache).expect("the cache opens");
        let state = tauri::async_runtime::block_on(async {
            AppState::ready(
                self.paths.clone(),
                ApiEndpoint::remote(self.api.url()),
                larder.clone(),
                background(self.app.handle(), &larder),
            )
        });
        self.app.manage(state);
    }
}

/// The tasks start-up runs beside the core.
fn background<R: Runtime>(app: &tauri::AppHandle<R>, larder: &Larder) -> BackgroundTasks {
    BackgroundTasks {
        push: push::forward(app.clone(), larder.clone()),
        core: larder.start_background(ProbeSchedule::default()),
    }
}
