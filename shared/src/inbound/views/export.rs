//! Order exports as admins follow them.

use crate::app::exports::Download;
use crate::domain::{OrderExport, format_timestamp};
use serde::Serialize;

/// An order export: its request, progress and, when done, the download link.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ExportView {
    id: String,
    status: &'static str,
    from: String,
    to: String,
    #[schema(required = true)]
    order_status: Option<&'static str>,
    orders: u64,
    rows: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<String>,
    requested_by: String,
    created_at: String,
    updated_at: String,
    #[schema(required = true)]
    completed_at: Option<String>,
    #[schema(required = true)]
    download: Option<DownloadView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct DownloadView {
    url: String,
    expires_at: String,
}

impl ExportView {
    pub fn new(e: &OrderExport, download: Option<&Download>) -> Self {
        Self {
            id: e.id.to_string(),
            status: e.state.as_str(),
            from: format_timestamp(e.filter.from),
            to: format_timestamp(e.filter.to),
            order_status: e.filter.status.map(crate::domain::OrderStatus::as_str),
            orders: e.orders,
            rows: e.rows,
            failure: e.failure.clone(),
            requested_by: e.requested_by.clone(),
            created_at: format_timestamp(e.created_at),
            updated_at: format_timestamp(e.updated_at),
            completed_at: e.completed_at.map(format_timestamp),
            download: download.map(|d| DownloadView { url: d.url.clone(), expires_at: format_timestamp(d.expires_at) }),
        }
    }
}
