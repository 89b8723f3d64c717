//! DynamoDB stream records, as the jobs reading the table's stream receive them:
//! the fan-out acts on new outbox items, the audit archive on every change to an
//! audit item; everything else on the stream is skipped.

use crate::app::audit::archive::AuditItemChange;
use crate::domain::Event;
use crate::outbound::dynamodb::audit_from_image;
use crate::outbound::dynamodb::keys::{AUDIT_PREFIX, OUTBOX_PREFIX, PRODUCT_PREFIX, PRODUCT_SK};
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

/// The product a record created or changed, for the search index; `None` for
/// any other record.
pub fn written_product(record: &EventRecord) -> Option<crate::domain::ProductId> {
    let pk = string_attribute(&record.change.keys, "PK")?;
    let sk = string_attribute(&record.change.keys, "SK")?;
    let written = matches!(record.event_name.as_str(), "INSERT" | "MODIFY") && sk == PRODUCT_SK;
    pk.strip_prefix(PRODUCT_PREFIX).filter(|_| written)?.parse().ok()
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

/// A product item's images before and after a change, or `None` for any other
/// record (a new product included: it has no stock to have fallen).
pub fn product_change(record: &EventRecord) -> Option<(&serde_dynamo::Item, &serde_dynamo::Item)> {
    let pk = string_attribute(&record.change.keys, "PK")?;
    let sk = string_attribute(&record.change.keys, "SK")?;
    (record.event_name == "MODIFY" && pk.starts_with(PRODUCT_PREFIX) && sk == PRODUCT_SK)
        .then_some((&record.change.old_image, &record.change.new_image))
}

/// What a stream record says about an audit item, or `None` for any other item.
/// Tillbox only ever inserts audit items: any other change is tampering (an
/// overwrite, an update, a delete, or a TTL someone added expiring).
pub fn audit_change(record: &EventRecord) -> Option<AuditItemChange> {
    let pk = string_attribute(&record.change.keys, "PK").filter(|pk| pk.starts_with(AUDIT_PREFIX))?;
    let sk = string_attribute(&record.change.keys, "SK").unwrap_or_default();
    let tampered = |change: String| AuditItemChange::Tampered { key: format!("{pk} {sk}"), change };
    if record.event_name == "INSERT" {
        // Tillbox writes only records it can read back.
        return Some(match audit_from_image(&record.change.new_image) {
            Ok(written) => AuditItemChange::Written(written),
            Err(unreadable) => tampered(format!("INSERT of an unreadable record ({unreadable})")),
        });
    }
    let by = record.user_identity.as_ref().map(|who| who.principal_id.as_str()).unwrap_or("a client");
    Some(tampered(format!("{} by {by}", record.event_name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A stream record as Lambda delivers it (DynamoDB JSON images).
    fn record(event_name: &str, pk: &str, new_image: serde_json::Value) -> EventRecord {
        let sk = "2026-11-22T10:00:00.000000Z#0193a0b2-7c4e-7d1a-9f3e-000000000001";
        serde_json::from_value(json!({
            "eventID": "1", "eventName": event_name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": {"Keys": {"PK": {"S": pk}, "SK": {"S": sk}}, "NewImage": new_image,
                         "SequenceNumber": "1", "SizeBytes": 1, "StreamViewType": "NEW_AND_OLD_IMAGES",
                         "ApproximateCreationDateTime": 1796000000.0},
            "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/t/stream/x"
        }))
        .unwrap()
    }

    fn audit_image() -> serde_json::Value {
        json!({"PK": {"S": "AUDIT#2026-11-22"},
               "SK": {"S": "2026-11-22T10:00:00.000000Z#0193a0b2-7c4e-7d1a-9f3e-000000000001"},
               "actor": {"S": "staff-1"}, "action": {"S": "discount.created"}, "target": {"S": "discount:X"},
               "before": {"S": "null"}, "after": {"S": "{\"percent\":10}"}, "at": {"S": "2026-11-22T10:00:00.000000Z"}})
    }

    #[test]
    fn a_new_audit_record_is_archived_and_any_other_change_to_one_is_tampering() {
        let Some(AuditItemChange::Written(written)) =
            audit_change(&record("INSERT", "AUDIT#2026-11-22", audit_image()))
        else {
            panic!("an insert is a written record")
        };
        assert_eq!((written.actor.as_str(), written.after["percent"].as_i64()), ("staff-1", Some(10)));
        for change in ["MODIFY", "REMOVE"] {
            let found = audit_change(&record(change, "AUDIT#2026-11-22", audit_image()));
            assert!(matches!(&found, Some(AuditItemChange::Tampered { change: c, .. }) if c.starts_with(change)));
        }
        let garbage = audit_change(&record("INSERT", "AUDIT#2026-11-22", json!({"actor": {"S": "x"}})));
        assert!(matches!(garbage, Some(AuditItemChange::Tampered { .. })), "Tillbox never writes those");
        assert_eq!(audit_change(&record("MODIFY", "ORDER#1", json!({}))), None, "not an audit item");
    }
}
