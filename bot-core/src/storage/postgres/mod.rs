//! The PostgreSQL store, for production deployments.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool, Postgres, Row};
use uuid::Uuid;

use std::collections::HashSet;

use super::batch::{self, BatchRows};
use super::error::{database, migration};
use super::{
    AdminReads, CommitOutcome, Coordination, DeadLetter, DmChat, DueTimer, FiredTimerRef,
    InboxStore, InboxUpdate, Leadership, LoadedPerson, MatchingStore, OutboxLease, OutboxQueue,
    PartneringStats, PeopleStore, PersonCommit, PersonWrite, Quarantine, QuarantinedUpdate,
    ReengagementStats, ReplayedUpdate, Report, Store, StoreError, StoredState, TimerLease,
    TimerStore, UpdateKey, WaitingEntry, WaveRecord,
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

const MAX_CONNECTIONS: u32 = 10;

/// Deletes the inbox rows of the update keys given as two arrays (see [`key_columns`]).
const DELETE_FROM_INBOX: &str = "DELETE FROM inbox i \
     USING UNNEST($1::text[], $2::text[]) AS k(platform, update_id) \
     WHERE i.platform = k.platform AND i.update_id = k.update_id";

/// A snapshot for loading, so the person, accounts and dialogue agree with each other.
const BEGIN_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database a `postgres://` URL names and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect(url)
            .await
            .map_err(database)?;
        let mut migrator = sqlx::migrate!("../migrations/postgres");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        if let Err(error) = migrator.run(&pool).await {
            pool.close().await;
            return Err(migration(error));
        }
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for PostgresStore {
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

/// Update keys as the platform and id arrays the statements unnest.
fn platform_names(platforms: &[Platform]) -> Vec<&'static str> {
    platforms.iter().map(|platform| platform.as_str()).collect()
}

/// Records updates as handled (a redelivery is recognised) and takes them out of the inbox.
async fn mark_processed(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    keys: &[&UpdateKey],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (platforms, ids) = key_columns(keys.iter().copied());
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO processed_updates (platform, update_id, processed_at) \
         SELECT u.platform, u.update_id, $1 FROM UNNEST($2::text[], $3::text[]) AS u(platform, update_id) \
         ON CONFLICT DO NOTHING",
    )
    .bind(at)
    .bind(&platforms)
    .bind(&ids)
    .execute(&mut **tx)
    .await.map_err(database)?;
    sqlx::query(DELETE_FROM_INBOX)
        .bind(platforms)
        .bind(ids)
        .execute(&mut **tx)
        .await
        .map_err(database)?;
    Ok(())
}

/// Records given-up updates with what the inbox holds of them (one row each: they are rare).
async fn write_quarantine(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    updates: &[&Quarantine],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    for update in updates {
        sqlx::query(
            "INSERT INTO quarantined_updates \
                 (platform, update_id, quarantined_at, attempts, reason, person_id, payload) \
             VALUES ($1, $2, $3, $4, $5, $6, \
                     (SELECT payload FROM inbox WHERE platform = $1 AND update_id = $2)) \
             ON CONFLICT (platform, update_id) DO UPDATE SET \
                 quarantined_at = excluded.quarantined_at, attempts = excluded.attempts, \
                 reason = excluded.reason, \
                 payload = coalesce(excluded.payload, quarantined_updates.payload)",
        )
        .bind(update.key.platform.as_str())
        .bind(update.key.id.as_str())
        .bind(at)
        .bind(i32::try_from(update.attempts).unwrap_or(i32::MAX))
        .bind(update.reason.as_str())
        .bind(update.person.map(|person| person.as_uuid()))
        .execute(&mut **tx)
        .await
        .map_err(database)?;
    }
    Ok(())
}

fn key_columns<'a>(keys: impl Iterator<Item = &'a UpdateKey>) -> (Vec<&'a str>, Vec<&'a str>) {
    keys.map(|key| (key.platform.as_str(), key.id.as_str()))
        .unzip()
}

fn decode_timer_row(row: &sqlx::postgres::PgRow) -> Result<DueTimer, StoreError> {
    let platform: String = row.try_get("platform").map_err(database)?;
    Ok(DueTimer {
        id: row.try_get("id").map_err(database)?,
        revision: row.try_get("revision").map_err(database)?,
        person: PersonId::from_uuid(row.try_get("person_id").map_err(database)?),
        kind: row.try_get("kind").map_err(database)?,
        key: row.try_get("key").map_err(database)?,
        due_at: row.try_get("due_at").map_err(database)?,
        chat: ChatKey::new(
            batch::decode_platform("timers", &platform)?,
            row.try_get::<String, _>("chat_id").map_err(database)?,
        ),
        payload: row.try_get("payload").map_err(database)?,
        attempts: u32::try_from(row.try_get::<i32, _>("attempts").map_err(database)?)
            .unwrap_or(u32::MAX),
    })
}

fn decode_outbox_row(row: &sqlx::postgres::PgRow) -> Result<OutboxMessage, StoreError> {
    let id: i64 = row.try_get("id").map_err(database)?;
    let platform: String = row.try_get("platform").map_err(database)?;
    Ok(OutboxMessage {
        id,
        chat: ChatKey::new(
            batch::decode_platform("outbox", &platform)?,
            row.try_get::<String, _>("chat_id").map_err(database)?,
        ),
        person: row
            .try_get::<Option<Uuid>, _>("person_id")
            .map_err(database)?
            .map(PersonId::from_uuid),
        body: batch::decode_body(id, &row.try_get::<String, _>("body").map_err(database)?)?,
        attempts: u32::try_from(row.try_get::<i32, _>("attempts").map_err(database)?)
            .unwrap_or(u32::MAX),
        not_before: row.try_get("not_before").map_err(database)?,
    })
}

fn encode_profile(profile: &Profile) -> Result<String, StoreError> {
    serde_json::to_string(profile).map_err(|error| StoreError::Corrupt {
        table: "persons",
        reason: format!("profile does not serialise: {error}"),
    })
}
