//! Time as Tillbox stores and shows it: always UTC, always the same format.

/// Every timestamp Tillbox stores or returns is UTC.
pub type Timestamp = time::OffsetDateTime;

/// RFC 3339 in UTC with a fixed six-digit fraction, so stored timestamps sort
/// correctly as strings (sort keys rely on it).
const TIMESTAMP_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// The dates `from..=to`, oldest first (none when `from` is after `to`).
pub fn days(from: time::Date, to: time::Date) -> impl Iterator<Item = time::Date> {
    std::iter::successors(Some(from), |day| day.next_day()).take_while(move |day| *day <= to)
}

pub fn format_timestamp(at: Timestamp) -> String {
    at.to_offset(time::UtcOffset::UTC).format(TIMESTAMP_FORMAT).expect("every UTC timestamp formats")
}

pub fn parse_timestamp(value: &str) -> Option<Timestamp> {
    time::PrimitiveDateTime::parse(value, TIMESTAMP_FORMAT).ok().map(time::PrimitiveDateTime::assume_utc)
}

/// Serde for [`Timestamp`] fields in the stored format.
pub mod timestamp_serde {
    use super::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_timestamp(*at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        super::parse_timestamp(&text).ok_or_else(|| serde::de::Error::custom("not a Tillbox timestamp"))
    }

    /// The same for `Option<Timestamp>` fields (use with `#[serde(default)]`).
    pub mod option {
        use super::Timestamp;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(at: &Option<Timestamp>, serializer: S) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => super::serialize(at, serializer),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Timestamp>, D::Error> {
            let text = Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
            text.map(|t| {
                super::super::parse_timestamp(&t).ok_or_else(|| serde::de::Error::custom("not a Tillbox timestamp"))
            })
            .transpose()
        }
    }
}
