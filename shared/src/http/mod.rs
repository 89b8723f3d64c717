//! The HTTP edge: turns API Gateway (HTTP API, payload v2) requests into use-case
//! calls and their results into JSON or `application/problem+json` responses.

mod idempotency;
mod problem;
mod request;

pub use idempotency::{KeyPolicy, REPLAYED_HEADER, idempotent};
pub use problem::ApiError;
pub use request::{RequestExtras, json_body};

use lambda_http::{Body, Request, Response, service_fn};
use serde::Serialize;
use std::future::Future;

pub type Reply = Response<Body>;

/// Runs the Lambda event loop with one handler. Every error the handler returns
/// becomes a problem response here, so no request ends as a bare 500.
pub async fn serve<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Result<Reply, ApiError>> + Send,
{
    lambda_http::tracing::init_default_subscriber();
    lambda_http::run(service_fn(|request: Request| {
        let reply = handler(request);
        async move { Ok::<_, lambda_http::Error>(reply.await.unwrap_or_else(ApiError::into_response)) }
    }))
    .await
}

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
