//! Receipts: a PDF per paid order, printed once by the receipts job when the
//! order is paid, and handed to its owner (or staff) as a short-lived link.

pub mod ports;

use crate::app::catalog::ports::FileStore;
use crate::app::error::{CommonError, shares_common_errors};
use crate::app::orders::ports::OrderStore;
use crate::app::payments::ports::PaymentStore;
use crate::domain::{OrderId, Principal, Receipt, VatRate};
use ports::{Disposition, DownloadSigner, ReceiptPrinter};
use std::time::Duration;

/// How long a receipt link works.
pub const LINK_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// What the shop prints on every receipt.
#[derive(Debug, Clone)]
pub struct ReceiptSettings {
    pub shop_name: String,
    pub vat: Option<VatRate>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReceiptsError {
    #[error("an order gets a receipt once it is paid")]
    NotPaid,
    /// Paid, but the receipts job has not printed it yet (seconds).
    #[error("the receipt is being printed; retry in a few seconds")]
    NotReady,
    #[error("the receipt could not be printed: {0}")]
    Printing(String),
    #[error(transparent)]
    Common(#[from] CommonError),
}

shares_common_errors!(ReceiptsError);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printed {
    Printed,
    /// Printed by an earlier delivery of the same event.
    AlreadyThere,
    /// No paid order has this id: nothing to print, and retrying will not help.
    NothingToPrint,
}

/// Prints the order's receipt into the bucket, once: a redelivered event finds
/// the file and stops.
pub async fn print(
    store: &(impl OrderStore + PaymentStore),
    files: &impl FileStore,
    printer: &impl ReceiptPrinter,
    settings: &ReceiptSettings,
    order_id: OrderId,
) -> Result<Printed, ReceiptsError> {
    let key = Receipt::file_key(order_id);
    if files.size(&key).await?.is_some() {
        return Ok(Printed::AlreadyThere);
    }
    let Some(order) = OrderStore::get(store, order_id).await? else {
        return Ok(Printed::NothingToPrint);
    };
    let payment = store.payment(order_id, 1).await?.filter(|p| p.status.captured());
    let Some(receipt) = Receipt::of(&order, payment.as_ref(), &settings.shop_name, settings.vat) else {
        return Ok(Printed::NothingToPrint);
    };
    let pdf = printer.print(&receipt).map_err(ReceiptsError::Printing)?;
    files.write(&key, pdf, "application/pdf").await?;
    Ok(Printed::Printed)
}

/// A link to the order's receipt, valid [`LINK_LIFETIME`], for the order's owner
/// or staff; to anyone else the order does not exist.
pub async fn link(
    store: &impl OrderStore,
    files: &(impl FileStore + DownloadSigner),
    principal: &Principal,
    order_id: OrderId,
) -> Result<String, ReceiptsError> {
    let order = store
        .get(order_id)
        .await?
        .filter(|o| principal.is_staff() || o.customer == principal.subject)
        .ok_or(CommonError::NotFound)?;
    if order.paid_at.is_none() {
        return Err(ReceiptsError::NotPaid);
    }
    let key = Receipt::file_key(order_id);
    if files.size(&key).await?.is_none() {
        return Err(ReceiptsError::NotReady);
    }
    Ok(files
        .sign_download(&key, &format!("receipt-{}.pdf", order_id.short()), Disposition::Inline, LINK_LIFETIME)
        .await?)
}
