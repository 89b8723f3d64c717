//! Which events an endpoint may receive, and which it chose.

/// The event types an endpoint may subscribe to. Account-security events
/// (repeated sign-ups, password resets) stay inside Tillbox.
pub const SUBSCRIBABLE: &[&str] = &[
    "order.placed",
    "order.paid",
    "order.fulfilled",
    "order.cancelled",
    "order.refunded",
    "order.disputed",
    "user.signed_up",
    "product.created",
    "product.updated",
    "product.archived",
    "inventory.low",
    "cart.abandoned",
    "return.requested",
    "return.approved",
    "return.rejected",
    "return.received",
];

/// Which events an endpoint receives: `["*"]` (every subscribable type, including
/// ones added later) or a list of types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventSelection {
    All,
    Only(Vec<String>),
}

impl EventSelection {
    pub fn parse(types: &[String]) -> Result<Self, String> {
        if types.is_empty() {
            return Err(r#"must name at least one event type, or be ["*"]"#.into());
        }
        if types.iter().any(|t| t == "*") {
            return if types.len() == 1 { Ok(Self::All) } else { Err(r#""*" must be the only entry"#.into()) };
        }
        if let Some(unknown) = types.iter().find(|t| !SUBSCRIBABLE.contains(&t.as_str())) {
            return Err(format!("`{unknown}` is not an event type; one of {}", SUBSCRIBABLE.join(", ")));
        }
        let mut unique: Vec<String> = types.to_vec();
        unique.sort();
        unique.dedup();
        Ok(Self::Only(unique))
    }

    pub fn matches(&self, event_type: &str) -> bool {
        SUBSCRIBABLE.contains(&event_type)
            && match self {
                Self::All => true,
                Self::Only(types) => types.iter().any(|t| t == event_type),
            }
    }

    pub fn to_list(&self) -> Vec<String> {
        match self {
            Self::All => vec!["*".to_owned()],
            Self::Only(types) => types.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_selections_name_known_types() {
        assert_eq!(EventSelection::parse(&["*".into()]), Ok(EventSelection::All));
        assert!(EventSelection::parse(&[]).is_err());
        assert!(EventSelection::parse(&["order.shipped".into()]).is_err());
        assert!(EventSelection::parse(&["*".into(), "order.paid".into()]).is_err());
        let only = EventSelection::parse(&["order.paid".into(), "order.paid".into()]).unwrap();
        assert!(only.matches("order.paid") && !only.matches("order.placed"));
        assert!(!EventSelection::All.matches("user.password_reset_requested"));
    }
}
