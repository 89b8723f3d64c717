//! The DynamoDB product store's conflict paths, which the API reaches only when two
//! writers race between a read and a write.

mod support;

use support::Stack;
use tillbox::app::catalog::ports::{ProductStore, StoreError};
use tillbox::domain::{NewProduct, ProductChanges, ProductId};

fn product(sku: &str) -> tillbox::domain::Product {
    let input: NewProduct = serde_json::from_value(
        serde_json::json!({"sku": sku, "name": "Lamp", "price": {"amount": 4000, "currency": "EUR"}}),
    )
    .unwrap();
    input.into_product(ProductId::generate(), time::OffsetDateTime::now_utc()).unwrap()
}

fn renamed(p: &tillbox::domain::Product, name: &str) -> tillbox::domain::Product {
    let changes: ProductChanges = serde_json::from_value(serde_json::json!({ "name": name })).unwrap();
    p.apply(changes, time::OffsetDateTime::now_utc()).unwrap()
}

#[tokio::test]
async fn a_writer_that_lost_the_race_learns_the_current_version() {
    let stack = Stack::new().await;
    let table = stack.table();
    let v1 = product("lamp");
    table.insert(&v1).await.unwrap();
    let winner = renamed(&v1, "Winner");
    table.replace(&v1, &winner).await.unwrap();

    let loser = renamed(&v1, "Loser");
    let error = table.replace(&v1, &loser).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionMismatch { current: 2 }), "{error:?}");
    assert_eq!(table.get(v1.id).await.unwrap().unwrap().name, "Winner", "the losing write changed nothing");
}

#[tokio::test]
async fn replacing_a_product_that_does_not_exist_is_not_found_and_writes_nothing() {
    let stack = Stack::new().await;
    let table = stack.table();
    let ghost = product("ghost");
    let error = table.replace(&ghost, &renamed(&ghost, "Boo")).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound), "{error:?}");
    assert!(stack.items().await.is_empty());
}
