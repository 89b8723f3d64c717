//! The audit archive: every audit record, copied as it was first written to
//! storage no function may change or delete (S3 Object Lock), and the check that
//! the trail in the table still matches it.
//!
//! The table cannot keep the trail append-only by itself: a record is written in
//! the same transaction as the change it records, by a `PutItem` that IAM cannot
//! tell from an overwrite. So the copy is the proof, and every change to an audit
//! item after it was written is reported the moment the table's stream shows it
//! (docs/security.md, "Audit records").

use super::{AuditQuery, AuditTrail};
use crate::app::store::StoreError;
use crate::domain::{AuditRecord, Timestamp};
use std::collections::BTreeMap;
use std::future::Future;

/// Where the copies are kept.
pub trait AuditArchive {
    /// Keeps `record`'s copy. Keeping the same record again changes nothing.
    fn keep(&self, record: &AuditRecord) -> impl Future<Output = Result<(), StoreError>>;
    /// The copies of the records written on `day` (UTC).
    fn kept_on(&self, day: time::Date) -> impl Future<Output = Result<Vec<AuditRecord>, StoreError>>;
}

/// A change to an audit item, as the table's stream reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum AuditItemChange {
    /// A record was written: it is copied to the archive.
    Written(AuditRecord),
    /// An existing record was overwritten, changed, or deleted (or expired):
    /// never done by Tillbox, so reported.
    Tampered { key: String, change: String },
}

/// Copies a written record; a tampered one is returned for the caller to
/// report (log and alarm), and nothing else is done: the copy stays as first kept.
pub async fn archive(archive: &impl AuditArchive, change: &AuditItemChange) -> Result<(), StoreError> {
    match change {
        AuditItemChange::Written(record) => archive.keep(record).await,
        AuditItemChange::Tampered { .. } => Ok(()),
    }
}

/// What [`verify`] found: the trail and the archive disagree on these records.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Discrepancies {
    /// In the table, but not as kept: (the kept copy, the record now).
    pub rewritten: Vec<(AuditRecord, AuditRecord)>,
    /// Kept, but gone from the table (deleted, or expired by a TTL).
    pub missing: Vec<AuditRecord>,
    /// In the table, never kept: written without passing the stream (or the
    /// archive job is behind; see `settle`).
    pub unarchived: Vec<AuditRecord>,
}

impl Discrepancies {
    pub fn is_empty(&self) -> bool {
        self.rewritten.is_empty() && self.missing.is_empty() && self.unarchived.is_empty()
    }
}

/// Compares the records written in `from <= at < to` with their copies, day by
/// day. Records written after `settled` are not expected in the archive yet (the
/// stream is read within seconds).
pub async fn verify(
    trail: &impl AuditTrail,
    archive: &impl AuditArchive,
    from: Timestamp,
    to: Timestamp,
    settled: Timestamp,
) -> Result<Discrepancies, StoreError> {
    let mut found = Discrepancies::default();
    let mut day = from.date();
    while day <= to.date() {
        let start = day.midnight().assume_utc().max(from);
        let end = day.next_day().map_or(to, |next| next.midnight().assume_utc().min(to));
        let mut kept: BTreeMap<_, _> = archive
            .kept_on(day)
            .await?
            .into_iter()
            .filter(|r| r.at >= start && r.at < end)
            .map(|r| (r.id, r))
            .collect();
        let mut cursor = None;
        loop {
            let query = AuditQuery { from: start, to: end, actor: None, action: None, target: None, limit: 100 };
            let page = trail.list_audit(&query, cursor.as_deref()).await?;
            for record in page.items.into_iter().filter(|r| r.at < end) {
                match kept.remove(&record.id) {
                    Some(copy) if copy == record => {}
                    Some(copy) => found.rewritten.push((copy, record)),
                    None if record.at >= settled => {}
                    None => found.unarchived.push(record),
                }
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        found.missing.extend(kept.into_values());
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    Ok(found)
}
