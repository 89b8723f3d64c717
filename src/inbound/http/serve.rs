//! The Lambda event loop every HTTP function runs.

use super::response::with_security_headers;
use super::security_log::{RequestFacts, log_refusal};
use super::{ApiError, Reply};
use lambda_http::{Request, service_fn};
use std::future::Future;

/// Runs the Lambda event loop with one handler. Every error the handler returns
/// becomes a problem response here, so no request ends as a bare 500, and every
/// answer gets the security headers.
pub async fn serve<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Result<Reply, ApiError>> + Send,
{
    lambda_http::tracing::init_default_subscriber();
    lambda_http::run(service_fn(|request: Request| {
        let signed_in = request.headers().contains_key("authorization");
        let facts = RequestFacts::of(&request);
        let reply = handler(request);
        async move {
            let reply = reply.await.unwrap_or_else(|error| {
                log_refusal(&facts, &error);
                error.into_response()
            });
            Ok::<_, lambda_http::Error>(with_security_headers(reply, signed_in))
        }
    }))
    .await
}
