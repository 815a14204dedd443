//! A mock API that can be taken down (to go offline) and started again at
//! the same address, knowing every session it had: its sessions are kept
//! in a file.

use anyhow::Result;

use crate::Harness;

impl Harness {
    /// A mock API as [`Self::quick_api`] that keeps its sessions in a file,
    /// so the same API started again ([`RestartableApi::restart`], after a
    /// test took it down to go offline) still knows every signed-in user.
    pub async fn restartable_api() -> Result<(RestartableApi, mock_api::RunningServer)> {
        let sessions = tempfile::tempdir()?;
        let config = mock_api::Config {
            sessions_file: Some(sessions.path().join("sessions.json")),
            delay_scale: 0.1,
            test_controls: true,
            ..mock_api::Config::default()
        };
        let api = mock_api::RunningServer::start(config.clone()).await?;
        let restartable = RestartableApi {
            _sessions: sessions,
            config,
            addr: api.addr(),
        };
        Ok((restartable, api))
    }
}

/// What starts [`Harness::restartable_api`]'s API again, at its address.
pub struct RestartableApi {
    _sessions: tempfile::TempDir,
    config: mock_api::Config,
    addr: std::net::SocketAddr,
}

impl RestartableApi {
    /// The API started again where it was, knowing the sessions it had.
    pub async fn restart(&self) -> Result<mock_api::RunningServer> {
        Ok(mock_api::RunningServer::start_at(self.config.clone(), self.addr).await?)
    }
}
