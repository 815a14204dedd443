//! [`Larder`]: the signed-in session and the data commands the desktop shell
//! exposes. It holds the API client and the current session; every command
//! of the app is one method here.

use std::sync::{Arc, PoisonError, RwLock};

use larder_protocol::{
    Envelope, Freshness, Session, Source, User, Username, WidgetEnvelope, WidgetId,
};

use crate::{now_ms, ApiClient, CoreError};

/// The app's state. Cheap to clone: everything sits behind one `Arc`.
#[derive(Debug, Clone)]
pub struct Larder {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: ApiClient,
    /// The signed-in session. A `std::sync::RwLock` is enough: it is only
    /// held to copy or swap the value, never across an `.await`.
    session: RwLock<Option<ActiveSession>>,
}

/// A session with its secret; the token never leaves the core.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ActiveSession {
    token: String,
    user: User,
}

impl Larder {
    pub fn new(client: ApiClient) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                session: RwLock::new(None),
            }),
        }
    }

    pub fn client(&self) -> &ApiClient {
        &self.inner.client
    }

    /// The signed-in user's session, if any.
    pub fn session(&self) -> Option<Session> {
        self.read_session().map(|s| Session { user: s.user })
    }

    /// Validates `username` (nothing is sent when it is invalid), signs in
    /// and keeps the session.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(&self, username: &str) -> Result<Session, CoreError> {
        let username = Username::parse(username)?;
        let login = self.inner.client.login(&username).await?;
        let user = login.user.clone();
        *self.write_session() = Some(ActiveSession {
            token: login.token,
            user: user.clone(),
        });
        tracing::info!(user = %user.id, "signed in");
        Ok(Session { user })
    }

    /// Ends the session locally at once, then revokes the token upstream on
    /// a best-effort basis: an unreachable API does not keep the user signed
    /// in.
    #[tracing::instrument(skip_all)]
    pub async fn sign_out(&self) {
        let Some(session) = self.write_session().take() else {
            return;
        };
        if let Err(err) = self.inner.client.logout(&session.token).await {
            tracing::warn!(%err, "logout could not reach the API; the session is ended locally");
        }
    }

    /// Fetches one widget for the signed-in user.
    #[tracing::instrument(skip(self))]
    pub async fn get_widget(&self, widget: WidgetId) -> Result<WidgetEnvelope, CoreError> {
        let session = self.read_session().ok_or(CoreError::NotSignedIn)?;
        let result = self
            .inner
            .client
            .widget(&session.token, &session.user.id, widget)
            .await;
        match result {
            Ok(data) => Ok(Envelope {
                data,
                fetched_at: now_ms(),
                state: Freshness::Fresh,
                source: Source::Network,
                error: None,
            }),
            Err(CoreError::SessionExpired) => {
                self.end_session_if(&session);
                Err(CoreError::SessionExpired)
            }
            Err(err) => Err(err),
        }
    }

    /// Drops the session if it is still `expected` (a newer sign-in wins).
    fn end_session_if(&self, expected: &ActiveSession) {
        let mut guard = self.write_session();
        if guard.as_ref() == Some(expected) {
            *guard = None;
        }
    }

    fn read_session(&self) -> Option<ActiveSession> {
        self.inner
            .session
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn write_session(&self) -> std::sync::RwLockWriteGuard<'_, Option<ActiveSession>> {
        // Every write replaces the whole value, so a poisoned lock never
        // holds a half-written session.
        self.inner
            .session
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
