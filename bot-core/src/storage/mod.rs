//! One storage trait family, two stores: SQLite (the embedded default) and PostgreSQL
//! (production). The backend is chosen from the database URL's scheme.
//!
//! Each role the rest of lexbot plays against the database is a trait of its own, in a
//! file of its own, with the types it speaks in: [`PeopleStore`] (people, their
//! accounts and the commits of their steps), [`InboxStore`] (received updates until
//! their step commits), [`OutboxQueue`] (the dispatcher's queue), [`TimerStore`] (the
//! scheduler's timers), [`Coordination`] (one leader at a time), [`MatchingStore`] (the
//! matcher's pool and waves) and [`AdminReads`] (reports, figures, what was given up).
//! [`Store`] is all of them: what a running application holds (`Arc<dyn Store>`); a
//! part that needs one role may take just that role. Both stores implement every role
//! and pass the same conformance tests (`bot-core/tests/integration`).
//!
//! The database driver stays inside this module: [`StoreError`] says what failed in
//! lexbot's terms, and no public type is a driver's.

mod admin;
mod admin_reads;
mod batch;
mod coordination;
mod error;
mod inbox;
mod matching;
mod outbox_queue;
mod people;
mod postgres;
mod sqlite;
mod timers;

use async_trait::async_trait;

pub use admin::{
    AdminStore, AuditQuery, NewAuditEntry, NewBroadcast, PersonLookup, QueuedBroadcast,
};
pub use admin_reads::{
    AdminReads, DeadLetter, PartneringStats, QuarantinedUpdate, ReengagementStats, Report,
};
pub use coordination::{Coordination, Leadership};
pub use error::{DatabaseErrorKind, StoreError};
pub use inbox::{InboxStore, InboxUpdate, Quarantine, ReplayedUpdate};
pub use matching::{MatchingStore, WaitingEntry, WaveRecord};
pub use outbox_queue::{OutboxLease, OutboxQueue};
pub use people::{
    CommitOutcome, DmChat, LoadedPerson, PeopleStore, PersonCommit, PersonWrite, StoredState,
    Tombstone, UpdateKey,
};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use timers::{DueTimer, FiredTimerRef, TimerLease, TimerStore, TimerWrite};

/// Every role of the database at once: what [`open`] returns and a running application
/// holds. Both stores implement it.
#[async_trait]
pub trait Store:
    PeopleStore
    + InboxStore
    + OutboxQueue
    + TimerStore
    + Coordination
    + MatchingStore
    + AdminReads
    + AdminStore
    + Send
    + Sync
    + 'static
{
    /// Answers once the database does: a round trip on a pooled connection, for
    /// `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Closes the connection pool; pending writes are finished first.
    async fn close(&self);
}

/// Opens the store a URL names and brings its schema up to date:
/// `sqlite://PATH` (created if missing) or `postgres://...`/`postgresql://...`.
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact_url(url)))
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => match parsed.set_password(Some("***")) {
            Ok(()) => parsed.to_string(),
            Err(()) => "[a URL with a password]".to_owned(),
        },
        Ok(_) => url.to_owned(),
        // Unparsable: it may still hold a password, so show no credentials at all.
        Err(_) => match url.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => url.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{Tombstone, redact_url};
    use crate::config::Secret;
    use crate::domain::{
        AccountRef, ChatKey, Locale, PartnerRef, PartnerStatus, Partnering, Partnership, PersonId,
        Platform, Profile, ProposalId,
    };
    use crate::privacy::PrivacyKey;

    #[test]
    fn a_tombstone_keeps_hashes_blocks_and_former_partners_with_the_current_one() {
        let key = PrivacyKey::new(&Secret::new("a-key-for-the-tombstone-test-0123"))
            .expect("long enough");
        let accounts = [
            AccountRef::new(Platform::Telegram, "111"),
            AccountRef::new(Platform::Discord, "222"),
        ];
        let [blocked, former, current] = [(); 3].map(|()| PersonId::new_random());
        let partnering = Partnering {
            status: PartnerStatus::Partnered(Box::new(Partnership {
                id: ProposalId::new_random(),
                partner: PartnerRef {
                    person: current,
                    chat: ChatKey::new(Platform::Telegram, "333"),
                    profile: Profile::new(Locale::En),
                },
                since: chrono::Utc::now(),
                reveal_asked: false,
                partner_handle: None,
                revealed: false,
                sent: 0,
                received: 0,
                follow_up_answered: false,
            })),
            blocked: vec![blocked],
            former: vec![former],
            no_shows: 3,
            ..Partnering::default()
        };
        let tombstone = Tombstone::of(&key, &accounts, &partnering);
        assert_eq!(
            tombstone,
            Tombstone {
                accounts: accounts.iter().map(|a| key.account_hash(a)).collect(),
                blocked: vec![blocked],
                former: vec![former, current],
            }
        );
    }

    #[test]
    fn passwords_never_appear_in_redacted_urls() {
        assert_eq!(
            redact_url("postgres://lex:s3cr%40t@db:5432/lexbot"),
            "postgres://lex:***@db:5432/lexbot"
        );
        assert_eq!(
            redact_url("postgres://lex@db/lexbot"),
            "postgres://lex@db/lexbot"
        );
        assert_eq!(redact_url("sqlite://lexbot.db"), "sqlite://lexbot.db");
    }
}
