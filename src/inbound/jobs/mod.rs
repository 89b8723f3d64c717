//! Background jobs: one module per job, fed by an SQS queue or the table's stream.

pub mod expire_orders;
pub mod fan_out;
pub mod process_images;
pub mod send_emails;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse};
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// Runs the Lambda event loop for a job. A batch job's handler returns a partial
/// batch response naming what failed; only that is retried, and what keeps failing
/// ends in the job's dead-letter queue. An `Err` fails the whole invocation (a
/// scheduled job that could not run), so Lambda's own retries and metrics see it.
pub async fn serve<E, R, F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    E: DeserializeOwned + Send,
    R: Serialize,
    F: Fn(E) -> Fut,
    Fut: Future<Output = Result<R, String>> + Send,
{
    lambda_http::tracing::init_default_subscriber();
    lambda_runtime::run(service_fn(|event: LambdaEvent<E>| {
        let response = handler(event.payload);
        async move { response.await.map_err(lambda_runtime::Error::from) }
    }))
    .await
}

/// [`serve`] for an SQS-fed job whose handler returns the ids of the messages that
/// failed.
pub async fn serve_sqs<F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(aws_lambda_events::sqs::SqsEvent) -> Fut,
    Fut: Future<Output = Vec<String>> + Send,
{
    lambda_http::tracing::init_default_subscriber();
    lambda_runtime::run(service_fn(|event: LambdaEvent<aws_lambda_events::sqs::SqsEvent>| {
        let failed = handler(event.payload);
        async move { Ok::<_, lambda_runtime::Error>(batch_response(failed.await)) }
    }))
    .await
}

/// Runs `handle` on each message body of an SQS batch, one at a time, and returns
/// the ids of the messages it failed on: those are retried, the rest deleted.
pub async fn each_message<F, Fut>(job: &str, event: aws_lambda_events::sqs::SqsEvent, handle: F) -> Vec<String>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut failed = Vec::new();
    for message in event.records {
        let id = message.message_id.unwrap_or_default();
        // Boxed: a job's SDK futures nest deeper than the compiler's type-layout limit
        // once wrapped in the runtime's; behind a pointer their layout is not needed.
        if let Err(reason) = Box::pin(handle(message.body.unwrap_or_default())).await {
            tracing::warn!(job, message_id = %id, %reason, "message failed; it will be retried");
            failed.push(id);
        }
    }
    failed
}

/// The SQS partial batch response for the ids of the messages that failed.
fn batch_response(failed_message_ids: Vec<String>) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failed_message_ids
        .into_iter()
        .map(|id| {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            failure
        })
        .collect();
    response
}
