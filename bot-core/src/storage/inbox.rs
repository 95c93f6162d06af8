//! The inbox of received platform updates: kept from their receipt until their step
//! commits ([`InboxStore::inbox_put`]). A committed
//! [`PersonCommit`](super::PersonCommit) deletes the inbox rows of the updates it
//! handled in its own transaction, so an update leaves the inbox exactly when its
//! effects are in. An adapter can then confirm updates to the platform as soon as they
//! are stored, and step whatever is left in the inbox after a crash; an update that
//! fails every time is given up ([`InboxStore::quarantine_updates`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{StoreError, UpdateKey};
use crate::domain::{PersonId, Platform};
use crate::outbox::NewOutboxMessage;

/// A received platform update kept in the inbox until its step commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxUpdate {
    /// The platform's update id, as in [`UpdateKey::id`].
    pub id: String,
    /// The update as the platform sent it (JSON), to be converted again on replay.
    pub payload: String,
}

/// An update kept in the inbox, with how often a replay has taken it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayedUpdate {
    pub update: InboxUpdate,
    /// Replays that took it so far, this one included.
    pub attempts: u32,
}

/// An update given up on: it will not be stepped again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantine {
    pub key: UpdateKey,
    /// Whose step it was, when known: their /delete_me erases the record.
    pub person: Option<PersonId>,
    /// How often it was stepped before it was given up.
    pub attempts: u32,
    /// Why: "step panicked", or the last failure. Never a person's text.
    pub reason: String,
}

/// Oldest first, as both stores order their inbox: shorter ids first, then in text
/// order, which is numeric order for decimal ids.
pub(super) fn sort_oldest_first(updates: &mut [ReplayedUpdate]) {
    updates
        .sort_by(|a, b| (a.update.id.len(), &a.update.id).cmp(&(b.update.id.len(), &b.update.id)));
}

#[async_trait]
pub trait InboxStore: Send + Sync {
    /// Keeps received updates of `platform` until their steps commit, in one statement.
    /// An update already in the inbox, or already handled
    /// ([`PeopleStore::processed_updates`](super::PeopleStore::processed_updates)), is
    /// left as it is.
    async fn inbox_put(
        &self,
        platform: Platform,
        updates: &[InboxUpdate],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Up to `limit` updates of `platform` still in the inbox, oldest (lowest id) first.
    async fn inbox_pending(
        &self,
        platform: Platform,
        limit: i64,
    ) -> Result<Vec<InboxUpdate>, StoreError>;

    /// Takes up to `limit` updates of `platform` still in the inbox, oldest first, for a
    /// replay: each counts one more attempt, returned with it, so an update that fails
    /// its step every time can be given up ([`InboxStore::quarantine_updates`]).
    async fn inbox_replay(
        &self,
        platform: Platform,
        limit: i64,
    ) -> Result<Vec<ReplayedUpdate>, StoreError>;

    /// Gives these updates up: each moves from the inbox (if there) to
    /// `quarantined_updates` and counts as processed; `notices` (telling the people
    /// concerned) are queued in the outbox in the same transaction.
    async fn quarantine_updates(
        &self,
        updates: &[Quarantine],
        notices: &[NewOutboxMessage],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// These updates need no (further) step: they leave the inbox. Committed steps
    /// remove their own updates; this is for those that committed nothing.
    async fn inbox_done(&self, keys: &[UpdateKey]) -> Result<(), StoreError>;

    /// Forgets handled updates older than `before` (platforms stop redelivering after a day).
    async fn prune_processed(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}
