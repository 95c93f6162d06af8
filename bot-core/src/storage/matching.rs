//! What the matcher worker reads and records: the waiting pool (kept by the commits,
//! `match_queue` mirroring the practice records), its length, and the waves run.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{DmChat, StoreError};
use crate::domain::{AccountRef, PersonId, Practice, Profile};

/// Someone in the matcher queue, with what a wave needs of them.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingEntry {
    pub person: PersonId,
    pub profile: Profile,
    /// Holds their matching side (`practice.partnering`): blocks, former partners,
    /// missed proposals, no-shows, and when they started waiting.
    pub practice: Practice,
    /// Their platform accounts, oldest first.
    pub accounts: Vec<AccountRef>,
    /// The private chats of those of their accounts whose private chat is known, oldest
    /// account first: a wave proposes in the first.
    pub dm_chats: Vec<DmChat>,
}

/// One matcher wave, for the record (missed waves are counted from it) and admins.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveRecord {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// People in the queue, and those of them who could be paired at all.
    pub waiting: u64,
    pub eligible: u64,
    pub edges: u64,
    pub pairs: u64,
    pub total_weight: i64,
}

#[async_trait]
pub trait MatchingStore: Send + Sync {
    /// Everyone in the matcher queue (their practice record says they wait), oldest
    /// waiter first.
    async fn waiting_pool(&self) -> Result<Vec<WaitingEntry>, StoreError>;

    /// How many people wait in the matcher queue:
    /// [`PartneringStats::waiting`](super::PartneringStats::waiting) without reading
    /// every practice record, cheap enough to poll every second.
    async fn queue_len(&self) -> Result<u64, StoreError>;

    async fn record_wave(&self, wave: &WaveRecord) -> Result<(), StoreError>;

    /// The most recent waves, newest first.
    async fn recent_waves(&self, limit: i64) -> Result<Vec<WaveRecord>, StoreError>;
}
