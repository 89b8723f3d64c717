//! [`DocumentNumbers`] on the table. A sequence is one item holding the last
//! number given (`COUNTER#INVOICE`); a number is given in one transaction that
//! moves the counter from what was read to the next number *and* writes the
//! number on its document (the order, or the refund) if it has none. Either
//! both happen or neither, so no number is skipped (a lost race moves
//! nothing), reused (the counter only moves forward) or given twice (the
//! document's condition), whatever runs at the same time.

use super::items::{Item, Reader, n, s};
use super::keys::{self, PK, SK};
use super::{Table, built, cancellation_reasons, unavailable};
use crate::app::receipts::ports::DocumentNumbers;
use crate::app::store::StoreError;
use crate::domain::OrderId;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

/// Tries before giving up (each lost only to another document taking a number).
const ATTEMPTS: u32 = 20;

impl Table {
    /// The last number of the sequence under `counter_pk` (0 before the first).
    async fn last_number(&self, counter_pk: &str) -> Result<u64, StoreError> {
        let found = self.get_consistent(counter_pk.to_owned(), keys::COUNTER_SK).await?;
        found.as_ref().map_or(Ok(0), |item| Reader(item).n("last"))
    }

    /// Gives the document at (`pk`, `sk`) the next number of `counter_pk` in
    /// attribute `field`, unless it has one; returns its number. `bump` also
    /// increments the document's `version` (an order, which is replaced whole
    /// at its version, so a concurrent write cannot drop the number).
    async fn number(
        &self,
        counter_pk: &str,
        (pk, sk): (String, String),
        field: &str,
        bump: bool,
    ) -> Result<u64, StoreError> {
        for _ in 0..ATTEMPTS {
            let Some(document) = self.get_consistent(pk.clone(), &sk).await? else {
                return Err(StoreError::NotFound);
            };
            let document: Item = document;
            let reader = Reader(&document);
            if let Some(number) = reader.opt_n::<u64>(field)? {
                return Ok(number);
            }
            let last = self.last_number(counter_pk).await?;
            let next = last + 1;
            let mut counter = Update::builder()
                .table_name(&self.name)
                .key(PK, s(counter_pk))
                .key(SK, s(keys::COUNTER_SK))
                .update_expression("SET #last = :next")
                .expression_attribute_names("#last", "last")
                .expression_attribute_values(":next", n(next));
            counter = if last == 0 {
                counter.condition_expression("attribute_not_exists(#last)")
            } else {
                counter.condition_expression("#last = :seen").expression_attribute_values(":seen", n(last))
            };
            let mut numbered = Update::builder()
                .table_name(&self.name)
                .key(PK, s(&pk))
                .key(SK, s(&sk))
                .expression_attribute_names("#field", field)
                .expression_attribute_values(":number", n(next));
            numbered = if bump {
                let version: u64 = reader.n("version")?;
                numbered
                    .update_expression("SET #field = :number, version = :next_version")
                    .condition_expression("attribute_not_exists(#field) AND version = :version")
                    .expression_attribute_values(":version", n(version))
                    .expression_attribute_values(":next_version", n(version + 1))
            } else {
                numbered
                    .update_expression("SET #field = :number")
                    .condition_expression("attribute_exists(PK) AND attribute_not_exists(#field)")
            };
            let actions = vec![
                TransactWriteItem::builder().update(built(counter.build())?).build(),
                TransactWriteItem::builder().update(built(numbered.build())?).build(),
            ];
            match self.transact(actions).await {
                Ok(()) => return Ok(next),
                // Another document took the number, or this one changed: read again.
                Err(e) if cancellation_reasons(&e).is_some() => continue,
                Err(e) => return Err(unavailable(e)),
            }
        }
        Err(StoreError::Unavailable("the document sequence kept moving; retry".into()))
    }
}

impl DocumentNumbers for Table {
    async fn invoice_number(&self, order: OrderId) -> Result<u64, StoreError> {
        let key = (keys::order_pk(order), keys::ORDER_SK.to_owned());
        self.number(keys::INVOICE_COUNTER_PK, key, "invoice_number", true).await
    }

    async fn credit_note_number(&self, order: OrderId, refund: &str) -> Result<u64, StoreError> {
        let key = (keys::order_pk(order), keys::refund_sk(refund));
        self.number(keys::CREDIT_NOTE_COUNTER_PK, key, "credit_note_number", false).await
    }
}
