//! The [`WebhookSender`]: signed POSTs to endpoints over the hyper/rustls stack
//! the AWS SDK already links.
//!
//! Server-side request forgery is stopped where the connection is made: the
//! connector's resolver answers only with addresses [`is_public`] accepts, so a
//! name that resolves (or later re-resolves) to a private, loopback, link-local or
//! metadata address is never connected to, and IP literals are checked before
//! the request. Redirects are not followed: a 3xx is a failed attempt.

use crate::app::webhooks::ports::{SignedRequest, WebhookSender};
use crate::domain::webhook::delivery::first_kib;
use crate::domain::webhook::retry::ReceiverReply;
use crate::domain::webhook::url::{UrlPolicy, WebhookUrl, is_public};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::TokioExecutor;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Standard Webhooks asks for 15-30 s; the job's timeout leaves room for the rest.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);
/// Read this much of a response at most: the log keeps 1 KiB.
const RESPONSE_READ_LIMIT: usize = 1024;

type Https = hyper_rustls::HttpsConnector<HttpConnector<PublicResolver>>;

#[derive(Clone)]
pub struct HttpSender {
    client: Client<Https, Full<Bytes>>,
    resolver: PublicResolver,
}

impl std::fmt::Debug for HttpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSender").finish_non_exhaustive()
    }
}

impl HttpSender {
    pub fn new(policy: UrlPolicy) -> Result<Self, String> {
        let resolver = PublicResolver { policy: Arc::new(policy) };
        let mut http = HttpConnector::new_with_resolver(resolver.clone());
        http.enforce_http(false);
        http.set_connect_timeout(Some(Duration::from_secs(5)));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| format!("no CA certificates: {e}"))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(30)).build(connector);
        Ok(Self { client, resolver })
    }

    async fn exchange(&self, request: &SignedRequest<'_>) -> Result<ReceiverReply, String> {
        if let Ok(ip) = request.url.host().parse::<IpAddr>() {
            self.resolver.vet(request.url.host(), &[SocketAddr::new(ip, 0)])?;
        }
        let http_request = hyper::Request::post(request.url.as_str())
            .header("content-type", "application/json")
            .header("user-agent", concat!("tillbox-webhooks/", env!("CARGO_PKG_VERSION")))
            .header("webhook-id", &request.id)
            .header("webhook-timestamp", request.timestamp.to_string())
            .header("webhook-signature", &request.signature)
            .body(Full::new(Bytes::from(request.body.to_owned())))
            .map_err(|e| format!("cannot build the request: {e}"))?;
        let response = self.client.request(http_request).await.map_err(|e| describe(&e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let mut body = response.into_body();
        let mut read = Vec::new();
        while read.len() < RESPONSE_READ_LIMIT {
            match body.frame().await {
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        read.extend_from_slice(data);
                    }
                }
                Some(Err(_)) | None => break,
            }
        }
        Ok(ReceiverReply::Answered { status, retry_after, body: first_kib(&read) })
    }
}

/// The connection error's innermost cause, which names what went wrong
/// (refused, a private address, a certificate).
fn describe(error: &dyn std::error::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

impl WebhookSender for HttpSender {
    fn policy(&self) -> &UrlPolicy {
        &self.resolver.policy
    }

    async fn check_address(&self, url: &WebhookUrl) -> Result<(), String> {
        let addresses = self.resolver.resolve(url.host()).await.map_err(|e| format!("url: {e}"))?;
        self.resolver.vet(url.host(), &addresses).map_err(|e| format!("url: {e}"))
    }

    async fn send(&self, request: SignedRequest<'_>) -> (ReceiverReply, Duration) {
        let started = Instant::now();
        let reply = match tokio::time::timeout(ATTEMPT_TIMEOUT, self.exchange(&request)).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(reason)) => ReceiverReply::Failed { reason },
            Err(_) => ReceiverReply::Failed { reason: format!("no answer in {} s", ATTEMPT_TIMEOUT.as_secs()) },
        };
        (reply, started.elapsed())
    }
}

/// Resolves names and keeps only what deliveries may connect to.
#[derive(Clone)]
struct PublicResolver {
    policy: Arc<UrlPolicy>,
}

impl PublicResolver {
    async fn resolve(&self, host: &str) -> Result<Vec<SocketAddr>, String> {
        let addresses: Vec<SocketAddr> =
            tokio::net::lookup_host((host, 0)).await.map_err(|e| format!("`{host}` does not resolve: {e}"))?.collect();
        if addresses.is_empty() {
            return Err(format!("`{host}` does not resolve"));
        }
        Ok(addresses)
    }

    /// Refuses the host if any address it resolves to is not public: a name with
    /// one private address among public ones could be steered to it.
    fn vet(&self, host: &str, addresses: &[SocketAddr]) -> Result<(), String> {
        if self.policy.allows_insecure(host) || addresses.iter().all(|a| is_public(a.ip())) {
            Ok(())
        } else {
            Err(format!("`{host}` resolves to a private, loopback, link-local or metadata address"))
        }
    }
}

impl tower_service::Service<Name> for PublicResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let resolver = self.clone();
        Box::pin(async move {
            let host = name.as_str();
            let refused = |reason: String| std::io::Error::new(std::io::ErrorKind::PermissionDenied, reason);
            let addresses = resolver.resolve(host).await.map_err(refused)?;
            resolver.vet(host, &addresses).map_err(refused)?;
            Ok(addresses.into_iter())
        })
    }
}
