//! Background jobs: one module per job, each fed by an SQS queue.

pub mod process_images;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use std::future::Future;

/// Runs the Lambda event loop for an SQS-fed job. The handler returns the ids of
/// the messages that failed; only those are retried (partial batch response), and
/// after the queue's maxReceiveCount they move to its dead-letter queue.
pub async fn serve_sqs<F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(SqsEvent) -> Fut,
    Fut: Future<Output = Vec<String>> + Send,
{
    lambda_http::tracing::init_default_subscriber();
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let failed = handler(event.payload);
        async move { Ok::<_, lambda_runtime::Error>(batch_response(failed.await)) }
    }))
    .await
}

pub fn batch_response(failed_message_ids: Vec<String>) -> SqsBatchResponse {
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
