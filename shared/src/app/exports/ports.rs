//! What exports need besides orders: the export records and the file's upload.

use crate::app::store::StoreError;
use crate::domain::{AuditRecord, Event, ExportId, OrderExport};
use std::future::Future;

pub trait ExportStore {
    /// In one transaction: the export, the event that starts the job, and the
    /// audit record.
    fn create(
        &self,
        export: &OrderExport,
        event: &Event,
        audit: &AuditRecord,
    ) -> impl Future<Output = Result<(), StoreError>>;
    fn get(&self, id: ExportId) -> impl Future<Output = Result<Option<OrderExport>, StoreError>>;
    /// Writes `export` if the stored one is still at run `run` (its `attempts`):
    /// otherwise `VersionMismatch` with the stored run, and nothing is written.
    fn save(&self, export: &OrderExport, run: u32) -> impl Future<Output = Result<(), StoreError>>;
}

/// A file written in numbered parts (an S3 multipart upload): every part but the
/// last at least 5 MiB; nothing is visible until `finish`.
pub trait ExportFiles {
    /// Starts a file at `key`; returns the upload's id.
    fn begin(&self, key: &str) -> impl Future<Output = Result<String, StoreError>>;
    /// Returns the part's tag, which `finish` needs.
    fn write_part(
        &self,
        key: &str,
        upload: &str,
        number: i32,
        bytes: Vec<u8>,
    ) -> impl Future<Output = Result<String, StoreError>>;
    fn finish(&self, key: &str, upload: &str, parts: &[(i32, String)]) -> impl Future<Output = Result<(), StoreError>>;
    fn abandon(&self, key: &str, upload: &str) -> impl Future<Output = Result<(), StoreError>>;
}
