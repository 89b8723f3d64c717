//! The e-mail job: sends the e-mail each event on the `emails` queue calls for.

use super::JobError;
use crate::app::notifications::{self, Links};
use crate::domain::Event;
use crate::domain::access_token::TokenIssuer;
use crate::outbound::dynamodb::Table;
use crate::outbound::ses::Ses;
use aws_lambda_events::sqs::SqsEvent;

pub struct EmailJob {
    pub table: Table,
    pub mailer: Ses,
    pub links: Links,
    /// Signs guests' order links (the only key the job reads from SSM).
    pub order_links: TokenIssuer,
}

/// Handles one batch and returns the ids of the messages to retry.
pub async fn handle(job: &EmailJob, event: SqsEvent) -> Vec<String> {
    super::each_message("emails", event, |event| handle_message(job, event)).await
}

async fn handle_message(job: &EmailJob, event: Event) -> Result<(), JobError> {
    let now = time::OffsetDateTime::now_utc();
    let outcome = notifications::deliver(&job.table, &job.mailer, (&job.links, &job.order_links), &event, now)
        .await
        .map_err(JobError::failed)?;
    tracing::info!(event = %event.id, kind = event.kind.name(), ?outcome, "e-mail event handled");
    Ok(())
}
