//! Reading requests: bodies, path and query parameters, headers, the caller.

use super::problem::ApiError;
use crate::app::accounts;
use crate::domain::access_token::TokenVerifier;
use crate::domain::{Principal, Timestamp};
use crate::outbound::dynamodb::Table;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt};
use serde::de::DeserializeOwned;
use std::str::FromStr;

/// JSON bodies above this are refused with 413 before they are parsed.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// The raw body, whichever way API Gateway encoded it.
pub(super) fn body_bytes(request: &Request) -> &[u8] {
    match request.body() {
        Body::Empty => b"",
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => b"",
    }
}

/// Parses a JSON body into `T`, naming the offending field on failure.
pub fn json_body<T: DeserializeOwned>(request: &Request) -> Result<T, ApiError> {
    let bytes = body_bytes(request);
    if bytes.len() > MAX_JSON_BODY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body must be at most {MAX_JSON_BODY_BYTES} bytes"),
        ));
    }
    let content_type =
        request.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("application/json");
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ));
    }
    if bytes.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "body_required", "this request needs a JSON body"));
    }
    let mut document: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        ApiError::field(StatusCode::BAD_REQUEST, "malformed_body", "body", message)
    })?;
    // serde reads a struct from an array of its fields in order too; every body
    // is an object.
    if !document.is_object() {
        return Err(ApiError::field(StatusCode::BAD_REQUEST, "malformed_body", "body", "must be a JSON object"));
    }
    integral_numbers_as_integers(&mut document);
    serde_path_to_error::deserialize(document).map_err(|e| {
        let message = e.inner().to_string();
        let path = e.path().to_string();
        // serde names a missing or unknown field only inside its message.
        let named = message
            .split('`')
            .nth(1)
            .filter(|_| message.starts_with("missing field") || message.starts_with("unknown field"));
        let field = match (path.as_str(), named) {
            (".", Some(name)) => name.to_owned(),
            (parent, Some(name)) if message.starts_with("missing field") => {
                format!("{parent}.{name}")
            }
            (".", None) => "body".to_owned(),
            (path, _) => path.to_owned(),
        };
        ApiError::field(StatusCode::BAD_REQUEST, "malformed_body", &field, message)
    })
}

/// JSON has one number type: `2.0` and `2` are the same value, and JSON Schema
/// (the OpenAPI document) calls both an integer. serde would refuse `2.0` where
/// it reads an integer, so whole numbers are made integers before it reads them.
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64()) {
                // i64's bounds as floats (-2^63 and 2^63, both exact): the cast is exact between them.
                if float.fract() == 0.0 && (i64::MIN as f64..i64::MAX as f64).contains(&float) {
                    *value = serde_json::Value::from(float as i64);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// Accessors every handler uses.
pub trait RequestExtras {
    /// A path parameter parsed as `T`; one that does not parse names nothing that
    /// exists, so it is a 404 rather than a validation error.
    fn path_param<T: FromStr>(&self, name: &str) -> Result<T, ApiError>;
    fn query_param(&self, name: &str) -> Option<String>;
    /// The verified caller, `None` when there is no `Authorization` header at all.
    fn principal(&self, verifier: &TokenVerifier) -> Result<Option<Principal>, ApiError>;
    /// The version in `If-Match` (`"3"`, `W/"3"` or `3`), if the header is present.
    fn if_match(&self) -> Result<Option<u64>, ApiError>;
    /// The client's address as API Gateway saw it (not a header the client sets).
    fn source_ip(&self) -> String;
    /// The API Gateway route that matched (`GET /orders/{id}`), if the request
    /// came through one.
    fn route_key(&self) -> Option<String>;
}

impl RequestExtras for Request {
    fn path_param<T: FromStr>(&self, name: &str) -> Result<T, ApiError> {
        self.path_parameters().first(name).and_then(|v| v.parse().ok()).ok_or_else(ApiError::not_found)
    }

    fn query_param(&self, name: &str) -> Option<String> {
        self.query_string_parameters().first(name).map(str::to_owned)
    }

    fn principal(&self, verifier: &TokenVerifier) -> Result<Option<Principal>, ApiError> {
        let Some(header) = self.headers().get("authorization") else {
            return Ok(None);
        };
        let header = header.to_str().map_err(|_| ApiError::unauthorized("the Authorization header is not text"))?;
        Ok(Some(verifier.verify_header(header)?))
    }

    fn if_match(&self) -> Result<Option<u64>, ApiError> {
        let Some(value) = self.headers().get("if-match") else {
            return Ok(None);
        };
        let raw = value.to_str().unwrap_or_default().trim();
        let tag = raw.strip_prefix("W/").unwrap_or(raw).trim_matches('"');
        tag.parse().map(Some).map_err(|_| {
            ApiError::field(
                StatusCode::BAD_REQUEST,
                "malformed_header",
                "If-Match",
                "must be the ETag you read, e.g. \"3\"",
            )
        })
    }

    fn source_ip(&self) -> String {
        match self.request_context_ref() {
            Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) => {
                context.http.source_ip.clone().unwrap_or_default()
            }
            _ => String::new(),
        }
    }

    fn route_key(&self) -> Option<String> {
        match self.request_context_ref() {
            Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) => context.route_key.clone(),
            _ => None,
        }
    }
}

/// The caller of a public endpoint, if any. Staff tokens are checked against a
/// live session ([`accounts::ensure_live`]), and so is every token when
/// `always_check`; anonymous and customer calls otherwise stay stateless.
async fn checked_caller(
    request: &Request,
    verifier: &TokenVerifier,
    table: &Table,
    always_check: bool,
) -> Result<Option<Principal>, ApiError> {
    let principal = request.principal(verifier)?;
    if let Some(checked) = principal.as_ref().filter(|p| always_check || p.is_staff()) {
        accounts::ensure_live(table, checked, super::now()).await?;
    }
    if let Some(principal) = &principal {
        // For the request's log line (the role only: never who).
        tracing::Span::current().record("role", principal.role.as_str());
    }
    Ok(principal)
}

/// The caller of a public endpoint, if any (staff checked, see [`checked_caller`]).
pub(super) async fn caller(
    request: &Request,
    verifier: &TokenVerifier,
    table: &Table,
) -> Result<Option<Principal>, ApiError> {
    checked_caller(request, verifier, table, false).await
}

fn required(principal: Option<Principal>) -> Result<Principal, ApiError> {
    principal.ok_or_else(|| ApiError::unauthorized("this request needs a bearer access token"))
}

/// The caller of an endpoint that requires signing in: 401 without a token, and
/// 401 `session_ended` for staff whose session is no longer live.
pub(super) async fn signed_in(
    request: &Request,
    verifier: &TokenVerifier,
    table: &Table,
) -> Result<Principal, ApiError> {
    required(checked_caller(request, verifier, table, false).await?)
}

/// [`signed_in`] with the session checked whatever the role: for the caller's own
/// profile, where a revoked session must not read or change personal data.
pub(super) async fn signed_in_live(
    request: &Request,
    verifier: &TokenVerifier,
    table: &Table,
) -> Result<Principal, ApiError> {
    required(checked_caller(request, verifier, table, true).await?)
}

/// The header holding a guest's order link (from checkout or their e-mail).
pub const ORDER_TOKEN_HEADER: &str = "order-token";

/// The caller of an endpoint about one order: a guest with the order's link
/// in `Order-Token` (a link to another order is no access to this one: 404),
/// or a signed-in caller as [`signed_in`].
pub(super) async fn order_reader(
    request: &Request,
    verifier: &TokenVerifier,
    table: &Table,
    order: crate::domain::OrderId,
) -> Result<Principal, ApiError> {
    let Some(link) = request.headers().get(ORDER_TOKEN_HEADER) else {
        return signed_in(request, verifier, table).await;
    };
    let link = link.to_str().ok().and_then(|token| verifier.verify_order_link(token.trim()).ok());
    match link {
        Some(link) if link.order_id == order => Ok(link.principal),
        Some(_) => Err(ApiError::not_found()),
        None => Err(ApiError::unauthorized("the Order-Token is not a valid, unexpired order link")),
    }
}

const DEFAULT_PAGE_SIZE: u16 = 20;
const MAX_PAGE_SIZE: u16 = 100;

/// The `limit` query parameter of every listing.
pub(super) fn page_limit(request: &Request) -> Result<u16, ApiError> {
    match request.query_param("limit") {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(value) => value.parse().ok().filter(|l| (1..=MAX_PAGE_SIZE).contains(l)).ok_or_else(|| {
            ApiError::field(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "limit",
                format!("must be a whole number from 1 to {MAX_PAGE_SIZE}"),
            )
        }),
    }
}

/// An RFC 3339 query parameter (`from`, `to`), in UTC.
pub(super) fn timestamp_param(request: &Request, name: &str) -> Result<Option<Timestamp>, ApiError> {
    use time::format_description::well_known::Rfc3339;
    request
        .query_param(name)
        .map(|value| {
            Timestamp::parse(&value, &Rfc3339).map(|t| t.to_offset(time::UtcOffset::UTC)).map_err(|_| {
                ApiError::field(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    name,
                    "must be an RFC 3339 date-time, e.g. 2026-11-01T00:00:00Z",
                )
            })
        })
        .transpose()
}
