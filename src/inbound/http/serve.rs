//! The Lambda event loop every HTTP function runs.

use super::{ApiError, Reply};
use lambda_http::{Request, service_fn};
use std::future::Future;

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
