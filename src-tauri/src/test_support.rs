//! What the shell's tests share: the real app (its real context, so its
//! real capabilities) on Tauri's mock runtime, the real mock API on an
//! ephemeral loopback port, and the app's files in a temporary folder.

use std::sync::Arc;

use larder_core::{ApiClient, MemorySecrets, MemorySessions, ProbeSchedule, Startup};
use tauri::{test::mock_builder, App, Manager};

use crate::{
    api_endpoint::ApiEndpoint,
    build_app,
    persistence::{Persistence, StorePaths},
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
        let api = tauri::async_runtime::block_on(mock_api::testing::start_instant())
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

    /// Opens the core through the same door as start-up, with its
    /// background tasks, and manages the ready state.
    pub fn open_core(&self) {
        let state = tauri::async_runtime::block_on(async {
            let running = larder_core::start(Startup {
                client: self.client(),
                cache_dir: self.paths.cache.clone(),
                sessions: Arc::new(MemorySessions::default()),
                secrets: Arc::new(MemorySecrets::default()),
                previous_secrets: None,
                settings: Default::default(),
                probes: ProbeSchedule::default(),
            })
            .expect("the core starts");
            AppState::ready(
                Persistence::with(self.paths.clone(), Default::default(), Vec::new()),
                ApiEndpoint::remote(self.api.url()),
                running.larder,
                BackgroundTasks {
                    push: push::forward(self.app.handle().clone(), running.events),
                    core: running.guard,
                },
            )
        });
        self.app.manage(state);
    }
}
