//! The WebSocket API's routes (API Gateway WebSocket, `LiveApi` in the
//! template): `$connect` signs the caller in, `$disconnect` forgets the
//! connection, and `subscribe` (and `$default`, for anything else sent) lets it
//! follow an order or the staff feed. The push job sends what follows.
//!
//! The protocol, for clients (README, "Live updates"):
//! - Connect offering the subprotocol `tillbox-live` and, signed in, the access
//!   token as a second one (`new WebSocket(url, ["tillbox-live", token])`): a
//!   browser cannot set headers, and a token in the URL would be logged.
//! - Send `{"action":"subscribe","topic":"order:{id}"}` (a guest adds
//!   `"order_token"`, their order link) or `{"action":"subscribe","topic":"feed"}`
//!   (staff). The answer is `{"type":"subscribed","topic":…}` or
//!   `{"type":"error","status":…,"title":…,"detail":…}`.
//! - Then each change arrives as `{"type":"order.paid","id","occurred_at","data","order"}`.

use crate::app::accounts::{self, AccountsError};
use crate::app::live::{self, LiveError};
use crate::app::store::StoreError;
use crate::domain::Principal;
use crate::domain::access_token::TokenVerifier;
use crate::domain::live::{ConnectionId, Refusal, Topic};
use crate::inbound::http::now;
use crate::outbound::dynamodb::Table;
use lambda_runtime::{LambdaEvent, service_fn};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;

/// The subprotocol a client offers, and the `$connect` answer names.
pub const SUBPROTOCOL: &str = "tillbox-live";
const PROTOCOL_HEADER: &str = "sec-websocket-protocol";

/// What every route needs: the table and the token verifier, built once per container.
pub struct LiveSocket {
    pub table: Table,
    pub verifier: TokenVerifier,
}

/// The part of API Gateway's WebSocket event Tillbox reads. Not `Debug`: its
/// headers hold the access token and its body an order link, never to be logged.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SocketEvent {
    request_context: SocketContext,
    #[serde(default)]
    headers: Option<HashMap<String, String>>,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SocketContext {
    connection_id: String,
    #[serde(default)]
    request_id: Option<String>,
}

/// The integration's answer: for `$connect` its status decides the handshake;
/// for `subscribe` the body goes back to the client (the route's route response).
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SocketReply {
    status_code: u16,
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    headers: HashMap<&'static str, &'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
}

impl SocketReply {
    fn status(status_code: u16) -> Self {
        Self { status_code, headers: HashMap::new(), body: None }
    }

    fn answer(status_code: u16, answer: &Answer<'_>) -> Self {
        let body = serde_json::to_string(answer).expect("answers serialise");
        Self { status_code, headers: HashMap::new(), body: Some(body) }
    }

    fn error(status: u16, title: &str, detail: &str) -> Self {
        let answer =
            Answer { kind: "error", topic: None, status: Some(status), title: Some(title), detail: Some(detail) };
        Self::answer(status, &answer)
    }
}

/// What a subscription is answered with: `{"type":"subscribed","topic"}` or
/// `{"type":"error","status","title","detail"}`, the type first.
#[derive(Debug, Serialize)]
struct Answer<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
}

impl SocketEvent {
    fn connection(&self) -> Option<ConnectionId> {
        ConnectionId::parse(&self.request_context.connection_id)
    }

    fn header(&self, name: &str) -> Option<&str> {
        let headers = self.headers.as_ref()?;
        headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

/// Runs the Lambda event loop with one route's handler; each event runs under
/// its API Gateway request id as correlation id.
pub async fn serve<F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(SocketEvent) -> Fut,
    Fut: Future<Output = SocketReply> + Send,
{
    crate::telemetry::init();
    lambda_runtime::run(service_fn(|event: LambdaEvent<SocketEvent>| {
        let correlation_id = event.payload.request_context.request_id.clone();
        // Boxed: a handler's future is deep (SDK calls), too deep for the
        // compiler to lay out inside the runtime's.
        let reply = Box::pin(handler(event.payload));
        async move { Ok::<_, lambda_runtime::Error>(crate::telemetry::correlate(correlation_id, reply).await) }
    }))
    .await
}

/// `$connect`: refuses the handshake (401) for a token that is invalid, expired
/// or of an ended staff session, and (400) for a client not offering
/// [`SUBPROTOCOL`]; otherwise records the connection and names the protocol.
pub async fn connect(ctx: &LiveSocket, event: SocketEvent) -> SocketReply {
    let Some(id) = event.connection() else { return SocketReply::status(400) };
    let offered: Vec<&str> = event.header(PROTOCOL_HEADER).unwrap_or_default().split(',').map(str::trim).collect();
    if !offered.contains(&SUBPROTOCOL) {
        tracing::info!(status = 400, "live connection refused: the tillbox-live subprotocol was not offered");
        return SocketReply::status(400);
    }
    let mut tokens = offered.iter().filter(|p| **p != SUBPROTOCOL && !p.is_empty());
    let principal = match (tokens.next(), tokens.next()) {
        (None, _) => None,
        (Some(token), None) => match signed_in(ctx, token).await {
            Ok(principal) => Some(principal),
            Err(status) => {
                tracing::info!(status, "live connection refused");
                return SocketReply::status(status);
            }
        },
        (Some(_), Some(_)) => return SocketReply::status(400),
    };
    let role = principal.as_ref().map_or("guest", |p| p.role.as_str());
    match live::connect(&ctx.table, id, principal, now()).await {
        Ok(_) => {
            tracing::info!(role, "live connection opened");
            let mut reply = SocketReply::status(200);
            reply.headers.insert("Sec-WebSocket-Protocol", SUBPROTOCOL);
            reply
        }
        Err(error) => unavailable(&error),
    }
}

/// The token's principal; staff only with a live session, as on the HTTP API.
async fn signed_in(ctx: &LiveSocket, token: &str) -> Result<Principal, u16> {
    let principal = ctx.verifier.verify(token).map_err(|_| 401u16)?;
    if principal.is_staff() {
        match accounts::ensure_live(&ctx.table, &principal, now()).await {
            Ok(()) => {}
            Err(AccountsError::SessionEnded) => return Err(401),
            Err(error) => {
                tracing::error!(%error, "the session could not be checked");
                return Err(500);
            }
        }
    }
    Ok(principal)
}

/// `$disconnect` (best effort in API Gateway: what it misses, the TTL removes).
pub async fn disconnect(ctx: &LiveSocket, event: SocketEvent) -> SocketReply {
    let Some(id) = event.connection() else { return SocketReply::status(200) };
    match live::disconnect(&ctx.table, &id).await {
        Ok(()) => SocketReply::status(200),
        Err(error) => unavailable(&error),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Subscribe {
    action: String,
    topic: String,
    #[serde(default)]
    order_token: Option<String>,
}

const HOW_TO_SUBSCRIBE: &str = r#"send {"action":"subscribe","topic":"order:<order id>"} (a guest adds "order_token") or {"action":"subscribe","topic":"feed"} (staff)"#;

/// `subscribe` and `$default`: follows a topic, answering the client either way.
pub async fn subscribe(ctx: &LiveSocket, event: SocketEvent) -> SocketReply {
    let Some(id) = event.connection() else { return SocketReply::status(400) };
    let request = serde_json::from_str::<Subscribe>(event.body.as_deref().unwrap_or_default())
        .ok()
        .filter(|request| request.action == "subscribe");
    let Some(request) = request else {
        return SocketReply::error(400, "Bad message", HOW_TO_SUBSCRIBE);
    };
    let Some(topic) = Topic::parse(&request.topic) else {
        return SocketReply::error(400, "Unknown topic", &format!("topic: {HOW_TO_SUBSCRIBE}"));
    };
    let link = match &request.order_token {
        None => None,
        Some(token) => match ctx.verifier.verify_order_link(token.trim()) {
            Ok(link) => Some(link.order_id),
            Err(_) => {
                return SocketReply::error(401, "Unauthorized", "order_token is not a valid, unexpired order link");
            }
        },
    };
    let followed = live::follow(&ctx.table, &ctx.table, &id, topic, link, now()).await;
    let refused = |status, title, detail: &str| {
        tracing::info!(status, topic = topic_kind(topic), "live subscription refused");
        SocketReply::error(status, title, detail)
    };
    match followed {
        Ok(()) => {
            tracing::info!(topic = topic_kind(topic), "live subscription added");
            let answer =
                Answer { kind: "subscribed", topic: Some(&request.topic), status: None, title: None, detail: None };
            SocketReply::answer(200, &answer)
        }
        Err(LiveError::Refused(Refusal::SignInNeeded)) => {
            refused(401, "Unauthorized", "connect with an access token, or send this order's order_token")
        }
        Err(LiveError::Refused(Refusal::StaffOnly)) => refused(403, "Forbidden", "the feed is for staff and admins"),
        Err(LiveError::Refused(Refusal::NoSuchOrder)) => refused(404, "Not Found", "no such order"),
        Err(LiveError::NotConnected) => refused(410, "Gone", "this connection is closed; connect again"),
        Err(LiveError::SessionEnded) => refused(401, "Unauthorized", "your session ended: sign in and connect again"),
        Err(LiveError::Common(error)) => {
            tracing::error!(%error, "live subscription failed");
            SocketReply::error(500, "Internal Server Error", "try again")
        }
    }
}

/// The topic's kind, for logs: never which order.
fn topic_kind(topic: Topic) -> &'static str {
    match topic {
        Topic::Order(_) => "order",
        Topic::Feed => "feed",
    }
}

fn unavailable(error: &StoreError) -> SocketReply {
    tracing::error!(%error, "live connection not recorded");
    SocketReply::status(500)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(headers: &[(&str, &str)], body: Option<&str>) -> SocketEvent {
        serde_json::from_value(json!({
            "requestContext": {"connectionId": "L0SM9cOFvHcCIhw=", "routeKey": "$connect", "requestId": "r1"},
            "headers": headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<HashMap<_, _>>(),
            "body": body,
        }))
        .unwrap()
    }

    #[test]
    fn headers_are_found_whatever_their_case() {
        let event = event(&[("Sec-WebSocket-Protocol", "tillbox-live, abc")], None);
        assert_eq!(event.header("sec-websocket-protocol"), Some("tillbox-live, abc"));
        assert_eq!(event.connection().unwrap().as_str(), "L0SM9cOFvHcCIhw=");
    }

    #[test]
    fn replies_use_api_gateway_names_and_leave_out_what_is_empty() {
        let mut reply = SocketReply::status(200);
        reply.headers.insert("Sec-WebSocket-Protocol", SUBPROTOCOL);
        assert_eq!(
            serde_json::to_value(&reply).unwrap(),
            json!({"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "tillbox-live"}})
        );
        let error = serde_json::to_value(SocketReply::error(403, "Forbidden", "staff only")).unwrap();
        let body: serde_json::Value = serde_json::from_str(error["body"].as_str().unwrap()).unwrap();
        assert_eq!(body, json!({"type": "error", "status": 403, "title": "Forbidden", "detail": "staff only"}));
    }
}
