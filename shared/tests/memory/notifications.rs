//! The notification ports: the mail server and the record of handled events.

use super::MemoryShop;
use tillbox::app::notifications::{DeliveryLog, Mail, Mailer};
use tillbox::app::store::StoreError;
use tillbox::domain::{Email, Event, Timestamp};

impl Mailer for MemoryShop {
    async fn send(&self, to: &Email, mail: &Mail) -> Result<(), StoreError> {
        self.mail.borrow_mut().push((to.clone(), mail.clone()));
        Ok(())
    }
}

impl DeliveryLog for MemoryShop {
    async fn is_done(&self, consumer: &str, event: &Event) -> Result<bool, StoreError> {
        Ok(self.deliveries.borrow().contains(&(consumer.to_owned(), event.id)))
    }

    async fn mark_done(&self, consumer: &str, event: &Event, _now: Timestamp) -> Result<(), StoreError> {
        self.deliveries.borrow_mut().insert((consumer.to_owned(), event.id));
        Ok(())
    }
}
