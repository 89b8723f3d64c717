//! Writing responses: JSON bodies, empty ones, versioned resources.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

/// What every endpoint answers.
pub type Reply = Response<Body>;

/// A response without a body.
pub fn no_content() -> Reply {
    Response::builder().status(StatusCode::NO_CONTENT).body(Body::Empty).expect("static status is valid")
}

/// A JSON response.
pub fn json(status: StatusCode, value: &impl Serialize) -> Reply {
    let body = serde_json::to_string(value).expect("response types serialise");
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body))
        .expect("static status and header are valid")
}

/// A JSON reply with the resource's version as its ETag, for a later `If-Match`.
pub(super) fn versioned(status: StatusCode, body: &impl serde::Serialize, version: u64) -> Reply {
    let mut reply = json(status, body);
    let etag = format!("\"{version}\"").parse().expect("a quoted number is a valid header value");
    reply.headers_mut().insert("etag", etag);
    reply
}

/// Headers every answer carries: `nosniff`, so a browser never runs a body as
/// something other than its declared type, and, on answers to a signed-in caller
/// (personal data), `Cache-Control: no-store` unless the endpoint chose a policy.
pub fn with_security_headers(mut reply: Reply, signed_in: bool) -> Reply {
    let headers = reply.headers_mut();
    headers.insert("x-content-type-options", lambda_http::http::HeaderValue::from_static("nosniff"));
    if signed_in && !headers.contains_key("cache-control") {
        headers.insert("cache-control", lambda_http::http::HeaderValue::from_static("no-store"));
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_nosniff_and_personal_ones_are_not_stored() {
        let public = with_security_headers(json(StatusCode::OK, &"catalog"), false);
        assert_eq!(public.headers()["x-content-type-options"], "nosniff");
        assert!(!public.headers().contains_key("cache-control"), "public reads stay cacheable");
        let personal = with_security_headers(json(StatusCode::OK, &"me"), true);
        assert_eq!(personal.headers()["cache-control"], "no-store");
        let mut chosen = json(StatusCode::FOUND, &"receipt");
        chosen.headers_mut().insert("cache-control", lambda_http::http::HeaderValue::from_static("private"));
        assert_eq!(with_security_headers(chosen, true).headers()["cache-control"], "private");
    }
}
