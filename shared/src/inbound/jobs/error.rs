//! Why a job could not handle a message, a stream record or a scheduled run. The
//! failure is logged with its whole chain of causes and the message retried; what
//! keeps failing ends in the job's dead-letter queue.

use std::error::Error;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The message body is not the job's message type.
    #[error("unreadable message")]
    Unreadable(#[source] serde_json::Error),
    /// A stream record that should hold an outbox event and does not.
    #[error("unreadable stream record")]
    UnreadableRecord(#[source] crate::inbound::events::dynamodb_stream::RecordError),
    /// A readable message this job does not handle.
    #[error("not a message for this job: {0}")]
    Unexpected(String),
    /// The use case or an adapter failed: storage, a queue, a provider.
    #[error(transparent)]
    Failed(Box<dyn Error + Send + Sync + 'static>),
}

impl JobError {
    pub fn failed(error: impl Error + Send + Sync + 'static) -> Self {
        Self::Failed(Box::new(error))
    }

    /// The error and each of its causes, `: `-separated, for the log line.
    pub fn report(&self) -> String {
        let mut report = self.to_string();
        let mut cause = self.source();
        while let Some(error) = cause {
            report.push_str(": ");
            report.push_str(&error.to_string());
            cause = error.source();
        }
        report
    }
}
