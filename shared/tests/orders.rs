//! Orders, discounts and idempotent requests through the real handlers and the real
//! DynamoDB client against the local emulator, races included: what must not
//! happen (oversell, a second order for one key, a code used past its limit, stock
//! released twice) is asserted on the stored state, not only on the replies.

mod support;

use serde_json::{Value, json};
use std::sync::Arc;
use support::{Call, Reply, Stack, reply};
use tillbox::domain::{Event, Role};
use tillbox::inbound::http::context::TableAccess;
use tillbox::inbound::http::{discounts, orders, products};

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn create_product(stack: &Stack, stock: u32, price: i64) -> String {
    let sku = format!("SKU-{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let body = json!({"sku": sku, "name": "Black tee", "price": {"amount": price, "currency": "EUR"},
                      "stock": stock, "status": "active"});
    let call = Call::new("POST", "/products").token(&stack.token(Role::Staff)).json(body);
    let created = reply(products::create(&stack.catalog(), call.build()).await);
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

async fn stock_of(stack: &Stack, product: &str) -> u64 {
    let call = Call::new("GET", &format!("/products/{product}")).path_param("id", product);
    reply(products::get(&stack.catalog(), call.build()).await).body["stock"].as_u64().unwrap()
}

fn order_call(token: &str, key: Option<&str>, body: &Value) -> Call {
    let call = Call::new("POST", "/orders").token(token).json(body.clone());
    match key {
        Some(key) => call.header("idempotency-key", key),
        None => call,
    }
}

async fn place(ctx: &TableAccess, token: &str, key: Option<&str>, body: &Value) -> Reply {
    reply(orders::create(ctx, order_call(token, key, body).build()).await)
}

fn one_line(product: &str, quantity: u32) -> Value {
    json!({"lines": [{"product_id": product, "quantity": quantity}]})
}

/// Runs `count` requests at once (concurrently on the emulator), each built by `make(i)`.
async fn race<F, Fut>(count: usize, make: F) -> Vec<Reply>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Reply> + Send + 'static,
{
    let handles: Vec<_> = (0..count).map(|i| tokio::spawn(make(i))).collect();
    let mut replies = Vec::with_capacity(count);
    for handle in handles {
        replies.push(handle.await.expect("request task"));
    }
    replies
}

fn count(replies: &[Reply], status: u16, code: Option<&str>) -> usize {
    replies.iter().filter(|r| r.status == status && code.is_none_or(|c| r.body["code"] == c)).count()
}

async fn stored(
    stack: &Stack,
    entity: &str,
) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    stack
        .items()
        .await
        .into_iter()
        .filter(|i| i.get("entity").and_then(|v| v.as_s().ok()).is_some_and(|e| e == entity))
        .collect()
}

async fn events_of(stack: &Stack, kind: &str) -> Vec<Event> {
    let items = stack.items_with_pk("OUTBOX#").await;
    let events = items.iter().map(|i| serde_json::from_str::<Event>(i["payload"].as_s().unwrap()).unwrap());
    events.filter(|e| e.kind.name() == kind).collect()
}

#[tokio::test]
async fn two_hundred_buyers_for_fifty_in_stock_make_exactly_fifty_orders() {
    let stack = Stack::new().await;
    let product = create_product(&stack, 50, 2500).await;
    let ctx = Arc::new(stack.access());
    let tokens: Vec<String> = (0..200).map(|i| stack.token_for(&format!("buyer-{i}"), Role::Customer)).collect();
    let body = one_line(&product, 1);
    let replies = race(200, |i| {
        let (ctx, token, body) = (ctx.clone(), tokens[i].clone(), body.clone());
        async move { place(&ctx, &token, Some(&new_key()), &body).await }
    })
    .await;

    assert_eq!(count(&replies, 201, None), 50, "exactly the stock was sold");
    assert_eq!(count(&replies, 409, Some("out_of_stock")), 150, "everyone else got a clean 409");
    for refused in replies.iter().filter(|r| r.status == 409) {
        refused.assert_problem(409, "out_of_stock", Some("lines"));
        assert!(refused.body["detail"].as_str().unwrap().contains(&product), "names the product");
    }
    assert_eq!(stock_of(&stack, &product).await, 0, "never negative, nothing left over");
    assert_eq!(stored(&stack, "order").await.len(), 50);
    assert_eq!(events_of(&stack, "order.placed").await.len(), 50, "one event per order, none for refusals");
    let records = stored(&stack, "idempotency").await;
    let statuses: Vec<_> = records.iter().map(|r| r["status"].as_s().unwrap().clone()).collect();
    assert_eq!(records.len(), 50, "refused attempts released their keys: {statuses:?}");
}

#[tokio::test]
async fn twenty_concurrent_requests_with_one_key_make_one_order() {
    let stack = Stack::new().await;
    let product = create_product(&stack, 10, 900).await;
    let ctx = Arc::new(stack.access());
    let token = stack.token_for("same-key-buyer", Role::Customer);
    let key = new_key();
    let body = one_line(&product, 2);
    let replies = race(20, |_| {
        let (ctx, token, key, body) = (ctx.clone(), token.clone(), key.clone(), body.clone());
        async move { place(&ctx, &token, Some(&key), &body).await }
    })
    .await;

    let created: Vec<_> = replies.iter().filter(|r| r.status == 201).collect();
    let in_progress = count(&replies, 409, Some("request_in_progress"));
    assert_eq!(created.len() + in_progress, 20, "every reply is the order or a retryable 409");
    let first: Vec<_> = created.iter().filter(|r| r.header("idempotent-replayed").is_none()).collect();
    assert_eq!(first.len(), 1, "one request ran; the other successes are replays");
    let order_id = &first[0].body["id"];
    assert!(created.iter().all(|r| &r.body["id"] == order_id), "replays return the same order");
    for conflict in replies.iter().filter(|r| r.status == 409) {
        assert_eq!(conflict.header("retry-after"), Some("1"));
    }
    assert_eq!(stored(&stack, "order").await.len(), 1);
    assert_eq!(stock_of(&stack, &product).await, 8, "stock moved once");

    // A later retry replays the same status, body and headers.
    let retry = place(&ctx, &token, Some(&key), &body).await;
    assert_eq!((retry.status, &retry.body["id"]), (201, order_id));
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.header("location"), first[0].header("location"));
    // Key order in the body does not matter; its content does.
    let reordered = json!({"lines": [{"quantity": 2, "product_id": product}]});
    assert_eq!(place(&ctx, &token, Some(&key), &reordered).await.status, 201);
    place(&ctx, &token, Some(&key), &one_line(&product, 3)).await.assert_problem(
        422,
        "idempotency_key_reused",
        Some("Idempotency-Key"),
    );
    // Keys are per caller: another customer's identical key is a new order.
    let other = stack.token_for("someone-else", Role::Customer);
    assert_eq!(place(&ctx, &other, Some(&key), &body).await.header("idempotent-replayed"), None);
    assert_eq!(stored(&stack, "order").await.len(), 2);
}

#[tokio::test]
async fn the_key_is_required_and_a_failed_attempt_releases_it() {
    let stack = Stack::new().await;
    let ctx = stack.access();
    let product = create_product(&stack, 1, 900).await;
    let token = stack.token_for("retrying-buyer", Role::Customer);
    place(&ctx, &token, None, &one_line(&product, 1)).await.assert_problem(
        400,
        "idempotency_key_required",
        Some("Idempotency-Key"),
    );
    place(&ctx, &token, Some("has space"), &one_line(&product, 1)).await.assert_problem(
        400,
        "malformed_header",
        Some("Idempotency-Key"),
    );

    let key = new_key();
    place(&ctx, &token, Some(&key), &one_line(&product, 2)).await.assert_problem(409, "out_of_stock", Some("lines"));
    assert!(stored(&stack, "idempotency").await.is_empty(), "the failed attempt released the key");
    let restock = Call::new("PATCH", &format!("/products/{product}"))
        .path_param("id", &product)
        .token(&stack.token(Role::Staff))
        .header("if-match", "\"1\"")
        .json(json!({"stock": 5}));
    assert_eq!(reply(products::update(&stack.catalog(), restock.build()).await).status, 200);
    let placed = place(&ctx, &token, Some(&key), &one_line(&product, 2)).await;
    assert_eq!((placed.status, placed.header("idempotent-replayed")), (201, None), "the retry ran anew");
    assert_eq!(placed.body["total"], 1800);
    assert_eq!(stock_of(&stack, &product).await, 3);
}

#[tokio::test]
async fn bad_orders_name_the_field_and_write_nothing() {
    let stack = Stack::new().await;
    let ctx = stack.access();
    let product = create_product(&stack, 5, 900).await;
    let token = stack.token_for("careless-buyer", Role::Customer);
    let cases = [
        (json!({"lines": []}), 422, "lines"),
        (json!({"lines": [{"product_id": product, "quantity": 0}]}), 422, "lines[0].quantity"),
        (json!({"lines": [{"product_id": "nope", "quantity": 1}]}), 400, "lines[0].product_id"),
        (
            json!({"lines": [{"product_id": uuid::Uuid::now_v7().to_string(), "quantity": 1}]}),
            422,
            "lines[0].product_id",
        ),
        (json!({"lines": [{"product_id": product, "quantity": 1, "price": 1}]}), 400, "lines[0].price"),
        (
            json!({"lines": [{"product_id": product, "quantity": 1}], "discount_code": "NOSUCHCODE"}),
            422,
            "discount_code",
        ),
    ];
    for (body, status, field) in cases {
        let r = place(&ctx, &token, Some(&new_key()), &body).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert_eq!(r.body["field"], field, "{body}");
    }
    let anonymous = reply(orders::create(&ctx, Call::new("POST", "/orders").json(one_line(&product, 1)).build()).await);
    anonymous.assert_problem(401, "unauthorized", None);
    assert!(stored(&stack, "order").await.is_empty());
    assert!(stored(&stack, "idempotency").await.is_empty());
    assert_eq!(stock_of(&stack, &product).await, 5);
}

async fn create_discount(stack: &Stack, body: Value) -> Reply {
    let call = Call::new("POST", "/discounts").token(&stack.token(Role::Staff)).json(body);
    reply(discounts::create(&stack.access(), call.build()).await)
}

#[tokio::test]
async fn a_code_limited_to_ten_uses_is_used_ten_times_by_fifty_racers() {
    let stack = Stack::new().await;
    let product = create_product(&stack, 100, 2000).await;
    let created =
        create_discount(&stack, json!({"code": "race10", "kind": "percentage", "percent": 10, "usage_limit": 10}))
            .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let ctx = Arc::new(stack.access());
    let tokens: Vec<String> = (0..50).map(|i| stack.token_for(&format!("racer-{i}"), Role::Customer)).collect();
    let body = json!({"lines": [{"product_id": product, "quantity": 1}], "discount_code": "RACE10"});
    let replies = race(50, |i| {
        let (ctx, token, body) = (ctx.clone(), tokens[i].clone(), body.clone());
        async move { place(&ctx, &token, Some(&new_key()), &body).await }
    })
    .await;

    let placed: Vec<_> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(placed.len(), 10);
    assert!(
        placed
            .iter()
            .all(|r| r.body["discount"] == json!({"code": "RACE10", "amount": 200}) && r.body["total"] == 1800)
    );
    assert_eq!(count(&replies, 422, Some("validation_failed")), 40);
    assert!(replies.iter().filter(|r| r.status == 422).all(|r| r.body["field"] == "discount_code"));
    let list = Call::new("GET", "/discounts").token(&stack.token(Role::Staff));
    let listed = reply(discounts::list(&stack.access(), list.build()).await);
    assert_eq!(listed.body["items"][0]["uses"], 10, "the limit held under the race");
    assert_eq!(stock_of(&stack, &product).await, 90, "refused orders reserved nothing");
}

#[tokio::test]
async fn once_per_customer_codes_and_discount_administration() {
    let stack = Stack::new().await;
    let ctx = stack.access();
    let product = create_product(&stack, 10, 1000).await;
    let body = json!({"code": "WELCOME", "kind": "fixed", "amount": 300, "currency": "EUR", "once_per_customer": true});
    assert_eq!(create_discount(&stack, body.clone()).await.status, 201);
    create_discount(&stack, body).await.assert_problem(409, "discount_code_taken", Some("code"));
    create_discount(&stack, json!({"code": "BAD", "kind": "fixed", "amount": 300})).await.assert_problem(
        422,
        "validation_failed",
        Some("currency"),
    );
    let customer = stack.token_for("welcome-buyer", Role::Customer);
    let with_code = json!({"lines": [{"product_id": product, "quantity": 1}], "discount_code": "welcome"});
    let first = place(&ctx, &customer, Some(&new_key()), &with_code).await;
    assert_eq!((first.status, &first.body["total"]), (201, &json!(700)));
    let again = place(&ctx, &customer, Some(&new_key()), &with_code).await;
    again.assert_problem(422, "validation_failed", Some("discount_code"));
    assert_eq!(stock_of(&stack, &product).await, 9, "the refused order reserved nothing");

    // Cancelling gives the use back, so the customer may use the code again.
    let id = first.body["id"].as_str().unwrap();
    let cancel = Call::new("POST", &format!("/orders/{id}/cancel")).path_param("id", id).token(&customer);
    assert_eq!(reply(orders::cancel(&ctx, cancel.build()).await).status, 200);
    assert_eq!(place(&ctx, &customer, Some(&new_key()), &with_code).await.status, 201);

    // Staff deactivate it; a stale If-Match is refused; customers cannot manage codes.
    let patch = |tag: &str, token: &str| {
        Call::new("PATCH", "/discounts/WELCOME")
            .path_param("code", "welcome")
            .token(token)
            .header("if-match", tag)
            .json(json!({"active": false}))
            .build()
    };
    let staff = stack.token(Role::Staff);
    reply(discounts::update(&ctx, patch("\"7\"", &staff)).await).assert_problem(412, "version_mismatch", None);
    reply(discounts::update(&ctx, patch("\"1\"", &customer)).await).assert_problem(403, "forbidden", None);
    let off = reply(discounts::update(&ctx, patch("\"1\"", &staff)).await);
    assert_eq!((off.status, &off.body["active"], &off.body["uses"]), (200, &json!(false), &json!(1)));
    let other = stack.token_for("late-buyer", Role::Customer);
    let refused = place(&ctx, &other, Some(&new_key()), &with_code).await;
    refused.assert_problem(422, "validation_failed", Some("discount_code"));
    assert!(!stack.items_with_pk("AUDIT#").await.is_empty(), "discount changes are audited");
}

async fn transition(stack: &Stack, id: &str, action: &str, token: &str) -> Reply {
    let call = Call::new("POST", &format!("/orders/{id}/{action}")).path_param("id", id).token(token);
    let ctx = stack.access();
    let result = match action {
        "cancel" => orders::cancel(&ctx, call.build()).await,
        "mark-paid" => orders::mark_paid(&ctx, call.build()).await,
        "fulfil" => {
            orders::fulfil(&ctx, call.json(json!({"carrier": "DHL", "tracking_number": "JJD0001"})).build()).await
        }
        other => panic!("no action {other}"),
    };
    reply(result)
}

#[tokio::test]
async fn every_illegal_transition_is_refused_and_legal_ones_are_audited() {
    let stack = Stack::new().await;
    let ctx = stack.access();
    let product = create_product(&stack, 20, 500).await;
    let customer = stack.token_for("state-buyer", Role::Customer);
    let staff = stack.token(Role::Staff);
    let new_order = async || {
        let placed = place(&ctx, &customer, Some(&new_key()), &one_line(&product, 1)).await;
        placed.body["id"].as_str().unwrap().to_owned()
    };

    let pending = new_order().await;
    let paid = new_order().await;
    assert_eq!(transition(&stack, &paid, "mark-paid", &staff).await.body["status"], "paid");
    let fulfilled = new_order().await;
    transition(&stack, &fulfilled, "mark-paid", &staff).await;
    let shipped = transition(&stack, &fulfilled, "fulfil", &staff).await;
    assert_eq!(shipped.body["shipment"], json!({"carrier": "DHL", "tracking_number": "JJD0001"}));
    let cancelled = new_order().await;
    assert_eq!(transition(&stack, &cancelled, "cancel", &staff).await.body["cancel_reason"], "staff");

    let illegal = [
        (&pending, "fulfil"),
        (&paid, "mark-paid"),
        (&paid, "cancel"),
        (&fulfilled, "mark-paid"),
        (&fulfilled, "fulfil"),
        (&fulfilled, "cancel"),
        (&cancelled, "mark-paid"),
        (&cancelled, "fulfil"),
        (&cancelled, "cancel"),
    ];
    for (id, action) in illegal {
        transition(&stack, id, action, &staff).await.assert_problem(409, "illegal_transition", None);
    }
    // Customers may only cancel, and only their own orders.
    transition(&stack, &pending, "mark-paid", &customer).await.assert_problem(403, "forbidden", None);
    let stranger = stack.token_for("stranger", Role::Customer);
    transition(&stack, &pending, "cancel", &stranger).await.assert_problem(404, "not_found", None);
    let get = |token: &str| Call::new("GET", &format!("/orders/{pending}")).path_param("id", &pending).token(token);
    assert_eq!(reply(orders::get(&ctx, get(&stranger).build()).await).status, 404);
    assert_eq!(reply(orders::get(&ctx, get(&customer).build()).await).body["status"], "pending_payment");

    assert_eq!(stock_of(&stack, &product).await, 17, "only the cancelled order's unit came back");
    let audits = stack.items_with_pk("AUDIT#").await;
    let actions: Vec<_> = audits.iter().map(|a| a["action"].as_s().unwrap().as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "order.marked_paid").count(), 2);
    assert_eq!(actions.iter().filter(|a| **a == "order.fulfilled").count(), 1);
    assert_eq!(actions.iter().filter(|a| **a == "order.cancelled").count(), 1);
    assert_eq!(events_of(&stack, "order.paid").await.len(), 2);
    assert_eq!(events_of(&stack, "order.fulfilled").await.len(), 1);
    assert_eq!(events_of(&stack, "order.cancelled").await.len(), 1);
}

#[tokio::test]
async fn expiry_releases_stock_exactly_once_even_when_the_job_runs_twice() {
    let stack = Stack::new().await;
    let ctx = stack.access();
    let product = create_product(&stack, 5, 500).await;
    let token = stack.token_for("slow-payer", Role::Customer);
    let unpaid = place(&ctx, &token, Some(&new_key()), &one_line(&product, 2)).await;
    let paid = place(&ctx, &token, Some(&new_key()), &one_line(&product, 1)).await;
    let paid_id = paid.body["id"].as_str().unwrap();
    transition(&stack, paid_id, "mark-paid", &stack.token(Role::Staff)).await;
    assert_eq!(stock_of(&stack, &product).await, 2);

    let lifetime = time::Duration::minutes(60);
    let table = stack.table();
    let early = tillbox::app::orders::expire_unpaid(&table, lifetime, now()).await.unwrap();
    assert_eq!(early.cancelled, 0, "not old enough yet");
    let later = now() + time::Duration::minutes(61);
    let (a, b) = tokio::join!(
        tillbox::app::orders::expire_unpaid(&table, lifetime, later),
        tillbox::app::orders::expire_unpaid(&table, lifetime, later)
    );
    let third = tillbox::app::orders::expire_unpaid(&table, lifetime, later).await.unwrap();
    assert_eq!(a.unwrap().cancelled + b.unwrap().cancelled + third.cancelled, 1, "cancelled once in all");
    assert_eq!(stock_of(&stack, &product).await, 4, "two units back, once; the paid order keeps its unit");

    let id = unpaid.body["id"].as_str().unwrap();
    let get = Call::new("GET", &format!("/orders/{id}")).path_param("id", id).token(&token);
    let order = reply(orders::get(&ctx, get.build()).await);
    assert_eq!((&order.body["status"], &order.body["cancel_reason"]), (&json!("cancelled"), &json!("expired")));
    assert_eq!(events_of(&stack, "order.cancelled").await.len(), 1);
    let audits = stack.items_with_pk("AUDIT#").await;
    assert!(audits.iter().any(|a| a["actor"].as_s().unwrap() == "system:expire-orders"));
}

#[tokio::test]
async fn customers_list_their_own_orders_and_staff_list_by_status_and_date() {
    let stack = Stack::new().await;
    let ctx = stack.access();
    let product = create_product(&stack, 50, 500).await;
    let ann = stack.token_for("ann", Role::Customer);
    let bob = stack.token_for("bob", Role::Customer);
    let staff = stack.token(Role::Staff);
    for _ in 0..3 {
        assert_eq!(place(&ctx, &ann, Some(&new_key()), &one_line(&product, 1)).await.status, 201);
    }
    let bobs = place(&ctx, &bob, Some(&new_key()), &one_line(&product, 1)).await;
    transition(&stack, bobs.body["id"].as_str().unwrap(), "mark-paid", &staff).await;
    let list = |token: &str, query: &[(&str, &str)]| {
        let call = Call::new("GET", "/orders").token(token).query(query).build();
        let ctx = stack.access();
        async move { reply(orders::list(&ctx, call).await) }
    };

    let first = list(&ann, &[("limit", "2")]).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let rest = list(&ann, &[("limit", "2"), ("cursor", &cursor)]).await;
    let ids: Vec<_> = first.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest.body["items"].as_array().unwrap())
        .map(|o| o["id"].clone())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(first.body["items"].as_array().unwrap().iter().all(|o| o["customer"] == "ann"));
    // A customer asking for a status still sees only their own orders.
    assert!(list(&ann, &[("status", "paid")]).await.body["items"].as_array().unwrap().is_empty());

    let pending = list(&staff, &[("status", "pending_payment")]).await;
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 3);
    let paid = list(&staff, &[("status", "paid")]).await;
    assert_eq!(paid.body["items"][0]["customer"], "bob");
    let future = (now() + time::Duration::hours(1)).format(&time::format_description::well_known::Rfc3339).unwrap();
    let none = list(&staff, &[("status", "pending_payment"), ("from", &future)]).await;
    assert!(none.body["items"].as_array().unwrap().is_empty());
    let until_future = list(&staff, &[("status", "pending_payment"), ("to", &future)]).await;
    assert_eq!(until_future.body["items"].as_array().unwrap().len(), 3);
    let bobs_orders = list(&staff, &[("customer", "bob")]).await;
    assert_eq!(bobs_orders.body["items"].as_array().unwrap().len(), 1);

    list(&staff, &[]).await.assert_problem(400, "invalid_query", Some("status"));
    list(&staff, &[("status", "lost")]).await.assert_problem(400, "invalid_query", Some("status"));
    list(&staff, &[("status", "paid"), ("from", "yesterday")]).await.assert_problem(400, "invalid_query", Some("from"));
    list(&staff, &[("status", "paid"), ("cursor", &cursor)]).await.assert_problem(400, "invalid_query", Some("cursor"));
}
