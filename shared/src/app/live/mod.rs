//! Live updates over WebSocket: opening and closing connections, following an
//! order or the staff feed, and pushing an event to every follower.
//!
//! Pushing is best effort, as a WebSocket is: a connection that fails to take
//! a message is logged and skipped rather than retried, so a retry can never
//! send the others a message twice. Clients read the current state when they
//! (re)connect; the pushes tell them what changed since.

pub mod ports;

use crate::app::accounts::ports::{SessionStore, UserStore};
use crate::app::accounts::{self, AccountsError};
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
    /// Whoever connected signed out everywhere, or was disabled or changed role since.
    #[error("the session this connection was opened in has ended")]
    SessionEnded,
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
/// The connection's session is checked first, as at every push.
pub async fn follow(
    store: &(impl LiveConnections + UserStore + SessionStore),
    orders: &impl OrderStore,
    id: &ConnectionId,
    topic: Topic,
    link: Option<OrderId>,
    now: Timestamp,
) -> Result<(), LiveError> {
    let connection = store.connection(id, now).await?.ok_or(LiveError::NotConnected)?;
    if let Some(principal) = &connection.principal {
        match accounts::ensure_live(store, principal, now).await {
            Ok(()) => {}
            Err(AccountsError::SessionEnded) => return Err(LiveError::SessionEnded),
            Err(error) => return Err(StoreError::Unavailable(error.to_string()).into()),
        }
    }
    let customer = match topic {
        // A guest without this order's link is refused unread (`may_follow`).
        Topic::Order(order) if connection.principal.is_some() || link == Some(order) => {
            orders.get(order).await?.map(|order| order.customer)
        }
        Topic::Order(_) | Topic::Feed => None,
    };
    live::may_follow(&connection, topic, customer.as_deref(), link).map_err(LiveError::Refused)?;
    store.follow(&connection, topic).await?;
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
    /// Connections whose session ended since they connected (signed out
    /// everywhere, password or role changed, account disabled): closed, not sent.
    pub revoked: usize,
    /// Connections that could not take the message now (logged, not retried).
    pub failed: usize,
}

/// What happened at one connection.
enum Outcome {
    Sent(Pushed),
    Revoked,
}

/// Sends `message` once to every connection following any of `topics` (staff
/// following both an order and the feed get it once), forgetting closed ones.
/// A connection opened in a session is sent nothing once that session has
/// ended (signed out everywhere, disabled, role changed): it is closed instead,
/// so a revoked account stops seeing orders at the next change, not when API
/// Gateway ends the connection up to two hours later. Tokens without a session
/// (made by an operator) end only with the signing key.
/// Fails only when the followers cannot be read.
pub async fn push(
    store: &(impl LiveConnections + UserStore + SessionStore),
    pusher: &impl Push,
    topics: &[Topic],
    message: &str,
    now: Timestamp,
) -> Result<Pushes, StoreError> {
    let mut followers = Vec::new();
    for topic in topics {
        followers.extend(store.followers(*topic, now).await?);
    }
    followers.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    followers.dedup_by(|a, b| a.id == b.id);
    let outcomes: Vec<_> = stream::iter(followers)
        .map(|follower| async move {
            if let Some(principal) = &follower.principal {
                match accounts::ensure_live(store, principal, now).await {
                    Ok(()) => {}
                    Err(AccountsError::SessionEnded) => {
                        pusher.disconnect(&follower.id).await?;
                        store.close(&follower.id).await?;
                        return Ok(Outcome::Revoked);
                    }
                    Err(error) => return Err(StoreError::Unavailable(error.to_string())),
                }
            }
            let pushed = pusher.push(&follower.id, message).await?;
            if pushed == Pushed::Gone {
                store.close(&follower.id).await?;
            }
            Ok(Outcome::Sent(pushed))
        })
        .buffer_unordered(PUSHES_AT_ONCE)
        .collect()
        .await;
    let mut pushes = Pushes::default();
    for outcome in outcomes {
        match outcome {
            Ok(Outcome::Sent(Pushed::Delivered)) => pushes.delivered += 1,
            Ok(Outcome::Sent(Pushed::Gone)) => pushes.gone += 1,
            Ok(Outcome::Revoked) => pushes.revoked += 1,
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
    use crate::app::accounts::ports::UserChange;
    use crate::app::store::Page;
    use crate::domain::{AuditRecord, Email, Event, RefreshToken, Role, Session, SessionId, User, UserId};
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    /// Topic key → followers; closed connections are recorded. No user or
    /// session is stored: a staff follower with a session is one whose session ended.
    #[derive(Default)]
    struct Followers {
        topics: BTreeMap<String, Vec<Connection>>,
        closed: RefCell<Vec<String>>,
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
        async fn followers(&self, topic: Topic, _: Timestamp) -> Result<Vec<Connection>, StoreError> {
            Ok(self.topics.get(&topic.key()).cloned().unwrap_or_default())
        }
        async fn close(&self, id: &ConnectionId) -> Result<(), StoreError> {
            self.closed.borrow_mut().push(id.to_string());
            Ok(())
        }
    }

    impl UserStore for Followers {
        async fn create(&self, _: &User, _: Option<&Event>, _: Option<&AuditRecord>) -> Result<bool, StoreError> {
            unreachable!()
        }
        async fn get(&self, _: UserId) -> Result<Option<User>, StoreError> {
            Ok(None)
        }
        async fn find_by_email(&self, _: &Email) -> Result<Option<User>, StoreError> {
            unreachable!()
        }
        async fn update(&self, _: UserChange<'_>) -> Result<(), StoreError> {
            unreachable!()
        }
        async fn list(&self, _: u16, _: Option<&str>) -> Result<Page<User>, StoreError> {
            unreachable!()
        }
    }

    impl SessionStore for Followers {
        async fn start(&self, _: &Session, _: &RefreshToken) -> Result<(), StoreError> {
            unreachable!()
        }
        async fn find_token(&self, _: &str) -> Result<Option<RefreshToken>, StoreError> {
            unreachable!()
        }
        async fn session(&self, _: SessionId) -> Result<Option<Session>, StoreError> {
            Ok(None)
        }
        async fn rotate(&self, _: &RefreshToken, _: &RefreshToken) -> Result<bool, StoreError> {
            unreachable!()
        }
        async fn revoke(&self, _: SessionId) -> Result<(), StoreError> {
            unreachable!()
        }
    }

    /// Answers per connection id: `gone…` is closed, `down…` fails; records
    /// what it sent and whom it disconnected.
    #[derive(Default)]
    struct Recorder {
        sent: RefCell<Vec<(String, String)>>,
        disconnected: RefCell<Vec<String>>,
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
        async fn disconnect(&self, id: &ConnectionId) -> Result<(), StoreError> {
            self.disconnected.borrow_mut().push(id.to_string());
            Ok(())
        }
    }

    /// A connection; `staff_session` makes it staff's, opened in that session.
    fn follower(id: &str, role: Role, session: Option<&str>) -> Connection {
        Connection {
            id: ConnectionId::parse(id).unwrap(),
            principal: Some(Principal {
                subject: UserId::generate().to_string(),
                role,
                session: session.map(str::to_owned),
            }),
            connected_at: time::macros::datetime!(2026-12-05 09:00 UTC),
        }
    }

    #[tokio::test]
    async fn each_follower_gets_the_message_once_and_closed_ones_are_forgotten() {
        let order = Topic::Order(OrderId::generate());
        let staff = follower("staff", Role::Staff, None);
        let mut store = Followers::default();
        store.topics.insert(
            order.key(),
            vec![follower("customer", Role::Customer, None), staff.clone(), follower("gone1", Role::Customer, None)],
        );
        store.topics.insert(
            Topic::Feed.key(),
            vec![staff, follower("down1", Role::Staff, None), follower("admin", Role::Admin, None)],
        );
        let pusher = Recorder::default();
        let now = time::macros::datetime!(2026-12-05 10:00 UTC);

        let pushes = push(&store, &pusher, &[order, Topic::Feed], "hello", now).await.unwrap();

        assert_eq!(pushes, Pushes { delivered: 3, gone: 1, revoked: 0, failed: 1 });
        let mut sent: Vec<_> = pusher.sent.borrow().iter().map(|(to, _)| to.clone()).collect();
        sent.sort();
        assert_eq!(sent, ["admin", "customer", "staff"], "staff on both topics get it once");
        assert!(pusher.sent.borrow().iter().all(|(_, message)| message == "hello"));
        assert_eq!(*store.closed.borrow(), ["gone1"], "only the closed connection is forgotten");
    }

    #[tokio::test]
    async fn followers_whose_session_ended_are_disconnected_and_sent_nothing() {
        let ended = SessionId::generate().to_string();
        let mut store = Followers::default();
        store.topics.insert(
            Topic::Feed.key(),
            vec![
                follower("revoked", Role::Staff, Some(&ended)),
                follower("signedout", Role::Customer, Some(&ended)),
                follower("operator", Role::Admin, None),
            ],
        );
        let pusher = Recorder::default();
        let now = time::macros::datetime!(2026-12-05 10:00 UTC);

        let pushes = push(&store, &pusher, &[Topic::Feed], "order paid", now).await.unwrap();

        assert_eq!((pushes.delivered, pushes.revoked), (1, 2));
        let sent: Vec<_> = pusher.sent.borrow().iter().map(|(to, _)| to.clone()).collect();
        assert_eq!(sent, ["operator"], "a token without a session ends only with the key");
        let mut disconnected = pusher.disconnected.borrow().clone();
        disconnected.sort();
        assert_eq!(disconnected, ["revoked", "signedout"]);
        let mut closed = store.closed.borrow().clone();
        closed.sort();
        assert_eq!(closed, ["revoked", "signedout"]);
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
