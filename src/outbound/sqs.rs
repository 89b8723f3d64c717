//! Sending messages to SQS queues.

use super::unavailable;
use crate::app::store::StoreError;
use aws_sdk_sqs::Client;

#[derive(Clone, Debug)]
pub struct Queues {
    client: Client,
}

impl Queues {
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        Self { client: Client::new(sdk) }
    }

    pub async fn send(&self, queue_url: &str, body: &str) -> Result<(), StoreError> {
        self.client.send_message().queue_url(queue_url).message_body(body).send().await.map_err(unavailable)?;
        Ok(())
    }
}
