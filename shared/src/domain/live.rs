//! Live updates: who may follow what over a WebSocket connection, and which
//! events reach which followers. Pure rules; the connections live in the table
//! (`outbound::dynamodb::live`) and messages go out through API Gateway's
//! management API (`outbound::live_push`).

use crate::domain::{EventKind, OrderId, Principal, Timestamp};

/// API Gateway ends every WebSocket connection after two hours; connection and
/// subscription items expire a little later, so the table's TTL removes what a
/// lost `$disconnect` left behind.
pub const CONNECTION_LIFETIME: time::Duration = time::Duration::minutes(125);

/// The id API Gateway gives a connection (e.g. `L0SM9cOFvHcCIhw=`). Checked only
/// for shape: it is used as a key and in a URL path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(String);

impl ConnectionId {
    pub fn parse(value: &str) -> Option<Self> {
        let shaped = !value.is_empty()
            && value.len() <= 128
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'+' | b'/' | b'-' | b'_'));
        shaped.then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a connection can follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// One order's changes: its customer (or the guest holding its link) and staff.
    Order(OrderId),
    /// The shop's feed for staff: orders, payments, returns, low stock and
    /// webhook endpoints Tillbox stopped delivering to.
    Feed,
}

impl Topic {
    /// The topic's stored name: `order:{id}` or `feed`.
    pub fn key(&self) -> String {
        match self {
            Self::Order(id) => format!("order:{id}"),
            Self::Feed => "feed".to_owned(),
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        match key.split_once(':') {
            Some(("order", id)) => id.parse().ok().map(Self::Order),
            None if key == "feed" => Some(Self::Feed),
            _ => None,
        }
    }
}

/// An open connection: who opened it, if anyone signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub id: ConnectionId,
    /// `None` for a guest, who can follow only the order their link opens.
    pub principal: Option<Principal>,
    pub connected_at: Timestamp,
}

impl Connection {
    pub fn expires_at(&self) -> Timestamp {
        self.connected_at + CONNECTION_LIFETIME
    }
}

/// Why a subscription is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A guest without a valid link to the order (or any guest, for the feed).
    SignInNeeded,
    /// A customer asking for the staff feed.
    StaffOnly,
    /// Someone else's order, or one that does not exist: the same answer, so
    /// order ids cannot be probed.
    NoSuchOrder,
}

/// Whether `connection` may follow `topic`. `order_customer` is the customer of
/// the order the topic names (`None` when there is no such order, or when it was
/// not read: a guest without this order's link); `link` is the order a guest's
/// order link opens, checked by the caller.
pub fn may_follow(
    connection: &Connection,
    topic: Topic,
    order_customer: Option<&str>,
    link: Option<OrderId>,
) -> Result<(), Refusal> {
    match (topic, &connection.principal) {
        (Topic::Feed, Some(principal)) if principal.is_staff() => Ok(()),
        (Topic::Feed, Some(_)) => Err(Refusal::StaffOnly),
        (Topic::Feed, None) => Err(Refusal::SignInNeeded),
        // Before the order is looked at: a guest learns nothing about ids.
        (Topic::Order(id), None) if link != Some(id) => Err(Refusal::SignInNeeded),
        (Topic::Order(_), _) if order_customer.is_none() => Err(Refusal::NoSuchOrder),
        (Topic::Order(id), _) if link == Some(id) => Ok(()),
        (Topic::Order(_), Some(principal)) if principal.is_staff() || order_customer == Some(&principal.subject) => {
            Ok(())
        }
        (Topic::Order(_), _) => Err(Refusal::NoSuchOrder),
    }
}

/// The topics an event is pushed to; empty for events nobody follows live.
/// A dispute is the shop's business with the bank: staff see it, the customer
/// is not shown it. Webhook failures are for staff too.
pub fn topics_of(kind: &EventKind) -> Vec<Topic> {
    match kind {
        EventKind::OrderDisputed { .. }
        | EventKind::InventoryLow { .. }
        | EventKind::WebhookEndpointDisabled { .. }
        | EventKind::WebhookDeliveryFailed { .. } => vec![Topic::Feed],
        other => match other.order_id() {
            Some(order) => vec![Topic::Order(order), Topic::Feed],
            None => Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EventId, ProductId, Role, UserId, VariantId, WebhookEndpointId};

    fn connection(role: Option<Role>) -> Connection {
        Connection {
            id: ConnectionId::parse("L0SM9cOFvHcCIhw=").unwrap(),
            principal: role.map(|role| Principal { subject: "alice".into(), role, session: None }),
            connected_at: time::macros::datetime!(2026-12-05 10:00 UTC),
        }
    }

    #[test]
    fn customers_follow_their_own_orders_only() {
        let order = Topic::Order(OrderId::generate());
        let alice = connection(Some(Role::Customer));
        assert_eq!(may_follow(&alice, order, Some("alice"), None), Ok(()));
        assert_eq!(may_follow(&alice, order, Some("bob"), None), Err(Refusal::NoSuchOrder));
        assert_eq!(may_follow(&alice, order, None, None), Err(Refusal::NoSuchOrder));
        assert_eq!(may_follow(&alice, Topic::Feed, None, None), Err(Refusal::StaffOnly));
    }

    #[test]
    fn staff_follow_any_order_and_the_feed() {
        let staff = connection(Some(Role::Staff));
        assert_eq!(may_follow(&staff, Topic::Order(OrderId::generate()), Some("bob"), None), Ok(()));
        assert_eq!(may_follow(&staff, Topic::Feed, None, None), Ok(()));
        assert_eq!(may_follow(&connection(Some(Role::Admin)), Topic::Feed, None, None), Ok(()));
    }

    #[test]
    fn a_guest_follows_the_order_its_link_opens_and_nothing_else() {
        let guest = connection(None);
        let (linked, other) = (OrderId::generate(), OrderId::generate());
        assert_eq!(may_follow(&guest, Topic::Order(linked), Some("guest:1"), Some(linked)), Ok(()));
        assert_eq!(may_follow(&guest, Topic::Order(other), Some("guest:2"), Some(linked)), Err(Refusal::SignInNeeded));
        assert_eq!(may_follow(&guest, Topic::Order(other), Some("guest:2"), None), Err(Refusal::SignInNeeded));
        assert_eq!(may_follow(&guest, Topic::Feed, None, Some(linked)), Err(Refusal::SignInNeeded));
        assert_eq!(
            may_follow(&guest, Topic::Order(other), None, None),
            Err(Refusal::SignInNeeded),
            "a missing order reads as an existing one: no probing ids"
        );
    }

    #[test]
    fn order_events_reach_the_order_and_the_feed_and_shop_events_only_the_feed() {
        let order_id = OrderId::generate();
        let paid = EventKind::OrderPaid { order_id };
        assert_eq!(topics_of(&paid), vec![Topic::Order(order_id), Topic::Feed]);
        let refunded = EventKind::OrderRefunded { order_id, amount: 100, surplus: false, refund_id: None };
        assert_eq!(topics_of(&refunded), vec![Topic::Order(order_id), Topic::Feed]);
        assert_eq!(topics_of(&EventKind::OrderDisputed { order_id }), vec![Topic::Feed]);
        let low = EventKind::InventoryLow {
            product_id: ProductId::generate(),
            variant_id: VariantId::generate(),
            sku: "MUG".into(),
            stock: 1,
            threshold: 3,
        };
        assert_eq!(topics_of(&low), vec![Topic::Feed]);
        let disabled = EventKind::WebhookEndpointDisabled { endpoint_id: WebhookEndpointId::generate() };
        assert_eq!(topics_of(&disabled), vec![Topic::Feed]);
        let endpoint_id = WebhookEndpointId::generate();
        let failed = EventKind::WebhookDeliveryFailed { endpoint_id, event_id: EventId::generate(), attempts: 8 };
        assert_eq!(topics_of(&failed), vec![Topic::Feed]);
        assert!(topics_of(&EventKind::UserSignedUp { user_id: UserId::generate() }).is_empty());
    }

    #[test]
    fn topics_and_connection_ids_round_trip_and_refuse_odd_input() {
        let order = Topic::Order(OrderId::generate());
        assert_eq!(Topic::parse(&order.key()), Some(order));
        assert_eq!(Topic::parse("feed"), Some(Topic::Feed));
        for odd in ["", "order:", "order:nope", "feed:", "orders:1", "FEED"] {
            assert_eq!(Topic::parse(odd), None, "{odd}");
        }
        assert!(ConnectionId::parse("L0SM9cOFvHcCIhw=").is_some());
        for odd in ["", "a b", "a?b", "a\u{0}", &"x".repeat(129), "ü"] {
            assert!(ConnectionId::parse(odd).is_none(), "{odd}");
        }
    }
}
