//! Conversions between domain types and DynamoDB items.

use super::keys::{self, EXPIRES_AT, PK, SK};
use crate::app::store::StoreError;
use crate::domain::image::RejectReason;
use crate::domain::product::{DEFAULT_LOW_STOCK_THRESHOLD, DEFAULT_MAX_PER_ORDER};
use crate::domain::tax::TaxCategory;
use crate::domain::{
    Address, AddressInput, Category, Currency, ImageFormat, Money, Product, ProductId, ProductImage, ProductOption,
    ProductStatus, Sku, Thumbnail, Timestamp, Upload, UploadState, Variant, VariantId, format_timestamp,
    parse_timestamp,
};
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

pub(super) type Item = HashMap<String, AttributeValue>;

pub(super) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(super) fn n(value: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(super) fn ts(value: Timestamp) -> AttributeValue {
    s(format_timestamp(value))
}

pub(super) fn b(value: bool) -> AttributeValue {
    AttributeValue::Bool(value)
}

/// Epoch seconds, as the TTL attribute wants them.
pub(super) fn epoch(value: Timestamp) -> AttributeValue {
    n(value.unix_timestamp())
}

pub(super) fn item<const N: usize>(pairs: [(&str, AttributeValue); N]) -> Item {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Reads typed attributes, naming the attribute when an item is not what we wrote.
pub(super) struct Reader<'a>(pub(super) &'a Item);

impl Reader<'_> {
    pub(super) fn corrupt(&self, name: &str, what: &str) -> StoreError {
        let pk = self.0.get(PK).and_then(|v| v.as_s().ok()).map_or("?", String::as_str);
        StoreError::Corrupt(format!("{pk}: attribute `{name}` is {what}"))
    }

    pub(super) fn opt_s(&self, name: &str) -> Result<Option<&str>, StoreError> {
        match self.0.get(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(AttributeValue::S(v)) => Ok(Some(v)),
            Some(_) => Err(self.corrupt(name, "not a string")),
        }
    }

    pub(super) fn s(&self, name: &str) -> Result<&str, StoreError> {
        self.opt_s(name)?.ok_or_else(|| self.corrupt(name, "missing"))
    }

    pub(super) fn n<T: std::str::FromStr>(&self, name: &str) -> Result<T, StoreError> {
        match self.0.get(name) {
            Some(AttributeValue::N(v)) => v.parse().map_err(|_| self.corrupt(name, "out of range")),
            _ => Err(self.corrupt(name, "not a number")),
        }
    }

    /// A number attribute added after items of its kind were first written.
    pub(super) fn opt_n<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, StoreError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(_) => self.n(name).map(Some),
        }
    }

    pub(super) fn ts(&self, name: &str) -> Result<Timestamp, StoreError> {
        parse_timestamp(self.s(name)?).ok_or_else(|| self.corrupt(name, "not a timestamp"))
    }

    pub(super) fn b(&self, name: &str) -> Result<bool, StoreError> {
        match self.0.get(name) {
            Some(AttributeValue::Bool(v)) => Ok(*v),
            _ => Err(self.corrupt(name, "not a boolean")),
        }
    }

    /// A flag added after items of its kind were first written.
    pub(super) fn opt_b(&self, name: &str) -> Result<Option<bool>, StoreError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(_) => self.b(name).map(Some),
        }
    }

    pub(super) fn epoch(&self, name: &str) -> Result<Timestamp, StoreError> {
        Timestamp::from_unix_timestamp(self.n(name)?).map_err(|_| self.corrupt(name, "out of range"))
    }

    /// The `variant_id` of an order line or a restock; one written before
    /// variants names none and took the stock of its product's one variant.
    pub(super) fn variant_or_sole(&self, product: ProductId) -> Result<VariantId, StoreError> {
        match self.opt_s("variant_id")? {
            Some(_) => self.parsed("variant_id", |v| v.parse().ok()),
            None => Ok(VariantId::sole_of(product)),
        }
    }

    /// A list of maps (an order's lines, a cart's), each read by `read`.
    pub(super) fn maps<T>(
        &self,
        name: &str,
        read: impl Fn(Reader<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        match self.0.get(name) {
            Some(AttributeValue::L(list)) => list
                .iter()
                .map(|value| read(Reader(value.as_m().map_err(|_| self.corrupt(name, "not a list of maps"))?)))
                .collect(),
            _ => Err(self.corrupt(name, "missing")),
        }
    }

    /// A map attribute added after items of its kind were first written.
    pub(super) fn opt_map(&self, name: &str) -> Result<Option<Reader<'_>>, StoreError> {
        match self.0.get(name) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(AttributeValue::M(map)) => Ok(Some(Reader(map))),
            Some(_) => Err(self.corrupt(name, "not a map")),
        }
    }

    /// An address written by [`address_value`], if the item has one.
    pub(super) fn opt_address(&self, name: &str) -> Result<Option<Address>, StoreError> {
        let Some(map) = self.opt_map(name)? else { return Ok(None) };
        let text = |field: &str| map.opt_s(field).map(|v| v.map(str::to_owned));
        let input = AddressInput {
            name: map.s("name")?.to_owned(),
            company: text("company")?,
            line1: map.s("line1")?.to_owned(),
            line2: text("line2")?,
            city: map.s("city")?.to_owned(),
            region: text("region")?,
            postal_code: text("postal_code")?,
            country: map.s("country")?.to_owned(),
            phone: text("phone")?,
        };
        Address::restore(input).map(Some).ok_or_else(|| self.corrupt(name, "not an address"))
    }

    pub(super) fn parsed<T>(&self, name: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T, StoreError> {
        parse(self.s(name)?).ok_or_else(|| self.corrupt(name, "not a known value"))
    }
}

/// An address as a map of its fields (absent ones left out).
pub(super) fn address_value(address: &Address) -> AttributeValue {
    let a = address.to_input();
    let mut map = item([("name", s(a.name)), ("line1", s(a.line1)), ("city", s(a.city)), ("country", s(a.country))]);
    for (name, value) in [
        ("company", a.company),
        ("line2", a.line2),
        ("region", a.region),
        ("postal_code", a.postal_code),
        ("phone", a.phone),
    ] {
        if let Some(value) = value {
            map.insert(name.to_owned(), s(value));
        }
    }
    AttributeValue::M(map)
}

/// Attribute of a product item holding its variants: a map from variant id to
/// the variant, so an order updates one variant's stock by path
/// (`variants.<id>.stock`) with a condition on the same path.
pub(super) const VARIANTS: &str = "variants";

pub(super) fn product_item(p: &Product) -> Item {
    let options = p
        .options
        .iter()
        .map(|o| AttributeValue::M(item([("name", s(&o.name)), ("values", strings(&o.values))])))
        .collect();
    let variants = p.variants.iter().map(|v| (v.id.to_string(), variant_value(p, v))).collect();
    let mut item: Item = [
        (PK, s(keys::product_pk(p.id))),
        (SK, s(keys::PRODUCT_SK)),
        ("entity", s("product")),
        ("id", s(p.id.to_string())),
        ("name", s(&p.name)),
        ("description", s(&p.description)),
        ("price_amount", n(p.price.amount)),
        ("currency", s(p.price.currency.code())),
        ("status", s(p.status.as_str())),
        ("images", AttributeValue::L(p.images.iter().map(image_value).collect())),
        ("options", AttributeValue::L(options)),
        (VARIANTS, AttributeValue::M(variants)),
        ("version", n(p.version)),
        ("created_at", ts(p.created_at)),
        ("updated_at", ts(p.updated_at)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let Some(category) = &p.category {
        item.insert("category".into(), s(category.as_str()));
    }
    if p.tax_category != TaxCategory::Standard {
        item.insert("tax_category".into(), s(p.tax_category.as_str()));
    }
    for (name, value) in keys::product_index_keys(p) {
        item.insert(name.into(), s(value));
    }
    item
}

fn strings(values: &[String]) -> AttributeValue {
    AttributeValue::L(values.iter().map(s).collect())
}

/// `price_amount` is what the variant costs now (its own price or the
/// product's), so an order's condition checks one path; `price_override` says
/// which it is.
fn variant_value(p: &Product, v: &Variant) -> AttributeValue {
    AttributeValue::M(item([
        ("sku", s(v.sku.as_str())),
        ("options", strings(&v.options)),
        ("price_amount", n(p.price_of(v).amount)),
        ("price_override", b(v.price.is_some())),
        ("stock", n(v.stock)),
        ("max_per_order", n(v.max_per_order)),
        ("weight_grams", n(v.weight_grams)),
        ("image_ids", AttributeValue::L(v.image_ids.iter().map(|id| s(id.to_string())).collect())),
        ("low_stock_threshold", n(v.low_stock_threshold)),
        ("archived", b(v.archived)),
    ]))
}

fn strings_from(r: &Reader<'_>, name: &str) -> Result<Vec<String>, StoreError> {
    match r.0.get(name) {
        Some(AttributeValue::L(list)) => {
            list.iter().map(|v| v.as_s().cloned().map_err(|_| r.corrupt(name, "not a list of strings"))).collect()
        }
        _ => Err(r.corrupt(name, "not a list")),
    }
}

fn variant_from(r: &Reader<'_>, id: &str, value: &AttributeValue, currency: Currency) -> Result<Variant, StoreError> {
    let v = Reader(value.as_m().map_err(|_| r.corrupt(VARIANTS, "not a map of maps"))?);
    let price_amount: i64 = v.n("price_amount")?;
    Ok(Variant {
        id: id.parse().map_err(|_| r.corrupt(VARIANTS, "keyed by something else than variant ids"))?,
        sku: v.parsed("sku", |s| Sku::parse(s).ok())?,
        options: strings_from(&v, "options")?,
        price: v.b("price_override")?.then_some(Money { amount: price_amount, currency }),
        stock: v.n("stock")?,
        max_per_order: v.n("max_per_order")?,
        weight_grams: v.n("weight_grams")?,
        image_ids: strings_from(&v, "image_ids")?
            .iter()
            .map(|id| id.parse().map_err(|_| v.corrupt("image_ids", "not a list of image ids")))
            .collect::<Result<_, _>>()?,
        low_stock_threshold: v.n("low_stock_threshold")?,
        archived: v.b("archived")?,
    })
}

/// Whether a product item was written before variants (`tillbox-admin
/// migrate-variants` rewrites those).
pub(super) fn is_legacy_product(item: &Item) -> bool {
    !item.contains_key(VARIANTS)
}

/// The product a stream record's image holds (the stock watcher reads them).
pub fn product_from_image(image: &serde_dynamo::Item) -> Result<Product, StoreError> {
    product_from(&image.clone().into())
}

pub(super) fn product_from(item: &Item) -> Result<Product, StoreError> {
    let r = Reader(item);
    let images = match item.get("images") {
        Some(AttributeValue::L(list)) => list.iter().map(|v| image_from(&r, v)).collect::<Result<_, _>>()?,
        None => Vec::new(),
        Some(_) => return Err(r.corrupt("images", "not a list")),
    };
    let id: ProductId = r.parsed("id", |v| v.parse().ok())?;
    let price = Money { amount: r.n("price_amount")?, currency: r.parsed("currency", |v| Currency::parse(v).ok())? };
    let (options, variants) = match item.get(VARIANTS) {
        Some(AttributeValue::M(map)) => {
            let options = match item.get("options") {
                Some(AttributeValue::L(list)) => list
                    .iter()
                    .map(|o| {
                        let o = Reader(o.as_m().map_err(|_| r.corrupt("options", "not a list of maps"))?);
                        Ok(ProductOption { name: o.s("name")?.to_owned(), values: strings_from(&o, "values")? })
                    })
                    .collect::<Result<_, StoreError>>()?,
                _ => return Err(r.corrupt("options", "not a list")),
            };
            let mut variants =
                map.iter().map(|(id, v)| variant_from(&r, id, v, price.currency)).collect::<Result<Vec<_>, _>>()?;
            variants.sort_by_key(|v| v.id);
            (options, variants)
        }
        Some(_) => return Err(r.corrupt(VARIANTS, "not a map")),
        // Written before variants: the product was its one variant.
        None => {
            let sole = Variant {
                id: VariantId::sole_of(id),
                sku: r.parsed("sku", |v| Sku::parse(v).ok())?,
                options: Vec::new(),
                price: None,
                stock: r.n("stock")?,
                max_per_order: r.opt_n("max_per_order")?.unwrap_or(DEFAULT_MAX_PER_ORDER),
                weight_grams: 0,
                image_ids: Vec::new(),
                low_stock_threshold: DEFAULT_LOW_STOCK_THRESHOLD,
                archived: false,
            };
            (Vec::new(), vec![sole])
        }
    };
    Ok(Product {
        id,
        name: r.s("name")?.to_owned(),
        description: r.s("description")?.to_owned(),
        price,
        status: r.parsed("status", ProductStatus::parse)?,
        category: r
            .opt_s("category")?
            .map(|c| Category::parse(c).map_err(|_| r.corrupt("category", "not a slug")))
            .transpose()?,
        tax_category: match r.opt_s("tax_category")? {
            None => TaxCategory::Standard,
            Some(c) => TaxCategory::parse(c).map_err(|_| r.corrupt("tax_category", "not a tax category"))?,
        },
        images,
        options,
        variants,
        version: r.n("version")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(super) fn image_value(image: &ProductImage) -> AttributeValue {
    let thumbnails = image
        .thumbnails
        .iter()
        .map(|t| {
            AttributeValue::M(
                [("edge", n(t.edge)), ("width", n(t.width)), ("height", n(t.height)), ("key", s(&t.key))]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            )
        })
        .collect();
    AttributeValue::M(
        [
            ("id", s(image.id.to_string())),
            ("width", n(image.width)),
            ("height", n(image.height)),
            ("original_key", s(&image.original_key)),
            ("thumbnails", AttributeValue::L(thumbnails)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
    )
}

fn image_from(parent: &Reader<'_>, value: &AttributeValue) -> Result<ProductImage, StoreError> {
    let map = value.as_m().map_err(|_| parent.corrupt("images", "not a list of maps"))?;
    let r = Reader(map);
    let thumbnails = match map.get("thumbnails") {
        Some(AttributeValue::L(list)) => list
            .iter()
            .map(|t| {
                let t = t.as_m().map_err(|_| parent.corrupt("images.thumbnails", "not a list of maps"))?;
                let t = Reader(t);
                Ok(Thumbnail {
                    edge: t.n("edge")?,
                    width: t.n("width")?,
                    height: t.n("height")?,
                    key: t.s("key")?.to_owned(),
                })
            })
            .collect::<Result<_, StoreError>>()?,
        _ => return Err(parent.corrupt("images.thumbnails", "missing")),
    };
    Ok(ProductImage {
        id: r.parsed("id", |v| v.parse().ok())?,
        width: r.n("width")?,
        height: r.n("height")?,
        original_key: r.s("original_key")?.to_owned(),
        thumbnails,
    })
}

pub(super) fn upload_item(u: &Upload) -> Item {
    let (state, reason) = upload_state(&u.state);
    let mut item: Item = [
        (PK, s(keys::product_pk(u.product_id))),
        (SK, s(keys::upload_sk(u.image_id))),
        ("entity", s("upload")),
        ("product_id", s(u.product_id.to_string())),
        ("image_id", s(u.image_id.to_string())),
        ("content_type", s(u.format.content_type())),
        ("content_length", n(u.content_length)),
        ("state", s(state)),
        ("created_at", ts(u.created_at)),
        (EXPIRES_AT, n(u.expires_at.unix_timestamp())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let Some(reason) = reason {
        item.insert("reason".into(), s(reason.as_str()));
    }
    item
}

pub(super) fn upload_state(state: &UploadState) -> (&'static str, Option<RejectReason>) {
    match state {
        UploadState::Pending => ("pending", None),
        UploadState::Attached => ("attached", None),
        UploadState::Rejected(reason) => ("rejected", Some(*reason)),
    }
}

pub(super) fn upload_from(item: &Item) -> Result<Upload, StoreError> {
    let r = Reader(item);
    let state = match r.s("state")? {
        "pending" => UploadState::Pending,
        "attached" => UploadState::Attached,
        "rejected" => UploadState::Rejected(r.parsed("reason", RejectReason::parse)?),
        _ => return Err(r.corrupt("state", "not a known value")),
    };
    let expires: i64 = r.n(EXPIRES_AT)?;
    Ok(Upload {
        product_id: r.parsed("product_id", |v| v.parse().ok())?,
        image_id: r.parsed("image_id", |v| v.parse().ok())?,
        format: r.parsed("content_type", |v| ImageFormat::from_content_type(v).ok())?,
        content_length: r.n("content_length")?,
        state,
        created_at: r.ts("created_at")?,
        expires_at: Timestamp::from_unix_timestamp(expires).map_err(|_| r.corrupt(EXPIRES_AT, "out of range"))?,
    })
}
