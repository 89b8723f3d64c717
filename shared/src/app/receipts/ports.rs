//! What invoices and credit notes need besides orders, payments, refunds and
//! the bucket.

use crate::app::store::StoreError;
use crate::domain::{Invoice, OrderId};
use std::future::Future;
use std::time::Duration;

/// Lays an invoice or credit note out as a file (a PDF).
pub trait DocumentPrinter {
    fn print(&self, document: &Invoice) -> Result<Vec<u8>, String>;
}

/// The shop's gapless document sequences. A number is taken in the same write
/// that gives it to its document, so none is skipped, reused or given twice,
/// however many jobs number at once.
pub trait DocumentNumbers {
    /// The order's invoice number: the next of the invoice sequence the first
    /// time, the same one ever after. The order must exist.
    fn invoice_number(&self, order: OrderId) -> impl Future<Output = Result<u64, StoreError>>;
    /// The refund's credit-note number, likewise from the credit-note sequence.
    fn credit_note_number(&self, order: OrderId, refund: &str) -> impl Future<Output = Result<u64, StoreError>>;
}

/// How a browser treats a downloaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Shown in the browser (an invoice).
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
