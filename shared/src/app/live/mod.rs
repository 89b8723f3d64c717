//! Live updates over WebSocket: opening and closing connections, following an
//! order or the staff feed, and pushing an event to every follower.
//!
//! Pushing is best effort, as a WebSocket is: a connection that fails to take
//! a message is logged and skipped rather than retried, so a retry can never
//! send the others a message twice. Clients read the current state when they
//! (re)connect; the pushes tell them what changed since.

pub mod ports;

use crate::app::error::{CommonError, shares_common_errors};
use crate::app::orders::ports::OrderStore;
use crate::app::store::StoreError;
use crate::domain::live::{self, Connection, ConnectionId, Refusal, Topic};
use crate::domain::{OrderId, Principal, Timestamp};
use futures_util::stream::{self, StreamExt};
use ports::{LiveConnections, Push, Pushed};

/// Connections sent a message side by side.
const PUSHES_AT_ONCE: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("subscription refused: {0:?}")]
    Refused(Refusal),
    /// The connection is unknown: it closed, or it expired.
    #[error("this connection is closed")]
    NotConnected,
    #[error(transparent)]
    Common(#[from] CommonError),
}

shares_common_errors!(LiveError);

/// Records a connection API Gateway is opening; `principal` is whoever signed
/// in at connect (`None`: a guest).
pub async fn connect(
    connections: &impl LiveConnections,
    id: ConnectionId,
    principal: Option<Principal>,
    now: Timestamp,
) -> Result<Connection, StoreError> {
    let connection = Connection { id, principal, connected_at: now };
    connections.open(&connection).await?;
    Ok(connection)
}

/// Lets the connection follow `topic` if it may (see [`live::may_follow`]).
/// `link` is the order a guest's verified order link opens.
pub async fn follow(
    connections: &impl LiveConnections,
    orders: &impl OrderStore,
    id: &ConnectionId,
    topic: Topic,
    link: Option<OrderId>,
    now: Timestamp,
) -> Result<(), LiveError> {
    let connection = connections.connection(id, now).await?.ok_or(LiveError::NotConnected)?;
    let customer = match topic {
        Topic::Order(order) => orders.get(order).await?.map(|order| order.customer),
        Topic::Feed => None,
    };
    live::may_follow(&connection, topic, customer.as_deref(), link).map_err(LiveError::Refused)?;
    connections.follow(&connection, topic).await?;
    Ok(())
}

pub async fn disconnect(connections: &impl LiveConnections, id: &ConnectionId) -> Result<(), StoreError> {
    connections.close(id).await
}

/// What one push did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pushes {
    pub delivered: usize,
    /// Connections found closed, and forgotten.
    pub gone: usize,
    /// Connections that could not take the message now (logged, not retried).
    pub failed: usize,
}

/// Sends `message` once to every connection following any of `topics` (staff
/// following both an order and the feed get it once), forgetting closed ones.
/// Fails only when the followers cannot be read.
pub async fn push(
    connections: &impl LiveConnections,
    pusher: &impl Push,
    topics: &[Topic],
    message: &str,
    now: Timestamp,
) -> Result<Pushes, StoreError> {
    let mut followers = Vec::new();
    for topic in topics {
        followers.extend(connections.followers(*topic, now).await?);
    }
    followers.sort_unstable();
    followers.dedup();
    let outcomes: Vec<_> = stream::iter(followers)
        .map(|to| async move {
            match pusher.push(&to, message).await {
                Ok(Pushed::Gone) => match connections.close(&to).await {
                    Ok(()) => Ok(Pushed::Gone),
                    Err(error) => Err(error),
                },
                other => other,
            }
        })
        .buffer_unordered(PUSHES_AT_ONCE)
        .collect()
        .await;
    let mut pushes = Pushes::default();
    for outcome in outcomes {
        match outcome {
            Ok(Pushed::Delivered) => pushes.delivered += 1,
            Ok(Pushed::Gone) => pushes.gone += 1,
            Err(error) => {
                tracing::warn!(%error, "a live update was not pushed to one connection");
                pushes.failed += 1;
            }
        }
    }
    Ok(pushes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    /// Topic key → followers; closed connections are recorded.
    #[derive(Default)]
    struct Followers {
        topics: BTreeMap<String, Vec<ConnectionId>>,
        closed: RefCell<Vec<ConnectionId>>,
    }

    impl LiveConnections for Followers {
        async fn open(&self, _: &Connection) -> Result<(), StoreError> {
            unreachable!("not opened in these tests")
        }
        async fn connection(&self, _: &ConnectionId, _: Timestamp) -> Result<Option<Connection>, StoreError> {
            unreachable!("not read in these tests")
        }
        async fn follow(&self, _: &Connection, _: Topic) -> Result<(), StoreError> {
            unreachable!("not followed in these tests")
        }
        async fn followers(&self, topic: Topic, _: Timestamp) -> Result<Vec<ConnectionId>, StoreError> {
            Ok(self.topics.get(&topic.key()).cloned().unwrap_or_default())
        }
        async fn close(&self, id: &ConnectionId) -> Result<(), StoreError> {
            self.closed.borrow_mut().push(id.clone());
            Ok(())
        }
    }

    /// Answers per connection id: `gone…` is closed, `down…` fails; records what it sent.
    #[derive(Default)]
    struct Recorder {
        sent: RefCell<Vec<(String, String)>>,
    }

    impl Push for Recorder {
        async fn push(&self, to: &ConnectionId, message: &str) -> Result<Pushed, StoreError> {
            if to.as_str().starts_with("gone") {
                return Ok(Pushed::Gone);
            }
            if to.as_str().starts_with("down") {
                return Err(StoreError::Unavailable("throttled".into()));
            }
            self.sent.borrow_mut().push((to.to_string(), message.to_owned()));
            Ok(Pushed::Delivered)
        }
    }

    fn ids(names: &[&str]) -> Vec<ConnectionId> {
        names.iter().map(|name| ConnectionId::parse(name).unwrap()).collect()
    }

    #[tokio::test]
    async fn each_follower_gets_the_message_once_and_closed_ones_are_forgotten() {
        let order = Topic::Order(OrderId::generate());
        let mut store = Followers::default();
        store.topics.insert(order.key(), ids(&["customer", "staff", "gone1"]));
        store.topics.insert(Topic::Feed.key(), ids(&["staff", "down1", "admin"]));
        let pusher = Recorder::default();
        let now = time::macros::datetime!(2026-12-05 10:00 UTC);

        let pushes = push(&store, &pusher, &[order, Topic::Feed], "hello", now).await.unwrap();

        assert_eq!(pushes, Pushes { delivered: 3, gone: 1, failed: 1 });
        let mut sent: Vec<_> = pusher.sent.borrow().iter().map(|(to, _)| to.clone()).collect();
        sent.sort();
        assert_eq!(sent, ["admin", "customer", "staff"], "staff on both topics get it once");
        assert!(pusher.sent.borrow().iter().all(|(_, message)| message == "hello"));
        assert_eq!(*store.closed.borrow(), ids(&["gone1"]), "only the closed connection is forgotten");
    }

    #[tokio::test]
    async fn nobody_following_sends_nothing() {
        let pusher = Recorder::default();
        let now = time::macros::datetime!(2026-12-05 10:00 UTC);
        let pushes = push(&Followers::default(), &pusher, &[Topic::Feed], "hello", now).await.unwrap();
        assert_eq!(pushes, Pushes::default());
        assert!(pusher.sent.borrow().is_empty());
    }
}
