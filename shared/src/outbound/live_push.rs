//! [`Push`] through API Gateway's management API: `POST @connections/{id}` on
//! the WebSocket API's stage URL, signed with the function's role.

use super::unavailable;
use crate::app::live::ports::{Push, Pushed};
use crate::app::store::StoreError;
use crate::domain::live::ConnectionId;
use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::primitives::Blob;

#[derive(Clone, Debug)]
pub struct Connections {
    client: Client,
}

impl Connections {
    /// `stage_url`: `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`
    /// (the local gateway's stand-in in `make dev` and tests).
    pub fn new(sdk: &aws_config::SdkConfig, stage_url: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk).endpoint_url(stage_url).build();
        Self { client: Client::from_conf(config) }
    }
}

impl Push for Connections {
    async fn push(&self, to: &ConnectionId, message: &str) -> Result<Pushed, StoreError> {
        let sent = self
            .client
            .post_to_connection()
            .connection_id(to.as_str())
            .data(Blob::new(message.as_bytes()))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(Pushed::Delivered),
            Err(error) if error.raw_response().is_some_and(|r| r.status().as_u16() == 410) => Ok(Pushed::Gone),
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn disconnect(&self, id: &ConnectionId) -> Result<(), StoreError> {
        match self.client.delete_connection().connection_id(id.as_str()).send().await {
            Ok(_) => Ok(()),
            Err(error) if error.raw_response().is_some_and(|r| r.status().as_u16() == 410) => Ok(()),
            Err(error) => Err(unavailable(error)),
        }
    }
}
