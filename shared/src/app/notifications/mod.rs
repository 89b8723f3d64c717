//! The e-mails Tillbox sends, and the use case that turns a domain event into one.

mod templates;

pub use templates::{Links, Mail};

use crate::app::accounts::ports::{OneTimeTokens, UserStore};
use crate::app::carts::ports::CartStore;
use crate::app::orders::ports::OrderStore;
use crate::app::store::StoreError;
use crate::app::webhooks::ports::WebhookStore;
use crate::domain::access_token::TokenIssuer;
use crate::domain::returns::ReturnStatus;
use crate::domain::{Email, Event, EventKind, OneTimePurpose, OneTimeToken, Timestamp};
use std::future::Future;

/// Sends one e-mail.
pub trait Mailer {
    fn send(&self, to: &Email, mail: &Mail) -> impl Future<Output = Result<(), StoreError>>;
}

/// Remembers which events a consumer has handled, so a redelivered event does
/// nothing twice.
pub trait DeliveryLog {
    fn is_done(&self, consumer: &str, event: &Event) -> impl Future<Output = Result<bool, StoreError>>;
    fn mark_done(&self, consumer: &str, event: &Event, now: Timestamp) -> impl Future<Output = Result<(), StoreError>>;
}

const CONSUMER: &str = "emails";

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    AlreadySent,
    /// The event concerns no one who should get mail now (user gone or disabled).
    Skipped,
}

/// The e-mail an order event sends its customer; `link` is a guest's order link.
fn order_mail(links: &Links, kind: &EventKind, order: &crate::domain::Order, link: Option<&str>) -> Mail {
    match kind {
        EventKind::OrderPlaced { .. } => links.order_received(order, link),
        EventKind::OrderPaid { .. } => links.order_paid(order, link),
        EventKind::OrderFulfilled { .. } => links.order_shipped(order, link),
        EventKind::OrderRefunded { .. } => links.order_refunded(order, link),
        EventKind::ReturnRequested { .. } => links.return_changed(order, link, ReturnStatus::Requested),
        EventKind::ReturnApproved { .. } => links.return_changed(order, link, ReturnStatus::Approved),
        EventKind::ReturnRejected { .. } => links.return_changed(order, link, ReturnStatus::Rejected),
        EventKind::ReturnReceived { .. } => links.return_changed(order, link, ReturnStatus::Received),
        _ => links.order_cancelled(order, link),
    }
}

/// Sends the e-mail an event calls for, at most once per event (a crash between
/// sending and recording can repeat one e-mail; it never loses one). Links carry a
/// fresh single-use token, created here so that no event or queue message ever
/// holds a usable secret.
pub async fn deliver(
    store: &(impl UserStore + OneTimeTokens + DeliveryLog + OrderStore + WebhookStore + CartStore),
    mailer: &impl Mailer,
    (links, order_links): (&Links, &TokenIssuer),
    event: &Event,
    now: Timestamp,
) -> Result<Outcome, StoreError> {
    if store.is_done(CONSUMER, event).await? {
        return Ok(Outcome::AlreadySent);
    }
    let order_event = match &event.kind {
        EventKind::OrderPlaced { order_id }
        | EventKind::OrderPaid { order_id }
        | EventKind::OrderFulfilled { order_id }
        | EventKind::OrderCancelled { order_id }
        | EventKind::OrderRefunded { order_id, .. }
        | EventKind::ReturnRequested { order_id, .. }
        | EventKind::ReturnApproved { order_id, .. }
        | EventKind::ReturnRejected { order_id, .. }
        | EventKind::ReturnReceived { order_id, .. } => Some(*order_id),
        _ => None,
    };
    // A guest has no account: their mail goes to the address they checked out
    // with, each with a fresh signed link to the order (signed here, so no
    // event or message holds one).
    if let Some(order_id) = order_event
        && let Some(order) = OrderStore::get(store, order_id).await?.filter(|o| o.is_guest())
    {
        let outcome = match &order.email {
            Some(to) => {
                let link = order_links.order_link(order.id, &order.customer, now);
                mailer.send(to, &order_mail(links, &event.kind, &order, Some(&link))).await?;
                Outcome::Sent
            }
            None => Outcome::Skipped,
        };
        store.mark_done(CONSUMER, event, now).await?;
        return Ok(outcome);
    }
    let staff_mail = match &event.kind {
        EventKind::OrderDisputed { order_id } => {
            Some(OrderStore::get(store, *order_id).await?.map(|order| links.order_disputed(&order)))
        }
        EventKind::InventoryLow { sku, stock, threshold, .. } => {
            Some(Some(links.inventory_low(sku, *stock, *threshold)))
        }
        EventKind::WebhookEndpointDisabled { endpoint_id } => {
            Some(store.get_endpoint(*endpoint_id).await?.map(|endpoint| links.webhook_disabled(&endpoint)))
        }
        _ => None,
    };
    if let Some(mail) = staff_mail {
        let outcome = match (&links.staff_email, mail) {
            (Some(staff), Some(mail)) => {
                mailer.send(staff, &mail).await?;
                Outcome::Sent
            }
            _ => Outcome::Skipped,
        };
        store.mark_done(CONSUMER, event, now).await?;
        return Ok(outcome);
    }
    if let EventKind::CartAbandoned { cart_id } = &event.kind {
        // Checked out or merged since it was reported: nothing to remind of.
        // Only a signed-in customer's cart: an anonymous cart's e-mail is whatever
        // anyone typed, and a reminder would mail a stranger.
        let cart = store.cart(*cart_id).await?.filter(|c| {
            links.cart_reminders && c.is_open() && matches!(c.holder, crate::domain::CartHolder::Customer(_))
        });
        let outcome = match cart.as_ref().and_then(|c| c.email.as_ref().map(|to| (c, to))) {
            Some((cart, to)) => {
                mailer.send(to, &links.cart_reminder(cart)).await?;
                Outcome::Sent
            }
            None => Outcome::Skipped,
        };
        store.mark_done(CONSUMER, event, now).await?;
        return Ok(outcome);
    }
    let (user_id, order) = match &event.kind {
        EventKind::UserSignedUp { user_id } | EventKind::SignupRepeated { user_id } => (Some(*user_id), None),
        // Unknown addresses are skipped here, not at the request.
        EventKind::PasswordResetRequested { email } => (store.find_by_email(email).await?.map(|u| u.id), None),
        EventKind::OrderPaid { order_id }
        | EventKind::OrderFulfilled { order_id }
        | EventKind::OrderCancelled { order_id }
        | EventKind::OrderRefunded { order_id, .. }
        | EventKind::ReturnRequested { order_id, .. }
        | EventKind::ReturnApproved { order_id, .. }
        | EventKind::ReturnRejected { order_id, .. }
        | EventKind::ReturnReceived { order_id, .. } => {
            let order = OrderStore::get(store, *order_id).await?;
            (order.as_ref().and_then(|o| o.customer.parse().ok()), order)
        }
        EventKind::OrderPlaced { .. }
        | EventKind::ProductCreated { .. }
        | EventKind::ProductUpdated { .. }
        | EventKind::ProductArchived { .. }
        | EventKind::InventoryLow { .. }
        | EventKind::CartAbandoned { .. }
        | EventKind::OrderDisputed { .. }
        | EventKind::WebhookEndpointDisabled { .. }
        | EventKind::WebhookDeliveryFailed { .. }
        | EventKind::ExportRequested { .. } => (None, None),
    };
    let user = match user_id {
        Some(id) => UserStore::get(store, id).await?.filter(|u| !u.disabled),
        None => None,
    };
    let Some(user) = user else {
        store.mark_done(CONSUMER, event, now).await?;
        return Ok(Outcome::Skipped);
    };
    let issue = async |purpose| {
        let (secret, token) = OneTimeToken::issue(purpose, &user, now);
        store.issue(&token).await.map(|()| secret)
    };
    let mail = match &event.kind {
        EventKind::UserSignedUp { .. } => links.verify_email(&issue(OneTimePurpose::VerifyEmail).await?),
        // An unverified account may have been opened by someone else with this
        // address: the mailbox's owner chooses the password, so no password
        // chosen before is ever activated by this link.
        EventKind::SignupRepeated { .. } if !user.email_verified => {
            links.finish_signup(&issue(OneTimePurpose::ResetPassword).await?)
        }
        EventKind::SignupRepeated { .. } => links.account_exists(),
        EventKind::PasswordResetRequested { .. } => links.reset_password(&issue(OneTimePurpose::ResetPassword).await?),
        kind => {
            let Some(order) = &order else { unreachable!("order events found their order above") };
            order_mail(links, kind, order, None)
        }
    };
    mailer.send(&user.email, &mail).await?;
    store.mark_done(CONSUMER, event, now).await?;
    Ok(Outcome::Sent)
}
