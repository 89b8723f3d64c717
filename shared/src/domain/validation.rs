//! Field-level validation errors shared by every input type.

use std::fmt;

/// One rejected input field, named by its dotted path in the request body
/// (`price.amount`) or by the query parameter it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Every problem found in one input, so a client can fix them all in one round trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub Vec<FieldError>);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<_> = self.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        f.write_str(&fields.join("; "))
    }
}

impl std::error::Error for Invalid {}

/// Collects field errors while a whole input is checked, instead of stopping at the first.
#[derive(Default)]
pub(crate) struct Checker(Vec<FieldError>);

impl Checker {
    pub(crate) fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError::new(field, message));
                None
            }
        }
    }

    pub(crate) fn finish(self) -> Result<(), Invalid> {
        if self.0.is_empty() { Ok(()) } else { Err(Invalid(self.0)) }
    }
}

/// Trims a free-text field and checks its length in characters (not bytes).
pub(crate) fn text(value: &str, min: usize, max: usize) -> Result<String, String> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(if min == 1 { "must not be empty".into() } else { format!("must be at least {min} characters") });
    }
    if len > max {
        return Err(format!("must be at most {max} characters"));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("must not contain control characters".into());
    }
    Ok(trimmed.to_owned())
}

/// A time window `[from, to)` for a listing or export: `from` before `to`, at
/// most `widest` apart. The message is for the `from` field.
pub(crate) fn window(
    from: super::timestamp::Timestamp,
    to: super::timestamp::Timestamp,
    widest: time::Duration,
) -> Result<(), String> {
    if from >= to {
        Err("must be before `to`".to_owned())
    } else if to - from > widest {
        Err(format!("must be at most {} days before `to`", widest.whole_days()))
    } else {
        Ok(())
    }
}
