//! What a function tells its operators: structured logs with the keys AWS
//! Lambda Powertools users know ([`log`]), metrics ([`metrics`]) and the correlation id that follows one
//! request from the HTTP call through the outbox into every job it sets off.
//!
//! The correlation id is the API Gateway request id of the call that started
//! it. It is kept for the duration of the work it belongs to (a request, a queue
//! message, a stream record) in a task-local and on a tracing span, so every log
//! line carries it and the outbox stamps it on the events it writes.

mod log;
pub mod metrics;

use std::future::Future;
use tracing::Instrument;

pub use log::init;

tokio::task_local! {
    static CORRELATION_ID: Option<String>;
}

/// Runs `work` as part of the request `correlation_id` names: its log lines and
/// the events it publishes carry the id.
pub async fn correlate<F: Future>(correlation_id: Option<String>, work: F) -> F::Output {
    let span = match &correlation_id {
        Some(id) => tracing::info_span!("correlated", correlation_id = id.as_str()),
        None => tracing::Span::none(),
    };
    CORRELATION_ID.scope(correlation_id, work.instrument(span)).await
}

/// Who is writing: the service and the function, read once per process (every
/// log line and metric names them).
pub(crate) struct Identity {
    pub service: String,
    pub function_name: String,
    /// Where metrics are copied locally (`TILLBOX_METRICS_FILE`), if anywhere.
    pub metrics_file: Option<String>,
}

pub(crate) fn identity() -> &'static Identity {
    static IDENTITY: std::sync::OnceLock<Identity> = std::sync::OnceLock::new();
    IDENTITY.get_or_init(|| Identity {
        service: std::env::var("POWERTOOLS_SERVICE_NAME").unwrap_or_else(|_| "tillbox".into()),
        function_name: std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default(),
        metrics_file: std::env::var("TILLBOX_METRICS_FILE").ok(),
    })
}

/// The correlation id of the work in progress, if any.
pub fn correlation_id() -> Option<String> {
    CORRELATION_ID.try_with(Clone::clone).ok().flatten()
}
