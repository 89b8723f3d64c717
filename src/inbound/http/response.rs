//! Writing responses: JSON bodies, empty ones, versioned resources.

use lambda_http::{Body, Response};
use serde::Serialize;

/// What every endpoint answers.
pub type Reply = Response<Body>;

/// A response without a body.
pub fn no_content() -> Reply {
    Response::builder().status(204).body(Body::Empty).expect("static status is valid")
}

/// A JSON response.
pub fn json(status: u16, value: &impl Serialize) -> Reply {
    let body = serde_json::to_string(value).expect("response types serialise");
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body))
        .expect("static status and header are valid")
}

/// A JSON reply with the resource's version as its ETag, for a later `If-Match`.
pub(super) fn versioned(status: u16, body: &impl serde::Serialize, version: u64) -> Reply {
    let mut reply = json(status, body);
    let etag = format!("\"{version}\"").parse().expect("a quoted number is a valid header value");
    reply.headers_mut().insert("etag", etag);
    reply
}
