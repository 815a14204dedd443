//! The HTTP client for the upstream API. It sets connect and total timeouts,
//! sends the bearer token, and turns every failure into a [`CoreError`]:
//! transport problems become `Unreachable`, error statuses keep the API's
//! `{"error", "code"}` body, and a 2xx body that does not decode is
//! `InvalidResponse`.

use std::time::Duration;

use larder_protocol::{
    ApiErrorBody, LoginRequest, LoginResponse, Username, WidgetId, WidgetResponse,
};
use reqwest::{Response, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::CoreError;

/// How long to wait for a TCP connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest a single request may take. The slowest widget takes 15 s at
/// full delay; 30 s is the seed's overall cap.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A client bound to one API base URL. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
}

impl ApiClient {
    /// A client for `base_url`, which must be an http or https URL.
    pub fn new(base_url: &str) -> Result<Self, CoreError> {
        let invalid = || CoreError::InvalidApiUrl {
            url: base_url.chars().take(200).collect(),
        };
        let base = Url::parse(base_url).map_err(|_| invalid())?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(invalid());
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("larder/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| CoreError::Unreachable(err.to_string()))?;
        Ok(Self { http, base })
    }

    fn url(&self, path: &str) -> Result<Url, CoreError> {
        self.base.join(path).map_err(|_| CoreError::InvalidApiUrl {
            url: format!("{}{path}", self.base),
        })
    }

    /// `POST /auth/login`.
    #[tracing::instrument(name = "upstream_login", skip_all)]
    pub async fn login(&self, username: &Username) -> Result<LoginResponse, CoreError> {
        let request = LoginRequest {
            username: username.as_str().to_owned(),
        };
        let response = self
            .http
            .post(self.url("auth/login")?)
            .json(&request)
            .send()
            .await
            .map_err(transport)?;
        decode(response).await
    }

    /// `POST /auth/logout`: revokes `token`.
    pub async fn logout(&self, token: &str) -> Result<(), CoreError> {
        let response = self
            .http
            .post(self.url("auth/logout")?)
            .bearer_auth(token)
            .send()
            .await
            .map_err(transport)?;
        check_status(response).await.map(drop)
    }

    /// `GET /api/widgets/:id?userId=…`, conditional on `etag`, under the
    /// retry policy. A 304 comes back as [`Fetched::NotModified`]; a 200's
    /// body is checked to decode as this user's widget before it is
    /// returned, so nothing unreadable is ever cached.
    pub async fn widget_if_changed(
        &self,
        token: &str,
        user_id: &str,
        widget: WidgetId,
        etag: Option<&str>,
    ) -> Result<Fetched, CoreError> {
        crate::retry::with_retries(|| self.widget_if_changed_once(token, user_id, widget, etag))
            .await
    }

    #[tracing::instrument(name = "upstream", skip_all, fields(%widget, conditional = etag.is_some()))]
    async fn widget_if_changed_once(
        &self,
        token: &str,
        user_id: &str,
        widget: WidgetId,
        etag: Option<&str>,
    ) -> Result<Fetched, CoreError> {
        let mut request = self
            .http
            .get(self.widget_url(user_id, widget)?)
            .bearer_auth(token);
        if let Some(etag) = etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        let response = request.send().await.map_err(transport)?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        let response = check_status(response).await?;
        let etag = response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await.map_err(transport)?.to_vec();
        let parsed: WidgetResponse = serde_json::from_slice(&body)
            .map_err(|err| CoreError::InvalidResponse(err.to_string()))?;
        if parsed.widget_id != widget || parsed.user_id != user_id {
            return Err(CoreError::InvalidResponse(format!(
                "asked for widget {widget} of the signed-in user, got widget {} of another",
                parsed.widget_id
            )));
        }
        Ok(Fetched::Modified { body, etag })
    }

    fn widget_url(&self, user_id: &str, widget: WidgetId) -> Result<Url, CoreError> {
        let mut url = self.url(&format!("api/widgets/{widget}"))?;
        url.query_pairs_mut().append_pair("userId", user_id);
        Ok(url)
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
    serde_json::from_slice(&bytes).map_err(|err| CoreError::InvalidResponse(err.to_string()))
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
    }
}
