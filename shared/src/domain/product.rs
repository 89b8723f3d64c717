//! Products: what a shop sells, and the rules for creating and changing them.

use super::id::ProductId;
use super::image::ProductImage;
use super::money::{Money, MoneyInput};
use super::timestamp::Timestamp;
use super::validation::{Checker, Invalid, text};
use serde::{Deserialize, Serialize};

/// Stock keeping unit, unique across the catalog. Stored upper-case so `tee-m` and
/// `TEE-M` cannot both exist.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sku(String);

impl Sku {
    pub fn parse(value: &str) -> Result<Self, String> {
        let valid = (1..=64).contains(&value.len())
            && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && value.starts_with(|c: char| c.is_ascii_alphanumeric());
        if valid {
            Ok(Self(value.to_ascii_uppercase()))
        } else {
            Err("must be 1-64 characters of A-Z, 0-9, '-', '_' or '.', starting with a letter or digit".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A lower-case slug such as `t-shirts`, used to filter the public list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Category(String);

impl Category {
    pub fn parse(value: &str) -> Result<Self, String> {
        let valid = (1..=50).contains(&value.len())
            && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !value.starts_with('-')
            && !value.ends_with('-');
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err("must be a slug of 1-50 characters: a-z, 0-9 and inner '-'".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProductStatus {
    /// Being prepared; visible to staff only.
    Draft,
    /// For sale and listed publicly.
    Active,
    /// No longer sold; kept because orders refer to it.
    Archived,
}

impl ProductStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Archived => "archived",
        }
    }

    pub const ALL: [Self; 3] = [Self::Draft, Self::Active, Self::Archived];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == value)
    }
}

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;
pub const MAX_STOCK: i64 = 1_000_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: ProductId,
    pub sku: Sku,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub stock: u32,
    /// Most units of this product one order may hold, so nobody can hold the
    /// stock hostage in unpaid orders.
    pub max_per_order: u32,
    pub status: ProductStatus,
    pub category: Option<Category>,
    pub images: Vec<ProductImage>,
    /// Incremented by every write; clients send it back in `If-Match`.
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A new product as staff gave it: [`NewProduct::into_product`] checks it.
#[derive(Debug, Clone)]
pub struct NewProduct {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price: MoneyInput,
    pub stock: i64,
    pub max_per_order: i64,
    pub status: ProductStatus,
    pub category: Option<String>,
}

impl NewProduct {
    /// A draft with only what a product needs: no description, stock or category,
    /// and [`DEFAULT_MAX_PER_ORDER`].
    pub fn draft(sku: impl Into<String>, name: impl Into<String>, price: MoneyInput) -> Self {
        Self {
            sku: sku.into(),
            name: name.into(),
            description: String::new(),
            price,
            stock: 0,
            max_per_order: i64::from(DEFAULT_MAX_PER_ORDER),
            status: ProductStatus::Draft,
            category: None,
        }
    }

    /// A product for sale with `stock` units.
    pub fn active(sku: impl Into<String>, name: impl Into<String>, price: MoneyInput, stock: i64) -> Self {
        Self { stock, status: ProductStatus::Active, ..Self::draft(sku, name, price) }
    }
}

/// The most of one product a line of an order may hold, whatever a product allows.
pub const MAX_QUANTITY: i64 = 1_000;

/// What a product allows per order unless staff say otherwise.
pub const DEFAULT_MAX_PER_ORDER: u32 = 10;

fn max_per_order(value: i64) -> Result<u32, String> {
    let most = MAX_QUANTITY;
    u32::try_from(value)
        .ok()
        .filter(|v| (1..=most).contains(&i64::from(*v)))
        .ok_or_else(|| format!("must be a whole number from 1 to {most}"))
}

/// Changes to a product: `None` leaves a field as it is; `category: Some(None)`
/// removes the category.
#[derive(Debug, Clone, Default)]
pub struct ProductChanges {
    pub sku: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub price: Option<MoneyInput>,
    pub stock: Option<i64>,
    pub max_per_order: Option<i64>,
    pub status: Option<ProductStatus>,
    pub category: Option<Option<String>>,
}

fn stock(value: i64) -> Result<u32, String> {
    if (0..=MAX_STOCK).contains(&value) {
        Ok(value as u32)
    } else {
        Err(format!("must be a whole number between 0 and {MAX_STOCK}"))
    }
}

fn price(input: &MoneyInput) -> Result<Money, (String, String)> {
    Money::price(input).map_err(|(part, message)| (format!("price.{part}"), message))
}

impl NewProduct {
    /// Checks every field and builds version 1 of the product.
    pub fn into_product(self, id: ProductId, now: Timestamp) -> Result<Product, Invalid> {
        let mut c = Checker::default();
        let sku = c.check("sku", Sku::parse(&self.sku));
        let name = c.check("name", text(&self.name, 1, MAX_NAME_CHARS));
        let description = c.check("description", text(&self.description, 0, MAX_DESCRIPTION_CHARS));
        let price = match price(&self.price) {
            Ok(p) => Some(p),
            Err((field, message)) => c.check::<Money>(&field, Err(message)),
        };
        let stock = c.check("stock", stock(self.stock));
        let most = c.check("max_per_order", max_per_order(self.max_per_order));
        let category = match self.category.as_deref().map(Category::parse).transpose() {
            Ok(category) => category,
            Err(message) => c.check::<Option<Category>>("category", Err(message)).flatten(),
        };
        c.finish()?;
        // Every `check` above succeeded, so each option holds a value.
        let (Some(sku), Some(name), Some(description), Some(price), Some(stock), Some(max_per_order)) =
            (sku, name, description, price, stock, most)
        else {
            unreachable!("Checker::finish returns Err when a field failed")
        };
        Ok(Product {
            id,
            sku,
            name,
            description,
            price,
            stock,
            max_per_order,
            status: self.status,
            category,
            images: Vec::new(),
            version: 1,
            created_at: now,
            updated_at: now,
        })
    }
}

impl Product {
    /// Applies a partial update and returns the next version; the caller has already
    /// checked that the client saw the current version.
    pub fn apply(&self, changes: ProductChanges, now: Timestamp) -> Result<Product, Invalid> {
        let mut next = self.clone();
        let mut c = Checker::default();
        if let Some(sku) = changes.sku.as_deref()
            && let Some(sku) = c.check("sku", Sku::parse(sku))
        {
            next.sku = sku;
        }
        if let Some(name) = changes.name.as_deref()
            && let Some(name) = c.check("name", text(name, 1, MAX_NAME_CHARS))
        {
            next.name = name;
        }
        if let Some(description) = changes.description.as_deref()
            && let Some(description) = c.check("description", text(description, 0, MAX_DESCRIPTION_CHARS))
        {
            next.description = description;
        }
        if let Some(input) = &changes.price {
            match price(input) {
                Ok(p) => next.price = p,
                Err((field, message)) => {
                    c.check::<()>(&field, Err(message));
                }
            }
        }
        if let Some(value) = changes.stock
            && let Some(value) = c.check("stock", stock(value))
        {
            next.stock = value;
        }
        if let Some(value) = changes.max_per_order
            && let Some(value) = c.check("max_per_order", max_per_order(value))
        {
            next.max_per_order = value;
        }
        if let Some(status) = changes.status {
            next.status = status;
        }
        if let Some(category) = changes.category {
            match category.as_deref().map(Category::parse).transpose() {
                Ok(category) => next.category = category,
                Err(message) => {
                    c.check::<()>("category", Err(message));
                }
            }
        }
        c.finish()?;
        next.version = self.version + 1;
        next.updated_at = now;
        Ok(next)
    }

    /// Archiving keeps the product (orders refer to it) but takes it off sale.
    /// Archiving an archived product changes nothing, so `DELETE` can be retried.
    pub fn archived(&self, now: Timestamp) -> Option<Product> {
        (self.status != ProductStatus::Archived).then(|| Product {
            status: ProductStatus::Archived,
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        })
    }

    /// Products the public may see. Drafts and archived products are staff-only.
    pub fn is_public(&self) -> bool {
        self.status == ProductStatus::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn new_product() -> NewProduct {
        NewProduct {
            sku: "tee-blk-m".into(),
            name: "  Black tee  ".into(),
            description: String::new(),
            price: MoneyInput { amount: 2500, currency: "EUR".into() },
            stock: 12,
            max_per_order: i64::from(DEFAULT_MAX_PER_ORDER),
            status: ProductStatus::Draft,
            category: Some("t-shirts".into()),
        }
    }

    #[test]
    fn a_valid_product_starts_as_a_draft_at_version_one() {
        let now = datetime!(2026-11-21 10:00 UTC);
        let p = new_product().into_product(ProductId::generate(), now).unwrap();
        assert_eq!(p.sku.as_str(), "TEE-BLK-M");
        assert_eq!(p.name, "Black tee");
        assert_eq!(p.status, ProductStatus::Draft);
        assert_eq!(p.version, 1);
        assert_eq!(p.price.amount, 2500);
        assert_eq!(p.category.unwrap().as_str(), "t-shirts");
    }

    #[test]
    fn every_invalid_field_is_named() {
        let mut input = new_product();
        input.sku = "no spaces".into();
        input.name = " ".into();
        input.price.amount = -5;
        input.stock = -1;
        input.category = Some("Bad Category".into());
        let Invalid(errors) = input.into_product(ProductId::generate(), datetime!(2026-11-21 10:00 UTC)).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["sku", "name", "price.amount", "stock", "category"]);
    }

    #[test]
    fn changes_bump_the_version_and_keep_untouched_fields() {
        let now = datetime!(2026-11-21 10:00 UTC);
        let p = new_product().into_product(ProductId::generate(), now).unwrap();
        let later = datetime!(2026-11-21 11:00 UTC);
        let changes = ProductChanges { stock: Some(3), category: Some(None), ..Default::default() };
        let next = p.apply(changes, later).unwrap();
        assert_eq!(next.version, 2);
        assert_eq!(next.stock, 3);
        assert_eq!(next.category, None);
        assert_eq!(next.name, p.name);
        assert_eq!(next.updated_at, later);
        assert_eq!(next.created_at, now);
    }

    #[test]
    fn invalid_changes_leave_nothing_half_applied() {
        let p = new_product().into_product(ProductId::generate(), datetime!(2026-11-21 10:00 UTC)).unwrap();
        let price = MoneyInput { amount: 1, currency: "EURO".into() };
        let changes = ProductChanges { name: Some("New".into()), price: Some(price), ..Default::default() };
        let Invalid(errors) = p.apply(changes, datetime!(2026-11-21 11:00 UTC)).unwrap_err();
        assert_eq!(errors[0].field, "price.currency");
    }

    #[test]
    fn archiving_is_idempotent() {
        let p = new_product().into_product(ProductId::generate(), datetime!(2026-11-21 10:00 UTC)).unwrap();
        let archived = p.archived(datetime!(2026-11-21 11:00 UTC)).unwrap();
        assert_eq!(archived.status, ProductStatus::Archived);
        assert_eq!(archived.version, 2);
        assert!(archived.archived(datetime!(2026-11-21 12:00 UTC)).is_none());
    }
}
