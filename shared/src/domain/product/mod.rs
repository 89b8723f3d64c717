//! Products: what a shop sells, and the rules for creating and changing them.
//! What is stocked and ordered is a product's [`Variant`].

pub mod variant;

use super::id::{ProductId, VariantId};
use super::image::ProductImage;
use super::money::{Money, MoneyInput};
use super::tax::TaxCategory;
use super::timestamp::Timestamp;
use super::validation::{Checker, FieldError, Invalid, text};
use serde::{Deserialize, Serialize};
pub use variant::{
    DEFAULT_LOW_STOCK_THRESHOLD, DEFAULT_MAX_PER_ORDER, MAX_STOCK, MAX_VARIANTS, NewVariant, ProductOption, Variant,
    VariantChanges,
};

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

/// The most of one variant a line of an order may hold, whatever a variant allows.
pub const MAX_QUANTITY: i64 = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: ProductId,
    pub name: String,
    pub description: String,
    /// What each variant costs unless it has a price of its own.
    pub price: Money,
    pub status: ProductStatus,
    pub category: Option<Category>,
    /// Which of the destination's rates its variants are taxed at.
    pub tax_category: TaxCategory,
    pub images: Vec<ProductImage>,
    pub options: Vec<ProductOption>,
    /// Oldest first; archived ones included (orders name them).
    pub variants: Vec<Variant>,
    /// Incremented by every write, stock changes included; clients send it back
    /// in `If-Match`.
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A new product as staff gave it: [`NewProduct::into_product`] checks it.
#[derive(Debug, Clone)]
pub struct NewProduct {
    pub name: String,
    pub description: String,
    pub price: MoneyInput,
    pub status: ProductStatus,
    pub category: Option<String>,
    /// `standard` (the default), `reduced` or `zero`.
    pub tax_category: Option<String>,
    /// Option names with their values; empty for a product sold one way.
    pub options: Vec<(String, Vec<String>)>,
    /// At least one; exactly one when there are no options.
    pub variants: Vec<NewVariant>,
}

impl NewProduct {
    /// A draft sold one way, with no description, stock or category.
    pub fn draft(sku: impl Into<String>, name: impl Into<String>, price: MoneyInput) -> Self {
        Self {
            name: name.into(),
            description: String::new(),
            price,
            status: ProductStatus::Draft,
            category: None,
            tax_category: None,
            options: Vec::new(),
            variants: vec![NewVariant::sole(sku, 0, i64::from(DEFAULT_MAX_PER_ORDER))],
        }
    }

    /// A product for sale one way, with `stock` units.
    pub fn active(sku: impl Into<String>, name: impl Into<String>, price: MoneyInput, stock: i64) -> Self {
        let mut product = Self { status: ProductStatus::Active, ..Self::draft(sku, name, price) };
        product.variants[0].stock = stock;
        product
    }
}

/// Changes to a product: `None` leaves a field as it is; `category: Some(None)`
/// removes the category. `sku`, `stock` and `max_per_order` change the variant of
/// a product sold one way (what clients from before variants send).
#[derive(Debug, Clone, Default)]
pub struct ProductChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub price: Option<MoneyInput>,
    pub status: Option<ProductStatus>,
    pub category: Option<Option<String>>,
    pub tax_category: Option<String>,
    pub options: Option<Vec<(String, Vec<String>)>>,
    pub sku: Option<String>,
    pub stock: Option<i64>,
    pub max_per_order: Option<i64>,
}

fn price(input: &MoneyInput, prefix: &str) -> Result<Money, (String, String)> {
    Money::price(input).map_err(|(part, message)| (format!("{prefix}.{part}"), message))
}

/// Checks one variant's own fields against its product's options; errors name
/// `<prefix>.<field>` (or `<field>` with an empty prefix).
fn variant_from(
    c: &mut Checker,
    prefix: &str,
    options: &[ProductOption],
    input: &NewVariant,
    id: VariantId,
) -> Option<Variant> {
    let field = |name: &str| if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
    let sku = c.check(&field("sku"), Sku::parse(&input.sku));
    let picked = variant::pick(c, &field("options"), options, &input.options);
    let override_price = match input.price.as_ref().map(|p| price(p, &field("price"))).transpose() {
        Ok(p) => p,
        Err((name, message)) => c.check::<Option<Money>>(&name, Err(message)).flatten(),
    };
    let stock = c.check(&field("stock"), variant::stock(input.stock));
    let most = c.check(&field("max_per_order"), variant::max_per_order(input.max_per_order));
    let weight = c.check(&field("weight_grams"), variant::weight(input.weight_grams));
    let threshold = c.check(&field("low_stock_threshold"), variant::threshold(input.low_stock_threshold));
    Some(Variant {
        id,
        sku: sku?,
        options: picked,
        price: override_price,
        stock: stock?,
        max_per_order: most?,
        weight_grams: weight?,
        image_ids: input.image_ids.clone(),
        low_stock_threshold: threshold?,
        archived: false,
    })
}

impl NewProduct {
    /// Checks every field and builds version 1 of the product.
    pub fn into_product(self, id: ProductId, now: Timestamp) -> Result<Product, Invalid> {
        let mut c = Checker::default();
        let name = c.check("name", text(&self.name, 1, MAX_NAME_CHARS));
        let description = c.check("description", text(&self.description, 0, MAX_DESCRIPTION_CHARS));
        let price = match price(&self.price, "price") {
            Ok(p) => Some(p),
            Err((field, message)) => c.check::<Money>(&field, Err(message)),
        };
        let category = match self.category.as_deref().map(Category::parse).transpose() {
            Ok(category) => category,
            Err(message) => c.check::<Option<Category>>("category", Err(message)).flatten(),
        };
        let tax_category = match self.tax_category.as_deref().map(TaxCategory::parse).transpose() {
            Ok(category) => category.unwrap_or_default(),
            Err(message) => c.check::<TaxCategory>("tax_category", Err(message)).unwrap_or_default(),
        };
        let options = variant::options(&mut c, "options", &self.options);
        if self.variants.is_empty() || self.variants.len() > MAX_VARIANTS {
            c.check::<()>("variants", Err(format!("must hold 1 to {MAX_VARIANTS} variants")));
        }
        let variants: Vec<_> = self
            .variants
            .iter()
            .enumerate()
            .filter_map(|(i, v)| variant_from(&mut c, &format!("variants[{i}]"), &options, v, VariantId::generate()))
            .collect();
        c.finish()?;
        let (Some(name), Some(description), Some(price)) = (name, description, price) else {
            unreachable!("Checker::finish returns Err when a field failed")
        };
        let product = Product {
            id,
            name,
            description,
            price,
            status: self.status,
            category,
            tax_category,
            images: Vec::new(),
            options,
            variants,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        product.consistent(|i| format!("variants[{i}]"))?;
        Ok(product)
    }
}

impl Product {
    pub fn variant(&self, id: VariantId) -> Option<&Variant> {
        self.variants.iter().find(|v| v.id == id)
    }

    /// The variant a line naming only the product buys: that of a product sold
    /// one way (no options, one variant on sale).
    pub fn sole_variant(&self) -> Option<&Variant> {
        let mut on_sale = self.variants.iter().filter(|v| !v.archived);
        match (self.options.is_empty(), on_sale.next(), on_sale.next()) {
            (true, Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// What `variant` costs now.
    pub fn price_of(&self, variant: &Variant) -> Money {
        variant.price.unwrap_or(self.price)
    }

    /// `M / navy`, or nothing for a product sold one way.
    pub fn variant_label(&self, variant: &Variant) -> String {
        variant.options.join(" / ")
    }

    /// What an order line calls the variant: `Tee (M / navy)`.
    pub fn line_name(&self, variant: &Variant) -> String {
        match self.variant_label(variant) {
            label if label.is_empty() => self.name.clone(),
            label => format!("{} ({label})", self.name),
        }
    }

    /// Whether `variant` can be bought: the product and the variant on sale.
    pub fn sells(&self, variant: &Variant) -> bool {
        self.is_public() && !variant.archived
    }

    /// Every variant's SKU (archived ones keep theirs, so it is not reused).
    pub fn skus(&self) -> impl Iterator<Item = &Sku> {
        self.variants.iter().map(|v| &v.sku)
    }

    /// What a product must always be: distinct SKUs; variants on sale that pick a
    /// value of every option, each a different combination; one variant on sale
    /// without options; override prices in the product's currency; images of the
    /// product. `field(i)` names variant `i` in errors.
    fn consistent(&self, field: impl Fn(usize) -> String) -> Result<(), Invalid> {
        let mut errors = Vec::new();
        if self.variants.len() > MAX_VARIANTS {
            errors.push(FieldError::new("variants", format!("at most {MAX_VARIANTS} variants per product")));
        }
        for (i, v) in self.variants.iter().enumerate() {
            if self.variants[..i].iter().any(|earlier| earlier.sku == v.sku) {
                errors.push(FieldError::new(format!("{}.sku", field(i)), "is the SKU of another variant"));
            }
            if let Some(p) = v.price
                && p.currency != self.price.currency
            {
                errors.push(FieldError::new(
                    format!("{}.price.currency", field(i)),
                    format!("must be the product's currency, {}", self.price.currency.code()),
                ));
            }
            if v.image_ids.iter().enumerate().any(|(j, id)| v.image_ids[..j].contains(id)) {
                errors.push(FieldError::new(format!("{}.image_ids", field(i)), "names an image twice"));
            } else if let Some(missing) =
                v.image_ids.iter().find(|id| !self.images.iter().any(|image| image.id == **id))
            {
                errors.push(FieldError::new(
                    format!("{}.image_ids", field(i)),
                    format!("{missing} is not an image of this product"),
                ));
            }
            if v.archived {
                continue;
            }
            let picks_every_option = v.options.len() == self.options.len()
                && v.options.iter().zip(&self.options).all(|(value, option)| option.values.contains(value));
            if !picks_every_option {
                errors.push(FieldError::new(
                    format!("{}.options", field(i)),
                    "must pick one value of each of the product's options",
                ));
            } else if !self.options.is_empty()
                && self.variants[..i].iter().any(|earlier| !earlier.archived && earlier.options == v.options)
            {
                errors.push(FieldError::new(
                    format!("{}.options", field(i)),
                    "is the combination of another variant on sale",
                ));
            }
        }
        if self.options.is_empty() && self.variants.iter().filter(|v| !v.archived).count() > 1 {
            errors.push(FieldError::new("options", "a product with several variants on sale needs options"));
        }
        if errors.is_empty() { Ok(()) } else { Err(Invalid(errors)) }
    }

    fn bumped(mut self, now: Timestamp, version: u64) -> Product {
        self.version = version + 1;
        self.updated_at = now;
        self
    }

    /// Applies a partial update and returns the next version; the caller has already
    /// checked that the client saw the current version.
    pub fn apply(&self, changes: ProductChanges, now: Timestamp) -> Result<Product, Invalid> {
        let mut next = self.clone();
        let mut c = Checker::default();
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
            match price(input, "price") {
                Ok(p) => next.price = p,
                Err((field, message)) => {
                    c.check::<()>(&field, Err(message));
                }
            }
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
        if let Some(category) = changes.tax_category.as_deref()
            && let Some(category) = c.check("tax_category", TaxCategory::parse(category))
        {
            next.tax_category = category;
        }
        if let Some(options) = &changes.options {
            next.options = variant::options(&mut c, "options", options);
        }
        let sole_fields = [
            ("sku", changes.sku.is_some()),
            ("stock", changes.stock.is_some()),
            ("max_per_order", changes.max_per_order.is_some()),
        ];
        let sole = self.sole_variant().map(|v| v.id);
        for (field, given) in sole_fields {
            if given && sole.is_none() {
                c.check::<()>(field, Err("this product has several variants: change it on the variant".into()));
            }
        }
        if let Some(sole) = sole.and_then(|id| next.variants.iter_mut().find(|v| v.id == id)) {
            if let Some(sku) = changes.sku.as_deref()
                && let Some(sku) = c.check("sku", Sku::parse(sku))
            {
                sole.sku = sku;
            }
            if let Some(value) = changes.stock
                && let Some(value) = c.check("stock", variant::stock(value))
            {
                sole.stock = value;
            }
            if let Some(value) = changes.max_per_order
                && let Some(value) = c.check("max_per_order", variant::max_per_order(value))
            {
                sole.max_per_order = value;
            }
        }
        c.finish()?;
        next.consistent(|i| format!("variants[{i}]"))?;
        Ok(next.bumped(now, self.version))
    }

    /// The product with `input` as a new variant `id`; errors name the fields of
    /// `input` as `POST /products/{id}/variants` takes them.
    pub fn with_variant(&self, input: &NewVariant, id: VariantId, now: Timestamp) -> Result<Product, Invalid> {
        let mut c = Checker::default();
        let variant = variant_from(&mut c, "", &self.options, input, id);
        c.finish()?;
        let mut next = self.clone();
        next.variants.push(variant.expect("checked above"));
        let added = next.variants.len() - 1;
        next.consistent(|i| if i == added { String::new() } else { format!("variants[{i}]") })
            .map_err(|Invalid(errors)| Invalid(errors.into_iter().map(own_field).collect()))?;
        Ok(next.bumped(now, self.version))
    }

    /// The product with variant `id` changed, or `None` when it has no such
    /// variant; errors name the fields of `changes`.
    pub fn with_variant_changed(
        &self,
        id: VariantId,
        changes: VariantChanges,
        now: Timestamp,
    ) -> Option<Result<Product, Invalid>> {
        let at = self.variants.iter().position(|v| v.id == id)?;
        let mut next = self.clone();
        let target = &mut next.variants[at];
        let mut c = Checker::default();
        if let Some(sku) = changes.sku.as_deref()
            && let Some(sku) = c.check("sku", Sku::parse(sku))
        {
            target.sku = sku;
        }
        if let Some(options) = &changes.options {
            target.options = variant::pick(&mut c, "options", &self.options, options);
        }
        if let Some(new_price) = &changes.price {
            match new_price.as_ref().map(|p| price(p, "price")).transpose() {
                Ok(p) => target.price = p,
                Err((field, message)) => {
                    c.check::<()>(&field, Err(message));
                }
            }
        }
        let numbers = [
            ("stock", changes.stock, variant::stock as fn(i64) -> Result<u32, String>, &mut target.stock),
            ("max_per_order", changes.max_per_order, variant::max_per_order, &mut target.max_per_order),
            ("weight_grams", changes.weight_grams, variant::weight, &mut target.weight_grams),
            ("low_stock_threshold", changes.low_stock_threshold, variant::threshold, &mut target.low_stock_threshold),
        ];
        for (field, given, check, slot) in numbers {
            if let Some(value) = given.and_then(|v| c.check(field, check(v))) {
                *slot = value;
            }
        }
        if let Some(images) = changes.image_ids {
            target.image_ids = images;
        }
        if let Err(invalid) = c.finish() {
            return Some(Err(invalid));
        }
        let checked = next
            .consistent(|i| if i == at { String::new() } else { format!("variants[{i}]") })
            .map_err(|Invalid(errors)| Invalid(errors.into_iter().map(own_field).collect()));
        Some(checked.map(|()| next.bumped(now, self.version)))
    }

    /// The product with variant `id` off sale; `None` when it has no such variant
    /// or it is archived already (so `DELETE` can be retried).
    pub fn with_variant_archived(&self, id: VariantId, now: Timestamp) -> Option<Product> {
        let at = self.variants.iter().position(|v| v.id == id && !v.archived)?;
        let mut next = self.clone();
        next.variants[at].archived = true;
        Some(next.bumped(now, self.version))
    }

    /// Archiving keeps the product (orders refer to it) but takes it off sale.
    /// Archiving an archived product changes nothing, so `DELETE` can be retried.
    pub fn archived(&self, now: Timestamp) -> Option<Product> {
        (self.status != ProductStatus::Archived)
            .then(|| Product { status: ProductStatus::Archived, ..self.clone() }.bumped(now, self.version))
    }

    /// The variants on sale whose stock fell below their threshold between
    /// `before` and this version (orders took it, or staff set it lower).
    pub fn fell_below_threshold<'a>(&'a self, before: &'a Product) -> impl Iterator<Item = &'a Variant> {
        self.variants.iter().filter(move |v| {
            let was_above = before.variant(v.id).is_some_and(|old| !old.low_stock());
            !v.archived && v.low_stock() && was_above
        })
    }

    /// Products the public may see. Drafts and archived products are staff-only.
    pub fn is_public(&self) -> bool {
        self.status == ProductStatus::Active
    }
}

/// A consistency error about the variant being written names its field bare
/// (`.sku` → `sku`).
fn own_field(error: FieldError) -> FieldError {
    match error.field.strip_prefix('.') {
        Some(bare) => FieldError::new(bare, error.message),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: Timestamp = datetime!(2026-11-21 10:00 UTC);
    const LATER: Timestamp = datetime!(2026-11-21 11:00 UTC);

    fn eur(amount: i64) -> MoneyInput {
        MoneyInput { amount, currency: "EUR".into() }
    }

    fn new_product() -> NewProduct {
        NewProduct {
            name: "  Black tee  ".into(),
            category: Some("t-shirts".into()),
            ..NewProduct::active("tee-blk-m", "x", eur(2500), 12)
        }
    }

    fn sized(sku: &str, size: &str, stock: i64) -> NewVariant {
        NewVariant { options: vec![("Size".into(), size.into())], ..NewVariant::sole(sku, stock, 10) }
    }

    fn tee_in_sizes() -> Product {
        let input = NewProduct {
            options: vec![("Size".into(), vec!["S".into(), "M".into(), "L".into()])],
            variants: vec![sized("tee-s", "S", 3), sized("tee-m", "m", 5)],
            ..new_product()
        };
        input.into_product(ProductId::generate(), NOW).unwrap()
    }

    #[test]
    fn a_valid_product_starts_at_version_one_with_its_variant() {
        let p = new_product().into_product(ProductId::generate(), NOW).unwrap();
        assert_eq!(p.name, "Black tee");
        assert_eq!(p.version, 1);
        assert_eq!(p.price.amount, 2500);
        assert_eq!(p.category.as_ref().unwrap().as_str(), "t-shirts");
        let sole = p.sole_variant().unwrap();
        assert_eq!((sole.sku.as_str(), sole.stock), ("TEE-BLK-M", 12));
        assert_eq!(p.line_name(sole), "Black tee");
    }

    #[test]
    fn every_invalid_field_is_named() {
        let mut input = new_product();
        input.variants[0].sku = "no spaces".into();
        input.name = " ".into();
        input.price.amount = -5;
        input.variants[0].stock = -1;
        input.category = Some("Bad Category".into());
        let Invalid(errors) = input.into_product(ProductId::generate(), NOW).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "price.amount", "category", "variants[0].sku", "variants[0].stock"]);
    }

    #[test]
    fn variants_pick_distinct_combinations_of_the_options() {
        let tee = tee_in_sizes();
        assert_eq!(tee.variants[1].options, ["M"]);
        assert_eq!(tee.line_name(&tee.variants[1]), "Black tee (M)");
        assert!(tee.sole_variant().is_none());
        let again = tee.with_variant(&sized("tee-m2", "M", 1), VariantId::generate(), LATER).unwrap_err();
        assert_eq!(again.0[0].field, "options");
        let same_sku = tee.with_variant(&sized("TEE-S", "L", 1), VariantId::generate(), LATER).unwrap_err();
        assert_eq!(same_sku.0[0].field, "sku");
        let large = tee.with_variant(&sized("tee-l", "L", 1), VariantId::generate(), LATER).unwrap();
        assert_eq!((large.variants.len(), large.version), (3, 2));
        let without_options = NewVariant::sole("tee-x", 1, 1);
        let missing = tee.with_variant(&without_options, VariantId::generate(), LATER).unwrap_err();
        assert_eq!(missing.0[0].field, "options.Size");
    }

    #[test]
    fn a_product_without_options_sells_one_variant() {
        let input =
            NewProduct { variants: vec![NewVariant::sole("a", 1, 1), NewVariant::sole("b", 1, 1)], ..new_product() };
        let Invalid(errors) = input.into_product(ProductId::generate(), NOW).unwrap_err();
        assert_eq!(errors[0].field, "options");
    }

    #[test]
    fn an_override_price_is_in_the_products_currency() {
        let tee = tee_in_sizes();
        let id = tee.variants[0].id;
        let usd = VariantChanges {
            price: Some(Some(MoneyInput { amount: 1, currency: "USD".into() })),
            ..Default::default()
        };
        assert_eq!(tee.with_variant_changed(id, usd, LATER).unwrap().unwrap_err().0[0].field, "price.currency");
        let cheaper = VariantChanges { price: Some(Some(eur(2000))), stock: Some(0), ..Default::default() };
        let next = tee.with_variant_changed(id, cheaper, LATER).unwrap().unwrap();
        assert_eq!((next.price_of(&next.variants[0]).amount, next.variants[0].stock), (2000, 0));
        assert_eq!(next.price_of(&next.variants[1]).amount, 2500);
        assert!(tee.with_variant_changed(VariantId::generate(), VariantChanges::default(), LATER).is_none());
    }

    #[test]
    fn changes_bump_the_version_and_keep_untouched_fields() {
        let p = new_product().into_product(ProductId::generate(), NOW).unwrap();
        let changes = ProductChanges { stock: Some(3), category: Some(None), ..Default::default() };
        let next = p.apply(changes, LATER).unwrap();
        assert_eq!(next.version, 2);
        assert_eq!(next.variants[0].stock, 3);
        assert_eq!(next.category, None);
        assert_eq!(next.name, p.name);
        assert_eq!(next.updated_at, LATER);
        assert_eq!(next.created_at, NOW);
        let several = tee_in_sizes().apply(ProductChanges { stock: Some(1), ..Default::default() }, LATER);
        assert_eq!(several.unwrap_err().0[0].field, "stock");
    }

    #[test]
    fn options_in_use_cannot_be_taken_away() {
        let tee = tee_in_sizes();
        let fewer = ProductChanges { options: Some(vec![("Size".into(), vec!["S".into()])]), ..Default::default() };
        assert_eq!(tee.apply(fewer, LATER).unwrap_err().0[0].field, "variants[1].options");
        let renamed = ProductChanges {
            options: Some(vec![("Size".into(), vec!["S".into(), "M".into(), "L".into(), "XL".into()])]),
            ..Default::default()
        };
        assert_eq!(tee.apply(renamed, LATER).unwrap().options[0].values.len(), 4);
    }

    #[test]
    fn invalid_changes_leave_nothing_half_applied() {
        let p = new_product().into_product(ProductId::generate(), NOW).unwrap();
        let price = MoneyInput { amount: 1, currency: "EURO".into() };
        let changes = ProductChanges { name: Some("New".into()), price: Some(price), ..Default::default() };
        let Invalid(errors) = p.apply(changes, LATER).unwrap_err();
        assert_eq!(errors[0].field, "price.currency");
    }

    #[test]
    fn stock_falling_below_the_threshold_is_noticed_once() {
        let tee = tee_in_sizes();
        let mut after = tee.clone();
        after.variants[0].stock = 2;
        after.variants[1].stock = 4;
        let low: Vec<_> = after.fell_below_threshold(&tee).map(|v| v.sku.as_str()).collect();
        assert_eq!(low, ["TEE-M"], "TEE-S was below its threshold already");
        let mut later = after.clone();
        later.variants[1].stock = 1;
        assert_eq!(later.fell_below_threshold(&after).count(), 0);
    }

    #[test]
    fn archiving_is_idempotent() {
        let p = new_product().into_product(ProductId::generate(), NOW).unwrap();
        let archived = p.archived(LATER).unwrap();
        assert_eq!(archived.status, ProductStatus::Archived);
        assert_eq!(archived.version, 2);
        assert!(archived.archived(datetime!(2026-11-21 12:00 UTC)).is_none());
        let tee = tee_in_sizes();
        let small = tee.variants[0].id;
        let without_small = tee.with_variant_archived(small, LATER).unwrap();
        assert!(without_small.variants[0].archived);
        assert!(without_small.with_variant_archived(small, LATER).is_none());
        let again = without_small.with_variant(&sized("tee-s2", "S", 1), VariantId::generate(), LATER);
        assert!(again.is_ok(), "an archived variant's combination can be sold again");
    }
}
