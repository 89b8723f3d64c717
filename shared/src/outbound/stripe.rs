//! The [`PaymentGateway`] on Stripe's REST API: the four calls Tillbox makes
//! (create a PaymentIntent, read one, cancel one, refund one), over the hyper/rustls stack the
//! AWS SDK already links, instead of a Stripe SDK crate that would compile
//! hundreds of thousands of lines for them (docs/architecture.md, "Payments").
//!
//! What Stripe asks of a client, and this one does: form-encoded bodies, the
//! secret key as a bearer token, a pinned `Stripe-Version` so the account's
//! default version cannot change a response shape under us, an `Idempotency-Key`
//! on every write, and retries of network errors, 409 (the same key still being
//! processed), 429 and 5xx with backoff. A failure after the retries is
//! "unavailable": the outcome is unknown, and Stripe's events decide.
//! <https://docs.stripe.com/api/idempotent_requests>, <https://docs.stripe.com/error-low-level>

use crate::app::payments::ports::{Intent, IntentRequest, PaymentGateway, ProviderError};
use crate::domain::Provider;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use std::time::Duration;

/// The API version every request is made with.
pub const STRIPE_VERSION: &str = "2025-09-30.clover";

/// Stripe's own API; the local stack points [`Stripe::new`] at its emulator.
pub const API_BASE: &str = "https://api.stripe.com";

/// 3 attempts of at most 8 s, with backoff under 2 s, fit the 29 s the API
/// functions that call Stripe may run (template.yaml), inside API Gateway's 30 s.
const ATTEMPTS: u32 = 3;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(8);

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

#[derive(Clone)]
pub struct Stripe {
    client: Client<Https, Full<Bytes>>,
    api_base: String,
    /// Never logged: [`Stripe`]'s `Debug` leaves it out.
    secret_key: String,
    publishable_key: String,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stripe").field("api_base", &self.api_base).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct PaymentIntent {
    id: String,
    client_secret: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    metadata: std::collections::HashMap<String, String>,
}

impl PaymentIntent {
    /// What the port reports of it; the order is the one Tillbox named in `metadata`.
    fn into_intent(self) -> Intent {
        let order_id = self.metadata.get("order_id").and_then(|id| id.parse().ok());
        Intent { provider_id: self.id, client_secret: self.client_secret, order_id }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

impl Stripe {
    /// `api_base` is [`API_BASE`] in AWS. Plain `http://` is accepted only because
    /// the local emulator speaks it; Stripe itself is HTTPS only.
    pub fn new(api_base: &str, secret_key: String, publishable_key: String) -> Result<Self, String> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| format!("no CA certificates: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self { client, api_base: api_base.trim_end_matches('/').to_owned(), secret_key, publishable_key })
    }

    /// Sends one request, retrying what may succeed on a second try. `form` is
    /// `None` for a GET.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        form: Option<(&[(&str, String)], &str)>,
    ) -> Result<T, ProviderError> {
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            match self.send(path, form).await {
                Ok((status, body)) if (200..300).contains(&status) => {
                    return serde_json::from_slice(&body)
                        .map_err(|e| ProviderError::Unavailable(format!("unexpected Stripe response: {e}")));
                }
                Ok((status, body)) => {
                    let detail = describe(status, &body);
                    if status == 409 || status == 429 || status >= 500 {
                        last = detail;
                        continue;
                    }
                    return Err(ProviderError::Refused(detail));
                }
                Err(error) => last = error,
            }
        }
        Err(ProviderError::Unavailable(last))
    }

    async fn send(&self, path: &str, form: Option<(&[(&str, String)], &str)>) -> Result<(u16, Bytes), String> {
        let uri = format!("{}{path}", self.api_base);
        let builder = hyper::Request::builder()
            .uri(&uri)
            .header("authorization", format!("Bearer {}", self.secret_key))
            .header("stripe-version", STRIPE_VERSION)
            .header("user-agent", concat!("tillbox/", env!("CARGO_PKG_VERSION")));
        let request = match form {
            Some((fields, idempotency_key)) => builder
                .method("POST")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("idempotency-key", idempotency_key)
                .body(Full::new(Bytes::from(encode_form(fields)))),
            None => builder.method("GET").body(Full::new(Bytes::new())),
        }
        .map_err(|e| format!("cannot build a request to {uri}: {e}"))?;
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| format!("{uri}: {e}"))?;
            let status = response.status().as_u16();
            let body = response.into_body().collect().await.map_err(|e| format!("{uri}: {e}"))?.to_bytes();
            Ok((status, body))
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .unwrap_or_else(|_| Err(format!("{uri}: no answer in {} s", REQUEST_TIMEOUT.as_secs())))
    }
}

/// 250 ms, 500 ms, … with jitter, so clients that failed together do not retry
/// together.
fn backoff(attempt: u32) -> Duration {
    let base = 250u64 << attempt.min(4);
    let jitter = u64::from(crate::domain::secret::random_bytes::<1>()[0]) % (base / 2 + 1);
    Duration::from_millis(base / 2 + jitter)
}

/// Stripe's error as one line: type, code and message, never the request.
fn describe(status: u16, body: &[u8]) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => format!(
            "{status} {}{}: {}",
            error.kind,
            error.code.map(|c| format!("/{c}")).unwrap_or_default(),
            error.message.unwrap_or_default()
        ),
        Err(_) => format!("{status} from Stripe"),
    }
}

fn encode_form(fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .map(|(key, value)| {
            format!("{}={}", utf8_percent_encode(key, NON_ALPHANUMERIC), utf8_percent_encode(value, NON_ALPHANUMERIC))
        })
        .collect::<Vec<_>>()
        .join("&")
}

impl PaymentGateway for Stripe {
    fn provider(&self) -> Provider {
        Provider::Stripe
    }

    fn publishable_key(&self) -> &str {
        &self.publishable_key
    }

    async fn create_intent(&self, request: &IntentRequest) -> Result<Intent, ProviderError> {
        let fields = [
            ("amount", request.amount.to_string()),
            ("currency", request.currency.code().to_ascii_lowercase()),
            ("automatic_payment_methods[enabled]", "true".to_owned()),
            ("metadata[order_id]", request.order_id.to_string()),
            ("metadata[attempt]", request.attempt.to_string()),
        ];
        let intent: PaymentIntent = self.call("/v1/payment_intents", Some((&fields, &request.idempotency_key))).await?;
        Ok(intent.into_intent())
    }

    async fn intent(&self, provider_id: &str) -> Result<Intent, ProviderError> {
        let path = format!("/v1/payment_intents/{}", utf8_percent_encode(provider_id, NON_ALPHANUMERIC));
        let intent: PaymentIntent = self.call(&path, None).await?;
        Ok(intent.into_intent())
    }

    async fn cancel_intent(&self, provider_id: &str) -> Result<bool, ProviderError> {
        let path = format!("/v1/payment_intents/{}", utf8_percent_encode(provider_id, NON_ALPHANUMERIC));
        let fields = [("cancellation_reason", "abandoned".to_owned())];
        let key = format!("tillbox-cancel-{provider_id}");
        match self.call::<PaymentIntent>(&format!("{path}/cancel"), Some((&fields, &key))).await {
            Ok(_) => Ok(true),
            // Stripe refuses to cancel an intent that is paid, being paid, or
            // cancelled already (`payment_intent_unexpected_state`): the intent says which.
            Err(ProviderError::Refused(detail)) => {
                let intent: PaymentIntent = self.call(&path, None).await?;
                match intent.status.as_str() {
                    "canceled" => Ok(true),
                    "succeeded" | "processing" => Ok(false),
                    _ => Err(ProviderError::Refused(detail)),
                }
            }
            Err(unavailable) => Err(unavailable),
        }
    }

    async fn refund(&self, provider_id: &str, amount: i64, idempotency_key: &str) -> Result<(), ProviderError> {
        let fields = [("payment_intent", provider_id.to_owned()), ("amount", amount.to_string())];
        match self.call::<serde_json::Value>("/v1/refunds", Some((&fields, idempotency_key))).await {
            // Refunded already, by us under another key or from the Dashboard:
            // the money is back, which is what was asked.
            Err(ProviderError::Refused(detail)) if detail.contains("charge_already_refunded") => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_are_percent_encoded_keys_and_values() {
        let fields = [("metadata[order_id]", "a b&c".to_owned()), ("amount", "1200".to_owned())];
        assert_eq!(encode_form(&fields), "metadata%5Border%5Fid%5D=a%20b%26c&amount=1200");
    }

    #[test]
    fn stripe_errors_are_summarised_without_the_request() {
        let body = br#"{"error":{"type":"invalid_request_error","code":"charge_already_refunded","message":"Charge ch_1 has already been refunded."}}"#;
        assert_eq!(
            describe(400, body),
            "400 invalid_request_error/charge_already_refunded: Charge ch_1 has already been refunded."
        );
        assert_eq!(describe(502, b"<html>"), "502 from Stripe");
    }
}
