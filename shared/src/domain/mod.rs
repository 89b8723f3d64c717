//! Pure domain types and rules. Nothing in here performs I/O or knows about AWS:
//! every function is synchronous and takes the current time as an argument, so the
//! rules can be tested without a clock, a table or a network.

pub mod access_token;
pub mod address;
pub mod audit;
pub mod cart;
pub mod discount;
pub mod event;
pub mod export;
pub mod id;
pub mod image;
pub mod invoice;
pub mod live;
pub mod money;
pub mod order;
pub mod password;
pub mod payment;
pub mod principal;
pub mod product;
pub mod rate_limit;
pub mod refund;
pub mod returns;
pub mod search;
pub mod secret;
pub mod session;
pub mod shipping;
pub mod stats;
pub mod tax;
pub mod timestamp;
pub mod user;
pub mod validation;
pub mod webhook;

pub use address::{Address, AddressInput, Country};
pub use audit::AuditRecord;
pub use cart::{Cart, CartHolder, CartLifetime, CartStatus};
pub use discount::{Discount, DiscountChanges, DiscountCode, DiscountValue, NewDiscount};
pub use event::{Event, EventKind};
pub use export::OrderExport;
pub use id::{
    AddressId, AuditId, CartId, EventId, ExportId, ImageId, OrderId, ProductId, ReturnId, SessionId, ShippingMethodId,
    ShippingZoneId, UserId, VariantId, WebhookEndpointId,
};
pub use image::{ImageFormat, ProductImage, Thumbnail, Upload, UploadState};
pub use invoice::{Invoice, Seller};
pub use money::{Currency, Money};
pub use order::{CancelReason, Order, OrderRequest, OrderStatus, Shipment, Transition};
pub use payment::{Payment, PaymentStatus, Provider};
pub use principal::{Principal, Role};
pub use product::{
    Category, NewProduct, NewVariant, Product, ProductChanges, ProductOption, ProductStatus, Sku, Variant,
    VariantChanges,
};
pub use rate_limit::RateLimit;
pub use refund::{Refund, RefundRefused, RefundRequest, RefundStatus};
pub use session::{OneTimePurpose, OneTimeToken, RefreshToken, Session};
pub use timestamp::{Timestamp, days, format_timestamp, parse_timestamp, timestamp_serde};
pub use user::{Email, User};
pub use validation::{FieldError, Invalid};
pub use webhook::WebhookEndpoint;
pub use webhook::delivery::{Delivery, DeliveryStatus};
