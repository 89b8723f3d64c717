//! Pure domain types and rules. Nothing in here performs I/O or knows about AWS:
//! every function is synchronous and takes the current time as an argument, so the
//! rules can be tested without a clock, a table or a network.

pub mod image;
pub mod money;
pub mod principal;
pub mod product;
pub mod validation;

pub use image::{ImageFormat, ImageId, ProductImage, Thumbnail, Upload, UploadState};
pub use money::{Currency, Money};
pub use principal::{Principal, Role};
pub use product::{Category, NewProduct, Product, ProductChanges, ProductId, ProductStatus, Sku};
pub use validation::{FieldError, Invalid};

/// Every timestamp Tillbox stores or returns is UTC.
pub type Timestamp = time::OffsetDateTime;

/// RFC 3339 in UTC with a fixed six-digit fraction, so stored timestamps sort
/// correctly as strings (sort keys rely on it).
const TIMESTAMP_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

pub fn format_timestamp(at: Timestamp) -> String {
    at.to_offset(time::UtcOffset::UTC).format(TIMESTAMP_FORMAT).expect("every UTC timestamp formats")
}

pub fn parse_timestamp(value: &str) -> Option<Timestamp> {
    time::PrimitiveDateTime::parse(value, TIMESTAMP_FORMAT).ok().map(time::PrimitiveDateTime::assume_utc)
}
