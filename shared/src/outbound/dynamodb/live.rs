//! [`LiveConnections`] on the table: one partition per WebSocket connection
//! (`LIVE#{id}`) holding the connection and one item per topic it follows;
//! each topic item is also in GSI1 under the topic, so a push finds a topic's
//! followers with one query. Every item expires with its connection.

use super::items::{Item, Reader, epoch, item, s, ts};
use super::keys::{self, EXPIRES_AT, GSI1, GSI1PK, GSI1SK, PK, SK};
use super::{Table, built, unavailable};
use crate::app::live::ports::LiveConnections;
use crate::app::store::StoreError;
use crate::domain::live::{Connection, ConnectionId, Topic};
use crate::domain::{Principal, Role, Timestamp};
use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};

/// BatchWriteItem's limit.
const DELETES_PER_BATCH: usize = 25;

fn connection_item(connection: &Connection) -> Item {
    let mut stored = item([
        (PK, s(keys::live_pk(&connection.id))),
        (SK, s(keys::LIVE_CONNECTION_SK)),
        ("entity", s("live_connection")),
        ("connection_id", s(connection.id.as_str())),
        ("connected_at", ts(connection.connected_at)),
        (EXPIRES_AT, epoch(connection.expires_at())),
    ]);
    if let Some(principal) = &connection.principal {
        stored.insert("subject".into(), s(&principal.subject));
        stored.insert("role".into(), s(principal.role.as_str()));
        if let Some(session) = &principal.session {
            stored.insert("session".into(), s(session));
        }
    }
    stored
}

fn connection_from(item: &Item) -> Result<Connection, StoreError> {
    let r = Reader(item);
    let principal = match r.opt_s("subject")? {
        None => None,
        Some(subject) => Some(Principal {
            subject: subject.to_owned(),
            role: r.parsed("role", Role::parse)?,
            session: r.opt_s("session")?.map(str::to_owned),
        }),
    };
    Ok(Connection {
        id: r.parsed("connection_id", ConnectionId::parse)?,
        principal,
        connected_at: r.ts("connected_at")?,
    })
}

impl LiveConnections for Table {
    async fn open(&self, connection: &Connection) -> Result<(), StoreError> {
        let put = self.client.put_item().table_name(&self.name).set_item(Some(connection_item(connection)));
        put.send().await.map_err(unavailable)?;
        Ok(())
    }

    async fn connection(&self, id: &ConnectionId, now: Timestamp) -> Result<Option<Connection>, StoreError> {
        let Some(found) = self.get_consistent(keys::live_pk(id), keys::LIVE_CONNECTION_SK).await? else {
            return Ok(None);
        };
        // The TTL deletes lazily: an expired item may still be read.
        let connection = connection_from(&found)?;
        Ok((connection.expires_at() > now).then_some(connection))
    }

    async fn follow(&self, connection: &Connection, topic: Topic) -> Result<(), StoreError> {
        let topic = topic.key();
        // The connection's own fields too: a push reads who follows from the index alone.
        let mut following = connection_item(connection);
        following.insert(SK.into(), s(keys::live_topic_sk(&topic)));
        following.insert("entity".into(), s("live_subscription"));
        following.insert(GSI1PK.into(), s(keys::live_followers(&topic)));
        following.insert(GSI1SK.into(), s(connection.id.as_str()));
        self.client.put_item().table_name(&self.name).set_item(Some(following)).send().await.map_err(unavailable)?;
        Ok(())
    }

    async fn followers(&self, topic: Topic, now: Timestamp) -> Result<Vec<Connection>, StoreError> {
        let mut followers = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.name)
                .index_name(GSI1)
                .key_condition_expression("#pk = :pk")
                .filter_expression("#expires > :now")
                .expression_attribute_names("#pk", GSI1PK)
                .expression_attribute_names("#expires", EXPIRES_AT)
                .expression_attribute_values(":pk", s(keys::live_followers(&topic.key())))
                .expression_attribute_values(":now", epoch(now))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(unavailable)?;
            for found in output.items.unwrap_or_default() {
                // One unreadable item must not keep the topic's other followers
                // from every update (a FIFO group would wait on it); it expires.
                match connection_from(&found) {
                    Ok(follower) => followers.push(follower),
                    Err(error) => tracing::error!(%error, "an unreadable live subscription was skipped"),
                }
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(followers);
            }
        }
    }

    async fn close(&self, id: &ConnectionId) -> Result<(), StoreError> {
        let items = self.partition(keys::live_pk(id), None).await?;
        for chunk in items.chunks(DELETES_PER_BATCH) {
            let mut requests = Vec::with_capacity(chunk.len());
            for found in chunk {
                let key = [PK, SK].into_iter().filter_map(|name| Some((name.to_owned(), found.get(name)?.clone())));
                let delete = built(DeleteRequest::builder().set_key(Some(key.collect())).build())?;
                requests.push(WriteRequest::builder().delete_request(delete).build());
            }
            let mut pending = Some(std::collections::HashMap::from([(self.name.clone(), requests)]));
            // BatchWriteItem may leave items unprocessed under load: send those again.
            for attempt in 0..5u64 {
                let output =
                    self.client.batch_write_item().set_request_items(pending).send().await.map_err(unavailable)?;
                pending = output.unprocessed_items.filter(|left| left.values().any(|requests| !requests.is_empty()));
                if pending.is_none() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
            }
            if pending.is_some() {
                return Err(StoreError::Unavailable("the connection's items were not all deleted".into()));
            }
        }
        Ok(())
    }
}
