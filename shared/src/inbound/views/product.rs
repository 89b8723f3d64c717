//! Products as the API shows them, with their images' public URLs.

use super::money::MoneyInput;
use crate::domain::tax::TaxCategory;
use crate::domain::{ImageId, Product, ProductImage, Variant, VariantId, format_timestamp};
use serde::Serialize;
use std::collections::BTreeMap;

/// Turns stored object keys into public URLs.
pub struct AssetUrls(String);

impl AssetUrls {
    pub fn new(base: String) -> Self {
        Self(base)
    }

    pub fn url(&self, key: &str) -> String {
        format!("{}/{key}", self.0)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProductView {
    id: String,
    name: String,
    description: String,
    /// What a variant without a price of its own costs.
    price: MoneyInput,
    status: &'static str,
    #[schema(required = true)]
    category: Option<String>,
    tax_category: TaxCategory,
    images: Vec<ImageView>,
    /// The ways the product varies; empty when it is sold one way.
    options: Vec<OptionView>,
    /// Oldest first, archived ones included (marked `archived`).
    variants: Vec<VariantView>,
    /// Whether any variant on sale has stock.
    in_stock: bool,
    /// The variant's SKU, stock and limit, for a product sold one way (as
    /// before variants); absent for a product with options.
    #[serde(skip_serializing_if = "Option::is_none")]
    sku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stock: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_per_order: Option<u32>,
    version: u64,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct OptionView {
    name: String,
    values: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct VariantView {
    id: VariantId,
    sku: String,
    /// Option name to value, one per product option.
    options: BTreeMap<String, String>,
    /// What it costs now: its own price or the product's.
    price: MoneyInput,
    /// Whether `price` is the variant's own (else the product's).
    price_override: bool,
    stock: u32,
    max_per_order: u32,
    weight_grams: u32,
    image_ids: Vec<ImageId>,
    low_stock_threshold: u32,
    in_stock: bool,
    /// Stock is below `low_stock_threshold`.
    low_stock: bool,
    /// No longer sold.
    archived: bool,
}

impl VariantView {
    fn new(p: &Product, v: &Variant) -> Self {
        Self {
            id: v.id,
            sku: v.sku.as_str().to_owned(),
            options: p.options.iter().map(|o| o.name.clone()).zip(v.options.iter().cloned()).collect(),
            price: p.price_of(v).into(),
            price_override: v.price.is_some(),
            stock: v.stock,
            max_per_order: v.max_per_order,
            weight_grams: v.weight_grams,
            image_ids: v.image_ids.clone(),
            low_stock_threshold: v.low_stock_threshold,
            in_stock: v.in_stock(),
            low_stock: v.low_stock(),
            archived: v.archived,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct ImageView {
    id: String,
    width: u32,
    height: u32,
    url: String,
    thumbnails: Vec<ThumbnailView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ThumbnailView {
    edge: u32,
    width: u32,
    height: u32,
    url: String,
}

impl ProductView {
    pub fn new(p: &Product, assets: &AssetUrls) -> Self {
        let sole = p.sole_variant();
        Self {
            id: p.id.to_string(),
            name: p.name.clone(),
            description: p.description.clone(),
            price: p.price.into(),
            status: p.status.as_str(),
            category: p.category.as_ref().map(|c| c.as_str().to_owned()),
            tax_category: p.tax_category,
            images: p.images.iter().map(|i| image(i, assets)).collect(),
            options: p.options.iter().map(|o| OptionView { name: o.name.clone(), values: o.values.clone() }).collect(),
            variants: p.variants.iter().map(|v| VariantView::new(p, v)).collect(),
            in_stock: p.variants.iter().any(|v| !v.archived && v.in_stock()),
            sku: sole.map(|v| v.sku.as_str().to_owned()),
            stock: sole.map(|v| v.stock),
            max_per_order: sole.map(|v| v.max_per_order),
            version: p.version,
            created_at: format_timestamp(p.created_at),
            updated_at: format_timestamp(p.updated_at),
        }
    }
}

fn image(i: &ProductImage, assets: &AssetUrls) -> ImageView {
    ImageView {
        id: i.id.to_string(),
        width: i.width,
        height: i.height,
        url: assets.url(&i.original_key),
        thumbnails: i
            .thumbnails
            .iter()
            .map(|t| ThumbnailView { edge: t.edge, width: t.width, height: t.height, url: assets.url(&t.key) })
            .collect(),
    }
}
