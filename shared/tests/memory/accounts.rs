//! The accounts ports: users and their address claims, sessions and refresh
//! tokens, one-time tokens, rate counters and the bare outbox.

use super::MemoryShop;
use tillbox::app::accounts::ports::{EventOutbox, OneTimeTokens, RateLimiter, SessionStore, UserChange, UserStore};
use tillbox::app::store::{Page, StoreError};
use tillbox::domain::{
    AuditRecord, Email, Event, OneTimeToken, RateLimit, RefreshToken, Session, SessionId, Timestamp, User, UserId,
};

impl UserStore for MemoryShop {
    async fn create(
        &self,
        user: &User,
        event: Option<&Event>,
        audit: Option<&AuditRecord>,
    ) -> Result<bool, StoreError> {
        let mut emails = self.emails.borrow_mut();
        let holder = emails.get(&user.email).and_then(|id| self.users.borrow().get(id).cloned());
        // As the table: the claim of an account that expired unverified is free.
        if holder.is_some_and(|held| !held.is_expired(user.created_at)) {
            return Ok(false);
        }
        emails.insert(user.email.clone(), user.id);
        self.users.borrow_mut().insert(user.id, user.clone());
        self.events.borrow_mut().extend(event.cloned());
        self.audits.borrow_mut().extend(audit.cloned());
        Ok(true)
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(self.users.borrow().get(&id).cloned())
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let id = self.emails.borrow().get(email).copied();
        Ok(id.and_then(|id| self.users.borrow().get(&id).cloned()))
    }

    /// All or nothing, as the adapter's transaction: the version first, then the
    /// token to spend and the session to keep must still exist.
    async fn update(&self, change: UserChange<'_>) -> Result<(), StoreError> {
        let mut users = self.users.borrow_mut();
        let stored = users.get(&change.previous.id).ok_or(StoreError::NotFound)?;
        if stored.version != change.previous.version {
            return Err(StoreError::VersionMismatch { current: stored.version });
        }
        let mut tokens = self.one_time_tokens.borrow_mut();
        let mut sessions = self.sessions.borrow_mut();
        if change.spends.is_some_and(|t| !tokens.contains_key(&t.hash))
            || change.keeps_session.is_some_and(|id| !sessions.contains_key(&id))
        {
            return Err(StoreError::NotFound);
        }
        if let Some(token) = change.spends {
            tokens.remove(&token.hash);
        }
        if let Some(id) = change.keeps_session {
            sessions.get_mut(&id).expect("checked above").epoch = change.next.session_epoch;
        }
        users.insert(change.next.id, change.next.clone());
        self.audits.borrow_mut().extend(change.audit.cloned());
        Ok(())
    }

    async fn list(&self, limit: u16, _cursor: Option<&str>) -> Result<Page<User>, StoreError> {
        let mut items: Vec<User> = self.users.borrow().values().cloned().collect();
        items.sort_by_key(|u| (u.created_at, u.id));
        items.truncate(usize::from(limit));
        Ok(Page { items, next_cursor: None })
    }
}

impl SessionStore for MemoryShop {
    async fn start(&self, session: &Session, first: &RefreshToken) -> Result<(), StoreError> {
        self.sessions.borrow_mut().insert(session.id, session.clone());
        self.refresh_tokens.borrow_mut().insert(first.hash.clone(), first.clone());
        Ok(())
    }

    async fn find_token(&self, hash: &str) -> Result<Option<RefreshToken>, StoreError> {
        Ok(self.refresh_tokens.borrow().get(hash).cloned())
    }

    async fn session(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        Ok(self.sessions.borrow().get(&id).cloned())
    }

    async fn rotate(&self, spent: &RefreshToken, next: &RefreshToken) -> Result<bool, StoreError> {
        let mut tokens = self.refresh_tokens.borrow_mut();
        let unspent = tokens.get(&spent.hash).is_some_and(|t| !t.spent);
        let live = self.sessions.borrow().get(&spent.session_id).is_some_and(|s| !s.revoked);
        if !(unspent && live) {
            return Ok(false);
        }
        tokens.get_mut(&spent.hash).expect("checked above").spent = true;
        tokens.insert(next.hash.clone(), next.clone());
        Ok(true)
    }

    async fn revoke(&self, id: SessionId) -> Result<(), StoreError> {
        if let Some(session) = self.sessions.borrow_mut().get_mut(&id) {
            session.revoked = true;
        }
        Ok(())
    }
}

impl OneTimeTokens for MemoryShop {
    async fn issue(&self, token: &OneTimeToken) -> Result<(), StoreError> {
        self.one_time_tokens.borrow_mut().insert(token.hash.clone(), token.clone());
        Ok(())
    }

    async fn find(&self, hash: &str) -> Result<Option<OneTimeToken>, StoreError> {
        Ok(self.one_time_tokens.borrow().get(hash).cloned())
    }
}

impl RateLimiter for MemoryShop {
    async fn hit(&self, limit: RateLimit, key: &str, now: Timestamp) -> Result<u32, StoreError> {
        let mut hits = self.rate_hits.borrow_mut();
        let count = hits.entry((limit.name, key.to_owned(), limit.window_start(now))).or_default();
        *count += 1;
        Ok(*count)
    }

    async fn hits(&self, limit: RateLimit, key: &str, now: Timestamp) -> Result<u32, StoreError> {
        Ok(self.rate_hits.borrow().get(&(limit.name, key.to_owned(), limit.window_start(now))).copied().unwrap_or(0))
    }
}

impl EventOutbox for MemoryShop {
    /// An event already published (a derived id) is left as it is, as the adapter does.
    async fn publish(&self, event: &Event) -> Result<(), StoreError> {
        let mut events = self.events.borrow_mut();
        if !events.iter().any(|e| e.id == event.id) {
            events.push(event.clone());
        }
        Ok(())
    }
}
