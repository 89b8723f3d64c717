//! [`WebhookStore`] and [`DeliveryStore`] on the table: an endpoint and its
//! deliveries share the partition `HOOK#<id>`.

use super::events::{audit_item, outbox_item};
use super::items::{Item, Reader, b, epoch, item, n, s, ts};
use super::keys::{self, EXPIRES_AT, GSI1, GSI1PK, GSI1SK, PK, SK};
use super::{IndexPage, Table, built, cancellation_reasons, condition_held, failed_condition, unavailable};
use crate::app::store::{Page, StoreError};
use crate::app::webhooks::ports::{DeliveryStore, WebhookStore};
use crate::domain::webhook::delivery::{Attempt, DeliveryStatus};
use crate::domain::webhook::selection::EventSelection;
use crate::domain::webhook::signing::SigningSecret;
use crate::domain::webhook::url::WebhookUrl;
use crate::domain::{AuditRecord, Delivery, Event, EventId, WebhookEndpoint, WebhookEndpointId};
use aws_sdk_dynamodb::types::{Delete, ReturnValuesOnConditionCheckFailure, TransactWriteItem};
use time::Duration;

/// How long a delivery's log is kept after its last attempt.
const DELIVERY_LOG_RETENTION: Duration = Duration::days(30);

fn endpoint_item(e: &WebhookEndpoint) -> Item {
    let mut stored = item([
        (PK, s(keys::hook_pk(e.id))),
        (SK, s(keys::HOOK_SK)),
        (GSI1PK, s(keys::HOOKS)),
        (GSI1SK, s(keys::created_sort_key(e.created_at, e.id))),
        ("entity", s("webhook_endpoint")),
        ("id", s(e.id.to_string())),
        ("url", s(e.url.as_str())),
        ("events", s(e.events.to_list().join(","))),
        ("description", s(&e.description)),
        ("enabled", b(e.enabled)),
        ("secret", s(e.secret.expose())),
        ("version", n(e.version)),
        ("created_at", ts(e.created_at)),
        ("updated_at", ts(e.updated_at)),
    ]);
    if let Some(reason) = &e.disabled_reason {
        stored.insert("disabled_reason".into(), s(reason));
    }
    if let Some((secret, until)) = &e.previous_secret {
        stored.insert("previous_secret".into(), s(secret.expose()));
        stored.insert("previous_secret_until".into(), ts(*until));
    }
    if let Some(since) = e.failing_since {
        stored.insert("failing_since".into(), ts(since));
    }
    stored
}

fn endpoint_from(item: &Item) -> Result<WebhookEndpoint, StoreError> {
    let r = Reader(item);
    let url = r.s("url")?;
    let events: Vec<String> = r.s("events")?.split(',').map(str::to_owned).collect();
    let previous_secret = match r.opt_s("previous_secret")? {
        Some(_) => Some((r.parsed("previous_secret", SigningSecret::parse)?, r.ts("previous_secret_until")?)),
        None => None,
    };
    Ok(WebhookEndpoint {
        id: r.parsed("id", |v| v.parse().ok())?,
        url: WebhookUrl::stored(url).map_err(|e| r.corrupt("url", &e))?,
        events: EventSelection::parse(&events).map_err(|e| r.corrupt("events", &e))?,
        description: r.s("description")?.to_owned(),
        enabled: r.b("enabled")?,
        disabled_reason: r.opt_s("disabled_reason")?.map(str::to_owned),
        secret: r.parsed("secret", SigningSecret::parse)?,
        previous_secret,
        failing_since: r.opt_s("failing_since")?.map(|_| r.ts("failing_since")).transpose()?,
        version: r.n("version")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

fn delivery_item(d: &Delivery) -> Item {
    let mut stored = item([
        (PK, s(keys::hook_pk(d.endpoint))),
        (SK, s(keys::hook_delivery_sk(d.event))),
        (GSI1PK, s(keys::hook_deliveries(d.endpoint))),
        (GSI1SK, s(keys::created_sort_key(d.created_at, d.event))),
        ("entity", s("webhook_delivery")),
        ("endpoint_id", s(d.endpoint.to_string())),
        ("event_id", s(d.event.to_string())),
        ("event_type", s(&d.event_type)),
        ("payload", s(&d.payload)),
        ("status", s(d.status.as_str())),
        ("attempts", s(serde_json::to_string(&d.attempts).expect("attempts serialise"))),
        ("version", n(d.version)),
        ("created_at", ts(d.created_at)),
        ("updated_at", ts(d.updated_at)),
        (EXPIRES_AT, epoch(d.updated_at + DELIVERY_LOG_RETENTION)),
    ]);
    if let Some(at) = d.next_attempt_at {
        stored.insert("next_attempt_at".into(), ts(at));
    }
    stored
}

fn delivery_from(item: &Item) -> Result<Delivery, StoreError> {
    let r = Reader(item);
    let attempts: Vec<Attempt> =
        serde_json::from_str(r.s("attempts")?).map_err(|e| r.corrupt("attempts", &e.to_string()))?;
    Ok(Delivery {
        endpoint: r.parsed("endpoint_id", |v| v.parse().ok())?,
        event: r.parsed("event_id", |v| v.parse().ok())?,
        event_type: r.s("event_type")?.to_owned(),
        payload: r.s("payload")?.to_owned(),
        status: r.parsed("status", DeliveryStatus::parse)?,
        attempts,
        next_attempt_at: r.opt_s("next_attempt_at")?.map(|_| r.ts("next_attempt_at")).transpose()?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
        version: r.n("version")?,
    })
}

impl WebhookStore for Table {
    async fn create_endpoint(&self, endpoint: &WebhookEndpoint, audit: &AuditRecord) -> Result<(), StoreError> {
        let actions = vec![self.put_new(endpoint_item(endpoint))?, self.put_new(audit_item(audit))?];
        self.transact(actions).await.map_err(super::unavailable)
    }

    async fn get_endpoint(&self, id: WebhookEndpointId) -> Result<Option<WebhookEndpoint>, StoreError> {
        let found = self.get_consistent(keys::hook_pk(id), keys::HOOK_SK).await?;
        found.as_ref().map(endpoint_from).transpose()
    }

    async fn list_endpoints(&self, limit: u16, cursor: Option<&str>) -> Result<Page<WebhookEndpoint>, StoreError> {
        let page = IndexPage {
            index: GSI1,
            pk_name: GSI1PK,
            sk_name: GSI1SK,
            partition: keys::HOOKS.to_owned(),
            newest_first: false,
            limit,
            cursor,
        };
        self.page(page, |q| q, endpoint_from).await
    }

    async fn all_endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let mut endpoints = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.list_endpoints(100, cursor.as_deref()).await?;
            endpoints.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(endpoints),
            }
        }
    }

    async fn update_endpoint(
        &self,
        previous: &WebhookEndpoint,
        next: &WebhookEndpoint,
        audit: Option<&AuditRecord>,
        event: Option<&Event>,
    ) -> Result<(), StoreError> {
        let mut actions = vec![self.put_at_version(endpoint_item(next), previous.version)?];
        if let Some(audit) = audit {
            actions.push(self.put_new(audit_item(audit))?);
        }
        if let Some(event) = event {
            actions.push(self.put_new(outbox_item(event))?);
        }
        self.transact_versioned(actions).await
    }

    async fn delete_endpoint(&self, endpoint: &WebhookEndpoint, audit: &AuditRecord) -> Result<(), StoreError> {
        let delete = built(
            Delete::builder()
                .table_name(&self.name)
                .key(PK, s(keys::hook_pk(endpoint.id)))
                .key(SK, s(keys::HOOK_SK))
                .condition_expression("version = :expected")
                .expression_attribute_values(":expected", n(endpoint.version))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                .build(),
        )?;
        let actions = vec![TransactWriteItem::builder().delete(delete).build(), self.put_new(audit_item(audit))?];
        self.transact_versioned(actions).await
    }
}

impl DeliveryStore for Table {
    async fn get_delivery(&self, endpoint: WebhookEndpointId, event: EventId) -> Result<Option<Delivery>, StoreError> {
        let found = self.get_consistent(keys::hook_pk(endpoint), &keys::hook_delivery_sk(event)).await?;
        found.as_ref().map(delivery_from).transpose()
    }

    async fn save_delivery(
        &self,
        next: &Delivery,
        expected_version: u64,
        event: Option<&Event>,
    ) -> Result<bool, StoreError> {
        if let Some(event) = event {
            let put = match expected_version {
                0 => self.put_new(delivery_item(next))?,
                _ => self.put_at_version(delivery_item(next), expected_version)?,
            };
            return match self.transact(vec![put, self.put_new(outbox_item(event))?]).await {
                Ok(()) => Ok(true),
                Err(error) => match cancellation_reasons(&error) {
                    Some(reasons) if failed_condition(reasons, 0) => Ok(false),
                    _ => Err(unavailable(error)),
                },
            };
        }
        let request = self.client.put_item().table_name(&self.name).set_item(Some(delivery_item(next)));
        let request = if expected_version == 0 {
            request.condition_expression("attribute_not_exists(PK)")
        } else {
            request
                .condition_expression("version = :expected")
                .expression_attribute_values(":expected", n(expected_version))
        };
        condition_held(request.send().await)
    }

    async fn save_redelivery(
        &self,
        next: &Delivery,
        expected_version: u64,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let actions =
            vec![self.put_at_version(delivery_item(next), expected_version)?, self.put_new(audit_item(audit))?];
        match self.transact(actions).await {
            Ok(()) => Ok(true),
            Err(error) => match cancellation_reasons(&error) {
                Some(reasons) if failed_condition(reasons, 0) => Ok(false),
                _ => Err(unavailable(error)),
            },
        }
    }

    async fn list_deliveries(
        &self,
        endpoint: WebhookEndpointId,
        limit: u16,
        cursor: Option<&str>,
    ) -> Result<Page<Delivery>, StoreError> {
        let page = IndexPage {
            index: GSI1,
            pk_name: GSI1PK,
            sk_name: GSI1SK,
            partition: keys::hook_deliveries(endpoint),
            newest_first: true,
            limit,
            cursor,
        };
        self.page(page, |q| q, delivery_from).await
    }
}
