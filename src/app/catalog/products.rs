//! Product use cases: create, read, list, change, archive.

use super::CatalogError;
use super::ports::{Page, ProductQuery, ProductStore, SkuClaim, StoreError};
use crate::app::error::CommonError;
use crate::domain::{NewProduct, Principal, Product, ProductChanges, ProductId, ProductStatus, Role, Timestamp};

fn require_staff(principal: Option<&Principal>) -> Result<(), CatalogError> {
    match principal {
        Some(p) if p.is_staff() => Ok(()),
        _ => Err(CommonError::forbidden(Role::Staff).into()),
    }
}

fn stale(expected: u64, current: u64) -> CatalogError {
    CommonError::StaleVersion { resource: "product", expected, current }.into()
}

pub async fn create(
    store: &impl ProductStore,
    principal: Option<&Principal>,
    input: NewProduct,
    now: Timestamp,
) -> Result<Product, CatalogError> {
    require_staff(principal)?;
    let product = input.into_product(ProductId::generate(), now)?;
    match store.insert(&product).await? {
        SkuClaim::Claimed => Ok(product),
        SkuClaim::Taken => Err(CatalogError::SkuTaken),
    }
}

/// Shoppers see active products only; anything else is "not found" to them, so the
/// API does not reveal which drafts exist.
pub async fn get(
    store: &impl ProductStore,
    principal: Option<&Principal>,
    id: ProductId,
) -> Result<Product, CatalogError> {
    let product = store.get(id).await?.ok_or(CommonError::NotFound)?;
    if product.is_public() || principal.is_some_and(Principal::is_staff) {
        Ok(product)
    } else {
        Err(CommonError::NotFound.into())
    }
}

/// Lists products of one status; only staff may list anything but active ones.
pub async fn list(
    store: &impl ProductStore,
    principal: Option<&Principal>,
    query: ProductQuery,
) -> Result<Page<Product>, CatalogError> {
    if query.status != ProductStatus::Active {
        require_staff(principal)?;
    }
    Ok(store.list(&query).await?)
}

/// Applies `changes` if the client's `expected_version` is still current.
pub async fn update(
    store: &impl ProductStore,
    principal: Option<&Principal>,
    id: ProductId,
    expected_version: u64,
    changes: ProductChanges,
    now: Timestamp,
) -> Result<Product, CatalogError> {
    require_staff(principal)?;
    let current = store.get(id).await?.ok_or(CommonError::NotFound)?;
    if current.version != expected_version {
        return Err(stale(expected_version, current.version));
    }
    let next = current.apply(changes, now)?;
    replace(store, &current, next, expected_version).await
}

/// Takes a product off sale. `expected_version`, when given, guards against
/// archiving something that changed since the caller looked at it.
pub async fn archive(
    store: &impl ProductStore,
    principal: Option<&Principal>,
    id: ProductId,
    expected_version: Option<u64>,
    now: Timestamp,
) -> Result<Product, CatalogError> {
    require_staff(principal)?;
    let current = store.get(id).await?.ok_or(CommonError::NotFound)?;
    if let Some(expected) = expected_version.filter(|v| *v != current.version) {
        return Err(stale(expected, current.version));
    }
    match current.archived(now) {
        Some(next) => replace(store, &current, next, current.version).await,
        None => Ok(current),
    }
}

async fn replace(
    store: &impl ProductStore,
    current: &Product,
    next: Product,
    expected: u64,
) -> Result<Product, CatalogError> {
    match store.replace(current, &next).await {
        Ok(SkuClaim::Claimed) => Ok(next),
        Ok(SkuClaim::Taken) => Err(CatalogError::SkuTaken),
        // Someone else wrote between our read and our write.
        Err(StoreError::VersionMismatch { current }) => Err(stale(expected, current)),
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::Role;
    use std::cell::RefCell;
    use std::collections::HashMap;
    use time::macros::datetime;

    /// Keeps products in memory with the same SKU and version rules as DynamoDB,
    /// so use-case rules can be tested without the emulator.
    #[derive(Default)]
    pub(crate) struct MemoryProducts(pub RefCell<HashMap<ProductId, Product>>);

    impl ProductStore for MemoryProducts {
        async fn insert(&self, product: &Product) -> Result<SkuClaim, StoreError> {
            let mut all = self.0.borrow_mut();
            if all.values().any(|p| p.sku == product.sku) {
                return Ok(SkuClaim::Taken);
            }
            all.insert(product.id, product.clone());
            Ok(SkuClaim::Claimed)
        }
        async fn get(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
            Ok(self.0.borrow().get(&id).cloned())
        }
        async fn get_many(&self, ids: &[ProductId]) -> Result<Vec<Option<Product>>, StoreError> {
            Ok(ids.iter().map(|id| self.0.borrow().get(id).cloned()).collect())
        }
        async fn replace(&self, previous: &Product, next: &Product) -> Result<SkuClaim, StoreError> {
            let mut all = self.0.borrow_mut();
            let stored = all.get(&previous.id).ok_or(StoreError::NotFound)?;
            if stored.version != previous.version {
                return Err(StoreError::VersionMismatch { current: stored.version });
            }
            if all.values().any(|p| p.sku == next.sku && p.id != next.id) {
                return Ok(SkuClaim::Taken);
            }
            all.insert(next.id, next.clone());
            Ok(SkuClaim::Claimed)
        }
        async fn list(&self, query: &ProductQuery) -> Result<Page<Product>, StoreError> {
            let items = self.0.borrow().values().filter(|p| p.status == query.status).cloned().collect();
            Ok(Page { items, next_cursor: None })
        }
    }

    pub(crate) fn staff() -> Principal {
        Principal { subject: "staff-1".into(), role: Role::Staff, session: None }
    }

    fn input(sku: &str) -> NewProduct {
        serde_json::from_value(
            serde_json::json!({"sku": sku, "name": "Mug", "price": {"amount": 900, "currency": "EUR"}}),
        )
        .unwrap()
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    const NOW: Timestamp = datetime!(2026-11-21 10:00 UTC);

    #[test]
    fn only_staff_create_products() {
        let store = MemoryProducts::default();
        let customer = Principal { subject: "c".into(), role: Role::Customer, session: None };
        assert!(matches!(
            block_on(create(&store, Some(&customer), input("A"), NOW)),
            Err(CatalogError::Common(CommonError::Forbidden { .. }))
        ));
        assert!(matches!(
            block_on(create(&store, None, input("A"), NOW)),
            Err(CatalogError::Common(CommonError::Forbidden { .. }))
        ));
        assert!(store.0.borrow().is_empty(), "a refused create wrote nothing");
        assert!(block_on(create(&store, Some(&staff()), input("A"), NOW)).is_ok());
    }

    #[test]
    fn drafts_are_invisible_to_shoppers() {
        let store = MemoryProducts::default();
        let draft = block_on(create(&store, Some(&staff()), input("A"), NOW)).unwrap();
        assert!(matches!(block_on(get(&store, None, draft.id)), Err(CatalogError::Common(CommonError::NotFound))));
        assert!(block_on(get(&store, Some(&staff()), draft.id)).is_ok());
        let query = ProductQuery { status: ProductStatus::Draft, category: None, limit: 10, cursor: None };
        assert!(matches!(
            block_on(list(&store, None, query)),
            Err(CatalogError::Common(CommonError::Forbidden { .. }))
        ));
    }

    #[test]
    fn a_stale_version_is_refused_and_nothing_changes() {
        let store = MemoryProducts::default();
        let p = block_on(create(&store, Some(&staff()), input("A"), NOW)).unwrap();
        let rename: ProductChanges = serde_json::from_str(r#"{"name": "Cup"}"#).unwrap();
        let updated = block_on(update(&store, Some(&staff()), p.id, 1, rename.clone(), NOW)).unwrap();
        assert_eq!(updated.version, 2);
        let err = block_on(update(&store, Some(&staff()), p.id, 1, rename, NOW)).unwrap_err();
        assert!(matches!(err, CatalogError::Common(CommonError::StaleVersion { expected: 1, current: 2, .. })));
        assert_eq!(store.0.borrow()[&p.id].version, 2);
    }

    #[test]
    fn archiving_twice_is_harmless() {
        let store = MemoryProducts::default();
        let p = block_on(create(&store, Some(&staff()), input("A"), NOW)).unwrap();
        let first = block_on(archive(&store, Some(&staff()), p.id, None, NOW)).unwrap();
        let second = block_on(archive(&store, Some(&staff()), p.id, None, NOW)).unwrap();
        assert_eq!(first.status, ProductStatus::Archived);
        assert_eq!(first.version, second.version);
    }
}
