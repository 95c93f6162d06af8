//! What admins read and write beyond people's own records, from the bot's admin commands
//! and the admin HTTP API alike: the audit log, /stats, looking people up, the reports
//! queue, broadcasts (queued straight into the outbox, so they go out within the
//! platforms' rate limits like every message) and dead letters.
//!
//! Nothing here writes a person's record: a ban is an order stepped by the person
//! (`crate::admin`); this only finds whom it is for and where to deliver it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::{ChatKey, PersonId};
use crate::engine::{
    AdminStats, Audience, AuditEntry, BroadcastProgress, DeadLetterView, PersonSummary, ReportView,
    Resolution,
};

/// An admin action for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub at: DateTime<Utc>,
    /// `telegram:123` for a bot command, `token:NAME` for the API.
    pub actor: String,
    pub action: String,
    pub target: Option<PersonId>,
    pub details: String,
    pub outcome: String,
}

/// Which audit entries to read, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuditQuery {
    /// Only entries about this person.
    pub target: Option<PersonId>,
    /// Only entries older than this id (the cursor: the last id of the previous page).
    pub before: Option<i64>,
    pub limit: i64,
}

/// How an admin names a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonLookup {
    Id(PersonId),
    Account(crate::domain::AccountRef),
}

impl PersonLookup {
    /// A person id, or `platform:account id`; `None` for anything else.
    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim();
        if let Ok(id) = PersonId::parse(input) {
            return Some(Self::Id(id));
        }
        let (platform, id) = input.split_once(':')?;
        let platform = crate::domain::Platform::parse(platform.trim())?;
        let id = id.trim();
        (!id.is_empty()).then(|| Self::Account(crate::domain::AccountRef::new(platform, id)))
    }
}

/// A broadcast to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBroadcast {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub text: String,
    pub audience: Audience,
}

/// A broadcast as queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedBroadcast {
    pub id: i64,
    /// Messages queued: one per person of the audience.
    pub queued: u64,
}

/// An open report, by id.
pub type OpenReport = ReportView;

#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Writes one entry of the audit log; returns its id.
    async fn audit(&self, entry: &NewAuditEntry) -> Result<i64, StoreError>;

    /// Audit entries, newest first.
    async fn audit_log(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError>;

    /// The person an admin means, if they exist.
    async fn find_person(&self, lookup: &PersonLookup) -> Result<Option<PersonId>, StoreError>;

    /// A person as /user shows them, with up to `audit_limit` audit entries about them.
    async fn person_summary(
        &self,
        person: PersonId,
        audit_limit: i64,
    ) -> Result<Option<PersonSummary>, StoreError>;

    /// Where a person hears from lexbot: the stored private chat of their oldest account
    /// that has one.
    async fn private_chat(&self, person: PersonId) -> Result<Option<ChatKey>, StoreError>;

    /// The figures of /stats at `now`.
    async fn stats(&self, now: DateTime<Utc>) -> Result<AdminStats, StoreError>;

    /// How many reports are open, and the oldest `limit` of them (oldest first).
    async fn reports_page(&self, limit: i64) -> Result<(u64, Vec<ReportView>), StoreError>;

    /// An open report.
    async fn open_report(&self, id: i64) -> Result<Option<OpenReport>, StoreError>;

    /// Closes an open report; `false` if no open report has that id.
    async fn close_report(
        &self,
        id: i64,
        resolution: Resolution,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// How many people a broadcast to `audience` would reach: people who finished
    /// onboarding, are neither banned nor unreachable, and have a known private chat.
    async fn broadcast_audience(&self, audience: Audience) -> Result<u64, StoreError>;

    /// Queues a broadcast: one outbox message per person of its audience, in one
    /// transaction, marked with the broadcast so its progress can be told.
    async fn broadcast_create(
        &self,
        broadcast: &NewBroadcast,
    ) -> Result<QueuedBroadcast, StoreError>;

    /// How far a broadcast got: messages no longer in the outbox were sent (or their
    /// person erased), dead ones failed.
    async fn broadcast_progress(&self, id: i64) -> Result<Option<BroadcastProgress>, StoreError>;

    /// How many messages are dead, and the newest `limit` of them.
    async fn dead_letter_sample(
        &self,
        limit: i64,
    ) -> Result<(u64, Vec<DeadLetterView>), StoreError>;

    /// Queues every dead message again, with its attempts reset; returns how many.
    async fn retry_dead_letters(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Where a practice record's partnering status (`partnering.status.status`) leaves someone.
pub(super) fn matching_status(status: Option<&str>) -> crate::engine::MatchingStatus {
    use crate::engine::MatchingStatus;
    match status {
        Some("waiting") => MatchingStatus::Waiting,
        Some("proposed") => MatchingStatus::Proposed,
        Some("partnered") => MatchingStatus::Partnered,
        _ => MatchingStatus::Idle,
    }
}

/// The outbox body of a broadcast's message (JSON of `outbox::OutboxBody`).
pub(super) fn broadcast_body(text: &str) -> Result<String, StoreError> {
    let body = crate::outbox::OutboxBody::Send {
        reply: crate::engine::Reply::text(text),
    };
    serde_json::to_string(&body).map_err(|error| StoreError::Corrupt {
        table: "outbox",
        reason: format!("a broadcast body does not serialise: {error}"),
    })
}

/// The audience's interface language, as profiles store it (`"en"`), if it names one.
pub(super) fn audience_locale(audience: Audience) -> Option<&'static str> {
    match audience {
        Audience::Everyone => None,
        Audience::Locale { locale } => Some(locale.as_str()),
    }
}

/// The first private chat of each person, from rows ordered by person and then by
/// their accounts' age.
pub(super) fn first_chat_each(rows: Vec<(PersonId, ChatKey)>) -> Vec<(PersonId, ChatKey)> {
    let mut recipients: Vec<(PersonId, ChatKey)> = Vec::with_capacity(rows.len());
    for (person, chat) in rows {
        if recipients.last().is_none_or(|(last, _)| *last != person) {
            recipients.push((person, chat));
        }
    }
    recipients
}

#[cfg(test)]
mod tests {
    use super::PersonLookup;
    use crate::domain::{AccountRef, PersonId, Platform};

    #[test]
    fn people_are_named_by_id_or_account() {
        let id = PersonId::new_random();
        assert_eq!(
            PersonLookup::parse(&format!(" {id} ")),
            Some(PersonLookup::Id(id))
        );
        assert_eq!(
            PersonLookup::parse("telegram:123"),
            Some(PersonLookup::Account(AccountRef::new(
                Platform::Telegram,
                "123"
            )))
        );
        assert_eq!(PersonLookup::parse("myspace:1"), None);
        assert_eq!(PersonLookup::parse("telegram:"), None);
        assert_eq!(PersonLookup::parse("@ana"), None);
    }
}
