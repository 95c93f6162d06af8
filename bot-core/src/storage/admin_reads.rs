//! Reads for admins and figures (/stats, the admin API): reports, quarantined updates,
//! dead messages, the outbox's and matching's figures, a person's timers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{DueTimer, StoreError, UpdateKey};
use crate::domain::PersonId;
use crate::outbox::{OutboxMessage, OutboxStats};

/// Re-engagement figures over everyone, for /stats and the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReengagementStats {
    pub nudges_sent: u64,
    /// Returns within 48 hours of a nudge.
    pub returned_within_48h: u64,
}

/// A report a person filed about another, as admins see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: i64,
    pub reporter: PersonId,
    pub about: PersonId,
    pub reason: crate::domain::ReportReason,
    pub details: String,
    pub proposal: Option<crate::domain::ProposalId>,
    pub created_at: DateTime<Utc>,
}

/// How many people stand where with matching, for /stats and the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PartneringStats {
    pub waiting: u64,
    pub proposed: u64,
    pub partnered: u64,
}

/// A quarantined update, for admins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedUpdate {
    pub key: UpdateKey,
    pub quarantined_at: DateTime<Utc>,
    pub attempts: u32,
    pub reason: String,
    /// The update as received, when the inbox held it.
    pub payload: Option<String>,
}

/// A message that could not be delivered, for admins.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    pub message: OutboxMessage,
    pub last_error: String,
}

#[async_trait]
pub trait AdminReads: Send + Sync {
    /// Reports, newest first.
    async fn reports(&self, limit: i64) -> Result<Vec<Report>, StoreError>;

    /// Quarantined updates, newest first.
    async fn quarantined(&self, limit: i64) -> Result<Vec<QuarantinedUpdate>, StoreError>;

    /// Dead messages, newest first.
    async fn dead_letters(&self, limit: i64) -> Result<Vec<DeadLetter>, StoreError>;

    async fn outbox_stats(&self) -> Result<OutboxStats, StoreError>;

    async fn partnering_stats(&self) -> Result<PartneringStats, StoreError>;

    /// Nudges sent and returns after one, summed over everyone's practice record.
    async fn reengagement_stats(&self) -> Result<ReengagementStats, StoreError>;

    /// A person's timers, earliest first (for /export, admins and tests).
    async fn timers_of(&self, person: PersonId) -> Result<Vec<DueTimer>, StoreError>;
}
