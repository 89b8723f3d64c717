//! [`OrderStore`] on the table. Placing an order is one transaction: a conditional
//! stock decrement per line, the order, its place among the customer's open
//! orders, the discount's use and the outbox event; so stock never goes below
//! zero, a customer never holds more unpaid orders than allowed, and a code never
//! exceeds its limit, however many buyers race.

use super::carts::cart_item;
use super::events::{audit_item, outbox_item};
use super::items::{Item, Reader, VARIANTS, address_value, b, item, n, s, ts};
use super::keys::{self, GSI1, GSI1PK, GSI1SK, GSI2, GSI2PK, GSI2SK, PK, SK};
use super::{IndexPage, Table, built, cancellation_reasons, failed_condition, unavailable};
use crate::app::orders::ports::{CartClose, OrderChange, OrderQuery, OrderScope, OrderStore, Placement};
use crate::app::store::{Page, StoreError};
use crate::domain::order::{AppliedDiscount, OrderLine, ShippingCharge};
use crate::domain::tax::{TaxCategory, TaxRate};
use crate::domain::{
    CancelReason, Currency, DiscountCode, Email, Event, Order, OrderId, OrderStatus, ProductId, Shipment, VariantId,
    format_timestamp,
};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};

pub(super) fn order_item(o: &Order) -> Item {
    let sort = keys::created_sort_key(o.created_at, o.id);
    let lines = o
        .lines
        .iter()
        .map(|l| {
            AttributeValue::M(item([
                ("product_id", s(l.product_id.to_string())),
                ("variant_id", s(l.variant_id.to_string())),
                ("sku", s(&l.sku)),
                ("name", s(&l.name)),
                ("unit_price", n(l.unit_price)),
                ("quantity", n(l.quantity)),
                ("total", n(l.total)),
                ("restocked", n(l.restocked)),
                ("tax_category", s(l.tax_category.as_str())),
                ("weight_grams", n(l.weight_grams)),
                ("discount", n(l.discount)),
                ("tax_rate", n(l.tax_rate.thousandths())),
                ("tax", n(l.tax)),
            ]))
        })
        .collect();
    let mut order = item([
        (PK, s(keys::order_pk(o.id))),
        (SK, s(keys::ORDER_SK)),
        (GSI1PK, s(keys::orders_of_customer(&o.customer))),
        (GSI1SK, s(sort.clone())),
        (GSI2PK, s(keys::orders_by_status(o.status))),
        (GSI2SK, s(sort)),
        ("entity", s("order")),
        ("id", s(o.id.to_string())),
        ("customer", s(&o.customer)),
        ("status", s(o.status.as_str())),
        ("currency", s(o.currency.code())),
        ("subtotal", n(o.subtotal)),
        ("total", n(o.total)),
        ("refunded", n(o.refunded)),
        ("prices_include_tax", b(o.prices_include_tax)),
        ("tax", n(o.tax)),
        ("lines", AttributeValue::L(lines)),
        ("version", n(o.version)),
        ("created_at", ts(o.created_at)),
        ("updated_at", ts(o.updated_at)),
    ]);
    let mut optional = |name: &str, value: Option<AttributeValue>| {
        if let Some(value) = value {
            order.insert(name.to_owned(), value);
        }
    };
    optional("discount_code", o.discount.as_ref().map(|d| s(d.code.as_str())));
    optional("discount_amount", o.discount.as_ref().map(|d| n(d.amount)));
    optional("discount_once_per_customer", o.discount.as_ref().map(|d| b(d.once_per_customer)));
    optional("carrier", o.shipment.as_ref().map(|sh| s(&sh.carrier)));
    optional("tracking_number", o.shipment.as_ref().map(|sh| s(&sh.tracking_number)));
    optional("cancel_reason", o.cancel_reason.map(|r| s(r.as_str())));
    optional("paid_at", o.paid_at.map(ts));
    optional("paid_by", o.paid_by.as_deref().map(s));
    optional("fulfilled_at", o.fulfilled_at.map(ts));
    optional("cancelled_at", o.cancelled_at.map(ts));
    optional("disputed", o.disputed.then(|| b(true)));
    optional("email", o.email.as_ref().map(|e| s(e.as_str())));
    optional("shipping_address", o.shipping_address.as_ref().map(address_value));
    optional("billing_address", o.billing_address.as_ref().map(address_value));
    optional("invoice_number", o.invoice_number.map(n));
    optional(
        "shipping",
        o.shipping.as_ref().map(|sh| {
            AttributeValue::M(item([
                ("method_id", s(sh.method_id.to_string())),
                ("name", s(&sh.name)),
                ("amount", n(sh.amount)),
                ("tax_rate", n(sh.tax_rate.thousandths())),
                ("tax", n(sh.tax)),
            ]))
        }),
    );
    order
}

fn order_from(item: &Item) -> Result<Order, StoreError> {
    let r = Reader(item);
    let lines = r.maps("lines", |line| {
        let product_id = line.parsed("product_id", |v| v.parse().ok())?;
        Ok(OrderLine {
            product_id,
            variant_id: line.variant_or_sole(product_id)?,
            sku: line.s("sku")?.to_owned(),
            name: line.s("name")?.to_owned(),
            unit_price: line.n("unit_price")?,
            quantity: line.n("quantity")?,
            total: line.n("total")?,
            restocked: line.opt_n("restocked")?.unwrap_or(0),
            // Lines from before taxes: standard, untaxed, undiscounted shares.
            tax_category: match line.opt_s("tax_category")? {
                None => TaxCategory::Standard,
                Some(c) => TaxCategory::parse(c).map_err(|_| line.corrupt("tax_category", "not a tax category"))?,
            },
            weight_grams: line.opt_n("weight_grams")?.unwrap_or(0),
            discount: line.opt_n("discount")?.unwrap_or(0),
            tax_rate: TaxRate::from_thousandths(line.opt_n("tax_rate")?.unwrap_or(0)),
            tax: line.opt_n("tax")?.unwrap_or(0),
        })
    })?;
    let optional_ts = |name: &str| r.opt_s(name)?.map(|_| r.ts(name)).transpose();
    let discount = match r.opt_s("discount_code")? {
        None => None,
        Some(code) => Some(AppliedDiscount {
            code: DiscountCode::parse(code).map_err(|_| r.corrupt("discount_code", "not a code"))?,
            amount: r.n("discount_amount")?,
            once_per_customer: r.b("discount_once_per_customer")?,
        }),
    };
    let shipment = match r.opt_s("carrier")? {
        None => None,
        Some(carrier) => {
            Some(Shipment { carrier: carrier.to_owned(), tracking_number: r.s("tracking_number")?.to_owned() })
        }
    };
    let shipping = match r.opt_map("shipping")? {
        None => None,
        Some(sh) => Some(ShippingCharge {
            method_id: sh.parsed("method_id", |v| v.parse().ok())?,
            name: sh.s("name")?.to_owned(),
            amount: sh.n("amount")?,
            tax_rate: TaxRate::from_thousandths(sh.n("tax_rate")?),
            tax: sh.n("tax")?,
        }),
    };
    Ok(Order {
        id: r.parsed("id", |v| v.parse().ok())?,
        customer: r.s("customer")?.to_owned(),
        status: r.parsed("status", OrderStatus::parse)?,
        lines,
        currency: r.parsed("currency", |v| Currency::parse(v).ok())?,
        subtotal: r.n("subtotal")?,
        discount,
        shipping,
        prices_include_tax: r.opt_b("prices_include_tax")?.unwrap_or(true),
        tax: r.opt_n("tax")?.unwrap_or(0),
        total: r.n("total")?,
        refunded: r.opt_n("refunded")?.unwrap_or(0),
        email: r
            .opt_s("email")?
            .map(|e| Email::parse(e).map_err(|_| r.corrupt("email", "not an address")))
            .transpose()?,
        shipping_address: r.opt_address("shipping_address")?,
        billing_address: r.opt_address("billing_address")?,
        invoice_number: r.opt_n("invoice_number")?,
        shipment,
        cancel_reason: r.opt_s("cancel_reason")?.map(|_| r.parsed("cancel_reason", CancelReason::parse)).transpose()?,
        version: r.n("version")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
        paid_at: optional_ts("paid_at")?,
        paid_by: r.opt_s("paid_by")?.map(str::to_owned),
        fulfilled_at: optional_ts("fulfilled_at")?,
        cancelled_at: optional_ts("cancelled_at")?,
        disputed: r.opt_b("disputed")?.unwrap_or(false),
    })
}

impl Table {
    /// One update of a product's variants' stock: `stock + delta` for each
    /// `(variant, delta)`, every variant's path named once (`#v<i>`, `:q<i>`),
    /// with `condition(i, stock path)` per variant and the product's version
    /// bumped; `base` adds what the whole update needs.
    fn stock_update(
        &self,
        product_id: ProductId,
        units: &[(VariantId, i64)],
        condition: impl Fn(usize, &str) -> String,
        base: impl FnOnce(UpdateBuilder) -> (UpdateBuilder, Option<String>),
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.name)
            .key(PK, s(keys::product_pk(product_id)))
            .key(SK, s(keys::PRODUCT_SK))
            .expression_attribute_names("#variants", VARIANTS)
            .expression_attribute_values(":one", n(1));
        let (mut update, product_condition) = base(update);
        let mut sets = Vec::with_capacity(units.len() + 1);
        let mut conditions: Vec<String> = product_condition.into_iter().collect();
        for (i, (variant, delta)) in units.iter().enumerate() {
            let stock = format!("#variants.#v{i}.stock");
            let sign = if *delta < 0 { '-' } else { '+' };
            sets.push(format!("{stock} = {stock} {sign} :q{i}"));
            conditions.push(condition(i, &stock));
            update = update
                .expression_attribute_names(format!("#v{i}"), variant.to_string())
                .expression_attribute_values(format!(":q{i}"), n(delta.unsigned_abs()));
        }
        sets.push("version = version + :one".to_owned());
        let update =
            update.update_expression(format!("SET {}", sets.join(", "))).condition_expression(conditions.join(" AND "));
        Ok(TransactWriteItem::builder().update(built(update.build())?).build())
    }

    /// `stock - quantity` of each line's variant, only while the product and the
    /// variant are on sale at the price the order used and the variant has the
    /// quantity left; one update per product (a transaction touches an item
    /// once), which bumps the product's version, so a staff edit based on an
    /// older read cannot write stale stock.
    fn reserve(&self, lines: &[&OrderLine], currency: Currency) -> Result<TransactWriteItem, StoreError> {
        let units: Vec<_> = lines.iter().map(|l| (l.variant_id, -i64::from(l.quantity))).collect();
        let price_of = |i: usize| n(lines[i].unit_price);
        self.stock_update(
            lines[0].product_id,
            &units,
            |i, stock| {
                format!(
                    "{stock} >= :q{i} AND #variants.#v{i}.price_amount = :price{i} AND #variants.#v{i}.archived = :no"
                )
            },
            |mut update| {
                update = update
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":active", s("active"))
                    .expression_attribute_values(":no", b(false))
                    .expression_attribute_values(":currency", s(currency.code()))
                    .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
                for i in 0..lines.len() {
                    update = update.expression_attribute_values(format!(":price{i}"), price_of(i));
                }
                (update, Some("#status = :active AND currency = :currency".to_owned()))
            },
        )
    }

    /// Puts units back in stock of one product's variants (a cancel, a refund's
    /// restock), whatever the product's state now.
    pub(super) fn release(
        &self,
        product_id: ProductId,
        units: &[(VariantId, u32)],
    ) -> Result<TransactWriteItem, StoreError> {
        let units: Vec<_> = units.iter().map(|(v, q)| (*v, i64::from(*q))).collect();
        self.stock_update(product_id, &units, |_, stock| format!("attribute_exists({stock})"), |update| (update, None))
    }

    /// One [`Self::release`] per product of `units` (product, variant, quantity).
    pub(super) fn release_all(
        &self,
        units: impl IntoIterator<Item = (ProductId, VariantId, u32)>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let units = units.into_iter().filter(|(_, _, q)| *q > 0).map(|(p, v, q)| (p, (v, q)));
        // One path per variant: an update may not name a path twice.
        let merged = group_by(units).into_iter().map(|(product, units)| {
            let summed =
                group_by(units).into_iter().map(|(v, quantities)| (v, quantities.iter().sum())).collect::<Vec<_>>();
            (product, summed)
        });
        merged.map(|(product, units)| self.release(product, &units)).collect()
    }

    /// Counts one use, only while the code is active, unexpired at `now` and under its limit.
    fn count_use(&self, code: &DiscountCode, now: &str) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.name)
            .key(PK, s(keys::discount_pk(code)))
            .key(SK, s(keys::DISCOUNT_SK))
            .update_expression("SET uses = uses + :one")
            .condition_expression(
                "active = :yes AND (attribute_not_exists(usage_limit) OR uses < usage_limit) \
                 AND (attribute_not_exists(ends_at) OR ends_at > :now)",
            )
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":yes", b(true))
            .expression_attribute_values(":now", s(now));
        Ok(TransactWriteItem::builder().update(built(update.build())?).build())
    }

    /// Gives a cancelled order's use back, whatever the code's state now.
    fn give_back_use(&self, code: &DiscountCode) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.name)
            .key(PK, s(keys::discount_pk(code)))
            .key(SK, s(keys::DISCOUNT_SK))
            .update_expression("SET uses = uses - :one")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":one", n(1));
        Ok(TransactWriteItem::builder().update(built(update.build())?).build())
    }

    /// Adds the order to its customer's open orders, only while they hold fewer
    /// than `max`. A set, not a counter: taking an id out twice, or one placed
    /// before the set existed, changes nothing; an id left in by a write that did
    /// not take it out (an older release's, a hand edit) is found by
    /// [`Self::free_stranded_places`] the first time it refuses an order.
    fn hold_open(&self, order: &Order, max: u32) -> Result<TransactWriteItem, StoreError> {
        let update = self
            .open_orders(&order.customer, "ADD #ids :ids", vec![order.id.to_string()])
            .condition_expression("attribute_not_exists(#ids) OR size(#ids) < :max")
            .expression_attribute_values(":max", n(max));
        Ok(TransactWriteItem::builder().update(built(update.build())?).build())
    }

    /// Takes orders that no longer await payment out of their customer's open orders.
    fn let_go(&self, customer: &str, ids: Vec<String>) -> Result<TransactWriteItem, StoreError> {
        let update = self.open_orders(customer, "DELETE #ids :ids", ids);
        Ok(TransactWriteItem::builder().update(built(update.build())?).build())
    }

    /// `expression` (`ADD` or `DELETE`) of `ids` on the customer's open order ids.
    fn open_orders(&self, customer: &str, expression: &str, ids: Vec<String>) -> UpdateBuilder {
        Update::builder()
            .table_name(&self.name)
            .key(PK, s(keys::open_orders_pk(customer)))
            .key(SK, s(keys::OPEN_ORDERS_SK))
            .update_expression(expression)
            .expression_attribute_names("#ids", "order_ids")
            .expression_attribute_values(":ids", AttributeValue::Ss(ids))
    }

    fn customer_use(&self, code: &DiscountCode, order: &Order) -> Item {
        item([
            (PK, s(keys::discount_pk(code))),
            (SK, s(keys::discount_use_sk(&order.customer))),
            ("entity", s("discount_use")),
            ("order_id", s(order.id.to_string())),
            ("at", ts(order.created_at)),
        ])
    }

    fn forget_use(&self, code: &DiscountCode, customer: &str) -> Result<TransactWriteItem, StoreError> {
        let delete = built(
            Delete::builder()
                .table_name(&self.name)
                .key(PK, s(keys::discount_pk(code)))
                .key(SK, s(keys::discount_use_sk(customer)))
                .build(),
        )?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }
}

/// `items` grouped by key (a product, a variant), keys in the order they first appear.
fn group_by<K: PartialEq, T>(items: impl IntoIterator<Item = (K, T)>) -> Vec<(K, Vec<T>)> {
    let mut groups: Vec<(K, Vec<T>)> = Vec::new();
    for (product, item) in items {
        match groups.iter_mut().find(|(p, _)| *p == product) {
            Some((_, group)) => group.push(item),
            None => groups.push((product, vec![item])),
        }
    }
    groups
}

/// Why the reservation of one product's `lines` failed, from the product item
/// DynamoDB returned: a variant on sale with too little stock, or a change.
fn refused_lines(lines: &[&OrderLine], old: Option<&Item>) -> Placement {
    let product_id = lines[0].product_id;
    let changed = Placement::ProductChanged { product_id };
    let Some(old) = old else {
        return changed;
    };
    if Reader(old).opt_s("status").ok().flatten() != Some("active") {
        return changed;
    }
    let variants = old.get(VARIANTS).and_then(|v| v.as_m().ok());
    for line in lines {
        let variant = variants.and_then(|all| all.get(&line.variant_id.to_string())).and_then(|v| v.as_m().ok());
        let Some(variant) = variant.map(Reader) else {
            return changed;
        };
        if let (Ok(available), Ok(false)) = (variant.n::<u32>("stock"), variant.b("archived"))
            && available < line.quantity
        {
            return Placement::OutOfStock { product_id, variant_id: line.variant_id, available };
        }
    }
    changed
}

impl Table {
    /// Takes out of the customer's open orders every id whose order no longer
    /// awaits payment, and says whether there was any. Orders never return to
    /// awaiting payment, so an id taken out stays out, whatever runs meanwhile.
    async fn free_stranded_places(&self, customer: &str) -> Result<bool, StoreError> {
        let Some(set) = self.get_consistent(keys::open_orders_pk(customer), keys::OPEN_ORDERS_SK).await? else {
            return Ok(false);
        };
        let Some(AttributeValue::Ss(ids)) = set.get("order_ids") else {
            return Ok(false);
        };
        let mut stranded = Vec::new();
        for id in ids {
            let open = match id.parse() {
                Ok(id) => OrderStore::get(self, id).await?.is_some_and(|o| o.status == OrderStatus::PendingPayment),
                Err(_) => false,
            };
            if !open {
                stranded.push(id.clone());
            }
        }
        if stranded.is_empty() {
            return Ok(false);
        }
        self.transact(vec![self.let_go(customer, stranded)?]).await.map_err(unavailable)?;
        Ok(true)
    }

    async fn try_place(
        &self,
        order: &Order,
        event: &Event,
        max_open_orders: u32,
        cart: Option<CartClose<'_>>,
    ) -> Result<Placement, StoreError> {
        let products = group_by(order.lines.iter().map(|line| (line.product_id, line)));
        let mut actions =
            products.iter().map(|(_, lines)| self.reserve(lines, order.currency)).collect::<Result<Vec<_>, _>>()?;
        actions.push(self.put_new(order_item(order))?);
        actions.push(self.put_new(outbox_item(event))?);
        let open_orders_at = actions.len();
        actions.push(self.hold_open(order, max_open_orders)?);
        let discount_at = actions.len();
        if let Some(discount) = &order.discount {
            actions.push(self.count_use(&discount.code, &format_timestamp(order.created_at))?);
            if discount.once_per_customer {
                actions.push(self.put_new(self.customer_use(&discount.code, order))?);
            }
        }
        let cart_at = actions.len();
        if let Some(close) = cart {
            actions.push(self.put_at_version(cart_item(close.next), close.previous.version)?);
        }
        let error = match self.transact(actions).await {
            Ok(()) => return Ok(Placement::Placed),
            Err(e) => e,
        };
        let Some(reasons) = cancellation_reasons(&error) else {
            return Err(unavailable(error));
        };
        if cart.is_some() && failed_condition(reasons, cart_at) {
            return Ok(Placement::CartChanged);
        }
        if failed_condition(reasons, open_orders_at) {
            return Ok(Placement::TooManyOpenOrders);
        }
        if let Some(((_, lines), reason)) =
            products.iter().zip(reasons).find(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
        {
            return Ok(refused_lines(lines, reason.item()));
        }
        if failed_condition(reasons, discount_at) {
            return Ok(Placement::DiscountUsedUp);
        }
        if failed_condition(reasons, discount_at + 1) {
            return Ok(Placement::DiscountAlreadyUsed);
        }
        Err(unavailable(error))
    }
}

impl OrderStore for Table {
    async fn place(
        &self,
        order: &Order,
        event: &Event,
        max_open_orders: u32,
        cart: Option<CartClose<'_>>,
    ) -> Result<Placement, StoreError> {
        let placement = self.try_place(order, event, max_open_orders, cart).await?;
        if placement == Placement::TooManyOpenOrders && self.free_stranded_places(&order.customer).await? {
            return self.try_place(order, event, max_open_orders, cart).await;
        }
        Ok(placement)
    }

    async fn get(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        let found = self.get_consistent(keys::order_pk(id), keys::ORDER_SK).await?;
        found.as_ref().map(order_from).transpose()
    }

    async fn change(&self, change: OrderChange<'_>) -> Result<(), StoreError> {
        let mut actions = vec![
            self.put_at_version(order_item(change.next), change.previous.version)?,
            self.put_new(outbox_item(change.event))?,
        ];
        if let Some(audit) = change.audit {
            actions.push(self.put_new(audit_item(audit))?);
        }
        if change.previous.status == OrderStatus::PendingPayment && change.next.status != OrderStatus::PendingPayment {
            actions.push(self.let_go(&change.previous.customer, vec![change.previous.id.to_string()])?);
        }
        if change.release {
            // What a refund put back already is not released twice.
            let units = change.previous.lines.iter().map(|l| (l.product_id, l.variant_id, l.quantity - l.restocked));
            actions.extend(self.release_all(units)?);
            if let Some(discount) = &change.previous.discount {
                actions.push(self.give_back_use(&discount.code)?);
                if discount.once_per_customer {
                    actions.push(self.forget_use(&discount.code, &change.previous.customer)?);
                }
            }
        }
        self.transact_versioned(actions).await
    }

    async fn reassign(&self, previous: &Order, next: &Order) -> Result<(), StoreError> {
        self.transact_versioned(vec![self.put_at_version(order_item(next), previous.version)?]).await
    }

    async fn list(&self, query: &OrderQuery) -> Result<Page<Order>, StoreError> {
        let (index, pk_name, sk_name, partition, status) = match &query.scope {
            OrderScope::Customer { customer, status } => {
                (GSI1, GSI1PK, GSI1SK, keys::orders_of_customer(customer), *status)
            }
            OrderScope::Status(status) => (GSI2, GSI2PK, GSI2SK, keys::orders_by_status(*status), None),
        };
        let cursor = query.cursor.as_deref();
        let page = IndexPage { index, pk_name, sk_name, partition, newest_first: true, limit: query.limit, cursor };
        // Sort keys are `<created_at>#<id>`: `>= from` includes orders at `from`,
        // and `< to` (or BETWEEN's upper bound `to`) excludes those at `to`.
        let range = match (query.from, query.to) {
            (None, None) => None,
            (Some(_), None) => Some("#pk = :pk AND #sk >= :from"),
            (None, Some(_)) => Some("#pk = :pk AND #sk < :to"),
            (Some(_), Some(_)) => Some("#pk = :pk AND #sk BETWEEN :from AND :to"),
        };
        let narrow = |mut request: QueryFluentBuilder| {
            if let Some(condition) = range {
                request = request.key_condition_expression(condition).expression_attribute_names("#sk", sk_name);
            }
            if let Some(from) = query.from {
                request = request.expression_attribute_values(":from", ts(from));
            }
            if let Some(to) = query.to {
                request = request.expression_attribute_values(":to", ts(to));
            }
            if let Some(status) = status {
                request = request
                    .filter_expression("#status = :status")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":status", s(status.as_str()));
            }
            request
        };
        self.page(page, narrow, order_from).await
    }
}
