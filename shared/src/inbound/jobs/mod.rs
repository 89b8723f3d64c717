//! Background jobs: one module per job, fed by an SQS queue, the table's stream or
//! the schedule. A queue job's messages are typed: each message body is parsed
//! into the job's message type before its handler sees it.

pub mod abandon_carts;
pub mod archive_audit;
mod error;
pub mod expire_orders;
pub mod exports;
pub mod fan_out;
pub mod index_products;
pub mod payments;
pub mod process_images;
pub mod push_live;
pub mod receipts;
pub mod send_emails;
pub mod stats;
pub mod webhooks;

pub use error::JobError;

use crate::telemetry::metrics;
use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse};
use lambda_runtime::{LambdaEvent, service_fn};
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
    Fut: Future<Output = Result<R, JobError>> + Send,
{
    crate::telemetry::init();
    lambda_runtime::run(service_fn(|event: LambdaEvent<E>| {
        // Boxed for the same reason as in `each_message`: the fan-out's SDK futures
        // overflow the compiler's layout depth once wrapped in the runtime's.
        let response = Box::pin(handler(event.payload));
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
    crate::telemetry::init();
    lambda_runtime::run(service_fn(|event: LambdaEvent<aws_lambda_events::sqs::SqsEvent>| {
        let failed = Box::pin(handler(event.payload));
        async move {
            let failed = failed.await;
            if !failed.is_empty() {
                let dimensions = [("function_name", metrics::function_name())];
                metrics::emit("JobMessagesFailed", failed.len() as f64, metrics::Unit::Count, &dimensions);
            }
            Ok::<_, lambda_runtime::Error>(batch_response(failed))
        }
    }))
    .await
}

/// Runs `handle` on each message of an SQS batch, one at a time, with the body
/// parsed as JSON into the job's message type `M`, and returns the ids of the
/// messages that failed (unreadable or refused by `handle`): those are retried,
/// and end in the queue's dead-letter queue if they keep failing; the rest are
/// deleted. A message that carries a `correlation_id` (events do) is handled
/// under it.
pub async fn each_message<M, F, Fut>(job: &str, event: aws_lambda_events::sqs::SqsEvent, handle: F) -> Vec<String>
where
    M: DeserializeOwned,
    F: Fn(M) -> Fut,
    Fut: Future<Output = Result<(), JobError>>,
{
    each_message_side_by_side(job, event, 1, handle).await
}

/// [`each_message`] with up to `at_once` messages in flight, for jobs whose
/// messages wait on others (a webhook receiver): a slow one then delays only
/// itself. The messages must not depend on each other's order.
pub async fn each_message_side_by_side<M, F, Fut>(
    job: &str,
    event: aws_lambda_events::sqs::SqsEvent,
    at_once: usize,
    handle: F,
) -> Vec<String>
where
    M: DeserializeOwned,
    F: Fn(M) -> Fut,
    Fut: Future<Output = Result<(), JobError>>,
{
    use futures_util::stream::{self, StreamExt};
    let handle = &handle;
    let failed = stream::iter(event.records)
        .map(|message| async move {
            let id = message.message_id.unwrap_or_default();
            let body = message.body.unwrap_or_default();
            let correlation_id = Correlated::of(&body);
            let outcome = crate::telemetry::correlate(correlation_id, async {
                let outcome = match serde_json::from_str::<M>(&body) {
                    // Boxed: a job's SDK futures nest deeper than the compiler's type-layout
                    // limit once wrapped in the runtime's; behind a pointer it is not needed.
                    Ok(typed) => Box::pin(handle(typed)).await,
                    Err(error) => Err(JobError::Unreadable(error)),
                };
                if let Err(error) = &outcome {
                    let reason = error.report();
                    tracing::warn!(job, message_id = %id, %reason, "message failed; it will be retried");
                }
                outcome
            })
            .await;
            outcome.is_err().then_some(id)
        })
        .buffered(at_once.max(1));
    failed.filter_map(|id| async move { id }).collect().await
}

/// What every message is read for before its own type: an event's correlation
/// id, at the top (the event itself) or in its `event` (a webhook delivery's
/// first attempt).
#[derive(serde::Deserialize)]
struct Correlated {
    correlation_id: Option<String>,
    event: Option<Box<Correlated>>,
}

impl Correlated {
    fn of(body: &str) -> Option<String> {
        let message: Self = serde_json::from_str(body).ok()?;
        message.correlation_id.or_else(|| message.event.and_then(|event| event.correlation_id))
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lambda_events::sqs::{SqsEvent, SqsMessage};

    fn batch(bodies: &[&str]) -> SqsEvent {
        let mut event = SqsEvent::default();
        event.records = bodies
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let mut message = SqsMessage::default();
                message.message_id = Some(format!("m{i}"));
                message.body = Some((*body).to_owned());
                message
            })
            .collect();
        event
    }

    #[test]
    fn a_message_is_correlated_by_its_event() {
        assert_eq!(Correlated::of(r#"{"id": "e1", "correlation_id": "req-1"}"#).as_deref(), Some("req-1"));
        let delivery = r#"{"endpoint_id": "h1", "event": {"id": "e1", "correlation_id": "req-2"}, "attempt": 1}"#;
        assert_eq!(Correlated::of(delivery).as_deref(), Some("req-2"));
        assert_eq!(Correlated::of(r#"{"endpoint_id": "h1", "attempt": 2}"#), None);
        assert_eq!(Correlated::of("not json"), None);
    }

    #[derive(serde::Deserialize)]
    struct Ping {
        n: u32,
    }

    #[test]
    fn only_the_unreadable_and_the_refused_messages_are_retried() {
        let seen = std::cell::RefCell::new(Vec::new());
        let event = batch(&[r#"{"n": 1}"#, "not json", r#"{"n": "one"}"#, r#"{"n": 4}"#, r#"{"n": 5}"#]);
        let failed = tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(each_message(
            "test",
            event,
            |ping: Ping| {
                seen.borrow_mut().push(ping.n);
                async move { if ping.n == 4 { Err(JobError::Unexpected("refused".to_owned())) } else { Ok(()) } }
            },
        ));
        assert_eq!(failed, ["m1", "m2", "m3"]);
        assert_eq!(*seen.borrow(), [1, 4, 5], "unreadable bodies never reach the handler");
    }

    /// The most handlers in flight at once while `batch` of messages that each
    /// wait a moment run with `at_once`.
    fn most_in_flight(messages: usize, at_once: usize) -> (usize, Vec<String>) {
        let (running, most) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        let bodies: Vec<String> = (0..messages).map(|n| format!(r#"{{"n": {n}}}"#)).collect();
        let event = batch(&bodies.iter().map(String::as_str).collect::<Vec<_>>());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let failed = runtime.block_on(each_message_side_by_side("test", event, at_once, |ping: Ping| {
            let (running, most) = (&running, &most);
            async move {
                running.set(running.get() + 1);
                most.set(most.get().max(running.get()));
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                running.set(running.get() - 1);
                if ping.n == 2 { Err(JobError::Unexpected("refused".to_owned())) } else { Ok(()) }
            }
        }));
        (most.get(), failed)
    }

    #[test]
    fn a_batch_runs_side_by_side_up_to_its_bound_and_still_names_what_failed() {
        assert_eq!(most_in_flight(5, 1), (1, vec!["m2".to_owned()]), "one at a time");
        assert_eq!(most_in_flight(5, 10), (5, vec!["m2".to_owned()]), "the whole batch at once");
        assert_eq!(most_in_flight(10, 4).0, 4, "never more than the bound");
    }
}
