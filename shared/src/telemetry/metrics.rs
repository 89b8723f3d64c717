//! Metrics in CloudWatch Embedded Metric Format: a metric is one JSON line on
//! stdout that CloudWatch Logs turns into a data point, with no API call and no
//! extra latency. Namespace `Tillbox`; every metric has the dimension `service`,
//! some one more (`currency`, `function_name`, `class`). docs/operations.md
//! lists them.
//!
//! With `TILLBOX_METRICS_FILE` set (the local stack sets it), each line is also
//! appended to that file, so `make dev` can show what a deployment would count.

use serde_json::{Map, Value, json};
use std::io::Write;

pub const NAMESPACE: &str = "Tillbox";

#[derive(Debug, Clone, Copy)]
pub enum Unit {
    Count,
    Milliseconds,
    /// Amounts in minor units of the currency dimension.
    None,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Self::Count => "Count",
            Self::Milliseconds => "Milliseconds",
            Self::None => "None",
        }
    }
}

/// Emits `value` of metric `name`, with `dimensions` beside `service`.
pub fn emit(name: &str, value: f64, unit: Unit, dimensions: &[(&str, &str)]) {
    let line = document(name, value, unit, dimensions, time::OffsetDateTime::now_utc());
    let text = format!("{line}\n");
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if let Some(path) = &super::identity().metrics_file {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path);
        if let Ok(mut file) = file {
            let _ = file.write_all(text.as_bytes());
        }
    }
}

/// One more of `name` (an order placed, a sign-up, a failed login).
pub fn count(name: &str, dimensions: &[(&str, &str)]) {
    emit(name, 1.0, Unit::Count, dimensions);
}

/// The function's name, the dimension of technical metrics.
pub fn function_name() -> &'static str {
    &super::identity().function_name
}

fn document(name: &str, value: f64, unit: Unit, dimensions: &[(&str, &str)], at: time::OffsetDateTime) -> Value {
    let service = super::identity().service.as_str();
    let mut keys = vec!["service"];
    keys.extend(dimensions.iter().map(|(k, _)| *k));
    let mut root = Map::new();
    root.insert(
        "_aws".into(),
        json!({
            "Timestamp": at.unix_timestamp_nanos() / 1_000_000,
            "CloudWatchMetrics": [{"Namespace": NAMESPACE, "Dimensions": [keys],
                                   "Metrics": [{"Name": name, "Unit": unit.as_str()}]}],
        }),
    );
    root.insert("service".into(), service.into());
    for (key, value) in dimensions {
        root.insert((*key).into(), (*value).into());
    }
    root.insert(name.into(), value.into());
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_is_a_valid_emf_document() {
        let at = time::macros::datetime!(2026-11-22 10:00 UTC);
        let line = document("Revenue", 4500.0, Unit::None, &[("currency", "EUR")], at);
        assert_eq!(
            line,
            json!({"_aws": {"Timestamp": 1_795_341_600_000_i64, "CloudWatchMetrics": [{"Namespace": "Tillbox",
                    "Dimensions": [["service", "currency"]], "Metrics": [{"Name": "Revenue", "Unit": "None"}]}]},
                   "service": "tillbox", "currency": "EUR", "Revenue": 4500.0})
        );
    }
}
