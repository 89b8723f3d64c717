//! The benchmark's floor: for each measured endpoint, the DynamoDB calls its
//! handler makes, with the same keys, items and conditions, made directly with the
//! same SDK client on the same Lambda runtime, and nothing else: no routing, token
//! check, validation, domain rules or views. `bench/run.py` sends it the very events
//! it sends the handlers, alternating the two, so handler / floor is what Tillbox's
//! own code costs per request. Answers are JSON of a similar size, unchecked.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Put, ReturnValue, TransactWriteItem, Update};
use lambda_http::{Body, Error, Request, RequestExt, Response, service_fn};
use std::collections::HashMap;
use tillbox::domain::format_timestamp;
use tillbox::outbound::dynamodb::keys;

type Item = HashMap<String, AttributeValue>;

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn item<const N: usize>(pairs: [(&str, AttributeValue); N]) -> Item {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The attributes as plain JSON, about the size of the handlers' views.
fn plain(item: &Item) -> serde_json::Value {
    item.iter()
        .map(|(k, v)| {
            let value = match v {
                AttributeValue::S(text) | AttributeValue::N(text) => serde_json::Value::from(text.as_str()),
                AttributeValue::L(list) => serde_json::Value::from(list.len()),
                _ => serde_json::Value::Null,
            };
            (k.clone(), value)
        })
        .collect()
}

fn reply(status: u16, body: &serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body.to_string()))
        .expect("static status and header are valid")
}

/// The one variant of a product sold one way (what the bench's products are).
fn sole_variant(product: &Item) -> (String, Item) {
    match product.get("variants") {
        Some(AttributeValue::M(variants)) => variants
            .iter()
            .next()
            .and_then(|(id, v)| v.as_m().ok().map(|v| (id.clone(), v.clone())))
            .unwrap_or_default(),
        _ => Default::default(),
    }
}

/// An outbox item of `kind` with `data` (the inside of its JSON object).
fn event(kind: &str, data: &str, now: time::OffsetDateTime) -> Item {
    let stamp = format_timestamp(now);
    let event_id = uuid::Uuid::now_v7().to_string();
    item([
        ("PK", s(format!("OUTBOX#{event_id}"))),
        ("SK", s("OUTBOX")),
        ("GSI1PK", s(format!("OUTBOX#{}", &stamp[..10]))),
        ("GSI1SK", s(format!("{stamp}#{event_id}"))),
        ("entity", s("event")),
        ("event_type", s(kind)),
        ("payload", s(format!(r#"{{"id":"{event_id}","type":"{kind}","data":{{{data}}}}}"#))),
        ("occurred_at", s(&stamp)),
        ("expires_at", n(now.unix_timestamp() + 7 * 86_400)),
    ])
}

struct Floor {
    client: Client,
    table: String,
}

impl Floor {
    /// `GET /products/{id}`: one GetItem.
    async fn product(&self, id: &str) -> Result<Response<Body>, Error> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(format!("PRODUCT#{id}")))
            .key("SK", s("PRODUCT"))
            .send()
            .await?;
        Ok(match output.item {
            Some(found) => reply(200, &plain(&found)),
            None => reply(404, &serde_json::json!({})),
        })
    }

    /// `GET /products?limit=`: one Query of the active-products index, newest first.
    async fn products(&self, limit: i32) -> Result<Response<Body>, Error> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI1")
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", "GSI1PK")
            .expression_attribute_values(":pk", s("PRODUCTS#active"))
            .scan_index_forward(false)
            .limit(limit)
            .send()
            .await?;
        let items: Vec<_> = output.items().iter().map(plain).collect();
        Ok(reply(200, &serde_json::json!({ "items": items })))
    }

    /// `POST /products`: one transaction putting the product and claiming its SKU.
    async fn create_product(&self, body: &serde_json::Value) -> Result<Response<Body>, Error> {
        let id = uuid::Uuid::now_v7().to_string();
        let at = time::OffsetDateTime::now_utc();
        let now = format_timestamp(at);
        let text = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
        let sku = text("sku");
        let status = text("status");
        let price = body["price"]["amount"].as_i64().unwrap_or_default();
        let variant = AttributeValue::M(item([
            ("sku", s(&sku)),
            ("options", AttributeValue::L(Vec::new())),
            ("price_amount", n(price)),
            ("price_override", AttributeValue::Bool(false)),
            ("stock", n(body["stock"].as_i64().unwrap_or_default())),
            ("max_per_order", n(body["max_per_order"].as_i64().unwrap_or(10))),
            ("weight_grams", n(0)),
            ("image_ids", AttributeValue::L(Vec::new())),
            ("low_stock_threshold", n(5)),
            ("archived", AttributeValue::Bool(false)),
        ]));
        let mut product = item([
            ("PK", s(format!("PRODUCT#{id}"))),
            ("SK", s("PRODUCT")),
            ("entity", s("product")),
            ("id", s(&id)),
            ("name", s(text("name"))),
            ("description", s(text("description"))),
            ("price_amount", n(price)),
            ("currency", s(body["price"]["currency"].as_str().unwrap_or_default())),
            ("options", AttributeValue::L(Vec::new())),
            ("variants", AttributeValue::M([(uuid::Uuid::now_v7().to_string(), variant)].into_iter().collect())),
            ("status", s(&status)),
            ("images", AttributeValue::L(Vec::new())),
            ("version", n(1)),
            ("created_at", s(&now)),
            ("updated_at", s(&now)),
            ("GSI1PK", s(format!("PRODUCTS#{status}"))),
            ("GSI1SK", s(format!("{now}#{id}"))),
        ]);
        if let Some(category) = body["category"].as_str() {
            product.extend(item([
                ("category", s(category)),
                ("GSI2PK", s(format!("PRODUCTS#{status}#CATEGORY#{category}"))),
                ("GSI2SK", s(format!("{now}#{id}"))),
            ]));
        }
        let claim = item([("PK", s(format!("SKU#{sku}"))), ("SK", s("SKU")), ("product_id", s(&id))]);
        let response = reply(201, &plain(&product));
        self.client
            .transact_write_items()
            .transact_items(self.put_new(product)?)
            .transact_items(self.put_new(event("product.created", &format!(r#""product_id":"{id}""#), at))?)
            .transact_items(self.put_new(claim)?)
            .send()
            .await?;
        Ok(response)
    }

    /// `POST /orders`: acquire the idempotency key, count the customer's order in the
    /// hour, read the products in one batch, place the order in one transaction
    /// (stock, the order, the customer's open orders, the event), store the response
    /// under the key. Spread over 64 customers, as the benchmark's buyers are.
    async fn place_order(&self, key: &str, body: &serde_json::Value) -> Result<Response<Body>, Error> {
        let now = time::OffsetDateTime::now_utc();
        let stamp = format_timestamp(now);
        let record_key = [("PK", s(format!("IDEMPOTENCY#floor#{key}"))), ("SK", s("IDEMPOTENCY"))];
        let mut record = item(record_key.clone());
        record.extend(item([
            ("entity", s("idempotency")),
            ("caller", s("floor")),
            ("key", s(key)),
            ("request_hash", s("0".repeat(64))),
            ("expires_at", n(now.unix_timestamp() + 86_400)),
            ("in_progress_until", n(now.unix_timestamp() * 1000 + 30_000)),
            ("status", s("INPROGRESS")),
        ]));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(record.clone()))
            .condition_expression(
                "attribute_not_exists(PK) OR expires_at <= :now OR (#status = :in_progress AND in_progress_until <= :now_ms)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":now", n(now.unix_timestamp()))
            .expression_attribute_values(":now_ms", n(now.unix_timestamp() * 1000))
            .expression_attribute_values(":in_progress", s("INPROGRESS"))
            .send()
            .await?;

        let customer = format!("floor-{}", key.bytes().map(u32::from).sum::<u32>() % 64);
        let hour = now.unix_timestamp() / 3600 * 3600;
        self.client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(keys::rate_pk("orders-customer", &customer, hour)))
            .key("SK", s(keys::RATE_SK))
            .update_expression("ADD hits :one SET #expires = :expires")
            .expression_attribute_names("#expires", "expires_at")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":expires", n(hour + 3600 + 60))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await?;

        let wanted: Vec<(String, i64)> = body["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| (l["product_id"].as_str().unwrap_or_default().to_owned(), l["quantity"].as_i64().unwrap_or(1)))
            .collect();
        let ids: Vec<&str> = wanted.iter().map(|(id, _)| id.as_str()).collect();
        let products = self.batch_products(&ids).await?;

        let order_id = uuid::Uuid::now_v7().to_string();
        let mut reserve = Vec::new();
        let mut lines = Vec::new();
        let mut total = 0;
        for (product, (id, quantity)) in products.iter().zip(&wanted) {
            let (variant_id, variant) = sole_variant(product);
            let price: i64 = match variant.get("price_amount") {
                Some(AttributeValue::N(v)) => v.parse()?,
                _ => 0,
            };
            total += price * quantity;
            let update = Update::builder()
                .table_name(&self.table)
                .key("PK", s(format!("PRODUCT#{id}")))
                .key("SK", s("PRODUCT"))
                .update_expression("SET #variants.#v0.stock = #variants.#v0.stock - :q0, version = version + :one")
                .condition_expression(
                    "#status = :active AND currency = :currency AND #variants.#v0.stock >= :q0 \
                     AND #variants.#v0.price_amount = :price0 AND #variants.#v0.archived = :no",
                )
                .expression_attribute_names("#status", "status")
                .expression_attribute_names("#variants", "variants")
                .expression_attribute_names("#v0", &variant_id)
                .expression_attribute_values(":no", AttributeValue::Bool(false))
                .expression_attribute_values(":q0", n(quantity))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":active", s("active"))
                .expression_attribute_values(":price0", n(price))
                .expression_attribute_values(":currency", product.get("currency").cloned().unwrap_or(s("EUR")))
                .build()?;
            reserve.push(TransactWriteItem::builder().update(update).build());
            lines.push(AttributeValue::M(item([
                ("product_id", s(id)),
                ("variant_id", s(&variant_id)),
                ("sku", variant.get("sku").cloned().unwrap_or(s(""))),
                ("name", product.get("name").cloned().unwrap_or(s(""))),
                ("unit_price", n(price)),
                ("quantity", n(quantity)),
                ("total", n(price * quantity)),
            ])));
        }
        let sort = format!("{stamp}#{order_id}");
        let order = item([
            ("PK", s(format!("ORDER#{order_id}"))),
            ("SK", s("ORDER")),
            ("GSI1PK", s(format!("CUSTOMER#{customer}"))),
            ("GSI1SK", s(&sort)),
            ("GSI2PK", s("ORDERS#pending_payment")),
            ("GSI2SK", s(&sort)),
            ("entity", s("order")),
            ("id", s(&order_id)),
            ("customer", s(&customer)),
            ("status", s("pending_payment")),
            ("currency", s("EUR")),
            ("subtotal", n(total)),
            ("total", n(total)),
            ("lines", AttributeValue::L(lines)),
            ("version", n(1)),
            ("created_at", s(&stamp)),
            ("updated_at", s(&stamp)),
        ]);
        let outbox = event("order.placed", &format!(r#""order_id":"{order_id}""#), now);
        let view = plain(&order);
        let open_orders = Update::builder()
            .table_name(&self.table)
            .key("PK", s(keys::open_orders_pk(&customer)))
            .key("SK", s(keys::OPEN_ORDERS_SK))
            .update_expression("ADD #ids :ids")
            .condition_expression("attribute_not_exists(#ids) OR size(#ids) < :max")
            .expression_attribute_names("#ids", "order_ids")
            .expression_attribute_values(":ids", AttributeValue::Ss(vec![order_id.clone()]))
            .expression_attribute_values(":max", n(1000))
            .build()?;
        reserve.push(TransactWriteItem::builder().update(open_orders).build());
        reserve.push(self.put_new(order)?);
        reserve.push(self.put_new(outbox)?);
        self.client.transact_write_items().set_transact_items(Some(reserve)).send().await?;

        record.extend(item([
            ("status", s("COMPLETED")),
            ("response_status", n(201)),
            ("response_headers", s(r#"[["content-type","application/json"]]"#)),
            ("response_body", s(view.to_string())),
        ]));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(record))
            .condition_expression("#status = :in_progress AND request_hash = :hash")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":in_progress", s("INPROGRESS"))
            .expression_attribute_values(":hash", s("0".repeat(64)))
            .send()
            .await?;
        Ok(reply(201, &view))
    }

    async fn cart_item(&self, id: &str) -> Result<Item, Error> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(format!("CART#{id}")))
            .key("SK", s("CART"))
            .consistent_read(true)
            .send()
            .await?;
        Ok(output.item.unwrap_or_default())
    }

    /// The products a cart's lines name, in one BatchGetItem (a cart holds at most 50 lines).
    async fn cart_products(&self, cart: &Item) -> Result<Vec<Item>, Error> {
        let mut ids: Vec<String> = match cart.get("lines") {
            Some(AttributeValue::L(lines)) => {
                lines.iter().filter_map(|l| l.as_m().ok()?.get("product_id")?.as_s().ok().cloned()).collect()
            }
            _ => Vec::new(),
        };
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.batch_products(&ids.iter().map(String::as_str).collect::<Vec<_>>()).await
    }

    /// The products with these ids, in one BatchGetItem (the handlers' at most 50).
    async fn batch_products(&self, ids: &[&str]) -> Result<Vec<Item>, Error> {
        let keys = ids.iter().map(|id| item([("PK", s(format!("PRODUCT#{id}"))), ("SK", s("PRODUCT"))]));
        Ok(self
            .client
            .batch_get_item()
            .request_items(&self.table, KeysAndAttributes::builder().set_keys(Some(keys.collect())).build()?)
            .send()
            .await?
            .responses
            .and_then(|mut r| r.remove(&self.table))
            .unwrap_or_default())
    }

    /// `GET /carts/{id}`: the cart (consistent), then its products in one batch.
    async fn cart(&self, id: &str) -> Result<Response<Body>, Error> {
        let cart = self.cart_item(id).await?;
        let products = self.cart_products(&cart).await?;
        let lines: Vec<_> = products.iter().map(plain).collect();
        Ok(reply(200, &serde_json::json!({ "cart": plain(&cart), "lines": lines })))
    }

    /// `POST /carts/{id}/lines`: the cart, the product, the cart written back at
    /// its version with the line's quantity raised, then its products to price it.
    async fn add_to_cart(&self, id: &str, body: &serde_json::Value) -> Result<Response<Body>, Error> {
        let mut cart = self.cart_item(id).await?;
        let product_id = body["product_id"].as_str().unwrap_or_default();
        self.client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(format!("PRODUCT#{product_id}")))
            .key("SK", s("PRODUCT"))
            .send()
            .await?;
        let version: u64 = cart.get("version").and_then(|v| v.as_n().ok()?.parse().ok()).unwrap_or(0);
        let quantity = body["quantity"].as_i64().unwrap_or(1);
        if let Some(AttributeValue::L(lines)) = cart.get_mut("lines")
            && let Some(AttributeValue::M(line)) = lines.iter_mut().find(|l| {
                l.as_m().ok().and_then(|m| m.get("product_id")?.as_s().ok()).map(String::as_str) == Some(product_id)
            })
        {
            let held: i64 = line.get("quantity").and_then(|v| v.as_n().ok()?.parse().ok()).unwrap_or(0);
            line.insert("quantity".into(), n(held + quantity));
        }
        cart.insert("version".into(), n(version + 1));
        cart.insert("updated_at".into(), s(format_timestamp(time::OffsetDateTime::now_utc())));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(cart.clone()))
            .condition_expression("version = :expected")
            .expression_attribute_values(":expected", n(version))
            .send()
            .await?;
        let products = self.cart_products(&cart).await?;
        let lines: Vec<_> = products.iter().map(plain).collect();
        Ok(reply(200, &serde_json::json!({ "cart": plain(&cart), "lines": lines })))
    }

    fn put_new(&self, item: Item) -> Result<TransactWriteItem, Error> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    async fn handle(&self, request: Request) -> Result<Response<Body>, Error> {
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap_or_default();
        let path = request.raw_http_path();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (request.method().as_str(), &segments[..]) {
            ("GET", ["products", id]) => self.product(id).await,
            ("GET", ["products"]) => {
                let limit = request.query_string_parameters_ref().and_then(|q| q.first("limit")?.parse().ok());
                self.products(limit.unwrap_or(20)).await
            }
            ("POST", ["products"]) => self.create_product(&body).await,
            ("GET", ["carts", id]) => self.cart(id).await,
            ("POST", ["carts", id, "lines"]) => self.add_to_cart(id, &body).await,
            ("POST", ["orders"]) => {
                let key = request.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default();
                self.place_order(key, &body).await
            }
            _ => Ok(reply(404, &serde_json::json!({}))),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let sdk = tillbox::wiring::sdk()?;
    let floor = Floor { client: Client::new(&sdk), table: tillbox::config::table_name()? };
    let floor = &floor;
    lambda_http::run(service_fn(move |request| floor.handle(request))).await
}
