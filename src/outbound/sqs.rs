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

/// One queue, for the ports that name what they send rather than where.
#[derive(Clone, Debug)]
pub struct Queue {
    queues: Queues,
    url: String,
}

impl Queue {
    pub fn new(sdk: &aws_config::SdkConfig, url: String) -> Self {
        Self { queues: Queues::new(sdk), url }
    }
}

impl crate::app::payments::ports::PaymentQueue for Queue {
    async fn enqueue(&self, body: &str) -> Result<(), StoreError> {
        self.queues.send(&self.url, body).await
    }
}
