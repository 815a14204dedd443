//! The HTTP client for the upstream API. It sets connect and total timeouts,
//! sends the bearer token, and turns every failure into a [`CoreError`]:
//! transport problems become `Unreachable`, error statuses keep the API's
//! `{"error", "code"}` body, and a 2xx body that does not decode is
//! `InvalidResponse`. Requests go out through a [`Transport`]: the real
//! network, or an API in the same process.

use std::{sync::Arc, time::Duration};

use larder_protocol::{ApiErrorBody, AppConfig, LoginRequest, LoginResponse, Username, WidgetId};
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, ETAG, IF_NONE_MATCH, RETRY_AFTER};
use serde::de::DeserializeOwned;
use url::Url;

use crate::{
    connectivity::ConnectivityMonitor,
    random::Random,
    resource::Resource,
    transport::{
        HeaderMap, HttpRequest, HttpResponse, Method, ReqwestTransport, Transport, TransportError,
    },
    CoreError,
};

/// How long to wait for a TCP connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest a single request may take. The slowest widget takes 15 s at
/// full delay, so 30 s leaves it room and still ends a hung request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A client bound to one API base URL. Cheap to clone; clones share the
/// transport, the connectivity state and the randomness.
#[derive(Debug, Clone)]
pub struct ApiClient {
    transport: Arc<dyn Transport>,
    base: Url,
    connectivity: ConnectivityMonitor,
    random: Random,
}

/// `base_url` parsed, if it is an https URL or an http one on this computer
/// (localhost, 127.0.0.0/8, ::1), and whether it is on this computer.
fn check_base_url(base_url: &str) -> Result<(Url, bool), CoreError> {
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
    Ok((base, loopback))
}

/// Whether a client can use `url` as its API: the one check of an API URL,
/// for the settings as for the client. As a settings error, it names the
/// `apiUrl` field.
pub fn check_api_url(url: &str) -> Result<(), larder_protocol::SettingsError> {
    check_base_url(url)
        .map(drop)
        .map_err(|err| larder_protocol::SettingsError {
            field: "apiUrl".into(),
            message: err.to_string(),
        })
}

impl ApiClient {
    /// A client for `base_url` over the network. The URL must be https, or
    /// http on this computer, so the bearer token never travels in
    /// cleartext; an API on this computer is reached without any proxy.
    pub fn new(base_url: &str) -> Result<Self, CoreError> {
        let (base, loopback) = check_base_url(base_url)?;
        let transport = ReqwestTransport::new(CONNECT_TIMEOUT, REQUEST_TIMEOUT, loopback)
            .map_err(|err| CoreError::Unreachable(err.to_string()))?;
        Ok(Self::over(base, Arc::new(transport), Random::default()))
    }

    /// Whether `base_url` is one a client can use, without building one
    /// (building one loads the system's certificates, which takes a while).
    pub fn check_url(base_url: &str) -> Result<(), CoreError> {
        check_base_url(base_url).map(|_| ())
    }

    /// A client for `base_url` whose requests go through `transport`, with
    /// its retry jitter drawn from `random` (the deterministic simulation).
    pub fn with_transport(
        base_url: &str,
        transport: Arc<dyn Transport>,
        random: Random,
    ) -> Result<Self, CoreError> {
        let (base, _) = check_base_url(base_url)?;
        Ok(Self::over(base, transport, random))
    }

    fn over(base: Url, transport: Arc<dyn Transport>, random: Random) -> Self {
        Self {
            transport,
            base,
            connectivity: ConnectivityMonitor::default(),
            random,
        }
    }

    /// The API base URL.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// The connectivity state, fed by every request this client makes.
    pub fn connectivity(&self) -> &ConnectivityMonitor {
        &self.connectivity
    }

    /// The client's source of randomness (shared with the core's).
    pub fn random(&self) -> &Random {
        &self.random
    }

    fn url(&self, path: &str) -> Result<Url, CoreError> {
        self.base.join(path).map_err(|_| CoreError::InvalidApiUrl {
            url: format!("{}{path}", self.base),
        })
    }

    /// A request for `url`, carrying `token` as its bearer token.
    fn request(&self, method: Method, url: Url, token: Option<&str>) -> HttpRequest {
        let mut headers = HeaderMap::new();
        if let Some(value) = token.and_then(|t| HeaderValue::from_str(&format!("Bearer {t}")).ok())
        {
            headers.insert(AUTHORIZATION, value);
        }
        HttpRequest {
            method,
            url,
            headers,
            body: Vec::new(),
        }
    }

    /// Sends `request` (bounded by [`REQUEST_TIMEOUT`] whatever the
    /// transport), recording the outcome as connectivity.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, CoreError> {
        let answer = tokio::time::timeout(REQUEST_TIMEOUT, self.transport.send(request))
            .await
            .unwrap_or_else(|_| {
                Err(TransportError::TimedOut(format!(
                    "no answer within {} s",
                    REQUEST_TIMEOUT.as_secs()
                )))
            });
        match answer {
            Ok(response) => {
                self.connectivity.record_status(response.status);
                Ok(response)
            }
            Err(err) => {
                self.connectivity.record_failure(&err);
                Err(CoreError::Unreachable(err.to_string()))
            }
        }
    }

    /// `POST /auth/login`.
    #[tracing::instrument(name = "upstream_login", skip_all)]
    pub async fn login(&self, username: &Username) -> Result<LoginResponse, CoreError> {
        let login = LoginRequest {
            username: username.as_str().to_owned(),
        };
        let mut request = self.request(Method::POST, self.url("auth/login")?, None);
        request.body = serde_json::to_vec(&login)
            .map_err(|err| CoreError::InvalidResponse(err.to_string()))?;
        request
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        decode(self.send(request).await?)
    }

    /// `POST /auth/logout`: revokes `token`.
    #[tracing::instrument(name = "upstream_logout", skip_all)]
    pub async fn logout(&self, token: &str) -> Result<(), CoreError> {
        let request = self.request(Method::POST, self.url("auth/logout")?, Some(token));
        check_status(self.send(request).await?).map(drop)
    }

    /// `GET /config`: the published config. Public, so it also serves as
    /// the probe that notices the API is back.
    #[tracing::instrument(name = "upstream_config", skip_all)]
    pub async fn config(&self) -> Result<AppConfig, CoreError> {
        let request = self.request(Method::GET, self.url("config")?, None);
        decode(self.send(request).await?)
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
        self.mark_notification_read_reporting(token, id, key)
            .await
            .0
    }

    /// [`Self::mark_notification_read`], also saying whether any try got
    /// no answer (so the API may have applied the change, whatever a later
    /// try was told).
    pub async fn mark_notification_read_reporting(
        &self,
        token: &str,
        id: &str,
        key: uuid::Uuid,
    ) -> (Result<(), CoreError>, bool) {
        let unanswered = std::sync::atomic::AtomicBool::new(false);
        let widget = larder_protocol::WidgetId::NOTIFICATIONS;
        let url = match self.url(&format!("api/widgets/{widget}/notifications/{id}/read")) {
            Ok(url) => url,
            Err(err) => return (Err(err), false),
        };
        // A Structured Field string: a UUID needs no escaping.
        let key = match HeaderValue::from_str(&format!("\"{}\"", key.hyphenated())) {
            Ok(key) => key,
            Err(err) => return (Err(CoreError::InvalidResponse(err.to_string())), false),
        };
        let result = crate::retry::with_retries(&self.random, || async {
            let mut request = self.request(Method::POST, url.clone(), Some(token));
            request.headers.insert("idempotency-key", key.clone());
            let answer = self.send(request).await;
            if answer.is_err() {
                unanswered.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            check_status(answer?).map(drop)
        })
        .await;
        (result, unanswered.into_inner())
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
        crate::retry::with_retries(&self.random, || {
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
        let mut request = self.request(Method::GET, url, Some(token));
        if let Some(value) = etag.and_then(|etag| HeaderValue::from_str(etag).ok()) {
            request.headers.insert(IF_NONE_MATCH, value);
        }
        let response = self.send(request).await?;
        if response.status == 304 {
            return Ok(Fetched::NotModified);
        }
        let response = check_status(response)?;
        let etag = response
            .header(ETAG.as_str())
            .filter(|etag| !etag.is_empty())
            .map(str::to_owned);
        resource.check_body(&response.body, signed_in)?;
        Ok(Fetched::Modified {
            body: response.body,
            etag,
        })
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

/// Passes a success through; turns an error status into a typed error.
fn check_status(response: HttpResponse) -> Result<HttpResponse, CoreError> {
    let status = response.status;
    if (200..300).contains(&status) {
        return Ok(response);
    }
    if status == 401 {
        return Err(CoreError::SessionExpired);
    }
    if status == 429 {
        let retry_after_secs = response
            .header(RETRY_AFTER.as_str())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .unwrap_or(1);
        return Err(CoreError::RateLimited { retry_after_secs });
    }
    let text = String::from_utf8_lossy(&response.body);
    let (code, message) = match serde_json::from_str::<ApiErrorBody>(&text) {
        Ok(body) => (body.code, body.error),
        Err(_) => (
            "unknown".to_owned(),
            text.chars().take(200).collect::<String>(),
        ),
    };
    Err(CoreError::UpstreamStatus {
        status,
        code,
        message,
    })
}

fn decode<T: DeserializeOwned>(response: HttpResponse) -> Result<T, CoreError> {
    let response = check_status(response)?;
    crate::resource::decode(&response.body)
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
        assert!(ApiClient::check_url("http://127.0.0.1:8787").is_ok());
        assert!(matches!(
            ApiClient::check_url("ftp://example.com"),
            Err(CoreError::InvalidApiUrl { .. })
        ));
        assert!(ApiClient::new("http://localhost:8787").is_ok());
        assert!(ApiClient::new("http://[::1]:8787").is_ok());
        assert!(ApiClient::new("https://api.example.com").is_ok());
        // What the settings' shape check lets through, the client refuses
        // with the same answer, for both.
        for unusable in ["https://", "https://api.example.com:65536", "http://[::1"] {
            assert!(ApiClient::new(unusable).is_err(), "{unusable}");
            let refused = check_api_url(unusable).expect_err(unusable);
            assert_eq!(refused.field, "apiUrl");
        }
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
