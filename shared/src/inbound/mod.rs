//! How the world calls Tillbox: HTTP requests through API Gateway, messages from
//! SQS, records from the table's stream, and the schedule.

pub mod events;
pub mod http;
pub mod jobs;
pub mod views;
