//! Variants: what is actually sold and stocked, one per combination of a
//! product's option values (a T-shirt in size M, navy). A product without options
//! has exactly one variant.

use super::{MAX_QUANTITY, Sku};
use crate::domain::id::{ImageId, VariantId};
use crate::domain::money::{Money, MoneyInput};
use crate::domain::validation::{Checker, text};

/// Options per product (`Size`, `Colour`, `Material`).
pub const MAX_OPTIONS: usize = 3;
/// Values per option.
pub const MAX_OPTION_VALUES: usize = 20;
/// Characters of an option's name or value.
pub const MAX_OPTION_CHARS: usize = 50;
/// Variants per product, archived ones included: creating a product claims every
/// variant's SKU in the same DynamoDB transaction (at most 100 actions).
pub const MAX_VARIANTS: usize = 50;
/// The heaviest variant, in grams (shipping rates are weight-based).
pub const MAX_WEIGHT_GRAMS: i64 = 1_000_000;
/// Below this many units a variant shows `low_stock` unless staff say otherwise.
pub const DEFAULT_LOW_STOCK_THRESHOLD: u32 = 5;
/// Most units of one variant one order may hold unless staff say otherwise.
pub const DEFAULT_MAX_PER_ORDER: u32 = 10;
pub const MAX_STOCK: i64 = 1_000_000_000;

/// One way a product varies, with the values it comes in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductOption {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub id: VariantId,
    pub sku: Sku,
    /// One value per product option, in the product's option order.
    pub options: Vec<String>,
    /// Replaces the product's price for this variant (same currency).
    pub price: Option<Money>,
    pub stock: u32,
    /// Most units of this variant one order may hold, so nobody can hold the
    /// stock hostage in unpaid orders.
    pub max_per_order: u32,
    pub weight_grams: u32,
    /// The product's images that show this variant.
    pub image_ids: Vec<ImageId>,
    /// The variant is `low_stock` (and `inventory.low` is published) once its
    /// stock falls below this; 0 never.
    pub low_stock_threshold: u32,
    /// No longer sold; kept because orders and carts name it.
    pub archived: bool,
}

impl Variant {
    pub fn in_stock(&self) -> bool {
        self.stock > 0
    }

    pub fn low_stock(&self) -> bool {
        self.stock < self.low_stock_threshold
    }
}

/// A variant as staff gave it; [`super::Product::with_variant`] checks it
/// against its product.
#[derive(Debug, Clone)]
pub struct NewVariant {
    pub sku: String,
    /// Option name and value, one pair per product option.
    pub options: Vec<(String, String)>,
    pub price: Option<MoneyInput>,
    pub stock: i64,
    pub max_per_order: i64,
    pub weight_grams: i64,
    pub image_ids: Vec<ImageId>,
    pub low_stock_threshold: i64,
}

impl NewVariant {
    /// The one variant of a product without options.
    pub fn sole(sku: impl Into<String>, stock: i64, max_per_order: i64) -> Self {
        Self {
            sku: sku.into(),
            options: Vec::new(),
            price: None,
            stock,
            max_per_order,
            weight_grams: 0,
            image_ids: Vec::new(),
            low_stock_threshold: i64::from(DEFAULT_LOW_STOCK_THRESHOLD),
        }
    }
}

/// Changes to a variant: `None` leaves a field as it is; `price: Some(None)`
/// goes back to the product's price.
#[derive(Debug, Clone, Default)]
pub struct VariantChanges {
    pub sku: Option<String>,
    pub options: Option<Vec<(String, String)>>,
    pub price: Option<Option<MoneyInput>>,
    pub stock: Option<i64>,
    pub max_per_order: Option<i64>,
    pub weight_grams: Option<i64>,
    pub image_ids: Option<Vec<ImageId>>,
    pub low_stock_threshold: Option<i64>,
}

pub(super) fn stock(value: i64) -> Result<u32, String> {
    bounded(value, 0, MAX_STOCK)
}

pub(super) fn max_per_order(value: i64) -> Result<u32, String> {
    bounded(value, 1, MAX_QUANTITY)
}

pub(super) fn weight(value: i64) -> Result<u32, String> {
    bounded(value, 0, MAX_WEIGHT_GRAMS)
}

pub(super) fn threshold(value: i64) -> Result<u32, String> {
    bounded(value, 0, MAX_STOCK)
}

fn bounded(value: i64, least: i64, most: i64) -> Result<u32, String> {
    if (least..=most).contains(&value) {
        Ok(value as u32)
    } else {
        Err(format!("must be a whole number from {least} to {most}"))
    }
}

/// Checks option names and values: at most [`MAX_OPTIONS`], distinct names,
/// 1 to [`MAX_OPTION_VALUES`] distinct values each. Errors name `<prefix>[i]...`.
pub(super) fn options(c: &mut Checker, prefix: &str, given: &[(String, Vec<String>)]) -> Vec<ProductOption> {
    if given.len() > MAX_OPTIONS {
        c.check::<()>(prefix, Err(format!("at most {MAX_OPTIONS} options")));
    }
    let mut checked: Vec<ProductOption> = Vec::new();
    for (i, (name, values)) in given.iter().enumerate() {
        let name = c.check(&format!("{prefix}[{i}].name"), text(name, 1, MAX_OPTION_CHARS));
        if let Some(name) = &name
            && checked.iter().any(|o| o.name.eq_ignore_ascii_case(name))
        {
            c.check::<()>(&format!("{prefix}[{i}].name"), Err("names an earlier option".into()));
        }
        if values.is_empty() || values.len() > MAX_OPTION_VALUES {
            c.check::<()>(&format!("{prefix}[{i}].values"), Err(format!("must hold 1 to {MAX_OPTION_VALUES} values")));
        }
        let mut kept: Vec<String> = Vec::new();
        for (j, value) in values.iter().enumerate() {
            let field = format!("{prefix}[{i}].values[{j}]");
            if let Some(value) = c.check(&field, text(value, 1, MAX_OPTION_CHARS)) {
                if kept.iter().any(|v| v.eq_ignore_ascii_case(&value)) {
                    c.check::<()>(&field, Err("repeats an earlier value".into()));
                }
                kept.push(value);
            }
        }
        if let Some(name) = name {
            checked.push(ProductOption { name, values: kept });
        }
    }
    checked
}

/// The values `given` picks, in the order of `options`; errors name
/// `<prefix>.<option name>`.
pub(super) fn pick(
    c: &mut Checker,
    prefix: &str,
    options: &[ProductOption],
    given: &[(String, String)],
) -> Vec<String> {
    let mut picked = Vec::with_capacity(options.len());
    for (name, _) in given {
        if !options.iter().any(|o| o.name == *name) {
            c.check::<()>(&format!("{prefix}.{name}"), Err("is not an option of this product".into()));
        }
    }
    for option in options {
        let field = format!("{prefix}.{}", option.name);
        match given.iter().find(|(name, _)| *name == option.name) {
            None => {
                c.check::<()>(&field, Err("is missing".into()));
            }
            Some((_, value)) => match option.values.iter().find(|v| v.eq_ignore_ascii_case(value.trim())) {
                Some(value) => picked.push(value.clone()),
                None => {
                    c.check::<()>(&field, Err(format!("must be one of: {}", option.values.join(", "))));
                }
            },
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_bounded_and_distinct() {
        let mut c = Checker::default();
        let given = vec![
            ("Size".to_owned(), vec!["S".to_owned(), "s".to_owned()]),
            ("size".to_owned(), vec!["M".to_owned()]),
            ("Colour".to_owned(), vec![]),
            ("Fit".to_owned(), vec!["Slim".to_owned()]),
        ];
        options(&mut c, "options", &given);
        let fields: Vec<_> = c.finish().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["options", "options[0].values[1]", "options[1].name", "options[2].values"]);
    }

    #[test]
    fn a_pick_names_every_option_once() {
        let options = [
            ProductOption { name: "Size".into(), values: vec!["S".into(), "M".into()] },
            ProductOption { name: "Colour".into(), values: vec!["grey".into()] },
        ];
        let mut c = Checker::default();
        let picked =
            pick(&mut c, "options", &options, &[("Colour".into(), "GREY".into()), ("Size".into(), "m".into())]);
        assert!(c.finish().is_ok());
        assert_eq!(picked, ["M", "grey"]);
        let mut c = Checker::default();
        pick(&mut c, "options", &options, &[("Fit".into(), "x".into()), ("Size".into(), "XL".into())]);
        let fields: Vec<_> = c.finish().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["options.Fit", "options.Size", "options.Colour"]);
    }
}
