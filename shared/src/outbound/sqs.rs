//! Sending messages to SQS queues.

use super::unavailable;
use crate::app::store::StoreError;
use aws_sdk_sqs::Client;

/// The longest SQS delays a message: 15 minutes.
const MAX_DELAY_SECONDS: i32 = 900;

#[derive(Clone, Debug)]
pub struct Queues {
    client: Client,
}

impl Queues {
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        Self { client: Client::new(sdk) }
    }

    pub async fn send(&self, queue_url: &str, body: &str) -> Result<(), StoreError> {
        self.send_later(queue_url, body, 0).await
    }

    /// Sends to a FIFO queue: messages of one `group` are received in the order
    /// sent, and a message sent again with the same `deduplication_id` within
    /// five minutes (a retried fan-out) is dropped by SQS.
    pub async fn send_in_order(
        &self,
        queue_url: &str,
        body: &str,
        group: &str,
        deduplication_id: &str,
    ) -> Result<(), StoreError> {
        let request = self.client.send_message().queue_url(queue_url).message_body(body);
        let request = request.message_group_id(group).message_deduplication_id(deduplication_id);
        request.send().await.map_err(unavailable)?;
        Ok(())
    }

    /// Sends a message that becomes visible after `delay_seconds`, which SQS caps
    /// at 900.
    pub async fn send_later(&self, queue_url: &str, body: &str, delay_seconds: i32) -> Result<(), StoreError> {
        let request = self.client.send_message().queue_url(queue_url).message_body(body);
        let request =
            if delay_seconds > 0 { request.delay_seconds(delay_seconds.min(MAX_DELAY_SECONDS)) } else { request };
        request.send().await.map_err(unavailable)?;
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

impl crate::app::webhooks::ports::DeliveryQueue for Queue {
    /// A wait longer than SQS's 15-minute delay arrives early; the job sees
    /// `not_before` and sends it back for the rest.
    async fn enqueue(
        &self,
        job: &crate::app::webhooks::ports::DeliveryJob,
        delay: time::Duration,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(job).expect("jobs serialise");
        let seconds = i32::try_from(delay.whole_seconds().clamp(0, i64::from(MAX_DELAY_SECONDS))).unwrap_or(0);
        self.queues.send_later(&self.url, &body, seconds).await
    }
}
