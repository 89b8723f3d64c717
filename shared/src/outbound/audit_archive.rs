//! [`AuditArchive`] on an S3 bucket under Object Lock: one object per audit
//! record, `audit/<day>/<id>.json`, holding the record as first written. The
//! bucket's default retention keeps every version of it from being deleted or
//! overwritten for the retention period, by any function (template.yaml,
//! `AuditArchiveBucket`).

use super::unavailable;
use crate::app::audit::archive::AuditArchive;
use crate::app::store::StoreError;
use crate::domain::AuditRecord;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::RequestChecksumCalculation;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ChecksumAlgorithm;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct AuditArchiveBucket {
    client: Client,
    name: String,
}

impl AuditArchiveBucket {
    pub fn new(sdk: &aws_config::SdkConfig, name: impl Into<String>) -> Self {
        // Checksums on every write: S3 takes none without one under Object Lock.
        Self { client: super::s3::client(sdk, RequestChecksumCalculation::WhenSupported), name: name.into() }
    }

    fn day_prefix(day: time::Date) -> String {
        format!("audit/{day}/")
    }
}

impl AuditArchive for AuditArchiveBucket {
    async fn keep(&self, record: &AuditRecord) -> Result<(), StoreError> {
        let body = serde_json::to_vec(record).expect("audit records serialise");
        self.client
            .put_object()
            .bucket(&self.name)
            .key(format!("{}{}.json", Self::day_prefix(record.at.date()), record.id))
            .content_type("application/json")
            // S3 takes no write to a bucket under Object Lock without a checksum.
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// Each record as first kept: the oldest version of its object. A record
    /// deleted from the table and inserted again with other content makes a newer
    /// version, which the lock cannot stop but this never reads.
    async fn kept_on(&self, day: time::Date) -> Result<Vec<AuditRecord>, StoreError> {
        // S3 lists each key's versions newest first: the last one listed is the oldest.
        let mut first: BTreeMap<String, String> = BTreeMap::new();
        let (mut key_marker, mut version_marker) = (None, None);
        loop {
            let page = self
                .client
                .list_object_versions()
                .bucket(&self.name)
                .prefix(Self::day_prefix(day))
                .set_key_marker(key_marker)
                .set_version_id_marker(version_marker)
                .send()
                .await
                .map_err(unavailable)?;
            for version in page.versions() {
                if let (Some(key), Some(id)) = (version.key(), version.version_id()) {
                    first.insert(key.to_owned(), id.to_owned());
                }
            }
            if page.is_truncated() != Some(true) {
                break;
            }
            (key_marker, version_marker) =
                (page.next_key_marker().map(str::to_owned), page.next_version_id_marker().map(str::to_owned));
        }
        let mut records = Vec::with_capacity(first.len());
        for (key, version) in first {
            let found = self
                .client
                .get_object()
                .bucket(&self.name)
                .key(&key)
                .version_id(version)
                .send()
                .await
                .map_err(unavailable)?;
            let bytes = found.body.collect().await.map_err(|e| StoreError::Unavailable(e.to_string()))?;
            let record =
                serde_json::from_slice(&bytes.into_bytes()).map_err(|e| StoreError::Corrupt(format!("{key}: {e}")))?;
            records.push(record);
        }
        Ok(records)
    }
}
