//! [`DiscountStore`] on the table. `uses` is only ever changed by the order
//! transactions (`SET uses = uses ± 1`); staff edits update the settings by name,
//! so neither overwrites the other.

use super::events::audit_item;
use super::items::{Item, Reader, b, item, n, s, ts};
use super::keys::{self, GSI1, GSI1PK, GSI1SK, PK, SK};
use super::{IndexPage, Table, built, cancellation_reasons, failed_condition, unavailable};
use crate::app::orders::ports::DiscountStore;
use crate::app::store::{Page, StoreError};
use crate::domain::{AuditRecord, Currency, Discount, DiscountCode, DiscountValue};
use aws_sdk_dynamodb::types::{ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};

fn discount_item(d: &Discount) -> Item {
    let mut discount = item([
        (PK, s(keys::discount_pk(&d.code))),
        (SK, s(keys::DISCOUNT_SK)),
        (GSI1PK, s(keys::DISCOUNTS)),
        (GSI1SK, s(keys::created_sort_key(d.created_at, d.code.as_str()))),
        ("entity", s("discount")),
        ("code", s(d.code.as_str())),
        ("uses", n(d.uses)),
        ("once_per_customer", b(d.once_per_customer)),
        ("active", b(d.active)),
        ("version", n(d.version)),
        ("created_at", ts(d.created_at)),
        ("updated_at", ts(d.updated_at)),
    ]);
    let (kind, currency) = match d.value {
        DiscountValue::Percentage { percent, currency } => {
            discount.insert("percent".into(), n(percent));
            ("percentage", currency)
        }
        DiscountValue::Fixed { amount, currency } => {
            discount.insert("amount".into(), n(amount));
            ("fixed", Some(currency))
        }
    };
    discount.insert("kind".into(), s(kind));
    for (name, value) in settings(d) {
        if let Some(value) = value {
            discount.insert(name.into(), value);
        }
    }
    if let Some(currency) = currency {
        discount.insert("currency".into(), s(currency.code()));
    }
    discount
}

/// The optional attributes staff may change after creation.
fn settings(d: &Discount) -> [(&'static str, Option<aws_sdk_dynamodb::types::AttributeValue>); 3] {
    [("starts_at", d.starts_at.map(ts)), ("ends_at", d.ends_at.map(ts)), ("usage_limit", d.usage_limit.map(n))]
}

fn discount_from(item: &Item) -> Result<Discount, StoreError> {
    let r = Reader(item);
    let currency = r.opt_s("currency")?.map(|_| r.parsed("currency", |v| Currency::parse(v).ok())).transpose()?;
    let value = match r.s("kind")? {
        "percentage" => DiscountValue::Percentage { percent: r.n("percent")?, currency },
        "fixed" => DiscountValue::Fixed {
            amount: r.n("amount")?,
            currency: currency.ok_or_else(|| r.corrupt("currency", "missing"))?,
        },
        _ => return Err(r.corrupt("kind", "not a known value")),
    };
    let optional_ts = |name: &str| r.opt_s(name)?.map(|_| r.ts(name)).transpose();
    Ok(Discount {
        code: r.parsed("code", |v| DiscountCode::parse(v).ok())?,
        value,
        starts_at: optional_ts("starts_at")?,
        ends_at: optional_ts("ends_at")?,
        usage_limit: item.contains_key("usage_limit").then(|| r.n("usage_limit")).transpose()?,
        uses: r.n("uses")?,
        once_per_customer: r.b("once_per_customer")?,
        active: r.b("active")?,
        version: r.n("version")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

impl DiscountStore for Table {
    async fn create(&self, discount: &Discount, audit: &AuditRecord) -> Result<bool, StoreError> {
        let actions = vec![self.put_new(discount_item(discount))?, self.put_new(audit_item(audit))?];
        match self.transact(actions).await {
            Ok(()) => Ok(true),
            Err(e) => match cancellation_reasons(&e) {
                Some(reasons) if failed_condition(reasons, 0) => Ok(false),
                _ => Err(unavailable(e)),
            },
        }
    }

    async fn get(&self, code: &DiscountCode) -> Result<Option<Discount>, StoreError> {
        let found = self.get_consistent(keys::discount_pk(code), keys::DISCOUNT_SK).await?;
        found.as_ref().map(discount_from).transpose()
    }

    async fn update(&self, previous: &Discount, next: &Discount, audit: &AuditRecord) -> Result<(), StoreError> {
        let mut set = vec!["active = :active", "once_per_customer = :once", "version = :next", "updated_at = :at"];
        let mut remove = Vec::new();
        let mut update = Update::builder()
            .table_name(&self.name)
            .key(PK, s(keys::discount_pk(&next.code)))
            .key(SK, s(keys::DISCOUNT_SK))
            .condition_expression("version = :expected")
            .expression_attribute_values(":expected", n(previous.version))
            .expression_attribute_values(":next", n(next.version))
            .expression_attribute_values(":active", b(next.active))
            .expression_attribute_values(":once", b(next.once_per_customer))
            .expression_attribute_values(":at", ts(next.updated_at))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (name, value) in settings(next) {
            match value {
                Some(value) => {
                    set.push(match name {
                        "starts_at" => "starts_at = :starts_at",
                        "ends_at" => "ends_at = :ends_at",
                        _ => "usage_limit = :usage_limit",
                    });
                    update = update.expression_attribute_values(format!(":{name}"), value);
                }
                None => remove.push(name),
            }
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        let update = built(update.update_expression(expression).build())?;
        self.transact_versioned(vec![
            TransactWriteItem::builder().update(update).build(),
            self.put_new(audit_item(audit))?,
        ])
        .await
    }

    async fn list(&self, limit: u16, cursor: Option<&str>) -> Result<Page<Discount>, StoreError> {
        let page = IndexPage {
            index: GSI1,
            pk_name: GSI1PK,
            sk_name: GSI1SK,
            partition: keys::DISCOUNTS.into(),
            newest_first: true,
            limit,
            cursor,
        };
        self.page(page, |query| query, discount_from).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::format_timestamp;

    #[test]
    fn discounts_round_trip_through_items() {
        let input = crate::domain::NewDiscount {
            code: "WINTER".into(),
            kind: "fixed".into(),
            percent: None,
            amount: Some(500),
            currency: Some("EUR".into()),
            starts_at: None,
            ends_at: Some("2027-01-01T00:00:00Z".into()),
            usage_limit: Some(10),
            once_per_customer: true,
            active: true,
        };
        let discount = input.into_discount(time::macros::datetime!(2026-11-21 10:00 UTC)).unwrap();
        assert_eq!(discount_from(&discount_item(&discount)).unwrap(), discount);
        assert_eq!(format_timestamp(discount.ends_at.unwrap()), "2027-01-01T00:00:00.000000Z");
    }
}
