//! What receipts need besides orders, payments and the bucket.

use crate::app::store::StoreError;
use crate::domain::Receipt;
use std::future::Future;
use std::time::Duration;

/// Lays a receipt out as a file (a one-page PDF).
pub trait ReceiptPrinter {
    fn print(&self, receipt: &Receipt) -> Result<Vec<u8>, String>;
}

/// How a browser treats a downloaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Shown in the browser (a receipt).
    Inline,
    /// Saved as a file, never rendered (an export of customer data).
    Attachment,
}

/// Short-lived links to files in the bucket.
pub trait DownloadSigner {
    /// A URL that downloads `key` as `filename` until `expires_in` has passed.
    fn sign_download(
        &self,
        key: &str,
        filename: &str,
        disposition: Disposition,
        expires_in: Duration,
    ) -> impl Future<Output = Result<String, StoreError>>;
}
