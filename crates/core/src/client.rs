//! The HTTP client for the upstream API. It sets connect and total timeouts,
//! sends the bearer token, and turns every failure into a [`CoreError`]:
//! transport problems become `Unreachable`, error statuses keep the API's
//! `{"error", "code"}` body, and a 2xx body that does not decode is
//! `InvalidResponse`.

use std::time::Duration;

use larder_protocol::{ApiErrorBody, AppConfig, LoginRequest, LoginResponse, Username, WidgetId};
use reqwest::{Response, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::{connectivity::ConnectivityMonitor, resource::Resource, CoreError};

/// How long to wait for a TCP connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest a single request may take. The slowest widget takes 15 s at
/// full delay, so 30 s leaves it room and still ends a hung request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A client bound to one API base URL. Cheap to clone; clones share the
/// connection pool and the connectivity state.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    connectivity: ConnectivityMonitor,
}

impl ApiClient {
    /// A client for `base_url`, which must be an https URL, or an http
    /// one on this computer (localhost, 127.0.0.0/8, ::1): the bearer
    /// token never travels in cleartext.
    pub fn new(base_url: &str) -> Result<Self, CoreError> {
        let invalid = || CoreError::InvalidApiUrl {
            url: base_url.chars().take(200).collect(),
        };
        let base = Url::parse(base_url).map_err(|_| invalid())?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(invalid());
        }
        let loopback = match base.host() {
            Some(url::Host::Domain(domain)) => domain == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        if base.scheme() == "http" && !loopback {
            return Err(CoreError::InsecureApiUrl {
                url: base_url.chars().take(200).collect(),
            });
        }
        let mut http = reqwest::Client::builder();
        if loopback {
            // An API on this computer is reached directly: a system proxy
            // (`HTTP_PROXY`) would see the token, or fail to reach it.
            http = http.no_proxy();
        }
        let http = http
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("larder/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| CoreError::Unreachable(err.to_string()))?;
        Ok(Self {
            http,
            base,
            connectivity: ConnectivityMonitor::default(),
        })
    }

    /// The API base URL.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// The connectivity state, fed by every request this client makes.
    pub fn connectivity(&self) -> &ConnectivityMonitor {
        &self.connectivity
    }

    fn url(&self, path: &str) -> Result<Url, CoreError> {
        self.base.join(path).map_err(|_| CoreError::InvalidApiUrl {
            url: format!("{}{path}", self.base),
        })
    }

    /// Sends `request`, recording the outcome as connectivity.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Response, CoreError> {
        match request.send().await {
            Ok(response) => {
                self.connectivity.record_status(response.status().as_u16());
                Ok(response)
            }
            Err(err) => {
                self.connectivity.record_failure(&err);
                Err(transport(err))
            }
        }
    }

    /// `POST /auth/login`.
    #[tracing::instrument(name = "upstream_login", skip_all)]
    pub async fn login(&self, username: &Username) -> Result<LoginResponse, CoreError> {
        let request = LoginRequest {
            username: username.as_str().to_owned(),
        };
        let response = self
            .send(self.http.post(self.url("auth/login")?).json(&request))
            .await?;
        decode(response).await
    }

    /// `POST /auth/logout`: revokes `token`.
    #[tracing::instrument(name = "upstream_logout", skip_all)]
    pub async fn logout(&self, token: &str) -> Result<(), CoreError> {
        let response = self
            .send(self.http.post(self.url("auth/logout")?).bearer_auth(token))
            .await?;
        check_status(response).await.map(drop)
    }

    /// `GET /config`: the published config. Public, so it also serves as
    /// the probe that notices the API is back.
    #[tracing::instrument(name = "upstream_config", skip_all)]
    pub async fn config(&self) -> Result<AppConfig, CoreError> {
        let response = self.send(self.http.get(self.url("config")?)).await?;
        decode(response).await
    }

    /// `POST /api/widgets/4/notifications/:id/read`, under the retry policy,
    /// with `key` as its `Idempotency-Key`: every retry sends the same key,
    /// so the API applies the change once however many attempts reach it.
    #[tracing::instrument(name = "upstream_mark_read", skip_all)]
    pub async fn mark_notification_read(
        &self,
        token: &str,
        id: &str,
        key: uuid::Uuid,
    ) -> Result<(), CoreError> {
        let widget = larder_protocol::WidgetId::NOTIFICATIONS;
        let url = self.url(&format!("api/widgets/{widget}/notifications/{id}/read"))?;
        // A Structured Field string: a UUID needs no escaping.
        let key = format!("\"{}\"", key.hyphenated());
        crate::retry::with_retries(|| async {
            let request = self
                .http
                .post(url.clone())
                .bearer_auth(token)
                .header("Idempotency-Key", &key);
            let response = self.send(request).await?;
            check_status(response).await.map(drop)
        })
        .await
    }

    /// `resource` as `signed_in` user sees it, conditional on `etag`, under
    /// the retry policy. A 304 comes back as [`Fetched::NotModified`]; a
    /// 200's body is checked to be what was asked for before it is
    /// returned, so nothing unreadable is ever cached.
    pub async fn resource_if_changed(
        &self,
        token: &str,
        signed_in: &str,
        resource: &Resource,
        etag: Option<&str>,
    ) -> Result<Fetched, CoreError> {
        crate::retry::with_retries(|| {
            self.resource_if_changed_once(token, signed_in, resource, etag)
        })
        .await
    }

    /// A widget: [`Self::resource_if_changed`] for [`Resource::Widget`].
    pub async fn widget_if_changed(
        &self,
        token: &str,
        user_id: &str,
        widget: WidgetId,
        etag: Option<&str>,
    ) -> Result<Fetched, CoreError> {
        self.resource_if_changed(token, user_id, &Resource::Widget(widget), etag)
            .await
    }

    #[tracing::instrument(name = "upstream", skip_all, fields(resource = %resource.policy_name(), conditional = etag.is_some()))]
    async fn resource_if_changed_once(
        &self,
        token: &str,
        signed_in: &str,
        resource: &Resource,
        etag: Option<&str>,
    ) -> Result<Fetched, CoreError> {
        let (path, query) = resource.path_and_query(signed_in);
        let mut url = self.url(&path)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = self.http.get(url).bearer_auth(token);
        if let Some(etag) = etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        let response = self.send(request).await?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        let response = check_status(response).await?;
        let etag = response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|value| value.to_str().ok())
            .filter(|etag| !etag.is_empty())
            .map(str::to_owned);
        let body = response.bytes().await.map_err(transport)?.to_vec();
        resource.check_body(&body, signed_in)?;
        Ok(Fetched::Modified { body, etag })
    }
}

/// The outcome of a conditional request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// 200: a new body (already checked to decode) and its ETag.
    Modified { body: Vec<u8>, etag: Option<String> },
    /// 304: the cached copy is still current.
    NotModified,
}

fn transport(err: reqwest::Error) -> CoreError {
    // reqwest's Display omits the cause ("error sending request"); the
    // source chain says what actually happened (connection refused, ...).
    // The URL is dropped first: its query carries the user's id, and this
    // message reaches logs and the UI.
    let err = err.without_url();
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    CoreError::Unreachable(message)
}

/// Passes a success through; turns an error status into a typed error.
async fn check_status(response: Response) -> Result<Response, CoreError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    if status == StatusCode::UNAUTHORIZED {
        return Err(CoreError::SessionExpired);
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry_after_secs = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .unwrap_or(1);
        return Err(CoreError::RateLimited { retry_after_secs });
    }
    let text = response.text().await.unwrap_or_default();
    let (code, message) = match serde_json::from_str::<ApiErrorBody>(&text) {
        Ok(body) => (body.code, body.error),
        Err(_) => (
            "unknown".to_owned(),
            text.chars().take(200).collect::<String>(),
        ),
    };
    Err(CoreError::UpstreamStatus {
        status: status.as_u16(),
        code,
        message,
    })
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, CoreError> {
    let response = check_status(response).await?;
    let bytes = response.bytes().await.map_err(transport)?;
    crate::resource::decode(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_unusable_urls() {
        for bad in [
            "",
            "not a url",
            "ftp://example.com",
            "mailto:a@b.c",
            "file:///etc",
        ] {
            assert!(
                matches!(ApiClient::new(bad), Err(CoreError::InvalidApiUrl { .. })),
                "{bad} should be refused"
            );
        }
        assert!(ApiClient::new("http://127.0.0.1:8787").is_ok());
        assert!(ApiClient::new("http://localhost:8787").is_ok());
        assert!(ApiClient::new("http://[::1]:8787").is_ok());
        assert!(ApiClient::new("https://api.example.com").is_ok());
        for cleartext in [
            "http://api.example.com",
            "http://10.0.0.2",
            "http://127.0.0.1.nip.io",
        ] {
            assert!(
                matches!(
                    ApiClient::new(cleartext),
                    Err(CoreError::InsecureApiUrl { .. })
                ),
                "{cleartext} should be refused"
            );
        }
    }
}
