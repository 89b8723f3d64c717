use super::MemoryShop;
use tillbox::app::exports::ports::{ExportFiles, ExportStore};
use tillbox::app::store::StoreError;
use tillbox::domain::{AuditRecord, Event, ExportId, OrderExport};

/// A multipart upload in progress: its key and the numbered parts written.
pub type Upload = (String, Vec<(i32, Vec<u8>)>);

impl ExportStore for MemoryShop {
    async fn create(&self, export: &OrderExport, event: &Event, audit: &AuditRecord) -> Result<(), StoreError> {
        self.exports.borrow_mut().insert(export.id, export.clone());
        self.events.borrow_mut().push(event.clone());
        self.audits.borrow_mut().push(audit.clone());
        Ok(())
    }

    async fn get(&self, id: ExportId) -> Result<Option<OrderExport>, StoreError> {
        Ok(self.exports.borrow().get(&id).cloned())
    }

    async fn save(&self, export: &OrderExport, run: u32) -> Result<(), StoreError> {
        let mut exports = self.exports.borrow_mut();
        let stored = exports.get_mut(&export.id).ok_or(StoreError::NotFound)?;
        if stored.attempts != run {
            return Err(StoreError::VersionMismatch { current: u64::from(stored.attempts) });
        }
        *stored = export.clone();
        self.export_saves.borrow_mut().push(export.clone());
        Ok(())
    }
}

/// Multipart uploads in memory: parts are kept by upload id until `finish`
/// joins them into the file, as S3 does; `parts_fail` makes part writes fail.
impl ExportFiles for MemoryShop {
    async fn begin(&self, key: &str) -> Result<String, StoreError> {
        let id = format!("upload-{}", self.multipart.borrow().len() + 1);
        self.multipart.borrow_mut().insert(id.clone(), (key.to_owned(), Vec::new()));
        Ok(id)
    }

    async fn write_part(&self, _key: &str, upload: &str, number: i32, bytes: Vec<u8>) -> Result<String, StoreError> {
        if self.parts_fail.get() {
            return Err(StoreError::Unavailable("the bucket is down".into()));
        }
        let mut uploads = self.multipart.borrow_mut();
        let (_, parts) = uploads.get_mut(upload).ok_or(StoreError::NotFound)?;
        parts.push((number, bytes));
        Ok(format!("etag-{number}"))
    }

    async fn finish(&self, key: &str, upload: &str, parts: &[(i32, String)]) -> Result<(), StoreError> {
        let (_, written) = self.multipart.borrow_mut().remove(upload).ok_or(StoreError::NotFound)?;
        assert_eq!(written.len(), parts.len(), "every part written is named");
        let bytes = written.into_iter().flat_map(|(_, bytes)| bytes).collect();
        self.files.borrow_mut().insert(key.to_owned(), (bytes, "text/csv; charset=utf-8".into()));
        Ok(())
    }

    async fn abandon(&self, _key: &str, upload: &str) -> Result<(), StoreError> {
        self.multipart.borrow_mut().remove(upload);
        Ok(())
    }
}
