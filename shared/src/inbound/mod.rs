//! How the world calls Tillbox: HTTP requests through API Gateway ([`http`]),
//! WebSocket connections and their messages through API Gateway ([`live`]),
//! messages from SQS, records from the table's stream and the schedule ([`jobs`],
//! in the formats of [`events`]). What it answers and sends is [`views`]; how the
//! domain's value types appear in the OpenAPI document is `schemas`.

pub mod events;
pub mod http;
pub mod jobs;
pub mod live;
mod schemas;
pub mod views;
