//! Catalog use cases: what staff and shoppers can do with products and images.
//! Each use case takes its ports as generic parameters, so the same code runs
//! against DynamoDB/S3 in a function and against in-memory fakes in unit tests.

mod error;
pub mod images;
pub mod ports;
pub mod products;
pub mod stock;
pub mod upgrade;

pub use error::CatalogError;
