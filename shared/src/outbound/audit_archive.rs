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
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ChecksumAlgorithm;

#[derive(Clone, Debug)]
pub struct AuditArchiveBucket {
    client: Client,
    name: String,
}

impl AuditArchiveBucket {
    pub fn new(sdk: &aws_config::SdkConfig, name: impl Into<String>) -> Self {
        let config = aws_sdk_s3::config::Builder::from(sdk)
            // Emulators and `localhost` do not resolve virtual-hosted bucket names.
            .force_path_style(sdk.endpoint_url().is_some())
            .build();
        Self { client: Client::from_conf(config), name: name.into() }
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

    async fn kept_on(&self, day: time::Date) -> Result<Vec<AuditRecord>, StoreError> {
        let mut records = Vec::new();
        let mut pages =
            self.client.list_objects_v2().bucket(&self.name).prefix(Self::day_prefix(day)).into_paginator().send();
        while let Some(page) = pages.next().await {
            for object in page.map_err(unavailable)?.contents() {
                let Some(key) = object.key() else { continue };
                let found = self.client.get_object().bucket(&self.name).key(key).send().await.map_err(unavailable)?;
                let bytes = found.body.collect().await.map_err(|e| StoreError::Unavailable(e.to_string()))?;
                let record = serde_json::from_slice(&bytes.into_bytes())
                    .map_err(|e| StoreError::Corrupt(format!("{key}: {e}")))?;
                records.push(record);
            }
        }
        Ok(records)
    }
}
