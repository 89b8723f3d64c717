//! `/products` endpoints through the real handlers and the real DynamoDB client,
//! against the local emulator.

mod support;

use serde_json::{Value, json};
use support::{Call, Reply, Stack, reply};
use tillbox::domain::Role;
use tillbox::inbound::http::products;

fn product_body(sku: &str) -> Value {
    json!({"sku": sku, "name": "Black tee", "description": "Organic cotton",
           "price": {"amount": 2500, "currency": "EUR"}, "stock": 12, "category": "t-shirts"})
}

async fn create(stack: &Stack, body: Value) -> Reply {
    let call = Call::new("POST", "/products").token(&stack.token(Role::Staff)).json(body);
    reply(products::create(&stack.catalog(), call.build()).await)
}

async fn create_active(stack: &Stack, sku: &str) -> Reply {
    let mut body = product_body(sku);
    body["status"] = "active".into();
    let created = create(stack, body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created
}

async fn get(stack: &Stack, id: &str, token: Option<&str>) -> Reply {
    let mut call = Call::new("GET", &format!("/products/{id}")).path_param("id", id);
    if let Some(token) = token {
        call = call.token(token);
    }
    reply(products::get(&stack.catalog(), call.build()).await)
}

async fn list(stack: &Stack, query: &[(&str, &str)], token: Option<&str>) -> Reply {
    let mut call = Call::new("GET", "/products").query(query);
    if let Some(token) = token {
        call = call.token(token);
    }
    reply(products::list(&stack.catalog(), call.build()).await)
}

async fn patch(stack: &Stack, id: &str, if_match: Option<&str>, body: Value) -> Reply {
    let mut call =
        Call::new("PATCH", &format!("/products/{id}")).path_param("id", id).token(&stack.token(Role::Staff)).json(body);
    if let Some(tag) = if_match {
        call = call.header("if-match", tag);
    }
    reply(products::update(&stack.catalog(), call.build()).await)
}

async fn products_stored(stack: &Stack) -> usize {
    stack
        .items()
        .await
        .iter()
        .filter(|i| i.get("entity").and_then(|v| v.as_s().ok()).map(String::as_str) == Some("product"))
        .count()
}

#[tokio::test]
async fn staff_create_a_draft_that_only_staff_can_read() {
    let stack = Stack::new().await;
    let created = create(&stack, product_body("tee-blk-m")).await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.header("location"), Some(format!("/products/{id}").as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(created.body["sku"], "TEE-BLK-M");
    assert_eq!(created.body["status"], "draft");
    assert_eq!(created.body["price"], json!({"amount": 2500, "currency": "EUR"}));
    assert_eq!(created.body["version"], 1);

    get(&stack, &id, None).await.assert_problem(404, "not_found", None);
    get(&stack, &id, Some(&stack.token(Role::Customer))).await.assert_problem(404, "not_found", None);
    let fetched = get(&stack, &id, Some(&stack.token(Role::Staff))).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body, created.body);
}

#[tokio::test]
async fn writes_need_a_valid_staff_token_and_refusals_write_nothing() {
    let stack = Stack::new().await;
    let catalog = stack.catalog();
    let anonymous =
        reply(products::create(&catalog, Call::new("POST", "/products").json(product_body("A")).build()).await);
    anonymous.assert_problem(401, "unauthorized", None);
    assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));

    let customer = Call::new("POST", "/products").token(&stack.token(Role::Customer)).json(product_body("A"));
    reply(products::create(&catalog, customer.build()).await).assert_problem(403, "forbidden", None);

    let forged = Call::new("POST", "/products").token("eyJhbGciOiJub25lIn0.e30.").json(product_body("A"));
    reply(products::create(&catalog, forged.build()).await).assert_problem(401, "unauthorized", None);

    let basic =
        Call::new("POST", "/products").header("authorization", "Basic YWRtaW46YWRtaW4=").json(product_body("A"));
    reply(products::create(&catalog, basic.build()).await).assert_problem(401, "unauthorized", None);

    assert_eq!(stack.items().await.len(), 0, "nothing was written");
}

#[tokio::test]
async fn bad_input_is_a_problem_naming_the_field() {
    let stack = Stack::new().await;
    let mut invalid = product_body("A");
    invalid["price"]["amount"] = json!(-1);
    invalid["price"]["currency"] = json!("EURO");
    let r = create(&stack, invalid).await;
    r.assert_problem(422, "validation_failed", Some("price.currency"));
    let fields: Vec<_> = r.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["price.currency"], "currency is checked before amount within price");

    let mut wrong_type = product_body("A");
    wrong_type["price"]["amount"] = json!("25.00");
    create(&stack, wrong_type).await.assert_problem(400, "malformed_body", Some("price.amount"));

    let mut missing = product_body("A");
    missing.as_object_mut().unwrap().remove("sku");
    create(&stack, missing).await.assert_problem(422, "validation_failed", Some("sku"));

    let mut unknown = product_body("A");
    unknown["colour"] = json!("black");
    create(&stack, unknown).await.assert_problem(400, "malformed_body", Some("colour"));

    let mut float_price = product_body("A");
    float_price["price"]["amount"] = json!(25.5);
    create(&stack, float_price).await.assert_problem(400, "malformed_body", Some("price.amount"));

    let token = stack.token(Role::Staff);
    let not_json =
        Call::new("POST", "/products").token(&token).header("content-type", "application/json").raw("{\"sku\":");
    reply(products::create(&stack.catalog(), not_json.build()).await).assert_problem(400, "malformed_body", None);

    let huge =
        json!({"sku": "A", "name": "x", "description": "d".repeat(70_000), "price": {"amount": 1, "currency": "EUR"}});
    create(&stack, huge).await.assert_problem(413, "body_too_large", None);

    let form = Call::new("POST", "/products").token(&token).header("content-type", "text/plain").raw("sku=A");
    reply(products::create(&stack.catalog(), form.build()).await).assert_problem(415, "unsupported_media_type", None);

    assert_eq!(stack.items().await.len(), 0, "no half-written record");
}

/// JSON has one number type: 2500.0 is the whole number the schema calls an integer.
#[tokio::test]
async fn whole_numbers_written_with_a_fraction_are_integers() {
    let stack = Stack::new().await;
    let mut whole = product_body("WHOLE-1");
    whole["price"]["amount"] = json!(2500.0);
    whole["stock"] = json!(3.0);
    let created = create(&stack, whole).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!((created.body["price"]["amount"].clone(), created.body["stock"].clone()), (json!(2500), json!(3)));
}

#[tokio::test]
async fn skus_are_unique_whatever_their_case() {
    let stack = Stack::new().await;
    assert_eq!(create(&stack, product_body("mug-1")).await.status, 201);
    create(&stack, product_body("MUG-1")).await.assert_problem(409, "sku_taken", Some("sku"));
    assert_eq!(products_stored(&stack).await, 1);
}

#[tokio::test]
async fn updates_need_the_current_version() {
    let stack = Stack::new().await;
    let created = create(&stack, product_body("cap")).await;
    let id = created.body["id"].as_str().unwrap().to_owned();

    patch(&stack, &id, None, json!({"name": "Cap"})).await.assert_problem(
        428,
        "precondition_required",
        Some("If-Match"),
    );
    patch(&stack, &id, Some("banana"), json!({"name": "Cap"})).await.assert_problem(
        400,
        "malformed_header",
        Some("If-Match"),
    );

    let updated = patch(&stack, &id, Some("\"1\""), json!({"name": "Red cap", "stock": 3, "status": "active"})).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.header("etag"), Some("\"2\""));
    assert_eq!((updated.body["name"].as_str(), updated.body["stock"].as_u64()), (Some("Red cap"), Some(3)));

    let stale = patch(&stack, &id, Some("\"1\""), json!({"name": "Lost update"})).await;
    stale.assert_problem(412, "version_mismatch", None);
    assert_eq!(stale.header("etag"), Some("\"2\""));
    let stored = get(&stack, &id, None).await;
    assert_eq!(stored.body["name"], "Red cap", "the stale write changed nothing");
    assert_eq!(stored.body["version"], 2);

    patch(&stack, &id, Some("2"), json!({"price": {"amount": 1, "currency": "eur"}})).await.assert_problem(
        422,
        "validation_failed",
        Some("price.currency"),
    );
    let unknown = uuid::Uuid::now_v7().to_string();
    patch(&stack, &unknown, Some("1"), json!({"name": "x"})).await.assert_problem(404, "not_found", None);
}

#[tokio::test]
async fn changing_the_sku_frees_the_old_one_and_respects_uniqueness() {
    let stack = Stack::new().await;
    let first = create(&stack, product_body("old-sku")).await.body["id"].as_str().unwrap().to_owned();
    assert_eq!(create(&stack, product_body("taken")).await.status, 201);

    patch(&stack, &first, Some("1"), json!({"sku": "TAKEN"})).await.assert_problem(409, "sku_taken", Some("sku"));
    assert_eq!(get(&stack, &first, Some(&stack.token(Role::Staff))).await.body["sku"], "OLD-SKU");

    let renamed = patch(&stack, &first, Some("1"), json!({"sku": "new-sku"})).await;
    assert_eq!(renamed.body["sku"], "NEW-SKU");
    assert_eq!(create(&stack, product_body("old-sku")).await.status, 201, "the old SKU is free again");
    create(&stack, product_body("new-sku")).await.assert_problem(409, "sku_taken", Some("sku"));
}

#[tokio::test]
async fn archiving_hides_a_product_and_can_be_repeated() {
    let stack = Stack::new().await;
    let id = create_active(&stack, "lamp").await.body["id"].as_str().unwrap().to_owned();
    let staff = stack.token(Role::Staff);
    let delete = |if_match: Option<&'static str>| {
        let mut call = Call::new("DELETE", &format!("/products/{id}")).path_param("id", &id).token(&staff);
        if let Some(tag) = if_match {
            call = call.header("if-match", tag);
        }
        let catalog = stack.catalog();
        async move { reply(products::archive(&catalog, call.build()).await) }
    };
    delete(Some("\"7\"")).await.assert_problem(412, "version_mismatch", None);
    let archived = delete(Some("\"1\"")).await;
    assert_eq!((archived.status, archived.body["status"].as_str()), (200, Some("archived")));
    let again = delete(None).await;
    assert_eq!((again.status, again.body["version"].as_u64()), (200, Some(2)), "a repeated DELETE changes nothing");

    get(&stack, &id, None).await.assert_problem(404, "not_found", None);
    assert_eq!(list(&stack, &[], None).await.body["items"], json!([]));
    let staff_view = list(&stack, &[("status", "archived")], Some(&staff)).await;
    assert_eq!(staff_view.body["items"][0]["id"], id.as_str());

    let customer =
        Call::new("DELETE", &format!("/products/{id}")).path_param("id", &id).token(&stack.token(Role::Customer));
    reply(products::archive(&stack.catalog(), customer.build()).await).assert_problem(403, "forbidden", None);
}

#[tokio::test]
async fn listing_pages_through_everything_once_newest_first() {
    let stack = Stack::new().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(create_active(&stack, &format!("item-{n}")).await.body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(create(&stack, product_body("hidden-draft")).await.status, 201);
    ids.reverse();

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let mut query = vec![("limit", "2")];
        if let Some(c) = &cursor {
            query.push(("cursor", c.as_str()));
        }
        let page = list(&stack, &query, None).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        match page.body.get("next_cursor").and_then(Value::as_str) {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ids, "every active product exactly once, newest first; the draft never");
}

#[tokio::test]
async fn listing_filters_by_category_and_checks_its_query() {
    let stack = Stack::new().await;
    let tee = create_active(&stack, "tee").await.body["id"].as_str().unwrap().to_owned();
    let mut mug = product_body("mug");
    mug["status"] = "active".into();
    mug["category"] = "mugs".into();
    assert_eq!(create(&stack, mug).await.status, 201);

    let tees = list(&stack, &[("category", "t-shirts")], None).await;
    let ids: Vec<_> = tees.body["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [tee.as_str()]);

    list(&stack, &[("limit", "0")], None).await.assert_problem(400, "invalid_query", Some("limit"));
    list(&stack, &[("limit", "101")], None).await.assert_problem(400, "invalid_query", Some("limit"));
    list(&stack, &[("status", "sold")], None).await.assert_problem(400, "invalid_query", Some("status"));
    list(&stack, &[("category", "Not A Slug")], None).await.assert_problem(400, "invalid_query", Some("category"));
    list(&stack, &[("status", "draft")], None).await.assert_problem(401, "unauthorized", None);
    list(&stack, &[("status", "draft")], Some(&stack.token(Role::Customer))).await.assert_problem(
        403,
        "forbidden",
        None,
    );
    list(&stack, &[("cursor", "garbage")], None).await.assert_problem(400, "invalid_query", Some("cursor"));

    // A cursor only continues the listing it came from.
    create_active(&stack, "tee-2").await;
    let page = list(&stack, &[("category", "t-shirts"), ("limit", "1")], None).await;
    let cursor = page.body["next_cursor"].as_str().expect("a full page has a cursor").to_owned();
    list(&stack, &[("cursor", &cursor)], None).await.assert_problem(400, "invalid_query", Some("cursor"));
    list(&stack, &[("category", "mugs"), ("cursor", &cursor)], None).await.assert_problem(
        400,
        "invalid_query",
        Some("cursor"),
    );
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_not_found() {
    let stack = Stack::new().await;
    let staff = stack.token(Role::Staff);
    get(&stack, &uuid::Uuid::now_v7().to_string(), Some(&staff)).await.assert_problem(404, "not_found", None);
    get(&stack, "not-a-uuid", Some(&staff)).await.assert_problem(404, "not_found", None);
}
