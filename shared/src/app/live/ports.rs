//! What live updates need: the open connections and what they follow (the
//! table), and a way to send a connection a message (API Gateway's management API).

use crate::app::store::StoreError;
use crate::domain::Timestamp;
use crate::domain::live::{Connection, ConnectionId, Topic};
use std::future::Future;

pub trait LiveConnections {
    /// Records a connection API Gateway just opened.
    fn open(&self, connection: &Connection) -> impl Future<Output = Result<(), StoreError>>;
    /// The connection, unless it closed or outlived API Gateway's two hours.
    fn connection(
        &self,
        id: &ConnectionId,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<Connection>, StoreError>>;
    /// Records that `connection` follows `topic`, until the connection expires.
    fn follow(&self, connection: &Connection, topic: Topic) -> impl Future<Output = Result<(), StoreError>>;
    /// The open connections following `topic`, with who opened each.
    fn followers(&self, topic: Topic, now: Timestamp) -> impl Future<Output = Result<Vec<Connection>, StoreError>>;
    /// Forgets the connection and everything it follows.
    fn close(&self, id: &ConnectionId) -> impl Future<Output = Result<(), StoreError>>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    Delivered,
    /// The connection is closed (API Gateway's 410): forget it.
    Gone,
}

pub trait Push {
    fn push(&self, to: &ConnectionId, message: &str) -> impl Future<Output = Result<Pushed, StoreError>>;
    /// Closes the connection (API Gateway then runs `$disconnect`); a connection
    /// already gone is no error.
    fn disconnect(&self, id: &ConnectionId) -> impl Future<Output = Result<(), StoreError>>;
}
