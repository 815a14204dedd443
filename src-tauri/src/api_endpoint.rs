//! Which API the app talks to.
//!
//! In order: the `LARDER_API_URL` environment variable, then the `apiUrl`
//! setting, then (with the default `embedded-api` feature) mock-api started
//! in-process on 127.0.0.1 with an ephemeral port, so a person who only runs
//! the app sees a working dashboard.

use larder_protocol::Settings;

use crate::SetupError;

/// The environment variable that overrides the API URL.
pub const API_URL_ENV: &str = "LARDER_API_URL";
/// Scales the embedded API's widget delays (a development and test knob).
pub const MOCK_DELAY_SCALE_ENV: &str = "LARDER_MOCK_DELAY_SCALE";

/// The API in use. Holding it keeps the embedded server running.
#[derive(Debug)]
pub struct ApiEndpoint {
    pub url: String,
    #[cfg(feature = "embedded-api")]
    embedded: Option<mock_api::RunningServer>,
}

impl ApiEndpoint {
    /// An API that runs elsewhere, at `url`.
    pub fn remote(url: String) -> Self {
        Self {
            url,
            #[cfg(feature = "embedded-api")]
            embedded: None,
        }
    }

    pub fn is_embedded(&self) -> bool {
        #[cfg(feature = "embedded-api")]
        return self.embedded.is_some();
        #[cfg(not(feature = "embedded-api"))]
        return false;
    }
}

/// Resolves the endpoint, starting the embedded API if needed. The embedded
/// API keeps its sessions in `sessions_file`, so a restart keeps the user
/// signed in, as a real API would.
pub async fn resolve(
    settings: &Settings,
    sessions_file: std::path::PathBuf,
) -> Result<ApiEndpoint, SetupError> {
    if let Some(url) = std::env::var(API_URL_ENV)
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        return Ok(ApiEndpoint::remote(url.trim().to_owned()));
    }
    if let Some(url) = &settings.api_url {
        return Ok(ApiEndpoint::remote(url.clone()));
    }
    start_embedded(sessions_file).await
}

#[cfg(feature = "embedded-api")]
async fn start_embedded(sessions_file: std::path::PathBuf) -> Result<ApiEndpoint, SetupError> {
    let delay_scale = match std::env::var(MOCK_DELAY_SCALE_ENV) {
        Ok(raw) => raw
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && (0.0..=1000.0).contains(s))
            .ok_or(SetupError::DelayScale(raw))?,
        Err(_) => 1.0,
    };
    let config = mock_api::Config {
        delay_scale,
        sessions_file: Some(sessions_file),
        ..mock_api::Config::default()
    };
    let server = mock_api::RunningServer::start(config)
        .await
        .map_err(SetupError::EmbeddedApi)?;
    Ok(ApiEndpoint {
        url: server.url(),
        embedded: Some(server),
    })
}

#[cfg(not(feature = "embedded-api"))]
async fn start_embedded(_sessions_file: std::path::PathBuf) -> Result<ApiEndpoint, SetupError> {
    Err(SetupError::NoApiConfigured)
}
