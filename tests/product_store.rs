//! The product store's contract (versions, SKU claims, missing items), which the
//! API reaches only when two writers race between a read and a write: held
//! against DynamoDB through the emulator and against the in-memory fake the
//! use-case tests rely on.

mod memory;
mod support;

use memory::MemoryShop;
use support::Stack;
use tillbox::app::catalog::ports::{ProductStore, SkuClaim, StoreError};
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

/// The contract every `ProductStore` keeps; run against DynamoDB and the fake.
async fn a_writer_that_lost_the_race_learns_the_current_version(store: &impl ProductStore) {
    let v1 = product("lamp");
    assert_eq!(store.insert(&v1).await.unwrap(), SkuClaim::Claimed);
    let winner = renamed(&v1, "Winner");
    store.replace(&v1, &winner).await.unwrap();

    let loser = renamed(&v1, "Loser");
    let error = store.replace(&v1, &loser).await.unwrap_err();
    assert!(matches!(error, StoreError::VersionMismatch { current: 2 }), "{error:?}");
    assert_eq!(store.get(v1.id).await.unwrap().unwrap().name, "Winner", "the losing write changed nothing");
}

async fn a_taken_sku_is_refused_and_nothing_is_written(store: &impl ProductStore) {
    let first = product("desk");
    assert_eq!(store.insert(&first).await.unwrap(), SkuClaim::Claimed);
    let copy = product("desk");
    assert_eq!(store.insert(&copy).await.unwrap(), SkuClaim::Taken);
    assert!(store.get(copy.id).await.unwrap().is_none());

    let other = product("chair");
    store.insert(&other).await.unwrap();
    let mut moved = renamed(&other, "Chair");
    moved.sku = first.sku.clone();
    assert_eq!(store.replace(&other, &moved).await.unwrap(), SkuClaim::Taken);
    assert_eq!(store.get(other.id).await.unwrap().unwrap().name, "Lamp", "the refused rename changed nothing");
}

async fn replacing_a_product_that_does_not_exist_is_not_found(store: &impl ProductStore) {
    let ghost = product("ghost");
    let error = store.replace(&ghost, &renamed(&ghost, "Boo")).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound), "{error:?}");
    assert!(store.get(ghost.id).await.unwrap().is_none());
}

#[tokio::test]
async fn the_table_keeps_the_product_store_contract() {
    let stack = Stack::new().await;
    let table = stack.table();
    a_writer_that_lost_the_race_learns_the_current_version(&table).await;
    a_taken_sku_is_refused_and_nothing_is_written(&table).await;
    replacing_a_product_that_does_not_exist_is_not_found(&table).await;
}

#[tokio::test]
async fn the_in_memory_fake_keeps_the_product_store_contract() {
    let shop = MemoryShop::default();
    a_writer_that_lost_the_race_learns_the_current_version(&shop).await;
    a_taken_sku_is_refused_and_nothing_is_written(&shop).await;
    replacing_a_product_that_does_not_exist_is_not_found(&shop).await;
}
