//! The Lambda event loop every HTTP function runs.

use super::problem::ApiError;
use super::response::Reply;
use super::response::with_security_headers;
use super::security_log::{RequestFacts, log_refusal};
use crate::telemetry::metrics;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt, service_fn};
use std::future::Future;
use tracing::Instrument;

fn status_class(status: u16) -> &'static str {
    match status {
        500.. => "5xx",
        400.. => "4xx",
        _ => "ok",
    }
}

/// Runs the Lambda event loop with one handler. Every error the handler returns
/// becomes a problem response here, so no request ends as a bare 500, and every
/// answer gets the security headers. Each request runs under its API Gateway
/// request id as correlation id and ends with one INFO line: method, route,
/// status, duration and the caller's role (no identities, no tokens).
pub async fn serve<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Result<Reply, ApiError>> + Send,
{
    crate::telemetry::init();
    lambda_http::run(service_fn(|request: Request| {
        let signed_in = request.headers().contains_key("authorization");
        let facts = RequestFacts::of(&request);
        let correlation_id = match request.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => context.request_id.clone(),
            _ => None,
        };
        let reply = handler(request);
        let work = async move {
            let started = std::time::Instant::now();
            let reply = reply.await.unwrap_or_else(|error| {
                log_refusal(&facts, &error);
                error.into_response()
            });
            if let class @ ("4xx" | "5xx") = status_class(reply.status().as_u16()) {
                metrics::count("HandlerErrors", &[("function_name", metrics::function_name()), ("class", class)]);
            }
            tracing::info!(
                method = facts.method,
                route = facts.route,
                status = reply.status().as_u16(),
                duration_ms = started.elapsed().as_secs_f64() * 1000.0,
                "request handled"
            );
            Ok::<_, lambda_http::Error>(with_security_headers(reply, signed_in))
        };
        crate::telemetry::correlate(correlation_id, async move {
            // Opened inside the correlation's span, so its lines carry both.
            let span = tracing::info_span!("request", role = tracing::field::Empty);
            work.instrument(span).await
        })
    }))
    .await
}
