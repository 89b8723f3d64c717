//! Runs a request at most once per caller and `Idempotency-Key`: the first attempt
//! runs and its successful response is stored; a retry with the same body gets
//! that response again (marked `Idempotent-Replayed: true`); the same key with a
//! different body is 422; a duplicate arriving while the first still runs is 409
//! with `Retry-After`. A failed attempt releases the key, so the retry runs anew.

use super::problem::ApiError;
use super::request::body_bytes;
use super::response::Reply;
use crate::app::idempotency::IdempotencyStore;
use crate::app::idempotency::{Existing, IdempotencyKey, IdempotencyRecord, StoredResponse, request_hash};
use crate::domain::Timestamp;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use std::future::Future;

pub const KEY_HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// What a replay answers instead of the first response's body, when that body
/// holds something that must not be stored (a signing secret shown once). The
/// handler puts it in the response's extensions.
#[derive(Debug, Clone)]
pub struct ReplayBody(pub String);

/// The headers a replay repeats: those a client reads from a create.
const KEPT_HEADERS: [&str; 3] = ["content-type", "location", "etag"];

/// How long a request may hold its key when the invocation has no deadline (a
/// direct call in tests): the functions' timeout.
const DEFAULT_HOLD: time::Duration = time::Duration::seconds(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPolicy {
    /// Creating money-moving resources: a request without a key is refused.
    Required,
    /// Transitions: a key makes retries replay; without one they run as usual.
    Optional,
}

pub async fn idempotent<F, Fut>(
    store: &impl IdempotencyStore,
    request: &Request,
    caller: &str,
    policy: KeyPolicy,
    work: F,
) -> Result<Reply, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Reply, ApiError>>,
{
    let Some(header) = request.headers().get(KEY_HEADER) else {
        return match policy {
            KeyPolicy::Required => Err(ApiError::field(
                StatusCode::BAD_REQUEST,
                "idempotency_key_required",
                "Idempotency-Key",
                "send a new unique key (e.g. a UUID) with each request, and the same key when retrying it",
            )),
            KeyPolicy::Optional => work().await,
        };
    };
    let key =
        header.to_str().map_err(|_| "must be visible ASCII".to_owned()).and_then(IdempotencyKey::parse).map_err(
            |message| ApiError::field(StatusCode::BAD_REQUEST, "malformed_header", "Idempotency-Key", message),
        )?;
    let now = time::OffsetDateTime::now_utc();
    let body = body_bytes(request);
    let body = serde_json::from_slice(body).unwrap_or_else(|_| String::from_utf8_lossy(body).into());
    let hash = request_hash(request.method().as_str(), request.uri().path(), &body);
    let record = IdempotencyRecord::start(caller, key, hash, deadline(request, now), now);
    if let Some(held) = store.acquire(&record, now).await? {
        return match held.meet(&record.request_hash) {
            Existing::Replay(response) => Ok(replay(response)),
            Existing::InProgress => Err(ApiError::new(
                StatusCode::CONFLICT,
                "request_in_progress",
                "a request with this Idempotency-Key is still being processed; retry shortly",
            )
            .with_header("retry-after", "1")),
            Existing::Mismatch => Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "Idempotency-Key",
                "was already used for a different request; send a new key",
            )),
        };
    }
    let result = work().await;
    match &result {
        Ok(reply) if reply.status().is_success() => {
            // The work is done; failing to record it only narrows what a retry replays.
            if let Err(error) = store.complete(&record, &stored(reply)).await {
                tracing::error!(%error, "could not store the idempotent response");
            }
        }
        _ => {
            if let Err(error) = store.release(&record).await {
                tracing::warn!(%error, "could not release the idempotency key; it frees at its deadline");
            }
        }
    }
    result
}

/// The invocation's deadline, when Lambda gave one: a key held by an invocation
/// that died frees itself then.
fn deadline(request: &Request, now: Timestamp) -> Timestamp {
    request
        .lambda_context_ref()
        .and_then(|c| Timestamp::from_unix_timestamp_nanos(i128::from(c.deadline) * 1_000_000).ok())
        .filter(|d| *d > now)
        .unwrap_or(now + DEFAULT_HOLD)
}

fn stored(reply: &Reply) -> StoredResponse {
    let headers = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            reply.headers().get(*name).and_then(|v| v.to_str().ok()).map(|v| (name.to_string(), v.into()))
        })
        .collect();
    let body = match (reply.extensions().get::<ReplayBody>(), reply.body()) {
        (Some(ReplayBody(instead)), _) => instead.clone(),
        (None, Body::Text(text)) => text.clone(),
        (None, Body::Binary(bytes)) => String::from_utf8_lossy(bytes).into_owned(),
        (None, _) => String::new(),
    };
    StoredResponse { status: reply.status().as_u16(), headers, body }
}

fn replay(response: StoredResponse) -> Reply {
    let mut reply = Response::builder().status(response.status).header(REPLAYED_HEADER, "true");
    for (name, value) in &response.headers {
        reply = reply.header(name, value);
    }
    let body = if response.body.is_empty() { Body::Empty } else { Body::Text(response.body) };
    reply.body(body).expect("stored status and headers were valid when first sent")
}
