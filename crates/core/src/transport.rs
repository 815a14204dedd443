//! The client's one door to the network: a request goes out whole and its
//! answer comes back whole, body included. [`ReqwestTransport`] is the real
//! door; the deterministic simulation of the core hands requests to the mock
//! API in the same process instead, with no sockets.
//!
//! reqwest has no pluggable connector for an in-process service, so the seam
//! sits here, one level above it: the client builds [`HttpRequest`]s and
//! reads [`HttpResponse`]s, and only this module speaks reqwest.

use std::{fmt, time::Duration};

use futures_util::{future::BoxFuture, FutureExt};
pub use reqwest::{header::HeaderMap, Method};

/// A request, whole.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: Method,
    pub url: url::Url,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// An answer, whole.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The value of header `name`, if it is there and is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// Why no whole answer came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// Nothing answered: refused, reset, DNS, no network.
    NoAnswer(String),
    /// Something answered the connection, but not in time.
    TimedOut(String),
    /// The status came, then the body broke off.
    BrokenBody { status: u16, message: String },
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoAnswer(message) | Self::TimedOut(message) => f.write_str(message),
            Self::BrokenBody { status, message } => {
                write!(f, "the answer ({status}) broke off: {message}")
            }
        }
    }
}

/// Sends requests and reads their answers.
pub trait Transport: Send + Sync + fmt::Debug {
    fn send(
        &self,
        request: HttpRequest,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>>;
}

/// The real network, through reqwest.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    http: reqwest::Client,
}

impl ReqwestTransport {
    /// A transport with these timeouts; `direct` bypasses any system proxy
    /// (for an API on this computer).
    pub fn new(connect: Duration, total: Duration, direct: bool) -> Result<Self, TransportError> {
        let mut http = reqwest::Client::builder();
        if direct {
            http = http.no_proxy();
        }
        let http = http
            .connect_timeout(connect)
            .timeout(total)
            .user_agent(concat!("larder/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| TransportError::NoAnswer(describe(err)))?;
        Ok(Self { http })
    }
}

impl Transport for ReqwestTransport {
    fn send(
        &self,
        request: HttpRequest,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        let built = self
            .http
            .request(request.method, request.url)
            .headers(request.headers)
            .body(request.body);
        async move {
            let response = built.send().await.map_err(|err| {
                if err.is_timeout() {
                    TransportError::TimedOut(describe(err))
                } else {
                    TransportError::NoAnswer(describe(err))
                }
            })?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response
                .bytes()
                .await
                .map_err(|err| TransportError::BrokenBody {
                    status,
                    message: describe(err),
                })?
                .to_vec();
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        }
        .boxed()
    }
}

/// reqwest's error with its causes: its Display omits them ("error
/// sending request"), and the source chain says what actually happened
/// (connection refused, ...). The URL is dropped first: its query carries
/// the user's id, and this message reaches logs and the UI.
fn describe(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    message
}
