//! The SQLite store: one database file in WAL mode, the embedded default backend.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::query_builder::Separated;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

use std::collections::HashSet;

use super::batch::{self, BatchRows};
use super::error::{database, migration};
use super::{
    AdminReads, CommitOutcome, Coordination, DatabaseErrorKind, DeadLetter, DmChat, DueTimer,
    FiredTimerRef, InboxStore, InboxUpdate, Leadership, LoadedPerson, MatchingStore, OutboxLease,
    OutboxQueue, PartneringStats, PeopleStore, PersonCommit, PersonWrite, Quarantine,
    QuarantinedUpdate, ReengagementStats, ReplayedUpdate, Report, Store, StoreError, StoredState,
    TimerLease, TimerStore, UpdateKey, WaitingEntry, WaveRecord,
};
use crate::domain::{AccountRef, ChatKey, Locale, PersonId, Platform, Profile, ProposalId};
use crate::outbox::{NewOutboxMessage, OutboxMessage, OutboxStats};
use crate::privacy::AccountHash;

/// The columns [`decode_timer_row`] reads, as a literal for `concat!`.
macro_rules! timer_columns {
    () => {
        "id, revision, person_id, kind, key, due_at, platform, chat_id, payload, attempts"
    };
}

mod admin;
mod admin_reads;
mod commit;
mod coordination;
mod inbox;
mod matching;
mod outbox_queue;
mod people;
mod timers;

/// Our own name, so that a library that keeps its migrations in SQLx's default table
/// (`_sqlx_migrations`) can share the database without the two mixing up versions.
const MIGRATIONS_TABLE: &str = "lexbot_migrations";

/// A deferred transaction that reads first takes the write lock only at its first write;
/// two of them upgrading at once deadlock, and SQLite then fails one with SQLITE_BUSY
/// at once instead of letting busy_timeout wait. IMMEDIATE takes the write lock up front,
/// so concurrent writers queue instead.
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// SQLite has one writer at a time anyway; a few connections let reads run beside it.
const MAX_CONNECTIONS: u32 = 4;

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How often the write-ahead log is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// The most rows one bulk statement writes. The large rows (message bodies, dialogue
/// states, practice records, updates, profiles) are bound as a `VALUES` list: reading them back out of one
/// JSON array cost more than writing them. Chunks are powers of two (see [`row_chunks`]),
/// so each such statement has at most seven shapes, and all of them stay prepared.
const MAX_ROWS_PER_STATEMENT: usize = 64;

/// Deletes the inbox rows of the update keys in a JSON array (see [`keys_json`]).
const DELETE_FROM_INBOX: &str = "DELETE FROM inbox WHERE (platform, update_id) IN \
     (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))";

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Whose turn it is to write. SQLite lets one writer in at a time, and a writer that
    /// finds the lock taken sleeps and polls (1 ms, 2 ms, 5 ms ... up to busy_timeout)
    /// instead of being woken: with the committer, the poller and the dispatcher all
    /// writing, those sleeps dominated. Writers of this process queue here instead and
    /// go in the moment the previous one is done; busy_timeout still covers other
    /// processes on the same file.
    writer: Arc<tokio::sync::Mutex<()>>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database a `sqlite://PATH` URL names and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(database)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable in WAL mode except for the last commits on power loss.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // Checkpoints run in the background instead (see checkpoint_in_background).
            .pragma("wal_autocheckpoint", "0");
        // Held until the schema is up to date (dropping the file releases the lock).
        let _migrating = lock_for_migrations(options.get_filename()).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(database)?;
        let mut migrator = sqlx::migrate!("../migrations/sqlite");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        if let Err(error) = migrator.run(&pool).await {
            pool.close().await;
            return Err(migration(error));
        }
        tokio::spawn(checkpoint_in_background(pool.clone()));
        Ok(Self {
            pool,
            writer: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// Waits for this process's turn to write; the turn lasts while the guard lives.
    async fn write_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writer.lock().await
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(database)?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// SQLite's automatic checkpoint runs inside the commit that grows the write-ahead log
/// past 1,000 pages, fsync included, while that writer holds the write lock, so every
/// writer behind it waits. A PASSIVE checkpoint here runs beside the writers instead: it
/// takes no write lock and copies back what no reader still needs. Ends with the pool.
async fn checkpoint_in_background(pool: SqlitePool) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
            && !pool.is_closed()
        {
            tracing::warn!(%error, "WAL checkpoint failed");
        }
    }
}

fn decode_timer_row(row: &sqlx::sqlite::SqliteRow) -> Result<DueTimer, StoreError> {
    let platform: String = row.try_get("platform").map_err(database)?;
    Ok(DueTimer {
        id: row.try_get("id").map_err(database)?,
        revision: row.try_get("revision").map_err(database)?,
        person: decode_person_id(
            "timers",
            &row.try_get::<String, _>("person_id").map_err(database)?,
        )?,
        kind: row.try_get("kind").map_err(database)?,
        key: row.try_get("key").map_err(database)?,
        due_at: decode_time(
            "timers",
            &row.try_get::<String, _>("due_at").map_err(database)?,
        )?,
        chat: ChatKey::new(
            batch::decode_platform("timers", &platform)?,
            row.try_get::<String, _>("chat_id").map_err(database)?,
        ),
        payload: row.try_get("payload").map_err(database)?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts").map_err(database)?)
            .unwrap_or(u32::MAX),
    })
}

/// Records updates as handled (a redelivery is recognised) and takes them out of the inbox.
async fn mark_processed(
    tx: &mut sqlx::Transaction<'static, Sqlite>,
    keys: &[&UpdateKey],
    at: &str,
) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    let keys = keys_json(keys.iter().copied());
    sqlx::query(
        "INSERT INTO processed_updates (platform, update_id, processed_at) \
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), ? \
         FROM json_each(?) WHERE true ON CONFLICT DO NOTHING",
    )
    .bind(at)
    .bind(&keys)
    .execute(&mut **tx)
    .await
    .map_err(database)?;
    sqlx::query(DELETE_FROM_INBOX)
        .bind(&keys)
        .execute(&mut **tx)
        .await
        .map_err(database)?;
    Ok(())
}

/// Records given-up updates with what the inbox holds of them (one row each: they are rare).
async fn write_quarantine(
    tx: &mut sqlx::Transaction<'static, Sqlite>,
    updates: &[&Quarantine],
    at: &str,
) -> Result<(), StoreError> {
    for update in updates {
        sqlx::query(
            "INSERT INTO quarantined_updates \
                 (platform, update_id, quarantined_at, attempts, reason, person_id, payload) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, \
                     (SELECT payload FROM inbox WHERE platform = ?1 AND update_id = ?2)) \
             ON CONFLICT (platform, update_id) DO UPDATE SET \
                 quarantined_at = excluded.quarantined_at, attempts = excluded.attempts, \
                 reason = excluded.reason, \
                 payload = coalesce(excluded.payload, quarantined_updates.payload)",
        )
        .bind(update.key.platform.as_str())
        .bind(update.key.id.as_str())
        .bind(at)
        .bind(i64::from(update.attempts))
        .bind(update.reason.as_str())
        .bind(update.person.map(|person| person.to_string()))
        .execute(&mut **tx)
        .await
        .map_err(database)?;
    }
    Ok(())
}

fn keys_json<'a>(keys: impl Iterator<Item = &'a UpdateKey>) -> String {
    serde_json::Value::Array(
        keys.map(|key| serde_json::json!([key.platform.as_str(), key.id]))
            .collect(),
    )
    .to_string()
}

/// `rows` in chunks of at most [`MAX_ROWS_PER_STATEMENT`], each a power of two: 100 rows
/// go as 64, 32 and 4.
fn row_chunks<T>(rows: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = rows;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let size = MAX_ROWS_PER_STATEMENT.min(1 << rest.len().ilog2());
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        Some(chunk)
    })
}

/// `head`, then `rows` as a `VALUES` list (`bind` pushes each row's values), then `tail`.
fn values_statement<T>(
    head: &str,
    rows: &[T],
    bind: impl FnMut(Separated<'_, Sqlite, &'static str>, &T),
    tail: &str,
) -> QueryBuilder<Sqlite> {
    let mut query = QueryBuilder::new(head);
    query.push_values(rows, bind);
    query.push(tail);
    query
}

fn ids_json(ids: &[i64]) -> String {
    serde_json::Value::from(ids.to_vec()).to_string()
}

fn decode_outbox_row(row: &sqlx::sqlite::SqliteRow) -> Result<OutboxMessage, StoreError> {
    let id: i64 = row.try_get("id").map_err(database)?;
    let person = row
        .try_get::<Option<String>, _>("person_id")
        .map_err(database)?
        .map(|raw| decode_person_id("outbox", &raw))
        .transpose()?;
    let platform: String = row.try_get("platform").map_err(database)?;
    Ok(OutboxMessage {
        id,
        chat: ChatKey::new(
            batch::decode_platform("outbox", &platform)?,
            row.try_get::<String, _>("chat_id").map_err(database)?,
        ),
        person,
        body: batch::decode_body(id, &row.try_get::<String, _>("body").map_err(database)?)?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts").map_err(database)?)
            .unwrap_or(u32::MAX),
        not_before: decode_time(
            "outbox",
            &row.try_get::<String, _>("not_before").map_err(database)?,
        )?,
    })
}

fn encode_profile(profile: &Profile) -> Result<String, StoreError> {
    serde_json::to_string(profile).map_err(|error| StoreError::Corrupt {
        table: "persons",
        reason: format!("profile does not serialise: {error}"),
    })
}

fn decode_person_id(table: &'static str, raw: &str) -> Result<PersonId, StoreError> {
    PersonId::parse(raw).map_err(|error| StoreError::Corrupt {
        table,
        reason: format!("person id `{raw}`: {error}"),
    })
}

/// Fixed-width RFC 3339 in UTC with microseconds; see migrations/sqlite/0001_init.sql.
fn encode_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn decode_time(table: &'static str, raw: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|error| StoreError::Corrupt {
            table,
            reason: format!("timestamp `{raw}`: {error}"),
        })
}

/// An exclusive lock on a file beside the database, held while this process creates or
/// migrates it: SQLx's SQLite migrator takes none, so two processes opening a new file
/// at once (two `lexbot chat` terminals) would both create the schema and one would fail
/// with "table persons already exists". `None` for an in-memory database.
async fn lock_for_migrations(
    database: &std::path::Path,
) -> Result<Option<std::fs::File>, StoreError> {
    if database.as_os_str().is_empty() || database == std::path::Path::new(":memory:") {
        return Ok(None);
    }
    let mut lock_path = database.as_os_str().to_owned();
    lock_path.push(".migrate-lock");
    let locked = tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)?;
        file.lock()?;
        Ok(file)
    })
    .await
    .map_err(std::io::Error::other)
    .and_then(|locked| locked)
    .map_err(|error| StoreError::Database {
        kind: DatabaseErrorKind::Unavailable,
        message: format!("cannot lock the database for migrating: {error}"),
    })?;
    Ok(Some(locked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn several_openers_may_create_one_new_file_at_once() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("new.db").display());
            let opening: Vec<_> = (0..4)
                .map(|_| {
                    let url = url.clone();
                    tokio::spawn(async move { SqliteStore::open(&url).await })
                })
                .collect();
            for opened in opening {
                let store = opened
                    .await
                    .expect("joined")
                    .expect("every opener gets the migrated database");
                store.pool.close().await;
            }
        }
    }

    #[test]
    fn rows_go_in_power_of_two_chunks_in_order() {
        let rows: Vec<usize> = (0..200).collect();
        let sizes: Vec<usize> = row_chunks(&rows).map(<[usize]>::len).collect();
        assert_eq!(sizes, [64, 64, 64, 8]);
        let again: Vec<usize> = row_chunks(&rows).flatten().copied().collect();
        assert_eq!(again, rows);
        let sizes: Vec<usize> = row_chunks(&rows[..100]).map(<[usize]>::len).collect();
        assert_eq!(sizes, [64, 32, 4]);
        assert_eq!(row_chunks(&rows[..0]).count(), 0);
        assert_eq!(row_chunks(&rows[..1]).count(), 1);
    }
}
