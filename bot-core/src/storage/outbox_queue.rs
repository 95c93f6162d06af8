//! The outbox queue as the dispatcher works it: messages are claimed under a lease
//! naming the platforms and chats its holder sends to, then delivered, retried later
//! or parked as dead. Messages are queued by the commits that write them
//! ([`PersonCommit::outbox`](super::PersonCommit::outbox)).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::{ChatKey, Platform};
use crate::outbox::OutboxMessage;

/// A dispatcher instance's hold on outbox messages: others leave them alone until
/// `until`, and the same owner (a restarted process) takes them back at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxLease {
    pub owner: String,
    pub until: DateTime<Utc>,
    /// The platforms whose every chat the holder sends to.
    pub platforms: Vec<Platform>,
    /// Single chats the holder sends to besides (a terminal serves only its own chat of
    /// the local platform). Messages of chats in neither are neither claimed nor leased
    /// to it: another process's dispatcher sends them.
    pub chats: Vec<ChatKey>,
}

impl OutboxLease {
    /// Whether the holder sends the messages of `chat`.
    pub fn serves(&self, chat: &ChatKey) -> bool {
        self.platforms.contains(&chat.platform) || self.chats.contains(chat)
    }
}

#[async_trait]
pub trait OutboxQueue: Send + Sync {
    /// Leases up to `limit` pending messages of the lease's platforms that nobody holds
    /// (or whose lease expired), oldest first.
    async fn claim_outbox(
        &self,
        lease: &OutboxLease,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Extends every lease `lease.owner` holds to `lease.until`.
    async fn renew_outbox_lease(&self, lease: &OutboxLease) -> Result<(), StoreError>;

    /// Gives up every lease `owner` holds, so the messages can be claimed at once (by a
    /// restarted instance of the same name, or by another).
    async fn release_outbox_lease(&self, owner: &str) -> Result<(), StoreError>;

    /// The platform accepted these messages: they leave the queue.
    async fn outbox_delivered(&self, ids: &[i64]) -> Result<(), StoreError>;

    /// A delivery failed and will be tried again at `not_before`.
    async fn outbox_retry_later(
        &self,
        id: i64,
        attempts: u32,
        not_before: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;

    /// These messages will not be tried again.
    async fn outbox_dead(&self, ids: &[i64], error: &str) -> Result<(), StoreError>;
}
