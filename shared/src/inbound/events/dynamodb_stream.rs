//! DynamoDB stream records, as the fan-out job receives them: only the outbox
//! items Tillbox wrote matter; everything else on the stream is skipped.

use crate::domain::Event;
use crate::outbound::dynamodb::keys::OUTBOX_PREFIX;
use aws_lambda_events::dynamodb::EventRecord;

/// What one stream record means to the fan-out.
#[derive(Debug, PartialEq)]
pub enum StreamRecord {
    /// A new outbox item: an event to deliver.
    Published(Event),
    /// Any other change to the table (and outbox items expiring).
    Unrelated,
}

fn string_attribute(item: &serde_dynamo::Item, name: &str) -> Option<String> {
    match item.get(name)? {
        serde_dynamo::AttributeValue::S(value) => Some(value.clone()),
        _ => None,
    }
}

/// An outbox item that does not hold a readable event: a bug, never something a
/// retry can fix.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("outbox item without a `payload`; is the stream view NEW_AND_OLD_IMAGES?")]
    NoPayload,
    #[error("outbox payload")]
    Payload(#[source] serde_json::Error),
}

pub fn parse(record: &EventRecord) -> Result<StreamRecord, RecordError> {
    let is_outbox = string_attribute(&record.change.keys, "PK").is_some_and(|pk| pk.starts_with(OUTBOX_PREFIX));
    if record.event_name != "INSERT" || !is_outbox {
        return Ok(StreamRecord::Unrelated);
    }
    let payload = string_attribute(&record.change.new_image, "payload").ok_or(RecordError::NoPayload)?;
    serde_json::from_str(&payload).map(StreamRecord::Published).map_err(RecordError::Payload)
}
