//! The payments ports: payment records, seen webhook ids, the payments queue, and
//! a provider that keeps its intents and refunds in memory.

use super::MemoryShop;
use std::cell::RefCell;
use std::collections::BTreeMap;
use tillbox::app::payments::ports::{
    Intent, IntentRequest, PaymentChange, PaymentGateway, PaymentQueue, PaymentStore, ProviderError, RefundRecord,
    RefundStore, WebhookInbox,
};
use tillbox::app::store::StoreError;
use tillbox::domain::{Event, OrderId, Payment, Provider, Refund, RefundStatus, Timestamp};

impl PaymentStore for MemoryShop {
    async fn payment(&self, order_id: OrderId, attempt: u32) -> Result<Option<Payment>, StoreError> {
        Ok(self.payments.borrow().get(&(order_id, attempt)).cloned())
    }

    async fn open(&self, payment: &Payment) -> Result<bool, StoreError> {
        let mut all = self.payments.borrow_mut();
        if all.contains_key(&(payment.order_id, payment.attempt)) {
            return Ok(false);
        }
        all.insert((payment.order_id, payment.attempt), payment.clone());
        Ok(true)
    }

    async fn change(&self, change: PaymentChange<'_>) -> Result<(), StoreError> {
        let mut all = self.payments.borrow_mut();
        let key = (change.previous.order_id, change.previous.attempt);
        let stored = all.get(&key).ok_or(StoreError::NotFound)?;
        if stored.version != change.previous.version {
            return Err(StoreError::VersionMismatch { current: stored.version });
        }
        let mut orders = self.orders.borrow_mut();
        if let Some((previous, next)) = change.order {
            let order = orders.get(&previous.id).ok_or(StoreError::NotFound)?;
            if order.version != previous.version {
                return Err(StoreError::VersionMismatch { current: order.version });
            }
            orders.insert(next.id, next.clone());
        }
        all.insert(key, change.next.clone());
        self.audits.borrow_mut().extend(change.audit.cloned());
        self.events.borrow_mut().extend(change.event.cloned());
        Ok(())
    }
}

impl RefundStore for MemoryShop {
    async fn refund(&self, order_id: OrderId, refund_id: &str) -> Result<Option<Refund>, StoreError> {
        Ok(self.refunds.borrow().get(&(order_id, refund_id.to_owned())).cloned())
    }

    /// All or nothing, as the adapter's transaction.
    async fn record_refund(&self, record: RefundRecord<'_>) -> Result<(), StoreError> {
        let mut orders = self.orders.borrow_mut();
        let stored = orders.get(&record.previous.id).ok_or(StoreError::NotFound)?;
        if stored.version != record.previous.version {
            return Err(StoreError::VersionMismatch { current: stored.version });
        }
        let key = (record.refund.order_id, record.refund.id.clone());
        if self.refunds.borrow().contains_key(&key) {
            return Err(StoreError::VersionMismatch { current: stored.version });
        }
        let mut products = self.products.borrow_mut();
        for r in &record.refund.restock {
            let product = products.get_mut(&r.product_id).ok_or(StoreError::NotFound)?;
            if !super::orders::move_stock(product, r.variant_id, i64::from(r.quantity)) {
                return Err(StoreError::NotFound);
            }
        }
        orders.insert(record.next.id, record.next.clone());
        self.refunds.borrow_mut().insert(key, record.refund.clone());
        self.audits.borrow_mut().push(record.audit.clone());
        self.events.borrow_mut().extend(record.event.cloned());
        Ok(())
    }

    async fn fail_refund(&self, record: RefundRecord<'_>) -> Result<(), StoreError> {
        let mut orders = self.orders.borrow_mut();
        let stored = orders.get(&record.previous.id).ok_or(StoreError::NotFound)?;
        if stored.version != record.previous.version {
            return Err(StoreError::VersionMismatch { current: stored.version });
        }
        let mut refunds = self.refunds.borrow_mut();
        let refund =
            refunds.get_mut(&(record.refund.order_id, record.refund.id.clone())).ok_or(StoreError::NotFound)?;
        if refund.status != RefundStatus::Pending {
            return Err(StoreError::VersionMismatch { current: stored.version });
        }
        refund.status = RefundStatus::Failed;
        refund.updated_at = record.refund.updated_at;
        orders.insert(record.next.id, record.next.clone());
        self.audits.borrow_mut().push(record.audit.clone());
        Ok(())
    }

    async fn complete_refund(&self, refund: &Refund, event: &Event) -> Result<bool, StoreError> {
        let mut refunds = self.refunds.borrow_mut();
        let stored = refunds.get_mut(&(refund.order_id, refund.id.clone())).ok_or(StoreError::NotFound)?;
        if stored.status != RefundStatus::Pending {
            return Ok(false);
        }
        stored.status = RefundStatus::Succeeded;
        stored.updated_at = refund.updated_at;
        self.events.borrow_mut().push(event.clone());
        Ok(true)
    }
}

impl WebhookInbox for MemoryShop {
    async fn seen(&self, provider: Provider, event_id: &str, _now: Timestamp) -> Result<bool, StoreError> {
        Ok(self.webhooks_seen.borrow().contains(&(provider.as_str(), event_id.to_owned())))
    }

    async fn remember(&self, provider: Provider, event_id: &str, _now: Timestamp) -> Result<(), StoreError> {
        self.webhooks_seen.borrow_mut().insert((provider.as_str(), event_id.to_owned()));
        Ok(())
    }
}

impl PaymentQueue for MemoryShop {
    async fn enqueue(&self, body: &str) -> Result<(), StoreError> {
        if self.queue_down.get() {
            return Err(StoreError::Unavailable("the queue is down".into()));
        }
        self.payment_queue.borrow_mut().push(body.to_owned());
        Ok(())
    }
}

/// A payment provider in memory, de-duplicating on idempotency keys as Stripe does.
#[derive(Default)]
pub struct MemoryGateway {
    /// provider id → (request, refunded so far).
    pub intents: RefCell<BTreeMap<String, (IntentRequest, i64)>>,
    /// Idempotency keys already answered, with the provider id they created.
    pub keys: RefCell<BTreeMap<String, String>>,
    /// Every refund call that moved money: (provider id, amount).
    pub refunds: RefCell<Vec<(String, i64)>>,
    /// Makes the next refund calls time out (the outcome unknown to the caller).
    pub unreachable: std::cell::Cell<bool>,
    /// Intents cancelled.
    pub cancelled: RefCell<Vec<String>>,
    /// Intents the customer is paying right now: a cancel is refused.
    pub being_paid: RefCell<Vec<String>>,
}

impl PaymentGateway for MemoryGateway {
    fn provider(&self) -> Provider {
        Provider::Stripe
    }

    fn publishable_key(&self) -> &str {
        "pk_test_memory"
    }

    async fn create_intent(&self, request: &IntentRequest) -> Result<Intent, ProviderError> {
        if let Some(id) = self.keys.borrow().get(&request.idempotency_key) {
            let order_id = Some(self.intents.borrow()[id].0.order_id);
            return Ok(Intent { provider_id: id.clone(), client_secret: format!("{id}_secret"), order_id });
        }
        let id = format!("pi_{}", self.intents.borrow().len() + 1);
        self.intents.borrow_mut().insert(id.clone(), (request.clone(), 0));
        self.keys.borrow_mut().insert(request.idempotency_key.clone(), id.clone());
        Ok(Intent { client_secret: format!("{id}_secret"), provider_id: id, order_id: Some(request.order_id) })
    }

    async fn intent(&self, provider_id: &str) -> Result<Intent, ProviderError> {
        match self.intents.borrow().get(provider_id) {
            Some((request, _)) => Ok(Intent {
                provider_id: provider_id.into(),
                client_secret: format!("{provider_id}_secret"),
                order_id: Some(request.order_id),
            }),
            None => Err(ProviderError::Refused(format!("no such payment_intent: {provider_id}"))),
        }
    }

    async fn cancel_intent(&self, provider_id: &str) -> Result<bool, ProviderError> {
        if !self.intents.borrow().contains_key(provider_id) {
            return Err(ProviderError::Refused("no such intent".into()));
        }
        if self.being_paid.borrow().iter().any(|id| id == provider_id) {
            return Ok(false);
        }
        let mut cancelled = self.cancelled.borrow_mut();
        if !cancelled.iter().any(|id| id == provider_id) {
            cancelled.push(provider_id.to_owned());
        }
        Ok(true)
    }

    async fn refund(&self, provider_id: &str, amount: i64, idempotency_key: &str) -> Result<(), ProviderError> {
        if self.unreachable.get() {
            return Err(ProviderError::Unavailable("timed out".into()));
        }
        if self.keys.borrow().contains_key(idempotency_key) {
            return Ok(());
        }
        let mut intents = self.intents.borrow_mut();
        let (request, refunded) =
            intents.get_mut(provider_id).ok_or(ProviderError::Refused("no such intent".into()))?;
        if *refunded + amount > request.amount {
            return Err(ProviderError::Refused("amount exceeds what is refundable".into()));
        }
        *refunded += amount;
        self.keys.borrow_mut().insert(idempotency_key.to_owned(), provider_id.to_owned());
        self.refunds.borrow_mut().push((provider_id.to_owned(), amount));
        Ok(())
    }
}
