//! Pure domain types and rules. Nothing in here performs I/O or knows about AWS:
//! every function is synchronous and takes the current time as an argument, so the
//! rules can be tested without a clock, a table or a network.

pub mod access_token;
pub mod audit;
pub mod discount;
pub mod event;
pub mod export;
pub mod id;
pub mod image;
pub mod money;
pub mod order;
pub mod password;
pub mod payment;
pub mod principal;
pub mod product;
pub mod rate_limit;
pub mod receipt;
pub mod refund;
pub mod secret;
pub mod session;
pub mod stats;
pub mod user;
pub mod validation;
pub mod webhook;

pub use audit::AuditRecord;
pub use discount::{Discount, DiscountChanges, DiscountCode, DiscountValue, NewDiscount};
pub use event::{Event, EventKind};
pub use export::OrderExport;
pub use id::{AuditId, EventId, ExportId, ImageId, OrderId, ProductId, SessionId, UserId, WebhookEndpointId};
pub use image::{ImageFormat, ProductImage, Thumbnail, Upload, UploadState};
pub use money::{Currency, Money};
pub use order::{CancelReason, Order, OrderRequest, OrderStatus, Shipment, Transition};
pub use payment::{Payment, PaymentStatus, Provider};
pub use principal::{Principal, Role};
pub use product::{Category, NewProduct, Product, ProductChanges, ProductStatus, Sku};
pub use rate_limit::RateLimit;
pub use receipt::{Receipt, VatRate};
pub use refund::{Refund, RefundRefused, RefundRequest, RefundStatus};
pub use session::{OneTimePurpose, OneTimeToken, RefreshToken, Session};
pub use user::{Email, User};
pub use validation::{FieldError, Invalid};
pub use webhook::WebhookEndpoint;
pub use webhook::delivery::{Delivery, DeliveryStatus};

/// Every timestamp Tillbox stores or returns is UTC.
pub type Timestamp = time::OffsetDateTime;

/// RFC 3339 in UTC with a fixed six-digit fraction, so stored timestamps sort
/// correctly as strings (sort keys rely on it).
const TIMESTAMP_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// The dates `from..=to`, oldest first (none when `from` is after `to`).
pub fn days(from: time::Date, to: time::Date) -> impl Iterator<Item = time::Date> {
    std::iter::successors(Some(from), |day| day.next_day()).take_while(move |day| *day <= to)
}

pub fn format_timestamp(at: Timestamp) -> String {
    at.to_offset(time::UtcOffset::UTC).format(TIMESTAMP_FORMAT).expect("every UTC timestamp formats")
}

pub fn parse_timestamp(value: &str) -> Option<Timestamp> {
    time::PrimitiveDateTime::parse(value, TIMESTAMP_FORMAT).ok().map(time::PrimitiveDateTime::assume_utc)
}

/// Serde for [`Timestamp`] fields in the stored format.
pub mod timestamp_serde {
    use super::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_timestamp(*at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        super::parse_timestamp(&text).ok_or_else(|| serde::de::Error::custom("not a Tillbox timestamp"))
    }

    /// The same for `Option<Timestamp>` fields (use with `#[serde(default)]`).
    pub mod option {
        use super::Timestamp;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(at: &Option<Timestamp>, serializer: S) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => super::serialize(at, serializer),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Timestamp>, D::Error> {
            let text = Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
            text.map(|t| {
                super::super::parse_timestamp(&t).ok_or_else(|| serde::de::Error::custom("not a Tillbox timestamp"))
            })
            .transpose()
        }
    }
}
