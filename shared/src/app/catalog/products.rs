//! Product use cases: create, read, list, change, archive.

use super::error::CatalogError;
use super::ports::{ProductQuery, ProductStore, SkuClaim};
use crate::app::error::CommonError;
use crate::app::store::{Page, StoreError};
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
    // Invalid changes are refused whatever the version (RFC 9110 §13.2.1: a
    // request that fails anyway ignores its preconditions), so a client fixes its
    // input before it reloads.
    let next = current.apply(changes, now)?;
    if current.version != expected_version {
        return Err(stale(expected_version, current.version));
    }
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
