//! Why a job could not handle a message, a stream record or a scheduled run. The
//! failure is logged with its whole chain of causes and the message retried; what
//! keeps failing ends in the job's dead-letter queue.

use std::error::Error;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The message body is not the job's message type.
    #[error("unreadable message")]
    Unreadable(#[source] serde_json::Error),
    /// A provider event whose object is not what its type promises.
    #[error("event {id}")]
    UnreadableEvent { id: String, source: serde_json::Error },
    /// A stream record that should hold an outbox event and does not.
    #[error(transparent)]
    UnreadableRecord(crate::inbound::events::dynamodb_stream::RecordError),
    /// A readable message this job does not handle.
    #[error("{0}")]
    Unexpected(String),
    /// The use case or an adapter failed: storage, a queue, a provider.
    #[error(transparent)]
    Failed(Box<dyn Error + Send + Sync + 'static>),
}

impl JobError {
    pub fn failed(error: impl Error + Send + Sync + 'static) -> Self {
        Self::Failed(Box::new(error))
    }

    /// The error and each of its causes, `: `-separated, for the log line. A
    /// cause an error already shows in its own message is not repeated.
    pub fn report(&self) -> String {
        let mut report = self.to_string();
        let mut cause = self.source();
        while let Some(error) = cause {
            let text = error.to_string();
            if !report.ends_with(&text) {
                report.push_str(": ");
                report.push_str(&text);
            }
            cause = error.source();
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::error::CommonError;
    use crate::app::orders::OrdersError;
    use crate::domain::validation::{FieldError, Invalid};
    use crate::inbound::events::dynamodb_stream::RecordError;

    fn json_error() -> serde_json::Error {
        serde_json::from_str::<u8>("x").unwrap_err()
    }

    #[test]
    fn reports_name_the_failure_and_each_cause_once() {
        assert_eq!(JobError::Unreadable(json_error()).report(), format!("unreadable message: {}", json_error()));
        let event = JobError::UnreadableEvent { id: "evt_1".into(), source: json_error() };
        assert_eq!(event.report(), format!("event evt_1: {}", json_error()));
        let record = JobError::UnreadableRecord(RecordError::Payload(json_error()));
        assert_eq!(record.report(), format!("outbox payload: {}", json_error()));
        assert_eq!(
            JobError::Unexpected("not an export request: order.paid".into()).report(),
            "not an export request: order.paid"
        );
        let invalid = CommonError::from(Invalid(vec![FieldError::new("lines[0].quantity", "too many")]));
        let once = JobError::failed(OrdersError::from(invalid)).report();
        assert_eq!(once, "invalid input: lines[0].quantity: too many");
    }
}
