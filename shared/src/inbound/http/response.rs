//! Writing responses: JSON bodies, empty ones, versioned resources, and the
//! conditional, shareable answers of public catalog reads.

use lambda_http::http::{HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};
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

/// How long a shared cache (the CloudFront distribution in front of the API, a
/// browser) may serve a public catalog read without asking again, then serve it
/// stale while it asks: a change shows everywhere within a minute.
pub const PUBLIC_CACHE_CONTROL: &str = "public, max-age=15, stale-while-revalidate=45";

/// A public catalog read (no caller signed in): shareable for a short while,
/// with an ETag (the resource's version, or a digest of the body for a list),
/// and 304 without a body when `If-None-Match` names it. A signed-in caller's
/// answer stays `no-store` ([`with_security_headers`]), its ETag still usable.
pub(super) fn public_read(request: &Request, signed_in: bool, mut reply: Reply) -> Reply {
    if reply.status() != StatusCode::OK {
        return reply;
    }
    if !reply.headers().contains_key("etag") {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, reply.body().as_ref());
        let tag: String = digest.as_ref()[..16].iter().map(|b| format!("{b:02x}")).collect();
        reply
            .headers_mut()
            .insert("etag", format!("\"{tag}\"").parse().expect("a quoted hex digest is a valid header value"));
    }
    if !signed_in {
        reply.headers_mut().insert("cache-control", HeaderValue::from_static(PUBLIC_CACHE_CONTROL));
    }
    let etag = reply.headers()["etag"].clone();
    let matched = request
        .headers()
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|candidates| none_match_names(candidates, etag.to_str().unwrap_or_default()));
    if !matched {
        return reply;
    }
    // RFC 9110 15.4.5: a 304 repeats the headers a 200 would have sent for caching.
    let mut not_modified =
        Response::builder().status(StatusCode::NOT_MODIFIED).body(Body::Empty).expect("static status is valid");
    for name in ["etag", "cache-control"] {
        if let Some(value) = reply.headers().get(name) {
            not_modified.headers_mut().insert(name, value.clone());
        }
    }
    not_modified
}

/// Whether an `If-None-Match` value names `etag`: `*`, or any listed tag,
/// compared weakly (RFC 9110 13.1.2: `W/"3"` matches `"3"`).
fn none_match_names(candidates: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    candidates.trim() == "*" || candidates.split(',').any(|candidate| opaque(candidate) == opaque(etag))
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

    fn request_with(if_none_match: Option<&str>) -> Request {
        let mut request = lambda_http::http::Request::builder().uri("/products");
        if let Some(tags) = if_none_match {
            request = request.header("if-none-match", tags);
        }
        request.body(Body::Empty).expect("a valid request")
    }

    #[test]
    fn a_public_read_is_shareable_and_a_repeat_with_its_etag_is_304_without_a_body() {
        let first = public_read(&request_with(None), false, json(StatusCode::OK, &["a", "b"]));
        assert_eq!(first.headers()["cache-control"], PUBLIC_CACHE_CONTROL);
        let etag = first.headers()["etag"].to_str().expect("ascii").to_owned();
        assert!(etag.starts_with('"') && etag.len() == 34, "a digest of the body: {etag}");

        for asked in [etag.clone(), format!("W/{etag}"), format!("\"other\", {etag}"), "*".to_owned()] {
            let again = public_read(&request_with(Some(&asked)), false, json(StatusCode::OK, &["a", "b"]));
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{asked}");
            assert!(again.body().is_empty());
            assert_eq!(
                (again.headers()["etag"].to_str().ok(), again.headers()["cache-control"].to_str().ok()),
                (Some(etag.as_str()), Some(PUBLIC_CACHE_CONTROL))
            );
        }
        let changed = public_read(&request_with(Some(&etag)), false, json(StatusCode::OK, &["a", "c"]));
        assert_eq!(changed.status(), StatusCode::OK, "another body is another tag");
        assert_ne!(changed.headers()["etag"].to_str().ok(), Some(etag.as_str()));
    }

    #[test]
    fn a_signed_in_read_keeps_its_version_tag_and_is_never_shared() {
        let reply = public_read(&request_with(Some("\"7\"")), true, versioned(StatusCode::OK, &"draft", 7));
        assert_eq!((reply.status(), reply.headers().get("cache-control")), (StatusCode::NOT_MODIFIED, None));
        let stored =
            with_security_headers(public_read(&request_with(None), true, versioned(StatusCode::OK, &"draft", 7)), true);
        assert_eq!(
            (stored.headers()["etag"].to_str().ok(), stored.headers()["cache-control"].to_str().ok()),
            (Some("\"7\""), Some("no-store"))
        );
        let missing = public_read(&request_with(Some("\"7\"")), false, json(StatusCode::NOT_FOUND, &"gone"));
        assert_eq!(
            (missing.status(), missing.headers().get("cache-control")),
            (StatusCode::NOT_FOUND, None),
            "only a 200 is shared"
        );
    }
}
