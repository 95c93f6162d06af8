//! One storage trait, two stores: SQLite (the embedded default) and PostgreSQL
//! (production). The backend is chosen from the database URL's scheme.
//!
//! The store knows persons, their platform accounts, their profiles and one saved
//! dialogue per chat. A conversation step is written with [`Store::commit_step`]: the
//! dialogue state and the profile change of one step commit together or not at all, and
//! a step computed from a stale snapshot (the person's version moved on) is rejected
//! with [`StoreError::Conflict`] so the caller can reload and recompute.

mod postgres;
mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{AccountRef, ChatKey, PersonId, Profile};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// A saved conversation state: engine-defined JSON plus the schema version it was written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredState {
    pub schema_version: i32,
    pub json: String,
}

/// Everything the engine needs to know about one person for one step.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedPerson {
    pub id: PersonId,
    /// Bumped by every committed step; a step commits only if it still matches.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub profile: Profile,
    pub accounts: Vec<AccountRef>,
    /// The saved dialogue of the chat that was asked for, if any.
    pub dialogue: Option<StoredState>,
}

/// What one conversation step writes.
#[derive(Debug, Clone, PartialEq)]
pub enum StepWrite {
    /// Save the chat's dialogue state and, if the step changed it, the profile.
    Update {
        state: StoredState,
        profile: Option<Profile>,
    },
    /// Erase the person and everything that mentions them (/delete_me).
    Erase,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepCommit {
    pub person: PersonId,
    /// The `LoadedPerson::version` the step was computed from.
    pub expected_version: i64,
    pub chat: ChatKey,
    pub write: StepWrite,
    pub now: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The person changed since the snapshot was loaded: reload and recompute the step.
    #[error("stale write: person {person} is no longer at version {expected_version}")]
    Conflict {
        person: PersonId,
        expected_version: i64,
    },
    #[error("person {0} does not exist")]
    UnknownPerson(PersonId),
    /// A row could not be read back (e.g. a profile that is not valid JSON).
    #[error("corrupt row in {table}: {reason}")]
    Corrupt { table: &'static str, reason: String },
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The person behind a platform account; on first contact a new person with an
    /// empty profile in `locale` is created (racing first contacts resolve to one person).
    async fn person_for_account(
        &self,
        account: &AccountRef,
        locale: crate::domain::Locale,
        now: DateTime<Utc>,
    ) -> Result<PersonId, StoreError>;

    /// The person with their profile, accounts and the dialogue saved for `chat`;
    /// `None` if the person does not exist (any more).
    async fn load_person(
        &self,
        person: PersonId,
        chat: &ChatKey,
    ) -> Result<Option<LoadedPerson>, StoreError>;

    /// Writes one step atomically, only if the person is still at `expected_version`.
    async fn commit_step(&self, commit: &StepCommit) -> Result<(), StoreError>;

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
    use super::redact_url;

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
