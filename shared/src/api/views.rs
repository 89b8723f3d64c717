//! The JSON shapes the API returns.

use crate::domain::money::MoneyInput;
use crate::domain::{Product, ProductImage, User, format_timestamp};
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

#[derive(Serialize)]
pub struct ProductView {
    id: String,
    sku: String,
    name: String,
    description: String,
    price: MoneyInput,
    stock: u32,
    status: &'static str,
    category: Option<String>,
    images: Vec<ImageView>,
    version: u64,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
struct ImageView {
    id: String,
    width: u32,
    height: u32,
    url: String,
    thumbnails: Vec<ThumbnailView>,
}

#[derive(Serialize)]
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
            price: p.price.to_input(),
            stock: p.stock,
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

#[derive(Serialize)]
pub struct PageView<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A user as they and admins see it; the password hash never leaves the store.
#[derive(Serialize)]
pub struct UserView {
    id: String,
    email: String,
    name: Option<String>,
    role: &'static str,
    email_verified: bool,
    disabled: bool,
    version: u64,
    created_at: String,
    updated_at: String,
}

impl UserView {
    pub fn new(user: &User) -> Self {
        Self {
            id: user.id.to_string(),
            email: user.email.as_str().to_owned(),
            name: user.name.clone(),
            role: user.role.as_str(),
            email_verified: user.email_verified,
            disabled: user.disabled,
            version: user.version,
            created_at: format_timestamp(user.created_at),
            updated_at: format_timestamp(user.updated_at),
        }
    }
}
