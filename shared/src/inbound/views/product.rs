//! Products as the API shows them, with their images' public URLs.

use super::money::MoneyInput;
use crate::domain::{Product, ProductImage, format_timestamp};
use serde::Serialize;

/// Turns stored object keys into public URLs.
pub struct AssetUrls(String);

impl AssetUrls {
    pub fn new(base: String) -> Self {
        Self(base)
    }

    fn url(&self, key: &str) -> String {
        format!("{}/{key}", self.0)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProductView {
    id: String,
    sku: String,
    name: String,
    description: String,
    price: MoneyInput,
    stock: u32,
    max_per_order: u32,
    status: &'static str,
    #[schema(required = true)]
    category: Option<String>,
    images: Vec<ImageView>,
    version: u64,
    created_at: String,
    updated_at: String,
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
        Self {
            id: p.id.to_string(),
            sku: p.sku.as_str().to_owned(),
            name: p.name.clone(),
            description: p.description.clone(),
            price: p.price.into(),
            stock: p.stock,
            max_per_order: p.max_per_order,
            status: p.status.as_str(),
            category: p.category.as_ref().map(|c| c.as_str().to_owned()),
            images: p.images.iter().map(|i| image(i, assets)).collect(),
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
