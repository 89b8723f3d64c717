//! Invoices and credit notes: a paid order's invoice is printed once by the
//! receipts job, numbered from the shop's gapless invoice sequence, and handed
//! to its owner (or staff) as a short-lived link (`GET /orders/{id}/receipt`);
//! each refund gets a credit note referencing the invoice, from its own sequence.

pub mod ports;

use crate::app::catalog::ports::FileStore;
use crate::app::error::{CommonError, shares_common_errors};
use crate::app::orders::ports::OrderStore;
use crate::app::payments::ports::{PaymentStore, RefundStore};
use crate::domain::{Invoice, OrderId, Principal, RefundStatus, Seller};
use ports::{Disposition, DocumentNumbers, DocumentPrinter, DownloadSigner};
use std::time::Duration;

/// How long an invoice link works.
pub const LINK_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// What the shop prints on every invoice.
#[derive(Debug, Clone)]
pub struct InvoiceSettings {
    pub shop_name: String,
    pub seller: Seller,
}

#[derive(Debug, thiserror::Error)]
pub enum ReceiptsError {
    #[error("an order gets its invoice once it is paid")]
    NotPaid,
    /// Paid, but the receipts job has not printed it yet (seconds).
    #[error("the invoice is being printed; retry in a few seconds")]
    NotReady,
    #[error("the document could not be printed: {0}")]
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

/// Prints the order's invoice into the bucket, once: a redelivered event finds
/// the file and stops. The order takes its invoice number first, so a crash
/// after numbering prints the same number again, never a new one.
pub async fn print(
    store: &(impl OrderStore + PaymentStore + DocumentNumbers),
    files: &impl FileStore,
    printer: &impl DocumentPrinter,
    settings: &InvoiceSettings,
    order_id: OrderId,
) -> Result<Printed, ReceiptsError> {
    let key = Invoice::file_key(order_id);
    if files.size(&key).await?.is_some() {
        return Ok(Printed::AlreadyThere);
    }
    let Some(order) = OrderStore::get(store, order_id).await?.filter(|o| o.paid_at.is_some()) else {
        return Ok(Printed::NothingToPrint);
    };
    let number = store.invoice_number(order_id).await?;
    let payment = store.payment(order_id, 1).await?.filter(|p| p.status.captured());
    let shop = (settings.shop_name.as_str(), &settings.seller);
    let Some(invoice) = Invoice::of(&order, payment.as_ref(), shop, number) else {
        return Ok(Printed::NothingToPrint);
    };
    let pdf = printer.print(&invoice).map_err(ReceiptsError::Printing)?;
    files.write(&key, pdf, "application/pdf").await?;
    Ok(Printed::Printed)
}

/// Prints a paid order's packing slip (what to pick, where it goes), once.
pub async fn print_packing_slip(
    store: &impl OrderStore,
    files: &impl FileStore,
    printer: &impl DocumentPrinter,
    settings: &InvoiceSettings,
    order_id: OrderId,
    now: crate::domain::Timestamp,
) -> Result<Printed, ReceiptsError> {
    let key = Invoice::packing_slip_key(order_id);
    if files.size(&key).await?.is_some() {
        return Ok(Printed::AlreadyThere);
    }
    let Some(order) = OrderStore::get(store, order_id).await?.filter(|o| o.paid_at.is_some()) else {
        return Ok(Printed::NothingToPrint);
    };
    let slip = Invoice::packing_slip(&order, (settings.shop_name.as_str(), &settings.seller), now);
    let pdf = printer.print(&slip).map_err(ReceiptsError::Printing)?;
    files.write(&key, pdf, "application/pdf").await?;
    Ok(Printed::Printed)
}

/// A link to a paid order's packing slip, valid [`LINK_LIFETIME`], for staff.
pub async fn packing_slip_link(
    store: &impl OrderStore,
    files: &(impl FileStore + DownloadSigner),
    principal: &Principal,
    order_id: OrderId,
) -> Result<String, ReceiptsError> {
    let order = store.get(order_id).await?;
    if !principal.is_staff() {
        order.filter(|o| o.customer == principal.subject).ok_or(CommonError::NotFound)?;
        return Err(CommonError::forbidden(crate::domain::Role::Staff).into());
    }
    let order = order.ok_or(CommonError::NotFound)?;
    if order.paid_at.is_none() {
        return Err(ReceiptsError::NotPaid);
    }
    let key = Invoice::packing_slip_key(order_id);
    if files.size(&key).await?.is_none() {
        return Err(ReceiptsError::NotReady);
    }
    let filename = format!("packing-slip-{}.pdf", order_id.short());
    Ok(files.sign_download(&key, &filename, Disposition::Inline, LINK_LIFETIME).await?)
}

/// Prints the credit note of a refund that went through, once, numbered from
/// the credit-note sequence and referencing the order's invoice (numbered
/// first if the refund came before it was printed).
pub async fn print_credit_note(
    store: &(impl OrderStore + RefundStore + DocumentNumbers),
    files: &impl FileStore,
    printer: &impl DocumentPrinter,
    settings: &InvoiceSettings,
    (order_id, refund_id): (OrderId, &str),
) -> Result<Printed, ReceiptsError> {
    let key = Invoice::credit_note_key(order_id, refund_id);
    if files.size(&key).await?.is_some() {
        return Ok(Printed::AlreadyThere);
    }
    let order = OrderStore::get(store, order_id).await?.filter(|o| o.paid_at.is_some());
    let refund = store.refund(order_id, refund_id).await?.filter(|r| r.status == RefundStatus::Succeeded);
    let (Some(order), Some(refund)) = (order, refund) else { return Ok(Printed::NothingToPrint) };
    let invoice = store.invoice_number(order_id).await?;
    let number = store.credit_note_number(order_id, refund_id).await?;
    let shop = (settings.shop_name.as_str(), &settings.seller);
    let restocked: Vec<_> = refund.restock.iter().map(|r| (r.variant_id, r.quantity)).collect();
    let refunded = (refund.amount, refund.reason.as_str(), refund.updated_at, restocked.as_slice());
    let note = Invoice::credit_note(&order, refunded, shop, (number, invoice));
    let pdf = printer.print(&note).map_err(ReceiptsError::Printing)?;
    files.write(&key, pdf, "application/pdf").await?;
    Ok(Printed::Printed)
}

/// A link to the order's invoice, valid [`LINK_LIFETIME`], for the order's owner
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
    let key = Invoice::file_key(order_id);
    if files.size(&key).await?.is_none() {
        return Err(ReceiptsError::NotReady);
    }
    Ok(files
        .sign_download(&key, &format!("invoice-{}.pdf", order_id.short()), Disposition::Inline, LINK_LIFETIME)
        .await?)
}

/// A link to a refund's credit note, valid [`LINK_LIFETIME`], for the order's
/// owner or staff; to anyone else the order does not exist.
pub async fn credit_note_link(
    store: &(impl OrderStore + RefundStore),
    files: &(impl FileStore + DownloadSigner),
    principal: &Principal,
    (order_id, refund_id): (OrderId, &str),
) -> Result<String, ReceiptsError> {
    store
        .get(order_id)
        .await?
        .filter(|o| principal.is_staff() || o.customer == principal.subject)
        .ok_or(CommonError::NotFound)?;
    store.refund(order_id, refund_id).await?.ok_or(CommonError::NotFound)?;
    let key = Invoice::credit_note_key(order_id, refund_id);
    if files.size(&key).await?.is_none() {
        return Err(ReceiptsError::NotReady);
    }
    let filename = format!("credit-note-{}.pdf", order_id.short());
    Ok(files.sign_download(&key, &filename, Disposition::Inline, LINK_LIFETIME).await?)
}
