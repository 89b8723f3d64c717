//! Payments: one record per attempt to pay an order, whichever provider took it.
//!
//! The order says whether it is paid; the payment says what the provider did with
//! the money (asked, taken, refused, given back). They are separate because the
//! provider's word can arrive late, twice, out of order, or for an order that was
//! cancelled meanwhile.

use super::id::OrderId;
use super::money::Currency;
use super::order::Order;
use super::timestamp::Timestamp;

/// Who holds the money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Stripe,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stripe => "stripe",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        (value == "stripe").then_some(Self::Stripe)
    }

    /// The provider's name as customers know it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Stripe => "Stripe",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentStatus {
    /// Created at the provider; the customer has not paid yet.
    Open,
    /// The last attempt was declined; the customer may try again.
    Failed { reason: String },
    /// The provider took the money.
    Succeeded,
    /// The provider took a different amount or currency than the order's total:
    /// the order is not marked paid, and staff must look.
    AmountMismatch { amount: i64, currency: String },
    /// The order ended unpaid and the payment was cancelled at the provider, so
    /// the customer can no longer pay it.
    Cancelled,
}

impl PaymentStatus {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Failed { .. } => "failed",
            Self::Succeeded => "succeeded",
            Self::AmountMismatch { .. } => "amount_mismatch",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the provider holds money for this payment (so it may need refunding).
    pub fn captured(&self) -> bool {
        matches!(self, Self::Succeeded | Self::AmountMismatch { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub order_id: OrderId,
    /// 1 for the first attempt; part of the provider idempotency key.
    pub attempt: u32,
    pub provider: Provider,
    /// The provider's id, e.g. Stripe's `pi_…`.
    pub provider_id: String,
    /// Minor units asked for: the order's total when the payment was created.
    pub amount: i64,
    pub currency: Currency,
    pub status: PaymentStatus,
    /// Minor units given back so far.
    pub refunded: i64,
    /// The customer's bank disputes the payment and the dispute is still open.
    pub disputed: bool,
    /// The dispute is over: a report of its opening that arrives after its close
    /// (events come in any order) opens nothing.
    pub dispute_closed: bool,
    /// Minor units the bank took back for good: disputes the shop lost.
    pub charged_back: i64,
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Payment {
    pub fn open(
        order_id: OrderId,
        attempt: u32,
        provider: Provider,
        provider_id: String,
        amount: i64,
        currency: Currency,
        now: Timestamp,
    ) -> Self {
        Self {
            order_id,
            attempt,
            provider,
            provider_id,
            amount,
            currency,
            status: PaymentStatus::Open,
            refunded: 0,
            disputed: false,
            dispute_closed: false,
            charged_back: 0,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// The key a provider de-duplicates this attempt's creation on, so a retried
    /// request never opens a second payment for the same attempt.
    pub fn idempotency_key(order_id: OrderId, attempt: u32) -> String {
        format!("tillbox-order-{order_id}-attempt-{attempt}")
    }

    /// The provider's report that the money was taken. A report for an amount or
    /// currency other than asked is recorded as [`PaymentStatus::AmountMismatch`].
    /// What was captured is settled for good: once a capture is recorded, a
    /// later report changes nothing ([`Payment::contradicted_by`] tells whether it
    /// disagrees).
    pub fn succeeded(&self, amount: i64, currency: &str, now: Timestamp) -> Self {
        if self.status.captured() {
            return self.clone();
        }
        self.next(self.capture_reported(amount, currency), now)
    }

    /// Whether a capture report disagrees with the capture already recorded:
    /// another amount or currency than the provider reported before. Providers
    /// capture a payment once, so this is a forged or corrupted report, or a
    /// provider fault; staff must look.
    pub fn contradicted_by(&self, amount: i64, currency: &str) -> bool {
        self.status.captured() && self.status != self.capture_reported(amount, currency)
    }

    fn capture_reported(&self, amount: i64, currency: &str) -> PaymentStatus {
        if amount == self.amount && currency.eq_ignore_ascii_case(self.currency.code()) {
            PaymentStatus::Succeeded
        } else {
            PaymentStatus::AmountMismatch { amount, currency: currency.to_ascii_uppercase() }
        }
    }

    /// A decline. Once the money is taken (or the payment cancelled), a late
    /// decline report changes nothing.
    pub fn failed(&self, reason: &str, now: Timestamp) -> Self {
        if !self.payable() {
            return self.clone();
        }
        self.next(PaymentStatus::Failed { reason: reason.chars().take(500).collect() }, now)
    }

    /// The payment cancelled at the provider because its order ended unpaid.
    /// Money already taken is not undone by a cancel: it is refunded instead.
    pub fn cancelled(&self, now: Timestamp) -> Self {
        match self.status {
            PaymentStatus::Open | PaymentStatus::Failed { .. } => self.next(PaymentStatus::Cancelled, now),
            _ => self.clone(),
        }
    }

    /// Whether this payment is what paid `order`: it took the money and the
    /// order was paid by it (orders paid before `paid_by` was recorded count as
    /// paid by their provider payment). Only then does giving it back refund the
    /// order; any other capture is one the order never took.
    pub fn paid(&self, order: &Order) -> bool {
        self.status == PaymentStatus::Succeeded
            && order.paid_at.is_some()
            && order.paid_by.as_deref().is_none_or(|by| by == self.provider_id)
    }

    /// Whether the customer may still pay it at the provider.
    pub fn payable(&self) -> bool {
        matches!(self.status, PaymentStatus::Open | PaymentStatus::Failed { .. })
    }

    /// What is still refundable, in minor units: what was taken, less refunds and
    /// what a lost dispute took back. For a mismatched capture, what the provider
    /// actually took.
    pub fn refundable(&self) -> i64 {
        (self.taken() - self.refunded - self.charged_back).max(0)
    }

    /// Minor units the provider took.
    fn taken(&self) -> i64 {
        match &self.status {
            PaymentStatus::Succeeded => self.amount,
            PaymentStatus::AmountMismatch { amount, .. } => *amount,
            _ => 0,
        }
    }

    /// The provider's running total of refunds. Totals only grow, so an older
    /// report arriving late changes nothing.
    pub fn refunded_at_provider(&self, total: i64, now: Timestamp) -> Self {
        if total <= self.refunded {
            return self.clone();
        }
        let mut next = self.next(self.status.clone(), now);
        // A report may come before the capture's: the amount asked bounds it then.
        next.refunded = total.min(self.taken().max(self.amount));
        next
    }

    /// Marks the payment disputed; a second report, or one after the dispute
    /// closed, changes nothing.
    pub fn disputed(&self, now: Timestamp) -> Self {
        if self.disputed || self.dispute_closed {
            return self.clone();
        }
        Self { disputed: true, ..self.next(self.status.clone(), now) }
    }

    /// The dispute closed: won (`charged_back` 0) or lost (the bank kept
    /// `charged_back` minor units). Only an open dispute closes, so a replayed
    /// closure changes nothing.
    pub fn dispute_closed(&self, charged_back: i64, now: Timestamp) -> Self {
        if self.dispute_closed {
            return self.clone();
        }
        let most = (self.taken().max(self.amount) - self.refunded).max(0);
        Self {
            disputed: false,
            dispute_closed: true,
            charged_back: (self.charged_back + charged_back.max(0)).min(most),
            ..self.next(self.status.clone(), now)
        }
    }

    /// The same facts at the next version: a write that only records that
    /// something was reported (with its audit record).
    pub fn touched(&self, now: Timestamp) -> Self {
        self.next(self.status.clone(), now)
    }

    /// Whether `other` records the same facts (what a write would change).
    pub fn same_facts(&self, other: &Payment) -> bool {
        (&self.status, self.refunded, self.disputed, self.dispute_closed, self.charged_back)
            == (&other.status, other.refunded, other.disputed, other.dispute_closed, other.charged_back)
    }

    /// Everything still held given back.
    pub fn refunded_in_full(&self, now: Timestamp) -> Self {
        let mut next = self.next(self.status.clone(), now);
        next.refunded += self.refundable();
        next
    }

    fn next(&self, status: PaymentStatus, now: Timestamp) -> Self {
        Self { status, version: self.version + 1, updated_at: now, ..self.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: Timestamp = datetime!(2026-11-22 10:00 UTC);

    fn open() -> Payment {
        let eur = Currency::parse("EUR").unwrap();
        Payment::open(OrderId::generate(), 1, Provider::Stripe, "pi_1".into(), 2400, eur, NOW)
    }

    #[test]
    fn only_the_exact_amount_and_currency_count_as_paid() {
        assert_eq!(open().succeeded(2400, "eur", NOW).status, PaymentStatus::Succeeded);
        assert_eq!(
            open().succeeded(2399, "eur", NOW).status,
            PaymentStatus::AmountMismatch { amount: 2399, currency: "EUR".into() }
        );
        assert!(matches!(open().succeeded(2400, "usd", NOW).status, PaymentStatus::AmountMismatch { .. }));
    }

    #[test]
    fn a_late_decline_never_undoes_a_capture() {
        let paid = open().succeeded(2400, "EUR", NOW);
        assert_eq!(paid.failed("card_declined", NOW), paid);
        assert_eq!(open().failed("card_declined", NOW).refundable(), 0);
        assert_eq!(paid.refundable(), 2400);
        assert_eq!(paid.refunded_in_full(NOW).refundable(), 0);
    }
}
