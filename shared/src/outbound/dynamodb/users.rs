//! [`UserStore`] on the table: user items plus one claim item per e-mail address,
//! written together; every change is one transaction with what it implies (the
//! spent token, the kept session, the audit record, the event).

use super::events::{audit_item, outbox_item};
use super::items::{Item, Reader, b, epoch, item, n, s, ts};
use super::keys::{self, EXPIRES_AT, GSI1, GSI1PK, GSI1SK, PK, SK};
use super::{IndexPage, Table, built, cancellation_reasons, failed_condition, unavailable, version_conflict};
use crate::app::accounts::ports::{UserChange, UserStore};
use crate::app::store::{Page, StoreError};
use crate::domain::{AuditRecord, Email, Event, Role, User, UserId};
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};

fn user_item(u: &User) -> Item {
    let mut user = item([
        (PK, s(keys::user_pk(u.id))),
        (SK, s(keys::USER_SK)),
        (GSI1PK, s(keys::USERS)),
        (GSI1SK, s(keys::created_sort_key(u.created_at, u.id))),
        ("entity", s("user")),
        ("id", s(u.id.to_string())),
        ("email", s(u.email.as_str())),
        ("role", s(u.role.as_str())),
        ("email_verified", b(u.email_verified)),
        ("disabled", b(u.disabled)),
        ("password_hash", s(&u.password_hash)),
        ("session_epoch", n(u.session_epoch)),
        ("version", n(u.version)),
        ("created_at", ts(u.created_at)),
        ("updated_at", ts(u.updated_at)),
    ]);
    if let Some(name) = &u.name {
        user.insert("name".into(), s(name));
    }
    if let Some(at) = u.expires_at() {
        user.insert(EXPIRES_AT.into(), epoch(at));
    }
    user
}

fn user_from(item: &Item) -> Result<User, StoreError> {
    let r = Reader(item);
    Ok(User {
        id: r.parsed("id", |v| v.parse().ok())?,
        email: r.parsed("email", |v| Email::parse(v).ok())?,
        name: r.opt_s("name")?.map(str::to_owned),
        role: r.parsed("role", Role::parse)?,
        email_verified: r.b("email_verified")?,
        disabled: r.b("disabled")?,
        password_hash: r.s("password_hash")?.to_owned(),
        session_epoch: r.n("session_epoch")?,
        version: r.n("version")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

impl UserStore for Table {
    async fn create(
        &self,
        user: &User,
        event: Option<&Event>,
        audit: Option<&AuditRecord>,
    ) -> Result<bool, StoreError> {
        let mut claim = item([
            (PK, s(keys::email_pk(&user.email))),
            (SK, s(keys::EMAIL_SK)),
            ("entity", s("email_claim")),
            ("user_id", s(user.id.to_string())),
        ]);
        if let Some(at) = user.expires_at() {
            claim.insert(EXPIRES_AT.into(), epoch(at));
        }
        // A claim of an account that expired unverified is free again, though TTL
        // may not have deleted it yet.
        let claim = built(
            Put::builder()
                .table_name(&self.name)
                .set_item(Some(claim))
                .condition_expression("attribute_not_exists(PK) OR #expires <= :now")
                .expression_attribute_names("#expires", EXPIRES_AT)
                .expression_attribute_values(":now", epoch(user.created_at))
                .build(),
        )?;
        let claim = TransactWriteItem::builder().put(claim).build();
        let mut actions = vec![self.put_new(user_item(user))?, claim];
        if let Some(event) = event {
            actions.push(self.put_new(outbox_item(event))?);
        }
        if let Some(audit) = audit {
            actions.push(self.put_new(audit_item(audit))?);
        }
        match self.transact(actions).await {
            Ok(()) => Ok(true),
            Err(e) => match cancellation_reasons(&e) {
                Some(reasons) if failed_condition(reasons, 1) => Ok(false),
                _ => Err(unavailable(e)),
            },
        }
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let found = self.get_consistent(keys::user_pk(id), keys::USER_SK).await?;
        found.as_ref().map(user_from).transpose()
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let Some(claim) = self.get_consistent(keys::email_pk(email), keys::EMAIL_SK).await? else {
            return Ok(None);
        };
        let id: UserId = Reader(&claim).parsed("user_id", |v| v.parse().ok())?;
        UserStore::get(self, id).await
    }

    async fn update(&self, change: UserChange<'_>) -> Result<(), StoreError> {
        let mut actions = vec![self.put_at_version(user_item(change.next), change.previous.version)?];
        if change.previous.expires_at().is_some() && change.next.expires_at().is_none() {
            // Verified: the address's claim no longer expires either.
            let keep = built(
                Update::builder()
                    .table_name(&self.name)
                    .key(PK, s(keys::email_pk(&change.next.email)))
                    .key(SK, s(keys::EMAIL_SK))
                    .update_expression("REMOVE #expires")
                    // Still this user's claim: not taken over after it expired.
                    .condition_expression("user_id = :id")
                    .expression_attribute_names("#expires", EXPIRES_AT)
                    .expression_attribute_values(":id", s(change.next.id.to_string()))
                    .build(),
            )?;
            actions.push(TransactWriteItem::builder().update(keep).build());
        }
        if let Some(token) = change.spends {
            let delete = built(
                Delete::builder()
                    .table_name(&self.name)
                    .key(PK, s(keys::one_time_token_pk(&token.hash)))
                    .key(SK, s(keys::ONE_TIME_TOKEN_SK))
                    .condition_expression("attribute_exists(PK)")
                    .build(),
            )?;
            actions.push(TransactWriteItem::builder().delete(delete).build());
        }
        if let Some(session) = change.keeps_session {
            let keep = built(
                Update::builder()
                    .table_name(&self.name)
                    .key(PK, s(keys::session_pk(session)))
                    .key(SK, s(keys::SESSION_SK))
                    .update_expression("SET epoch = :epoch")
                    .condition_expression("attribute_exists(PK)")
                    .expression_attribute_values(":epoch", n(change.next.session_epoch))
                    .build(),
            )?;
            actions.push(TransactWriteItem::builder().update(keep).build());
        }
        if let Some(audit) = change.audit {
            actions.push(self.put_new(audit_item(audit))?);
        }
        let error = match self.transact(actions).await {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        let Some(reasons) = cancellation_reasons(&error) else {
            return Err(unavailable(error));
        };
        if let Some(conflict) = version_conflict(reasons, 0) {
            return Err(conflict);
        }
        // The token or the kept session is gone: the change was based on it.
        if reasons.iter().skip(1).any(|r| r.code() == Some("ConditionalCheckFailed")) {
            return Err(StoreError::NotFound);
        }
        Err(unavailable(error))
    }

    async fn list(&self, limit: u16, cursor: Option<&str>) -> Result<Page<User>, StoreError> {
        let page = IndexPage {
            index: GSI1,
            pk_name: GSI1PK,
            sk_name: GSI1SK,
            partition: keys::USERS.into(),
            newest_first: false,
            limit,
            cursor,
        };
        self.page(page, |query| query, user_from).await
    }
}
