//! The scheduler's timers. A step's new, moved and cancelled timers are part of its
//! [`PersonCommit`](super::PersonCommit) ([`TimerWrite`]), and a fired timer is deleted
//! by the commit of the step it caused, which is refused
//! ([`CommitOutcome::TimerGone`](super::CommitOutcome::TimerGone)) if the timer was
//! fired, moved or cancelled meanwhile: each timer acts once. Schedulers claim due
//! timers under a lease ([`TimerStore::claim_timers`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::{ChatKey, PersonId};
use crate::engine::TimerKind;

/// A change to one of the person's timers.
#[derive(Debug, Clone, PartialEq)]
pub enum TimerWrite {
    /// Creates the timer, or moves the person's timer of this kind and key (a new
    /// revision, so a worker holding the old one cannot act on it).
    Upsert {
        kind: TimerKind,
        key: String,
        due_at: DateTime<Utc>,
        /// Where it fires.
        chat: ChatKey,
        /// JSON text.
        payload: String,
    },
    Cancel {
        kind: TimerKind,
        key: String,
    },
    /// A peer message for another person, due at once: a [`TimerKind::Peer`] timer of
    /// `to`'s (a unique `key`), written only if `to` still exists.
    Deliver {
        to: PersonId,
        key: String,
        due_at: DateTime<Utc>,
        chat: ChatKey,
        /// JSON text of the [`crate::engine::PeerMessage`].
        payload: String,
    },
}

/// A claimed timer as the step that fired it names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FiredTimerRef {
    pub id: i64,
    pub revision: i64,
}

/// A due timer, claimed by a scheduler instance.
#[derive(Debug, Clone, PartialEq)]
pub struct DueTimer {
    pub id: i64,
    pub revision: i64,
    pub person: PersonId,
    /// As stored: a kind this build does not know (from a newer build) stays a string.
    pub kind: String,
    pub key: String,
    pub due_at: DateTime<Utc>,
    pub chat: ChatKey,
    /// JSON text.
    pub payload: String,
    /// Failed firings so far.
    pub attempts: u32,
}

impl DueTimer {
    pub fn fired_ref(&self) -> FiredTimerRef {
        FiredTimerRef {
            id: self.id,
            revision: self.revision,
        }
    }
}

/// A scheduler instance's hold on claimed timers, like [`OutboxLease`](super::OutboxLease) for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerLease {
    pub owner: String,
    pub until: DateTime<Utc>,
}

#[async_trait]
pub trait TimerStore: Send + Sync {
    /// Leases up to `limit` timers due at `now` that nobody holds (or whose lease
    /// expired, or that wait after a failure until a time now past), earliest first.
    /// Two instances claiming at once get different timers.
    async fn claim_timers(
        &self,
        lease: &TimerLease,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DueTimer>, StoreError>;

    /// Firing a claimed timer failed: it is released and not claimed again before
    /// `not_before`. Nothing happens if it was moved or fired meanwhile.
    async fn timer_retry_later(
        &self,
        timer: FiredTimerRef,
        attempts: u32,
        not_before: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;

    /// Gives up every timer lease `owner` holds (at shutdown), so others take them at once.
    async fn release_timer_leases(&self, owner: &str) -> Result<(), StoreError>;

    /// When the earliest timer nobody holds is due, if there is one.
    async fn next_timer_due(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
}
