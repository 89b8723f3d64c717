//! S3 event notifications as they arrive in an SQS message body.

use percent_encoding::percent_decode_str;
use serde::Deserialize;

/// What one SQS message from the bucket's notification says: the typed body of
/// the `images` queue's messages. Keys in S3 events are form-encoded (`+` is a
/// space, everything else percent-encoded); these are decoded.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Body")]
pub enum Notification {
    /// Sent once when the notification is configured; carries no object.
    Test,
    /// Objects created, with their keys already decoded.
    Created(Vec<CreatedObject>),
}

#[derive(Debug, PartialEq, Eq)]
pub struct CreatedObject {
    pub bucket: String,
    pub key: String,
}

#[derive(Deserialize)]
struct Body {
    #[serde(rename = "Event")]
    event: Option<String>,
    #[serde(rename = "Records", default)]
    records: Vec<Record>,
}

#[derive(Deserialize)]
struct Record {
    #[serde(rename = "eventName")]
    event_name: String,
    s3: S3Entity,
}

#[derive(Deserialize)]
struct S3Entity {
    bucket: BucketEntity,
    object: ObjectEntity,
}

#[derive(Deserialize)]
struct BucketEntity {
    name: String,
}

#[derive(Deserialize)]
struct ObjectEntity {
    key: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not an S3 event notification: {0}")]
pub struct NotANotification(String);

impl TryFrom<Body> for Notification {
    type Error = NotANotification;

    fn try_from(body: Body) -> Result<Self, Self::Error> {
        if body.event.as_deref() == Some("s3:TestEvent") {
            return Ok(Notification::Test);
        }
        if body.records.is_empty() {
            return Err(NotANotification("no Records".into()));
        }
        let objects = body
            .records
            .into_iter()
            .filter(|r| r.event_name.starts_with("ObjectCreated:"))
            .map(|r| {
                let plus_decoded = r.s3.object.key.replace('+', " ");
                let key = percent_decode_str(&plus_decoded)
                    .decode_utf8()
                    .map_err(|e| NotANotification(format!("key is not UTF-8: {e}")))?
                    .into_owned();
                Ok(CreatedObject { bucket: r.s3.bucket.name, key })
            })
            .collect::<Result<_, _>>()?;
        Ok(Notification::Created(objects))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<Notification, String> {
        serde_json::from_str(body).map_err(|e| e.to_string())
    }

    #[test]
    fn test_events_carry_no_object() {
        let body = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-21T10:00:00.000Z","Bucket":"b","RequestId":"r","HostId":"h"}"#;
        assert_eq!(parse(body), Ok(Notification::Test));
    }

    #[test]
    fn keys_are_decoded() {
        let body = r#"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",
            "s3":{"bucket":{"name":"b"},"object":{"key":"quarantine/a%2Fb/my+photo%C3%A9.png","size":3}}}]}"#;
        let Notification::Created(objects) = parse(body).unwrap() else { panic!("expected objects") };
        assert_eq!(objects, [CreatedObject { bucket: "b".into(), key: "quarantine/a/b/my photoé.png".into() }]);
    }

    #[test]
    fn anything_else_is_refused() {
        assert!(parse("not json").is_err());
        assert!(parse("{}").is_err());
    }
}
