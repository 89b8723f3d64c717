//! What accounts need from storage, one trait per capability.

use crate::app::store::{Page, StoreError};
use crate::domain::address::AddressBook;
use crate::domain::{
    AuditRecord, Email, Event, OneTimeToken, RateLimit, RefreshToken, Session, SessionId, Timestamp, User, UserId,
};
use std::future::Future;

/// One atomic change to a user and what must happen with it, or not at all.
#[derive(Debug, Clone, Copy)]
pub struct UserChange<'a> {
    /// The version the change was computed from; the write fails with
    /// [`StoreError::VersionMismatch`] if the stored user moved on.
    pub previous: &'a User,
    pub next: &'a User,
    /// A single-use token this change spends; fails with [`StoreError::NotFound`]
    /// if it was spent already (or never existed).
    pub spends: Option<&'a OneTimeToken>,
    /// The session to carry over to `next.session_epoch` (the one that changed the
    /// password stays signed in; every other session ends).
    pub keeps_session: Option<SessionId>,
    pub audit: Option<&'a AuditRecord>,
}

impl<'a> UserChange<'a> {
    pub fn new(previous: &'a User, next: &'a User) -> Self {
        Self { previous, next, spends: None, keeps_session: None, audit: None }
    }
}

/// Users and the uniqueness of their e-mail addresses.
pub trait UserStore {
    /// Creates the user and claims its address in one transaction with `event`
    /// and `audit`. `Ok(false)` when the address is taken: nothing was written.
    fn create(
        &self,
        user: &User,
        event: Option<&Event>,
        audit: Option<&AuditRecord>,
    ) -> impl Future<Output = Result<bool, StoreError>>;
    fn get(&self, id: UserId) -> impl Future<Output = Result<Option<User>, StoreError>>;
    fn find_by_email(&self, email: &Email) -> impl Future<Output = Result<Option<User>, StoreError>>;
    fn update(&self, change: UserChange<'_>) -> impl Future<Output = Result<(), StoreError>>;
    /// Oldest first.
    fn list(&self, limit: u16, cursor: Option<&str>) -> impl Future<Output = Result<Page<User>, StoreError>>;
}

/// Sign-in sessions and their refresh tokens.
pub trait SessionStore {
    fn start(&self, session: &Session, first: &RefreshToken) -> impl Future<Output = Result<(), StoreError>>;
    fn find_token(&self, hash: &str) -> impl Future<Output = Result<Option<RefreshToken>, StoreError>>;
    fn session(&self, id: SessionId) -> impl Future<Output = Result<Option<Session>, StoreError>>;
    /// Spends `spent` and stores `next`, in one transaction, only while `spent` is
    /// unspent and its session not revoked. `Ok(false)` when that no longer held.
    fn rotate(&self, spent: &RefreshToken, next: &RefreshToken) -> impl Future<Output = Result<bool, StoreError>>;
    /// Revoking twice is fine.
    fn revoke(&self, id: SessionId) -> impl Future<Output = Result<(), StoreError>>;
}

/// Single-use tokens sent by e-mail (verification, password reset).
pub trait OneTimeTokens {
    fn issue(&self, token: &OneTimeToken) -> impl Future<Output = Result<(), StoreError>>;
    fn find(&self, hash: &str) -> impl Future<Output = Result<Option<OneTimeToken>, StoreError>>;
}

/// Counters for [`RateLimit`]s.
pub trait RateLimiter {
    /// Counts one hit and returns the hits in the current window, this one included.
    fn hit(&self, limit: RateLimit, key: &str, now: Timestamp) -> impl Future<Output = Result<u32, StoreError>>;
    /// The hits in the current window, counting none.
    fn hits(&self, limit: RateLimit, key: &str, now: Timestamp) -> impl Future<Output = Result<u32, StoreError>>;

    /// Counts one hit; `Some(retry_after)` (seconds) when that is over the limit.
    fn over(
        &self,
        limit: RateLimit,
        key: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<u64>, StoreError>> {
        async move {
            let hits = self.hit(limit, key, now).await?;
            Ok((!limit.allows(hits)).then(|| limit.retry_after(now)))
        }
    }
}

/// The transactional outbox, for an event that accompanies no other write.
pub trait EventOutbox {
    fn publish(&self, event: &Event) -> impl Future<Output = Result<(), StoreError>>;
}

/// A customer's address book, one document per customer.
pub trait AddressBookStore {
    /// The book of the token subject `owner` (empty, version 0, when none).
    fn address_book(&self, owner: &str) -> impl Future<Output = Result<AddressBook, StoreError>>;
    /// Stores `book` if the stored one is still at `book.version - 1`
    /// ([`StoreError::VersionMismatch`] otherwise).
    fn save_address_book(&self, owner: &str, book: &AddressBook) -> impl Future<Output = Result<(), StoreError>>;
}
