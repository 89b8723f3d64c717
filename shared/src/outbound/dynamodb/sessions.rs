//! [`SessionStore`] and [`OneTimeTokens`] on the table. Tokens are stored under
//! their hash; the TTL attribute is each one's absolute expiry.

use super::items::{Item, Reader, b, epoch, item, n, s, ts};
use super::keys::{self, EXPIRES_AT, PK, SK};
use super::{Table, built, cancellation_reasons, condition_held, unavailable};
use crate::app::accounts::ports::{OneTimeTokens, SessionStore};
use crate::app::store::StoreError;
use crate::domain::{OneTimePurpose, OneTimeToken, RefreshToken, Session, SessionId};
use aws_sdk_dynamodb::types::{ConditionCheck, TransactWriteItem, Update};

fn session_item(session: &Session) -> Item {
    item([
        (PK, s(keys::session_pk(session.id))),
        (SK, s(keys::SESSION_SK)),
        ("entity", s("session")),
        ("id", s(session.id.to_string())),
        ("user_id", s(session.user_id.to_string())),
        ("epoch", n(session.epoch)),
        ("revoked", b(session.revoked)),
        ("created_at", ts(session.created_at)),
        (EXPIRES_AT, epoch(session.expires_at)),
    ])
}

fn session_from(item: &Item) -> Result<Session, StoreError> {
    let r = Reader(item);
    Ok(Session {
        id: r.parsed("id", |v| v.parse().ok())?,
        user_id: r.parsed("user_id", |v| v.parse().ok())?,
        epoch: r.n("epoch")?,
        revoked: r.b("revoked")?,
        created_at: r.ts("created_at")?,
        expires_at: r.epoch(EXPIRES_AT)?,
    })
}

fn refresh_item(token: &RefreshToken) -> Item {
    item([
        (PK, s(keys::refresh_pk(&token.hash))),
        (SK, s(keys::REFRESH_SK)),
        ("entity", s("refresh_token")),
        ("session_id", s(token.session_id.to_string())),
        ("user_id", s(token.user_id.to_string())),
        ("spent", b(token.spent)),
        (EXPIRES_AT, epoch(token.expires_at)),
    ])
}

fn refresh_from(hash: &str, item: &Item) -> Result<RefreshToken, StoreError> {
    let r = Reader(item);
    Ok(RefreshToken {
        hash: hash.to_owned(),
        session_id: r.parsed("session_id", |v| v.parse().ok())?,
        user_id: r.parsed("user_id", |v| v.parse().ok())?,
        spent: r.b("spent")?,
        expires_at: r.epoch(EXPIRES_AT)?,
    })
}

impl SessionStore for Table {
    async fn start(&self, session: &Session, first: &RefreshToken) -> Result<(), StoreError> {
        self.transact(vec![self.put_new(session_item(session))?, self.put_new(refresh_item(first))?])
            .await
            .map_err(unavailable)
    }

    async fn find_token(&self, hash: &str) -> Result<Option<RefreshToken>, StoreError> {
        let found = self.get_consistent(keys::refresh_pk(hash), keys::REFRESH_SK).await?;
        found.as_ref().map(|item| refresh_from(hash, item)).transpose()
    }

    async fn session(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        let found = self.get_consistent(keys::session_pk(id), keys::SESSION_SK).await?;
        found.as_ref().map(session_from).transpose()
    }

    async fn rotate(&self, spent: &RefreshToken, next: &RefreshToken) -> Result<bool, StoreError> {
        let spend = built(
            Update::builder()
                .table_name(&self.name)
                .key(PK, s(keys::refresh_pk(&spent.hash)))
                .key(SK, s(keys::REFRESH_SK))
                .update_expression("SET spent = :true")
                .condition_expression("spent = :false")
                .expression_attribute_values(":true", b(true))
                .expression_attribute_values(":false", b(false))
                .build(),
        )?;
        let live = built(
            ConditionCheck::builder()
                .table_name(&self.name)
                .key(PK, s(keys::session_pk(spent.session_id)))
                .key(SK, s(keys::SESSION_SK))
                .condition_expression("revoked = :false")
                .expression_attribute_values(":false", b(false))
                .build(),
        )?;
        let actions = vec![
            TransactWriteItem::builder().update(spend).build(),
            TransactWriteItem::builder().condition_check(live).build(),
            self.put_new(refresh_item(next))?,
        ];
        match self.transact(actions).await {
            Ok(()) => Ok(true),
            Err(e) if cancellation_reasons(&e).is_some() => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn revoke(&self, id: SessionId) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.name)
            .key(PK, s(keys::session_pk(id)))
            .key(SK, s(keys::SESSION_SK))
            .update_expression("SET revoked = :true")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":true", b(true))
            .send()
            .await;
        // Revoking a session that does not exist (any more) is done too.
        condition_held(result).map(|_| ())
    }
}

impl OneTimeTokens for Table {
    async fn issue(&self, token: &OneTimeToken) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(item([
                (PK, s(keys::one_time_token_pk(&token.hash))),
                (SK, s(keys::ONE_TIME_TOKEN_SK)),
                ("entity", s("one_time_token")),
                ("purpose", s(token.purpose.as_str())),
                ("user_id", s(token.user_id.to_string())),
                ("epoch", n(token.epoch)),
                (EXPIRES_AT, epoch(token.expires_at)),
            ])))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn find(&self, hash: &str) -> Result<Option<OneTimeToken>, StoreError> {
        let Some(found) = self.get_consistent(keys::one_time_token_pk(hash), keys::ONE_TIME_TOKEN_SK).await? else {
            return Ok(None);
        };
        let r = Reader(&found);
        Ok(Some(OneTimeToken {
            hash: hash.to_owned(),
            purpose: r.parsed("purpose", OneTimePurpose::parse)?,
            user_id: r.parsed("user_id", |v| v.parse().ok())?,
            epoch: r.opt_n("epoch")?.unwrap_or(0),
            expires_at: r.epoch(EXPIRES_AT)?,
        }))
    }
}
