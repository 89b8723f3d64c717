//! Server-generated identifiers.

/// Declares a UUIDv7 identifier type: time-ordered, so ids sort roughly by creation,
/// and parsed strictly, so a malformed id in a path is a 404 rather than a lookup.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(uuid::Uuid);

        impl $name {
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::try_parse(s).map(Self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.as_hyphenated().fmt(f)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

uuid_id!(
    /// Identifies one product.
    ProductId
);

uuid_id!(
    /// Server-generated id of one upload; the attached image keeps the same id, so a
    /// replayed event finds the work it already did.
    ImageId
);

uuid_id!(
    /// Identifies one order.
    OrderId
);

uuid_id!(
    /// Server-generated user id; the `sub` of the user's access tokens.
    UserId
);

uuid_id!(
    /// One sign-in: the family of refresh tokens rotated from it.
    SessionId
);

uuid_id!(
    /// Identifies one event; consumers de-duplicate on it.
    EventId
);

impl EventId {
    /// The same id for the same `fact`, for an event derived from a change
    /// (a stream record read again) rather than made by a request: publishing it
    /// twice publishes it once.
    pub fn derived(fact: &str) -> Self {
        let hash = super::secret::token_hash(fact);
        let mut bytes = [0u8; 16];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hash[2 * i..2 * i + 2], 16).expect("token_hash is hex");
        }
        Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }
}

uuid_id!(
    /// Identifies one registered endpoint.
    WebhookEndpointId
);

uuid_id!(
    /// Identifies one export; its file is `exports/<id>.csv`.
    ExportId
);

uuid_id!(
    /// Identifies one audit record.
    AuditId
);

uuid_id!(
    /// Identifies one variant of a product. A product that existed before variants
    /// has one variant with the product's own id ([`VariantId::sole_of`]).
    VariantId
);

impl VariantId {
    /// The id of the one variant a product written before variants was given, so
    /// that its old orders (whose lines name no variant) find the stock they took.
    pub fn sole_of(product: ProductId) -> Self {
        Self(product.0)
    }
}

uuid_id!(
    /// Identifies one cart.
    CartId
);

uuid_id!(
    /// Identifies one address in a customer's address book.
    AddressId
);

uuid_id!(
    /// Identifies one shipping zone.
    ShippingZoneId
);

uuid_id!(
    /// Identifies one shipping method of a zone; orders keep it with the price.
    ShippingMethodId
);

uuid_id!(
    /// Identifies one return of an order's lines.
    ReturnId
);
