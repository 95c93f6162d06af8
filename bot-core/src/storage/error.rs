//! What a store call can fail with, in lexbot's terms: the database driver's own error
//! types stay inside the store modules, so no caller depends on them.

use crate::domain::PersonId;

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
    /// The database refused a statement or could not be reached; `kind` says which way,
    /// `message` is the driver's description (it never holds a password: URLs are
    /// redacted before they reach a driver's error).
    #[error("{message}")]
    Database {
        kind: DatabaseErrorKind,
        message: String,
    },
    /// The schema could not be brought up to date.
    #[error("migration failed: {0}")]
    Migrate(String),
}

/// How a database failed, as far as a caller can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseErrorKind {
    /// A unique or primary key constraint refused the write.
    UniqueViolation,
    /// Another constraint (check, foreign key, not null, exclusion) refused the write.
    ConstraintViolation,
    /// The database was busy or the transaction lost a race (SQLite's busy and locked,
    /// PostgreSQL's serialization failure and deadlock): the same write may succeed if
    /// tried again.
    Busy,
    /// The database could not be reached or the connection failed (I/O, TLS, a pool
    /// timed out or closed).
    Unavailable,
    /// Anything else: a statement or a value the database did not accept, a column that
    /// did not decode.
    Other,
}

impl StoreError {
    /// Whether trying the same call again may succeed: the database was busy or could not
    /// be reached.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Database {
                kind: DatabaseErrorKind::Busy | DatabaseErrorKind::Unavailable,
                ..
            }
        )
    }
}

/// The store modules' conversion of a driver error: the kind a caller can act on and
/// the driver's message.
pub(super) fn database(error: sqlx::Error) -> StoreError {
    let kind = match &error {
        sqlx::Error::Database(failure) => match failure.kind() {
            sqlx::error::ErrorKind::UniqueViolation => DatabaseErrorKind::UniqueViolation,
            sqlx::error::ErrorKind::ForeignKeyViolation
            | sqlx::error::ErrorKind::NotNullViolation
            | sqlx::error::ErrorKind::CheckViolation
            | sqlx::error::ErrorKind::ExclusionViolation => DatabaseErrorKind::ConstraintViolation,
            _ if failure.code().is_some_and(|code| is_busy_code(&code)) => DatabaseErrorKind::Busy,
            _ => DatabaseErrorKind::Other,
        },
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => DatabaseErrorKind::Unavailable,
        _ => DatabaseErrorKind::Other,
    };
    StoreError::Database {
        kind,
        message: error.to_string(),
    }
}

/// A migration that failed, by its message.
pub(super) fn migration(error: sqlx::migrate::MigrateError) -> StoreError {
    StoreError::Migrate(error.to_string())
}

/// PostgreSQL's serialization_failure and deadlock_detected (a SQLSTATE has five
/// characters), and SQLite's BUSY (5) and LOCKED (6) with their extended codes (the
/// primary code is the low byte; SQLite's codes have at most four digits).
fn is_busy_code(code: &str) -> bool {
    if code.len() == 5 {
        return matches!(code, "40001" | "40P01");
    }
    code.parse::<u32>()
        .is_ok_and(|code| matches!(code & 0xff, 5 | 6))
}

#[cfg(test)]
mod tests {
    use super::is_busy_code;

    #[test]
    fn busy_codes_of_both_databases_are_recognised() {
        for busy in ["5", "6", "261", "517", "262", "40001", "40P01"] {
            assert!(is_busy_code(busy), "{busy}");
        }
        // Constraint failures, a syntax error, a unique violation.
        for other in ["19", "2067", "1", "42601", "23505", "01286", "", "x"] {
            assert!(!is_busy_code(other), "{other}");
        }
    }
}
