//! Order exports (admin): `POST /admin/exports/orders` records the request and
//! publishes `export.requested`; the export job writes the CSV to the bucket in
//! parts, reading orders a page at a time, so a year of orders never sits in
//! memory; `GET /admin/exports/{id}` shows the progress and, when done, a link.

pub mod ports;

use crate::app::error::CommonError;
use crate::app::orders::ports::{OrderQuery, OrderScope, OrderStore};
use crate::app::receipts::ports::{Disposition, DownloadSigner};
use crate::app::store::StoreError;
use crate::domain::export::{self, CSV_HEADER, ExportFilter, ExportRequest, ExportState, LINK_VALIDITY, MAX_ATTEMPTS};
use crate::domain::{
    AuditRecord, Event, EventKind, ExportId, Order, OrderExport, OrderStatus, Principal, Role, Timestamp,
};
use ports::{ExportFiles, ExportStore};
use std::collections::VecDeque;

/// The smallest part S3 accepts in a multipart upload (all but the last).
pub const PART_SIZE: usize = 5 * 1024 * 1024;
/// Orders read per query.
const PAGE: u16 = 100;

fn admin_only(principal: &Principal) -> Result<(), CommonError> {
    if principal.is_admin() { Ok(()) } else { Err(CommonError::forbidden(Role::Admin)) }
}

/// Records the export and the event that starts the job, with an audit record
/// (an export hands out every customer's orders).
pub async fn request(
    store: &impl ExportStore,
    principal: &Principal,
    input: &ExportRequest,
    now: Timestamp,
) -> Result<OrderExport, CommonError> {
    admin_only(principal)?;
    let filter = input.parse()?;
    let export = OrderExport::new(filter, &principal.subject, now);
    let event = Event::new(EventKind::ExportRequested { export_id: export.id }, now);
    let audit = AuditRecord::new(
        &principal.subject,
        "export.requested",
        format!("export:{}", export.id),
        serde_json::Value::Null,
        serde_json::json!({"from": input.from, "to": input.to, "status": filter.status.map(OrderStatus::as_str)}),
        now,
    );
    store.create(&export, &event, &audit).await?;
    Ok(export)
}

/// A link to download the file, and when it stops working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub url: String,
    pub expires_at: Timestamp,
}

/// The export, and a fresh link when its file is ready.
pub async fn status(
    store: &impl ExportStore,
    signer: &impl DownloadSigner,
    principal: &Principal,
    id: ExportId,
    now: Timestamp,
) -> Result<(OrderExport, Option<Download>), CommonError> {
    admin_only(principal)?;
    let export = store.get(id).await?.ok_or(CommonError::NotFound)?;
    if !export.downloadable(now) {
        return Ok((export, None));
    }
    let validity = std::time::Duration::try_from(LINK_VALIDITY).expect("a positive constant");
    let url = signer.sign_download(&export.file_key(), &export.file_name(), Disposition::Attachment, validity).await?;
    Ok((export, Some(Download { url, expires_at: now + LINK_VALIDITY })))
}

/// The export job's work for one `export.requested`. Each run writes the whole
/// file again (a new multipart upload; an abandoned one is aborted, or expires
/// by the bucket's rule) and owns the export while its number is the stored
/// `attempts`: a run that finds another took over (a duplicate message, a
/// re-published event) stops without writing. `Err` asks for a retry; after
/// [`MAX_ATTEMPTS`] runs the export is marked failed instead, also when the last
/// run never reported back (it ran out of time). `part_size` is [`PART_SIZE`]
/// but in tests.
pub async fn run(
    store: &(impl ExportStore + OrderStore),
    files: &impl ExportFiles,
    id: ExportId,
    part_size: usize,
    clock: impl Fn() -> Timestamp,
) -> Result<(), StoreError> {
    const GIVE_UP: &str = "the export could not be written; ask for a shorter range or request it again";
    let Some(export) = ExportStore::get(store, id).await? else {
        tracing::warn!(export = %id, "no such export; nothing to do");
        return Ok(());
    };
    if matches!(export.state, ExportState::Done | ExportState::Failed) {
        return Ok(());
    }
    if export.attempts >= MAX_ATTEMPTS {
        tracing::error!(export = %id, runs = export.attempts, "the last run never finished; export failed");
        return unless_superseded(store.save(&export.failed(GIVE_UP, clock()), export.attempts).await);
    }
    let running = export.started(clock());
    if let Err(error) = store.save(&running, export.attempts).await {
        // Another run started first: it owns the export.
        return unless_superseded(Err(error));
    }
    let outcome = match write(store, files, &running, part_size, &clock).await {
        Ok((orders, rows)) => store.save(&running.done(orders, rows, clock()), running.attempts).await,
        Err(error @ StoreError::VersionMismatch { .. }) => Err(error),
        Err(error) if running.attempts >= MAX_ATTEMPTS => {
            tracing::error!(export = %id, %error, "export failed for good");
            store.save(&running.failed(GIVE_UP, clock()), running.attempts).await
        }
        Err(error) => return Err(error),
    };
    unless_superseded(outcome)
}

/// A save refused because another run owns the export now: this run is over.
fn unless_superseded(result: Result<(), StoreError>) -> Result<(), StoreError> {
    match result {
        Err(StoreError::VersionMismatch { current }) => {
            tracing::info!(run = current, "another run owns the export; this one stops");
            Ok(())
        }
        other => other,
    }
}

async fn write(
    store: &(impl ExportStore + OrderStore),
    files: &impl ExportFiles,
    export: &OrderExport,
    part_size: usize,
    clock: &impl Fn() -> Timestamp,
) -> Result<(u64, u64), StoreError> {
    let key = export.file_key();
    let upload = files.begin(&key).await?;
    let written = async {
        let mut orders = Newest::new(export.filter);
        let (mut count, mut rows) = (0u64, 0u64);
        let mut buffer = CSV_HEADER.to_owned();
        let mut parts: Vec<(i32, String)> = Vec::new();
        // Parts are numbered from 1; S3 takes up to 10,000 of them.
        let send = async |parts: &mut Vec<(i32, String)>, bytes: String| {
            let number =
                i32::try_from(parts.len() + 1).map_err(|_| StoreError::Unavailable("too many parts".into()))?;
            parts.push((number, files.write_part(&key, &upload, number, bytes.into_bytes()).await?));
            Ok::<_, StoreError>(())
        };
        while let Some(order) = orders.next(store).await? {
            buffer.push_str(&export::csv_rows(&order));
            count += 1;
            rows += order.lines.len() as u64;
            if buffer.len() >= part_size {
                send(&mut parts, std::mem::take(&mut buffer)).await?;
                store.save(&export.progressed(count, rows, clock()), export.attempts).await?;
            }
        }
        if !buffer.is_empty() || parts.is_empty() {
            send(&mut parts, buffer).await?;
        }
        files.finish(&key, &upload, &parts).await?;
        Ok((count, rows))
    }
    .await;
    if written.is_err()
        && let Err(error) = files.abandon(&key, &upload).await
    {
        tracing::warn!(%error, "could not abort the upload; the bucket's rule removes it in a day");
    }
    written
}

/// The orders an export covers, newest first: one listing per status (the
/// status index), merged by creation time, a page of each held at a time.
struct Newest {
    filter: ExportFilter,
    sources: Vec<Source>,
}

struct Source {
    status: OrderStatus,
    buffer: VecDeque<Order>,
    cursor: Option<String>,
    exhausted: bool,
}

impl Newest {
    fn new(filter: ExportFilter) -> Self {
        let statuses = match filter.status {
            Some(status) => vec![status],
            None => OrderStatus::ALL.to_vec(),
        };
        let sources = statuses
            .into_iter()
            .map(|status| Source { status, buffer: VecDeque::new(), cursor: None, exhausted: false })
            .collect();
        Self { filter, sources }
    }

    async fn next(&mut self, store: &impl OrderStore) -> Result<Option<Order>, StoreError> {
        for source in &mut self.sources {
            while source.buffer.is_empty() && !source.exhausted {
                let query = OrderQuery {
                    scope: OrderScope::Status(source.status),
                    from: Some(self.filter.from),
                    to: Some(self.filter.to),
                    limit: PAGE,
                    cursor: source.cursor.take(),
                };
                let page = store.list(&query).await?;
                source.buffer.extend(page.items);
                source.exhausted = page.next_cursor.is_none();
                source.cursor = page.next_cursor;
            }
        }
        let newest = self
            .sources
            .iter_mut()
            .filter(|s| !s.buffer.is_empty())
            .max_by_key(|s| s.buffer.front().map(|o| (o.created_at, o.id)));
        Ok(newest.and_then(|s| s.buffer.pop_front()))
    }
}
