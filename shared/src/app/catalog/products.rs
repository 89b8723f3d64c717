//! Product use cases: create, read, list, change, archive; and the same for a
//! product's variants, which live inside it (one version, one `If-Match`).

use super::error::CatalogError;
use super::ports::{ProductQuery, ProductStore, SkuClaim};
use crate::app::error::CommonError;
use crate::app::store::{Page, StoreError};
use crate::domain::{
    Event, EventKind, NewProduct, NewVariant, Principal, Product, ProductChanges, ProductId, ProductStatus, Role,
    Timestamp, VariantChanges, VariantId,
};

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
    let event = Event::new(EventKind::ProductCreated { product_id: product.id }, now);
    match store.insert(&product, &event).await? {
        SkuClaim::Claimed => Ok(product),
        SkuClaim::Taken(sku) => Err(sku_taken(&product, sku, sku_field(&product))),
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
    let field = sku_field(&current);
    replace(store, &current, next, expected_version, field).await
}

/// Adds a variant to a product the client saw at `expected_version`.
pub async fn add_variant(
    store: &impl ProductStore,
    principal: Option<&Principal>,
    id: ProductId,
    expected_version: u64,
    input: NewVariant,
    now: Timestamp,
) -> Result<(Product, VariantId), CatalogError> {
    require_staff(principal)?;
    let current = store.get(id).await?.ok_or(CommonError::NotFound)?;
    let variant = VariantId::generate();
    let next = current.with_variant(&input, variant, now)?;
    if current.version != expected_version {
        return Err(stale(expected_version, current.version));
    }
    let product = replace(store, &current, next, expected_version, |_| "sku".to_owned()).await?;
    Ok((product, variant))
}

/// Changes a variant of a product the client saw at `expected_version`.
pub async fn change_variant(
    store: &impl ProductStore,
    principal: Option<&Principal>,
    (id, variant): (ProductId, VariantId),
    expected_version: u64,
    changes: VariantChanges,
    now: Timestamp,
) -> Result<Product, CatalogError> {
    require_staff(principal)?;
    let current = store.get(id).await?.ok_or(CommonError::NotFound)?;
    let next = current.with_variant_changed(variant, changes, now).ok_or(CommonError::NotFound)??;
    if current.version != expected_version {
        return Err(stale(expected_version, current.version));
    }
    replace(store, &current, next, expected_version, |_| "sku".to_owned()).await
}

/// Takes a variant off sale; archiving an archived variant changes nothing.
pub async fn archive_variant(
    store: &impl ProductStore,
    principal: Option<&Principal>,
    (id, variant): (ProductId, VariantId),
    expected_version: Option<u64>,
    now: Timestamp,
) -> Result<Product, CatalogError> {
    require_staff(principal)?;
    let current = store.get(id).await?.ok_or(CommonError::NotFound)?;
    if current.variant(variant).is_none() {
        return Err(CommonError::NotFound.into());
    }
    if let Some(expected) = expected_version.filter(|v| *v != current.version) {
        return Err(stale(expected, current.version));
    }
    match current.with_variant_archived(variant, now) {
        Some(next) => replace(store, &current, next, current.version, |_| "sku".to_owned()).await,
        None => Ok(current),
    }
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
        Some(next) => replace(store, &current, next, current.version, |_| "sku".to_owned()).await,
        None => Ok(current),
    }
}

/// Names the SKU of variant `i` of `product` as a product request gives it:
/// `sku` for a product sold one way, `variants[i].sku` otherwise.
fn sku_field(product: &Product) -> impl Fn(usize) -> String + use<> {
    let sole = product.sole_variant().is_some();
    move |i| if sole { "sku".to_owned() } else { format!("variants[{i}].sku") }
}

/// The conflict naming the field of `product`'s request that holds `sku`;
/// `field(i)` names variant `i`'s.
fn sku_taken(product: &Product, sku: crate::domain::Sku, field: impl Fn(usize) -> String) -> CatalogError {
    let at = product.variants.iter().position(|v| v.sku == sku).unwrap_or(0);
    CatalogError::SkuTaken { field: field(at), sku: sku.as_str().to_owned() }
}

/// Writes `next` with the event it amounts to.
async fn replace(
    store: &impl ProductStore,
    current: &Product,
    next: Product,
    expected: u64,
    sku_field: impl Fn(usize) -> String,
) -> Result<Product, CatalogError> {
    let kind = if next.status == ProductStatus::Archived && current.status != ProductStatus::Archived {
        EventKind::ProductArchived { product_id: next.id }
    } else {
        EventKind::ProductUpdated { product_id: next.id }
    };
    match store.replace(current, &next, &Event::new(kind, next.updated_at)).await {
        Ok(SkuClaim::Claimed) => Ok(next),
        Ok(SkuClaim::Taken(sku)) => Err(sku_taken(&next, sku, sku_field)),
        // Someone else wrote between our read and our write.
        Err(StoreError::VersionMismatch { current }) => Err(stale(expected, current)),
        Err(other) => Err(other.into()),
    }
}
