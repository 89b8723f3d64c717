//! [`Mailer`] on SES (API v2): one message with a plain-text and an HTML part.

use super::unavailable;
use crate::app::notifications::{Mail, Mailer};
use crate::app::store::StoreError;
use crate::domain::Email;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

pub struct Ses {
    client: Client,
    /// A verified SES identity.
    from: String,
}

impl Ses {
    pub fn new(sdk: &aws_config::SdkConfig, from: impl Into<String>) -> Self {
        Self { client: Client::new(sdk), from: from.into() }
    }
}

fn content(data: &str) -> Result<Content, StoreError> {
    Content::builder().data(data).charset("UTF-8").build().map_err(|e| StoreError::Unavailable(e.to_string()))
}

impl Mailer for Ses {
    async fn send(&self, to: &Email, mail: &Mail) -> Result<(), StoreError> {
        let body = Body::builder().text(content(&mail.text)?).html(content(&mail.html)?).build();
        let message = Message::builder().subject(content(&mail.subject)?).body(body).build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(to.as_str()).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}
