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
use super::{
    CommitOutcome, DeadLetter, DmChat, DueTimer, FiredTimerRef, InboxUpdate, Leadership,
    LoadedPerson, OutboxLease, PartneringStats, PersonCommit, PersonWrite, Quarantine,
    QuarantinedUpdate, ReengagementStats, ReplayedUpdate, Report, Store, StoreError, StoredState,
    TimerLease, UpdateKey, WaitingEntry, WaveRecord,
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
        let options = SqliteConnectOptions::from_str(url)?
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
            .await?;
        let mut migrator = sqlx::migrate!("../migrations/sqlite");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        if let Err(error) = migrator.run(&pool).await {
            pool.close().await;
            return Err(error.into());
        }
        tokio::spawn(checkpoint_in_background(pool.clone()));
        Ok(Self {
            pool,
            writer: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Waits for this process's turn to write; the turn lasts while the guard lives.
    async fn write_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writer.lock().await
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn person_for_hashed_account(
        &self,
        account: &AccountRef,
        hash: Option<&AccountHash>,
        dm_chat: Option<&ChatKey>,
        locale: Locale,
        now: DateTime<Utc>,
    ) -> Result<PersonId, StoreError> {
        // Every contact after the first takes this path, without the write lock.
        if let Some(person) = linked_person(&mut *self.pool.acquire().await?, account).await? {
            return Ok(person);
        }
        let profile = encode_profile(&Profile::new(locale))?;
        let at = encode_time(now);
        // Under the write lock nobody can link the account between our check and insert,
        // so racing first contacts all end up with the person the first one created.
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        if let Some(linked) = linked_person(&mut tx, account).await? {
            tx.rollback().await?;
            return Ok(linked);
        }
        let returning = match hash {
            Some(hash) => tombstone_of(&mut tx, hash).await?,
            None => None,
        };
        let person = match &returning {
            Some(tombstone) => tombstone.person,
            None => PersonId::new_random(),
        };
        // Someone coming back through a second of their accounts is there already.
        let created = sqlx::query(
            "INSERT INTO persons (id, version, profile, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(person.to_string())
        .bind(returning.as_ref().map_or(0, |tombstone| tombstone.version))
        .bind(profile)
        .bind(&at)
        .bind(&at)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if let Some(tombstone) = &returning {
            if created {
                sqlx::query("INSERT INTO practice (person_id, data, updated_at) VALUES (?, ?, ?)")
                    .bind(person.to_string())
                    .bind(tombstone.practice()?)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?;
            } else {
                // A new account of theirs: snapshots without it are stale.
                sqlx::query(
                    "UPDATE persons SET version = version + 1, updated_at = ? WHERE id = ?",
                )
                .bind(&at)
                .bind(person.to_string())
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query(
            "INSERT INTO accounts (platform, platform_user_id, person_id, created_at, dm_chat_id) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(account.platform.as_str())
        .bind(&account.user_id)
        .bind(person.to_string())
        .bind(&at)
        .bind(batch::dm_chat_id(account, dm_chat))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(person)
    }

    async fn record_dm_chat(&self, dm_chat: &DmChat) -> Result<(), StoreError> {
        let Some(chat_id) = batch::dm_chat_id(&dm_chat.account, Some(&dm_chat.chat)) else {
            return Ok(());
        };
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE accounts SET dm_chat_id = ? WHERE platform = ? AND platform_user_id = ?",
        )
        .bind(chat_id)
        .bind(dm_chat.account.platform.as_str())
        .bind(&dm_chat.account.user_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn load_person(
        &self,
        person: PersonId,
        chat: &ChatKey,
    ) -> Result<Option<LoadedPerson>, StoreError> {
        // One read transaction, so the person, accounts and dialogue come from one snapshot.
        let mut tx = self.pool.begin().await?;
        let loaded = read_person(&mut tx, person, chat).await?;
        tx.commit().await?;
        Ok(loaded)
    }

    async fn commit_batch(
        &self,
        commits: &[PersonCommit],
        lease: Option<&OutboxLease>,
    ) -> Result<Vec<CommitOutcome>, StoreError> {
        batch::check_distinct(commits)?;
        if commits.is_empty() {
            return Ok(Vec::new());
        }
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        match write_batch(&mut tx, commits, lease).await {
            Ok(outcomes) => {
                tx.commit().await?;
                Ok(outcomes)
            }
            Err(error) => {
                // The batch's own error is the one worth reporting; should the rollback
                // fail too, SQLx rolls back again before the connection is reused.
                let _ = tx.rollback().await;
                Err(error)
            }
        }
    }

    async fn processed_updates(
        &self,
        keys: &[UpdateKey],
    ) -> Result<HashSet<UpdateKey>, StoreError> {
        if keys.is_empty() {
            return Ok(HashSet::new());
        }
        let rows = sqlx::query(
            "SELECT platform, update_id FROM processed_updates \
             WHERE (platform, update_id) IN \
             (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))",
        )
        .bind(keys_json(keys.iter()))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let platform: String = row.try_get("platform")?;
                Ok(UpdateKey {
                    platform: batch::decode_platform("processed_updates", &platform)?,
                    id: row.try_get("update_id")?,
                })
            })
            .collect()
    }

    async fn inbox_put(
        &self,
        platform: Platform,
        updates: &[InboxUpdate],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if updates.is_empty() {
            return Ok(());
        }
        let received_at = encode_time(now);
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        for chunk in row_chunks(updates) {
            values_statement(
                "WITH u (platform, update_id, received_at, payload) AS (",
                chunk,
                |mut row, update| {
                    row.push_bind(platform.as_str())
                        .push_bind(update.id.as_str())
                        .push_bind(received_at.as_str())
                        .push_bind(update.payload.as_str());
                },
                ") INSERT INTO inbox (platform, update_id, received_at, payload) \
                 SELECT platform, update_id, received_at, payload FROM u \
                 WHERE NOT EXISTS (SELECT 1 FROM processed_updates p \
                                   WHERE p.platform = u.platform AND p.update_id = u.update_id) \
                 ON CONFLICT DO NOTHING",
            )
            .build()
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn inbox_pending(
        &self,
        platform: Platform,
        limit: i64,
    ) -> Result<Vec<InboxUpdate>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT update_id AS id, payload FROM inbox WHERE platform = ? \
             ORDER BY length(update_id), update_id LIMIT ?",
        )
        .bind(platform.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn inbox_replay(
        &self,
        platform: Platform,
        limit: i64,
    ) -> Result<Vec<ReplayedUpdate>, StoreError> {
        let _turn = self.write_turn().await;
        let rows = sqlx::query(
            "UPDATE inbox SET attempts = attempts + 1 \
             WHERE platform = ?1 AND update_id IN \
             (SELECT update_id FROM inbox WHERE platform = ?1 \
              ORDER BY length(update_id), update_id LIMIT ?2) \
             RETURNING update_id, payload, attempts",
        )
        .bind(platform.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut replayed = rows
            .into_iter()
            .map(|row| {
                Ok(ReplayedUpdate {
                    update: InboxUpdate {
                        id: row.try_get("update_id")?,
                        payload: row.try_get("payload")?,
                    },
                    attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        super::sort_oldest_first(&mut replayed);
        Ok(replayed)
    }

    async fn quarantine_updates(
        &self,
        updates: &[Quarantine],
        notices: &[NewOutboxMessage],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if updates.is_empty() && notices.is_empty() {
            return Ok(());
        }
        let at = encode_time(now);
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        write_quarantine(&mut tx, &updates.iter().collect::<Vec<_>>(), &at).await?;
        mark_processed(
            &mut tx,
            &updates.iter().map(|update| &update.key).collect::<Vec<_>>(),
            &at,
        )
        .await?;
        for notice in notices {
            sqlx::query(
                "INSERT INTO outbox (person_id, platform, chat_id, body, status, attempts, \
                                     not_before, created_at) \
                 VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)",
            )
            .bind(notice.person.map(|person| person.to_string()))
            .bind(notice.chat.platform.as_str())
            .bind(notice.chat.chat_id.as_str())
            .bind(batch::encode_body(&notice.body)?)
            .bind(&at)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn quarantined(&self, limit: i64) -> Result<Vec<QuarantinedUpdate>, StoreError> {
        let rows = sqlx::query(
            "SELECT platform, update_id, quarantined_at, attempts, reason, payload \
             FROM quarantined_updates ORDER BY quarantined_at DESC, update_id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let platform: String = row.try_get("platform")?;
                Ok(QuarantinedUpdate {
                    key: UpdateKey {
                        platform: batch::decode_platform("quarantined_updates", &platform)?,
                        id: row.try_get("update_id")?,
                    },
                    quarantined_at: decode_time(
                        "quarantined_updates",
                        &row.try_get::<String, _>("quarantined_at")?,
                    )?,
                    attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(0),
                    reason: row.try_get("reason")?,
                    payload: row.try_get("payload")?,
                })
            })
            .collect()
    }

    async fn inbox_done(&self, keys: &[UpdateKey]) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        let _turn = self.write_turn().await;
        sqlx::query(DELETE_FROM_INBOX)
            .bind(keys_json(keys.iter()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn prune_processed(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let _turn = self.write_turn().await;
        let done = sqlx::query("DELETE FROM processed_updates WHERE processed_at < ?")
            .bind(encode_time(before))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn claim_outbox(
        &self,
        lease: &OutboxLease,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let _turn = self.write_turn().await;
        let rows = sqlx::query(
            "UPDATE outbox SET lease_owner = ?1, lease_until = ?2 WHERE id IN \
             (SELECT id FROM outbox WHERE status = 'pending' \
              AND (platform IN (SELECT value FROM json_each(?5)) \
                   OR EXISTS (SELECT 1 FROM json_each(?6) AS chat \
                              WHERE json_extract(chat.value, '$[0]') = outbox.platform \
                                AND json_extract(chat.value, '$[1]') = outbox.chat_id)) \
              AND (lease_until IS NULL OR lease_until < ?3) \
              ORDER BY id LIMIT ?4) \
             RETURNING id, person_id, platform, chat_id, body, attempts, not_before",
        )
        .bind(&lease.owner)
        .bind(encode_time(lease.until))
        .bind(encode_time(now))
        .bind(limit)
        .bind(
            serde_json::Value::from(
                lease
                    .platforms
                    .iter()
                    .map(|platform| platform.as_str())
                    .collect::<Vec<_>>(),
            )
            .to_string(),
        )
        .bind(
            serde_json::Value::from(
                lease
                    .chats
                    .iter()
                    .map(|chat| vec![chat.platform.as_str(), chat.chat_id.as_str()])
                    .collect::<Vec<_>>(),
            )
            .to_string(),
        )
        .fetch_all(&self.pool)
        .await?;
        let mut messages = rows
            .iter()
            .map(decode_outbox_row)
            .collect::<Result<Vec<_>, _>>()?;
        messages.sort_by_key(|message| message.id);
        Ok(messages)
    }

    async fn renew_outbox_lease(&self, lease: &OutboxLease) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE outbox SET lease_until = ? WHERE lease_owner = ? AND status = 'pending'",
        )
        .bind(encode_time(lease.until))
        .bind(&lease.owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn release_outbox_lease(&self, owner: &str) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?",
        )
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn outbox_delivered(&self, ids: &[i64]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let _turn = self.write_turn().await;
        sqlx::query("DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))")
            .bind(ids_json(ids))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn outbox_retry_later(
        &self,
        id: i64,
        attempts: u32,
        not_before: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query("UPDATE outbox SET attempts = ?, not_before = ?, last_error = ? WHERE id = ?")
            .bind(i64::from(attempts))
            .bind(encode_time(not_before))
            .bind(error)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn outbox_dead(&self, ids: &[i64], error: &str) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE outbox SET status = 'dead', last_error = ?, lease_owner = NULL, lease_until = NULL \
             WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(error)
        .bind(ids_json(ids))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn dead_letters(&self, limit: i64) -> Result<Vec<DeadLetter>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, person_id, platform, chat_id, body, attempts, not_before, last_error \
             FROM outbox WHERE status = 'dead' ORDER BY id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let last_error: Option<String> = row.try_get("last_error")?;
                Ok(DeadLetter {
                    message: decode_outbox_row(row)?,
                    last_error: last_error.unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn outbox_stats(&self) -> Result<OutboxStats, StoreError> {
        let counts: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status")
                .fetch_all(&self.pool)
                .await?;
        Ok(batch::outbox_stats(counts))
    }

    async fn claim_timers(
        &self,
        lease: &TimerLease,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DueTimer>, StoreError> {
        // Each statement runs under SQLite's single writer: two claims cannot overlap.
        // Free timers first; then, if the batch is not full, those whose holder's lease
        // ran out (a worker that died).
        let _turn = self.write_turn().await;
        let mut rows = sqlx::query(concat!(
            "UPDATE timers SET lease_owner = ?1, lease_until = ?2 WHERE id IN \
             (SELECT id FROM timers WHERE lease_owner IS NULL AND due_at <= ?3 \
              AND (lease_until IS NULL OR lease_until < ?3) \
              ORDER BY due_at, id LIMIT ?4) \
             RETURNING ",
            timer_columns!()
        ))
        .bind(&lease.owner)
        .bind(encode_time(lease.until))
        .bind(encode_time(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let room = limit - rows.len() as i64;
        if room > 0 {
            rows.extend(
                sqlx::query(concat!(
                    "UPDATE timers SET lease_owner = ?1, lease_until = ?2 WHERE id IN \
                     (SELECT id FROM timers WHERE lease_owner IS NOT NULL AND lease_until < ?3 \
                      AND due_at <= ?3 ORDER BY lease_until LIMIT ?4) \
                     RETURNING ",
                    timer_columns!()
                ))
                .bind(&lease.owner)
                .bind(encode_time(lease.until))
                .bind(encode_time(now))
                .bind(room)
                .fetch_all(&self.pool)
                .await?,
            );
        }
        let mut timers = rows
            .iter()
            .map(decode_timer_row)
            .collect::<Result<Vec<_>, _>>()?;
        timers.sort_by_key(|timer| (timer.due_at, timer.id));
        Ok(timers)
    }

    async fn timer_retry_later(
        &self,
        timer: FiredTimerRef,
        attempts: u32,
        not_before: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE timers SET attempts = ?, lease_owner = NULL, lease_until = ?, last_error = ? \
             WHERE id = ? AND revision = ?",
        )
        .bind(i64::from(attempts))
        .bind(encode_time(not_before))
        .bind(error)
        .bind(timer.id)
        .bind(timer.revision)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn release_timer_leases(&self, owner: &str) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE timers SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?",
        )
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn next_timer_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let due: Option<String> =
            sqlx::query_scalar("SELECT MIN(due_at) FROM timers WHERE lease_owner IS NULL")
                .fetch_one(&self.pool)
                .await?;
        due.map(|due| decode_time("timers", &due)).transpose()
    }

    async fn timers_of(&self, person: PersonId) -> Result<Vec<DueTimer>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            timer_columns!(),
            " FROM timers WHERE person_id = ? ORDER BY due_at, id"
        ))
        .bind(person.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_timer_row).collect()
    }

    async fn reengagement_stats(&self) -> Result<ReengagementStats, StoreError> {
        let (sent, returned): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(json_extract(data, '$.reengagement.nudges_sent')), 0), \
                    COALESCE(SUM(json_extract(data, '$.reengagement.returns')), 0) FROM practice",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(ReengagementStats {
            nudges_sent: u64::try_from(sent).unwrap_or(0),
            returned_within_48h: u64::try_from(returned).unwrap_or(0),
        })
    }

    async fn waiting_pool(&self) -> Result<Vec<WaitingEntry>, StoreError> {
        // One snapshot, so nobody's profile and record come from different moments.
        // Accounts tied on created_at go by byte order, as PostgreSQL's COLLATE "C".
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "SELECT q.person_id, p.profile, r.data, a.platform, a.platform_user_id, a.dm_chat_id \
             FROM match_queue q JOIN persons p ON p.id = q.person_id \
             LEFT JOIN practice r ON r.person_id = q.person_id \
             LEFT JOIN accounts a ON a.person_id = q.person_id \
             ORDER BY q.waiting_since, q.person_id, a.created_at, a.platform, a.platform_user_id",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        batch::waiting_pool(rows.iter().map(|row| {
            Ok(batch::PoolRow {
                person: decode_person_id("match_queue", &row.try_get::<String, _>("person_id")?)?,
                profile: row.try_get("profile")?,
                practice: row.try_get("data")?,
                account: batch::AccountRow::joined(
                    row.try_get("platform")?,
                    row.try_get("platform_user_id")?,
                    row.try_get("dm_chat_id")?,
                ),
            })
        }))
    }

    async fn record_wave(&self, wave: &WaveRecord) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO match_waves (started_at, finished_at, waiting, eligible, edges, pairs, total_weight) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(encode_time(wave.started_at))
        .bind(encode_time(wave.finished_at))
        .bind(batch::count_to_db(wave.waiting))
        .bind(batch::count_to_db(wave.eligible))
        .bind(batch::count_to_db(wave.edges))
        .bind(batch::count_to_db(wave.pairs))
        .bind(wave.total_weight)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn recent_waves(&self, limit: i64) -> Result<Vec<WaveRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT started_at, finished_at, waiting, eligible, edges, pairs, total_weight \
             FROM match_waves ORDER BY started_at DESC, id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(WaveRecord {
                    started_at: decode_time(
                        "match_waves",
                        &row.try_get::<String, _>("started_at")?,
                    )?,
                    finished_at: decode_time(
                        "match_waves",
                        &row.try_get::<String, _>("finished_at")?,
                    )?,
                    waiting: batch::count_from_db(row.try_get("waiting")?),
                    eligible: batch::count_from_db(row.try_get("eligible")?),
                    edges: batch::count_from_db(row.try_get("edges")?),
                    pairs: batch::count_from_db(row.try_get("pairs")?),
                    total_weight: row.try_get("total_weight")?,
                })
            })
            .collect()
    }

    async fn reports(&self, limit: i64) -> Result<Vec<Report>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, reporter_id, about_id, reason, details, proposal_id, created_at \
             FROM reports ORDER BY created_at DESC, id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                let proposal = row
                    .try_get::<Option<String>, _>("proposal_id")?
                    .map(|raw| {
                        ProposalId::parse(&raw).ok_or_else(|| StoreError::Corrupt {
                            table: "reports",
                            reason: format!("report {id}: proposal id `{raw}`"),
                        })
                    })
                    .transpose()?;
                Ok(Report {
                    id,
                    reporter: decode_person_id(
                        "reports",
                        &row.try_get::<String, _>("reporter_id")?,
                    )?,
                    about: decode_person_id("reports", &row.try_get::<String, _>("about_id")?)?,
                    reason: batch::decode_reason(id, &row.try_get::<String, _>("reason")?)?,
                    details: row.try_get("details")?,
                    proposal,
                    created_at: decode_time("reports", &row.try_get::<String, _>("created_at")?)?,
                })
            })
            .collect()
    }

    async fn partnering_stats(&self) -> Result<PartneringStats, StoreError> {
        let (proposed, partnered): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(s = 'proposed'), 0), COALESCE(SUM(s = 'partnered'), 0) \
             FROM (SELECT json_extract(data, '$.partnering.status.status') AS s FROM practice)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(PartneringStats {
            waiting: self.queue_len().await?,
            proposed: batch::count_from_db(proposed),
            partnered: batch::count_from_db(partnered),
        })
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn queue_len(&self) -> Result<u64, StoreError> {
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM match_queue")
            .fetch_one(&self.pool)
            .await?;
        Ok(batch::count_from_db(waiting))
    }

    async fn try_lead(
        &self,
        role: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<Box<dyn Leadership>>, StoreError> {
        let lease = LeaderLease {
            pool: self.pool.clone(),
            writer: self.writer.clone(),
            role: role.to_owned(),
            owner: owner.to_owned(),
            ttl: chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX),
        };
        Ok(lease
            .take()
            .await?
            .then(|| Box::new(lease) as Box<dyn Leadership>))
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// The SQLite lead: the `leaders` row of a role, held until `until`. The holder renews it
/// on every [`Leadership::still_held`]; a holder that died loses it when it expires.
struct LeaderLease {
    pool: SqlitePool,
    /// The store's write turn: the lease's writes queue with the others.
    writer: Arc<tokio::sync::Mutex<()>>,
    role: String,
    owner: String,
    ttl: chrono::Duration,
}

impl LeaderLease {
    /// Takes or renews the lease: free, expired or already ours. `false` = someone
    /// else holds it.
    async fn take(&self) -> Result<bool, StoreError> {
        let now = Utc::now();
        let until = now
            .checked_add_signed(self.ttl)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let _turn = self.writer.lock().await;
        let taken: Option<String> = sqlx::query_scalar(
            "INSERT INTO leaders (role, owner, until) VALUES (?1, ?2, ?3) \
             ON CONFLICT (role) DO UPDATE SET owner = excluded.owner, until = excluded.until \
             WHERE leaders.owner = excluded.owner OR leaders.until < ?4 \
             RETURNING owner",
        )
        .bind(&self.role)
        .bind(&self.owner)
        .bind(encode_time(until))
        .bind(encode_time(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(taken.is_some())
    }
}

#[async_trait]
impl Leadership for LeaderLease {
    async fn still_held(&mut self) -> Result<bool, StoreError> {
        // Renewing is taking again: it fails only if another owner took the lease after
        // ours expired.
        self.take().await
    }

    async fn release(self: Box<Self>) -> Result<(), StoreError> {
        let _turn = self.writer.lock().await;
        sqlx::query("DELETE FROM leaders WHERE role = ? AND owner = ?")
            .bind(&self.role)
            .bind(&self.owner)
            .execute(&self.pool)
            .await?;
        Ok(())
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

async fn linked_person(
    conn: &mut SqliteConnection,
    account: &AccountRef,
) -> Result<Option<PersonId>, StoreError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT person_id FROM accounts WHERE platform = ? AND platform_user_id = ?",
    )
    .bind(account.platform.as_str())
    .bind(&account.user_id)
    .fetch_optional(&mut *conn)
    .await?;
    id.map(|id| decode_person_id("accounts", &id)).transpose()
}

/// The tombstone an account hash leads to, if any.
async fn tombstone_of(
    conn: &mut SqliteConnection,
    hash: &AccountHash,
) -> Result<Option<batch::TombstoneRead>, StoreError> {
    let row = sqlx::query(
        "SELECT t.person_id, t.blocked, t.former, t.version FROM tombstone_accounts a \
         JOIN tombstones t ON t.person_id = a.person_id WHERE a.account_hash = ?",
    )
    .bind(hash.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(batch::TombstoneRead {
            person: decode_person_id("tombstones", &row.try_get::<String, _>("person_id")?)?,
            blocked: row.try_get("blocked")?,
            former: row.try_get("former")?,
            version: row.try_get("version")?,
        })
    })
    .transpose()
}

async fn read_person(
    conn: &mut SqliteConnection,
    person: PersonId,
    chat: &ChatKey,
) -> Result<Option<LoadedPerson>, StoreError> {
    let id = person.to_string();
    let Some(row) = sqlx::query("SELECT version, profile, created_at FROM persons WHERE id = ?")
        .bind(&id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let version: i64 = row.try_get("version")?;
    let profile = batch::decode_profile(person, &row.try_get::<String, _>("profile")?)?;
    let created_at = decode_time("persons", &row.try_get::<String, _>("created_at")?)?;

    let rows = sqlx::query(
        "SELECT platform, platform_user_id, dm_chat_id FROM accounts WHERE person_id = ?",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await?;
    let (accounts, dm_chats) = batch::decode_accounts(rows.iter().map(|row| {
        Ok(batch::AccountRow {
            platform: row.try_get("platform")?,
            user_id: row.try_get("platform_user_id")?,
            dm_chat_id: row.try_get("dm_chat_id")?,
        })
    }))?;

    let dialogue = sqlx::query(
        "SELECT schema_version, state FROM dialogues WHERE person_id = ? AND platform = ? AND chat_id = ?",
    )
    .bind(&id)
    .bind(chat.platform.as_str())
    .bind(&chat.chat_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|row| -> Result<StoredState, StoreError> {
        Ok(StoredState {
            schema_version: row.try_get("schema_version")?,
            json: row.try_get("state")?,
        })
    })
    .transpose()?;

    let practice: Option<String> =
        sqlx::query_scalar("SELECT data FROM practice WHERE person_id = ?")
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await?;
    let practice = batch::decode_practice(person, practice.as_deref())?;

    Ok(Some(LoadedPerson {
        id: person,
        version,
        created_at,
        profile,
        accounts,
        dm_chats,
        dialogue,
        practice,
    }))
}

/// The body of [`Store::commit_batch`]: a handful of bulk statements whatever the batch
/// size, each reading its rows from one JSON array; the caller commits or rolls back.
async fn write_batch(
    tx: &mut sqlx::Transaction<'static, Sqlite>,
    commits: &[PersonCommit],
    lease: Option<&OutboxLease>,
) -> Result<Vec<CommitOutcome>, StoreError> {
    let at = encode_time(commits[0].now);
    // A fired timer that is gone (fired by another worker, moved or cancelled) voids
    // its person's whole share: that step must not act a second time.
    let fired: Vec<i64> = commits
        .iter()
        .flat_map(|commit| commit.fired.iter().map(|fired| fired.id))
        .collect();
    let present: HashSet<FiredTimerRef> = if fired.is_empty() {
        HashSet::new()
    } else {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT id, revision FROM timers WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(ids_json(&fired))
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(id, revision)| FiredTimerRef { id, revision })
        .collect()
    };
    let gone = batch::people_with_gone_timers(commits, &present);
    // The version check comes next: it decides whose writes happen at all.
    let mut checks: Vec<(String, i64, Option<String>)> = Vec::with_capacity(commits.len());
    for commit in commits {
        if gone.iter().any(|(person, _)| *person == commit.person) {
            continue;
        }
        let profile = match &commit.write {
            PersonWrite::Update {
                profile: Some(profile),
                ..
            } => Some(encode_profile(profile)?),
            _ => None,
        };
        checks.push((commit.person.to_string(), commit.expected_version, profile));
    }
    let mut bumped: Vec<String> = Vec::with_capacity(checks.len());
    for chunk in row_chunks(&checks) {
        bumped.extend(
            values_statement(
                "WITH u (id, expected, profile, updated_at) AS (",
                chunk,
                |mut row, (id, expected, profile)| {
                    row.push_bind(id.as_str())
                        .push_bind(*expected)
                        .push_bind(profile.as_deref())
                        .push_bind(at.as_str());
                },
                ") UPDATE persons SET version = persons.version + 1, updated_at = u.updated_at, \
                 profile = COALESCE(u.profile, persons.profile) FROM u \
                 WHERE persons.id = u.id AND persons.version = u.expected \
                 RETURNING persons.id",
            )
            .build_query_scalar::<String>()
            .fetch_all(&mut **tx)
            .await?,
        );
    }
    let passed = bumped
        .iter()
        .map(|id| decode_person_id("persons", id))
        .collect::<Result<HashSet<_>, _>>()?;

    // Who of the others still exists decides between Conflict and UnknownPerson.
    let missing: Vec<String> = commits
        .iter()
        .filter(|commit| !passed.contains(&commit.person))
        .map(|commit| commit.person.to_string())
        .collect();
    let existing: HashSet<String> = if missing.is_empty() {
        HashSet::new()
    } else {
        sqlx::query_scalar::<_, String>(
            "SELECT id FROM persons WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::Value::from(missing).to_string())
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .collect()
    };

    let rows = BatchRows::new(commits, &passed)?;
    for chunk in row_chunks(&rows.dialogues) {
        values_statement(
            "INSERT INTO dialogues (person_id, platform, chat_id, schema_version, state, updated_at) ",
            chunk,
            |mut row, dialogue| {
                row.push_bind(dialogue.person.to_string())
                    .push_bind(dialogue.chat.platform.as_str())
                    .push_bind(dialogue.chat.chat_id.as_str())
                    .push_bind(dialogue.schema_version)
                    .push_bind(dialogue.state)
                    .push_bind(at.as_str());
            },
            " ON CONFLICT (person_id, platform, chat_id) DO UPDATE SET \
             schema_version = excluded.schema_version, state = excluded.state, \
             updated_at = excluded.updated_at",
        )
        .build()
        .execute(&mut **tx)
        .await?;
    }
    for chunk in row_chunks(&rows.practice) {
        values_statement(
            "INSERT INTO practice (person_id, data, updated_at) ",
            chunk,
            |mut row, (person, data)| {
                row.push_bind(person.to_string())
                    .push_bind(data.as_str())
                    .push_bind(at.as_str());
            },
            " ON CONFLICT (person_id) DO UPDATE SET data = excluded.data, \
             updated_at = excluded.updated_at",
        )
        .build()
        .execute(&mut **tx)
        .await?;
    }
    if !rows.erased.is_empty() {
        let erased = serde_json::Value::from(
            rows.erased
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        )
        .to_string();
        // Explicit deletes rather than trusting ON DELETE CASCADE alone: erasure must
        // not depend on the foreign_keys pragma being on for this connection.
        for sql in [
            "DELETE FROM dialogues WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM timers WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM practice WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM match_queue WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM outbox WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM quarantined_updates WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM accounts WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM persons WHERE id IN (SELECT value FROM json_each(?))",
        ] {
            sqlx::query(sql).bind(&erased).execute(&mut **tx).await?;
        }
    }
    write_tombstones(tx, &rows, &at).await?;
    write_matching(tx, &rows).await?;
    let mut queued: Vec<Vec<OutboxMessage>> = vec![Vec::new(); commits.len()];
    if !rows.outbox.is_empty() {
        let lease_until = lease.map(|lease| encode_time(lease.until));
        // Leased only to a holder that sends to the message's chat.
        let held_by = |chat: &ChatKey| lease.filter(|lease| lease.serves(chat));
        let mut ids: Vec<i64> = Vec::with_capacity(rows.outbox.len());
        for chunk in row_chunks(&rows.outbox) {
            let mut inserted: Vec<i64> = values_statement(
                "INSERT INTO outbox (person_id, platform, chat_id, body, status, attempts, \
                                     not_before, lease_owner, lease_until, created_at) ",
                chunk,
                |mut row, message| {
                    row.push_bind(message.message.person.map(|person| person.to_string()))
                        .push_bind(message.message.chat.platform.as_str())
                        .push_bind(message.message.chat.chat_id.as_str())
                        .push_bind(message.body.as_str())
                        .push_bind("pending")
                        .push_bind(0_i64)
                        .push_bind(at.as_str());
                    let holder = held_by(&message.message.chat);
                    row.push_bind(holder.map(|lease| lease.owner.as_str()))
                        .push_bind(holder.and(lease_until.as_deref()))
                        .push_bind(at.as_str());
                },
                " RETURNING id",
            )
            .build_query_scalar()
            .fetch_all(&mut **tx)
            .await?;
            // Rows are inserted in list order, and chunk after chunk, so ascending ids
            // follow the rows.
            inserted.sort_unstable();
            ids.extend(inserted);
        }
        for (row, id) in rows.outbox.iter().zip(ids) {
            queued[row.commit].push(OutboxMessage {
                id,
                chat: row.message.chat.clone(),
                person: row.message.person,
                body: row.message.body.clone(),
                attempts: 0,
                not_before: commits[row.commit].now,
            });
        }
    }
    // Before `processed` below empties their inbox rows, which hold the payloads.
    write_quarantine(tx, &rows.quarantined, &at).await?;
    // Handled: the updates leave the inbox with their effects.
    mark_processed(tx, &rows.processed, &at).await?;

    write_timers(tx, &rows, &at).await?;

    Ok(commits
        .iter()
        .zip(queued)
        .map(|(commit, outbox)| {
            if let Some((_, timers)) = gone.iter().find(|(person, _)| *person == commit.person) {
                CommitOutcome::TimerGone {
                    timers: timers.clone(),
                }
            } else if passed.contains(&commit.person) {
                CommitOutcome::Committed { outbox }
            } else if existing.contains(&commit.person.to_string()) {
                CommitOutcome::Conflict
            } else {
                CommitOutcome::UnknownPerson
            }
        })
        .collect())
}

/// The tombstones of the people erased in a batch: the person's lists (replacing those of
/// an earlier erasure of theirs), and each of their accounts' hashes leading to them.
async fn write_tombstones(
    tx: &mut sqlx::Transaction<'static, Sqlite>,
    rows: &BatchRows<'_>,
    at: &str,
) -> Result<(), StoreError> {
    for row in &rows.tombstones {
        let person = row.person.to_string();
        sqlx::query(
            "INSERT INTO tombstones (person_id, blocked, former, version, erased_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET \
             blocked = excluded.blocked, former = excluded.former, \
             version = excluded.version, erased_at = excluded.erased_at",
        )
        .bind(&person)
        .bind(&row.blocked)
        .bind(&row.former)
        .bind(row.version)
        .bind(at)
        .execute(&mut **tx)
        .await?;
        for hash in &row.tombstone.accounts {
            sqlx::query(
                "INSERT INTO tombstone_accounts (account_hash, person_id) VALUES (?, ?) \
                 ON CONFLICT (account_hash) DO UPDATE SET person_id = excluded.person_id",
            )
            .bind(hash.as_str())
            .bind(&person)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// The matching part of a batch (after erasures): the queue follows the practice
/// records written, and reports are filed (they outlive either side's erasure).
async fn write_matching(
    tx: &mut sqlx::Transaction<'static, Sqlite>,
    rows: &BatchRows<'_>,
) -> Result<(), StoreError> {
    if !rows.queue_joins.is_empty() {
        let joins: Vec<serde_json::Value> = rows
            .queue_joins
            .iter()
            .map(|(person, since)| serde_json::json!([person.to_string(), encode_time(*since)]))
            .collect();
        sqlx::query(
            "INSERT INTO match_queue (person_id, waiting_since) \
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') \
             FROM json_each(?) WHERE true \
             ON CONFLICT (person_id) DO UPDATE SET waiting_since = excluded.waiting_since",
        )
        .bind(serde_json::Value::Array(joins).to_string())
        .execute(&mut **tx)
        .await?;
    }
    if !rows.queue_leaves.is_empty() {
        let leaves = serde_json::Value::from(
            rows.queue_leaves
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        );
        sqlx::query("DELETE FROM match_queue WHERE person_id IN (SELECT value FROM json_each(?))")
            .bind(leaves.to_string())
            .execute(&mut **tx)
            .await?;
    }
    if !rows.reports.is_empty() {
        let reports: Vec<serde_json::Value> = rows
            .reports
            .iter()
            .map(|row| {
                serde_json::json!([
                    row.reporter.to_string(),
                    row.report.about.to_string(),
                    row.report.reason.as_str(),
                    row.report.details,
                    row.report.proposal.map(|proposal| proposal.to_string()),
                    encode_time(row.at)
                ])
            })
            .collect();
        // A report about someone erased meanwhile is still filed: admins keep reports.
        sqlx::query(
            "INSERT INTO reports (reporter_id, about_id, reason, details, proposal_id, created_at) \
             SELECT json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]'), \
                    json_extract(r.value, '$[2]'), json_extract(r.value, '$[3]'), \
                    json_extract(r.value, '$[4]'), json_extract(r.value, '$[5]') \
             FROM json_each(?) AS r ORDER BY r.key",
        )
        .bind(serde_json::Value::Array(reports).to_string())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The timer part of a batch: fired timers go, cancelled ones go, new and moved ones
/// are written (in that order, so a fired timer can schedule its own next occurrence).
async fn write_timers(
    tx: &mut sqlx::Transaction<'static, Sqlite>,
    rows: &BatchRows<'_>,
    at: &str,
) -> Result<(), StoreError> {
    if !rows.fired.is_empty() {
        sqlx::query("DELETE FROM timers WHERE id IN (SELECT value FROM json_each(?))")
            .bind(ids_json(&rows.fired))
            .execute(&mut **tx)
            .await?;
    }
    if !rows.timer_cancels.is_empty() {
        let cancels: Vec<serde_json::Value> = rows
            .timer_cancels
            .iter()
            .map(|(person, kind, key)| serde_json::json!([person.to_string(), kind.as_str(), key]))
            .collect();
        sqlx::query(
            "DELETE FROM timers WHERE (person_id, kind, key) IN \
             (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') \
              FROM json_each(?))",
        )
        .bind(serde_json::Value::Array(cancels).to_string())
        .execute(&mut **tx)
        .await?;
    }
    if !rows.timer_upserts.is_empty() {
        // A delivery to someone erased (in this batch or before) is dropped: EXISTS
        // rather than the foreign key, which would fail the whole batch.
        let upserts: Vec<serde_json::Value> = rows
            .timer_upserts
            .iter()
            .map(|row| {
                serde_json::json!([
                    row.person.to_string(),
                    row.kind.as_str(),
                    row.key,
                    encode_time(row.due_at),
                    row.chat.platform.as_str(),
                    row.chat.chat_id,
                    row.payload
                ])
            })
            .collect();
        sqlx::query(
            "INSERT INTO timers (person_id, kind, key, due_at, platform, chat_id, payload, \
                                 revision, attempts, created_at) \
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), \
                    json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'), \
                    json_extract(value, '$[6]'), 0, 0, ?1 \
             FROM json_each(?2) \
             WHERE EXISTS (SELECT 1 FROM persons p WHERE p.id = json_extract(value, '$[0]')) \
             ON CONFLICT (person_id, kind, key) DO UPDATE SET \
             due_at = excluded.due_at, platform = excluded.platform, chat_id = excluded.chat_id, \
             payload = excluded.payload, revision = timers.revision + 1, attempts = 0, \
             lease_owner = NULL, lease_until = NULL, last_error = NULL",
        )
        .bind(at)
        .bind(serde_json::Value::Array(upserts).to_string())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn decode_timer_row(row: &sqlx::sqlite::SqliteRow) -> Result<DueTimer, StoreError> {
    let platform: String = row.try_get("platform")?;
    Ok(DueTimer {
        id: row.try_get("id")?,
        revision: row.try_get("revision")?,
        person: decode_person_id("timers", &row.try_get::<String, _>("person_id")?)?,
        kind: row.try_get("kind")?,
        key: row.try_get("key")?,
        due_at: decode_time("timers", &row.try_get::<String, _>("due_at")?)?,
        chat: ChatKey::new(
            batch::decode_platform("timers", &platform)?,
            row.try_get::<String, _>("chat_id")?,
        ),
        payload: row.try_get("payload")?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
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
    .await?;
    sqlx::query(DELETE_FROM_INBOX)
        .bind(&keys)
        .execute(&mut **tx)
        .await?;
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
        .await?;
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
    let id: i64 = row.try_get("id")?;
    let person = row
        .try_get::<Option<String>, _>("person_id")?
        .map(|raw| decode_person_id("outbox", &raw))
        .transpose()?;
    let platform: String = row.try_get("platform")?;
    Ok(OutboxMessage {
        id,
        chat: ChatKey::new(
            batch::decode_platform("outbox", &platform)?,
            row.try_get::<String, _>("chat_id")?,
        ),
        person,
        body: batch::decode_body(id, &row.try_get::<String, _>("body")?)?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
        not_before: decode_time("outbox", &row.try_get::<String, _>("not_before")?)?,
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
    .map_err(sqlx::Error::Io)?;
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
