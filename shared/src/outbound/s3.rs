//! [`FileStore`], [`UploadSigner`], [`DownloadSigner`], [`ExportFiles`] and
//! [`SearchDocuments`] on the S3 bucket.

use super::unavailable;
use crate::app::catalog::ports::{FileStore, SignedUpload, UploadSigner};
use crate::app::exports::ports::ExportFiles;
use crate::app::receipts::ports::{Disposition, DownloadSigner};
use crate::app::search::ports::{Loaded, SearchDocuments, StoredDocuments};
use crate::app::store::StoreError;
use crate::domain::ImageFormat;
use crate::domain::search::SearchDocument;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::RequestChecksumCalculation;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Bucket {
    client: Client,
    name: String,
}

impl Bucket {
    pub fn new(sdk: &aws_config::SdkConfig, name: impl Into<String>) -> Self {
        // Otherwise presigned PUTs carry a checksum of an empty body, and the
        // browser's upload of the real file fails the signature.
        Self { client: client(sdk, RequestChecksumCalculation::WhenRequired), name: name.into() }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// An S3 client for `sdk`, computing request checksums as `checksums` says.
pub(super) fn client(sdk: &aws_config::SdkConfig, checksums: RequestChecksumCalculation) -> Client {
    let config = aws_sdk_s3::config::Builder::from(sdk)
        // Emulators and `localhost` do not resolve virtual-hosted bucket names.
        .force_path_style(sdk.endpoint_url().is_some())
        .request_checksum_calculation(checksums)
        .build();
    Client::from_conf(config)
}

impl UploadSigner for Bucket {
    async fn sign_upload(
        &self,
        key: &str,
        format: ImageFormat,
        content_length: u64,
        expires_in: Duration,
    ) -> Result<SignedUpload, StoreError> {
        let length =
            i64::try_from(content_length).map_err(|_| StoreError::Unavailable("length out of range".into()))?;
        let config = PresigningConfig::expires_in(expires_in).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        // Type and length are signed headers: S3 refuses a PUT that differs in either.
        let request = self
            .client
            .put_object()
            .bucket(&self.name)
            .key(key)
            .content_type(format.content_type())
            .content_length(length)
            .presigned(config)
            .await
            .map_err(unavailable)?;
        // Only the signed headers: the SDK may add others (a trace id) that the
        // client need not send.
        let signed: Vec<String> = request
            .uri()
            .split("X-Amz-SignedHeaders=")
            .nth(1)
            .and_then(|rest| rest.split('&').next())
            .map(|list| list.split("%3B").map(str::to_ascii_lowercase).collect())
            .unwrap_or_default();
        let headers = request
            .headers()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
            .filter(|(name, _)| name != "host" && signed.contains(name))
            .collect();
        Ok(SignedUpload { url: request.uri().to_owned(), headers })
    }
}

impl FileStore for Bucket {
    async fn size(&self, key: &str) -> Result<Option<u64>, StoreError> {
        match self.client.head_object().bucket(&self.name).key(key).send().await {
            Ok(head) => Ok(Some(head.content_length().and_then(|l| u64::try_from(l).ok()).unwrap_or(0))),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn read(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let object = self.client.get_object().bucket(&self.name).key(key).send().await.map_err(unavailable)?;
        let bytes = object.body.collect().await.map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(bytes.to_vec())
    }

    async fn write(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), StoreError> {
        self.client
            .put_object()
            .bucket(&self.name)
            .key(key)
            .content_type(content_type)
            .cache_control("public, max-age=31536000, immutable")
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.client.delete_object().bucket(&self.name).key(key).send().await.map_err(unavailable)?;
        Ok(())
    }
}

impl DownloadSigner for Bucket {
    async fn sign_download(
        &self,
        key: &str,
        filename: &str,
        disposition: Disposition,
        expires_in: Duration,
    ) -> Result<String, StoreError> {
        let disposition = match disposition {
            Disposition::Inline => "inline",
            Disposition::Attachment => "attachment",
        };
        let config = PresigningConfig::expires_in(expires_in).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let request = self
            .client
            .get_object()
            .bucket(&self.name)
            .key(key)
            .response_content_disposition(format!("{disposition}; filename=\"{filename}\""))
            .presigned(config)
            .await
            .map_err(unavailable)?;
        Ok(request.uri().to_owned())
    }
}

impl ExportFiles for Bucket {
    async fn begin(&self, key: &str) -> Result<String, StoreError> {
        let upload = self
            .client
            .create_multipart_upload()
            .bucket(&self.name)
            .key(key)
            .content_type("text/csv; charset=utf-8")
            .send()
            .await
            .map_err(unavailable)?;
        upload.upload_id.ok_or_else(|| StoreError::Unavailable("S3 returned no upload id".into()))
    }

    async fn write_part(&self, key: &str, upload: &str, number: i32, bytes: Vec<u8>) -> Result<String, StoreError> {
        let part = self
            .client
            .upload_part()
            .bucket(&self.name)
            .key(key)
            .upload_id(upload)
            .part_number(number)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(unavailable)?;
        part.e_tag.ok_or_else(|| StoreError::Unavailable("S3 returned no part tag".into()))
    }

    async fn finish(&self, key: &str, upload: &str, parts: &[(i32, String)]) -> Result<(), StoreError> {
        let parts = parts
            .iter()
            .map(|(number, tag)| CompletedPart::builder().part_number(*number).e_tag(tag).build())
            .collect();
        self.client
            .complete_multipart_upload()
            .bucket(&self.name)
            .key(key)
            .upload_id(upload)
            .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn abandon(&self, key: &str, upload: &str) -> Result<(), StoreError> {
        self.client
            .abort_multipart_upload()
            .bucket(&self.name)
            .key(key)
            .upload_id(upload)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

/// Where the search documents are kept: private (the bucket policy shares only
/// `images/`, `admin/` and `account/`).
const SEARCH_DOCUMENTS_KEY: &str = "search/products.json";

/// The stored form of the search documents; `format` changes with any change a
/// reader of the previous release could not read.
#[derive(serde::Serialize, serde::Deserialize)]
struct SearchDocumentsFile<D> {
    format: u32,
    documents: D,
}

const SEARCH_DOCUMENTS_FORMAT: u32 = 1;

impl SearchDocuments for Bucket {
    async fn load(&self, known_tag: Option<&str>) -> Result<Loaded, StoreError> {
        let request = self.client.get_object().bucket(&self.name).key(SEARCH_DOCUMENTS_KEY);
        let object = match request.set_if_none_match(known_tag.map(str::to_owned)).send().await {
            Ok(object) => object,
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 304) => return Ok(Loaded::Unchanged),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => {
                return Ok(Loaded::Current(StoredDocuments::default()));
            }
            Err(e) => return Err(unavailable(e)),
        };
        let tag = object.e_tag.clone().ok_or_else(|| StoreError::Unavailable("S3 returned no ETag".into()))?;
        let bytes = object.body.collect().await.map_err(|e| StoreError::Unavailable(e.to_string()))?.into_bytes();
        let unreadable = |reason: String| Loaded::Unreadable {
            tag: tag.clone(),
            reason: format!("{SEARCH_DOCUMENTS_KEY}: {reason}"),
        };
        Ok(match serde_json::from_slice::<SearchDocumentsFile<Vec<SearchDocument>>>(&bytes) {
            Err(e) => unreadable(e.to_string()),
            Ok(file) if file.format != SEARCH_DOCUMENTS_FORMAT => {
                unreadable(format!("format {} is unknown", file.format))
            }
            Ok(file) => Loaded::Current(StoredDocuments { documents: file.documents, tag: Some(tag) }),
        })
    }

    async fn save(&self, documents: &[SearchDocument], expected_tag: Option<&str>) -> Result<String, StoreError> {
        let file = SearchDocumentsFile { format: SEARCH_DOCUMENTS_FORMAT, documents };
        let bytes = serde_json::to_vec(&file).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let request = self
            .client
            .put_object()
            .bucket(&self.name)
            .key(SEARCH_DOCUMENTS_KEY)
            .content_type("application/json")
            .body(ByteStream::from(bytes));
        // S3's conditional writes: replace only the object read, or create only
        // if there is none.
        let request = match expected_tag {
            Some(tag) => request.if_match(tag),
            None => request.if_none_match("*"),
        };
        match request.send().await {
            Ok(written) => written.e_tag.ok_or_else(|| StoreError::Unavailable("S3 returned no ETag".into())),
            // 412: replaced or created meanwhile; 409: a concurrent conditional write won.
            Err(e) if e.raw_response().is_some_and(|r| matches!(r.status().as_u16(), 409 | 412)) => {
                Err(StoreError::Replaced)
            }
            Err(e) => Err(unavailable(e)),
        }
    }
}
