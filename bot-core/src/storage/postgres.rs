//! The PostgreSQL store, for production deployments.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool, Postgres, Row};
use uuid::Uuid;

use std::collections::HashSet;

use super::batch::{self, BatchRows};
use super::{
    CommitOutcome, DeadLetter, DmChat, DueTimer, FiredTimerRef, InboxUpdate, Leadership,
    LoadedPerson, OutboxLease, PartneringStats, PersonCommit, PersonWrite, Quarantine,
    QuarantinedUpdate, ReengagementStats, ReplayedUpdate, Report, Store, StoreError, StoredState,
    TimerLease, UpdateKey, WaitingEntry, WaveRecord,
};

/// The columns [`decode_timer_row`] reads, as a literal for `concat!`.
macro_rules! timer_columns {
    () => {
        "id, revision, person_id, kind, key, due_at, platform, chat_id, payload, attempts"
    };
}
use crate::domain::{AccountRef, ChatKey, Locale, PersonId, Platform, Profile, ProposalId};
use crate::outbox::{NewOutboxMessage, OutboxMessage, OutboxStats};
use crate::privacy::AccountHash;

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
            .await?;
        let mut migrator = sqlx::migrate!("../migrations/postgres");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        if let Err(error) = migrator.run(&pool).await {
            pool.close().await;
            return Err(error.into());
        }
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn person_for_hashed_account(
        &self,
        account: &AccountRef,
        hash: Option<&AccountHash>,
        dm_chat: Option<&ChatKey>,
        locale: Locale,
        now: DateTime<Utc>,
    ) -> Result<PersonId, StoreError> {
        // Every contact after the first takes this path, without writing.
        let linked: Option<Uuid> = sqlx::query_scalar(
            "SELECT person_id FROM accounts WHERE platform = $1 AND platform_user_id = $2",
        )
        .bind(account.platform.as_str())
        .bind(&account.user_id)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(linked) = linked {
            return Ok(PersonId::from_uuid(linked));
        }

        let returning = match hash {
            Some(hash) => tombstone_of(&self.pool, hash).await?,
            None => None,
        };
        let person = match &returning {
            Some(tombstone) => tombstone.person,
            None => PersonId::new_random(),
        };
        let profile = encode_profile(&Profile::new(locale))?;
        let mut tx = self.pool.begin().await?;
        // Someone coming back through a second of their accounts (or a racing first
        // contact coming back) is there already.
        let created = sqlx::query(
            "INSERT INTO persons (id, version, profile, created_at, updated_at) \
             VALUES ($1, $2, $3::jsonb, $4, $4) ON CONFLICT (id) DO NOTHING",
        )
        .bind(person.as_uuid())
        .bind(returning.as_ref().map_or(0, |tombstone| tombstone.version))
        .bind(profile)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if let Some(tombstone) = returning.as_ref().filter(|_| created) {
            sqlx::query(
                "INSERT INTO practice (person_id, data, updated_at) VALUES ($1, $2::jsonb, $3)",
            )
            .bind(person.as_uuid())
            .bind(tombstone.practice()?)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        // A racing first contact's insert makes ours wait for it; the no-op update then
        // returns (and locks) the account it committed. DO NOTHING would return no row and
        // need a second read that a concurrent erase could still slip in front of.
        let linked: Uuid = sqlx::query_scalar(
            "INSERT INTO accounts (platform, platform_user_id, person_id, created_at, dm_chat_id) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (platform, platform_user_id) DO UPDATE SET person_id = accounts.person_id \
             RETURNING person_id",
        )
        .bind(account.platform.as_str())
        .bind(&account.user_id)
        .bind(person.as_uuid())
        .bind(now)
        .bind(batch::dm_chat_id(account, dm_chat))
        .fetch_one(&mut *tx)
        .await?;
        if linked != person.as_uuid() {
            // Someone else won the race: our person would be an orphan.
            tx.rollback().await?;
            return Ok(PersonId::from_uuid(linked));
        }
        if returning.is_some() && !created {
            // A new account of theirs: snapshots without it are stale.
            sqlx::query("UPDATE persons SET version = version + 1, updated_at = $2 WHERE id = $1")
                .bind(person.as_uuid())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(person)
    }

    async fn record_dm_chat(&self, dm_chat: &DmChat) -> Result<(), StoreError> {
        let Some(chat_id) = batch::dm_chat_id(&dm_chat.account, Some(&dm_chat.chat)) else {
            return Ok(());
        };
        sqlx::query(
            "UPDATE accounts SET dm_chat_id = $1 WHERE platform = $2 AND platform_user_id = $3",
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
        let mut tx = self.pool.begin_with(BEGIN_READ).await?;
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
        let mut tx = self.pool.begin().await?;
        match write_batch(&mut tx, commits, lease).await {
            Ok(outcomes) => {
                tx.commit().await?;
                Ok(outcomes)
            }
            Err(error) => {
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
        let (platforms, ids) = key_columns(keys.iter());
        let rows = sqlx::query(
            "SELECT p.platform, p.update_id FROM processed_updates p \
             JOIN UNNEST($1::text[], $2::text[]) AS k(platform, update_id) \
             ON p.platform = k.platform AND p.update_id = k.update_id",
        )
        .bind(platforms)
        .bind(ids)
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
        let (ids, payloads): (Vec<&str>, Vec<&str>) = updates
            .iter()
            .map(|update| (update.id.as_str(), update.payload.as_str()))
            .unzip();
        sqlx::query(
            "INSERT INTO inbox (platform, update_id, received_at, payload) \
             SELECT $1, u.update_id, $2, u.payload FROM UNNEST($3::text[], $4::text[]) AS u(update_id, payload) \
             WHERE NOT EXISTS (SELECT 1 FROM processed_updates p \
                               WHERE p.platform = $1 AND p.update_id = u.update_id) \
             ON CONFLICT DO NOTHING",
        )
        .bind(platform.as_str())
        .bind(now)
        .bind(ids)
        .bind(payloads)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn inbox_pending(
        &self,
        platform: Platform,
        limit: i64,
    ) -> Result<Vec<InboxUpdate>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT update_id AS id, payload FROM inbox WHERE platform = $1 \
             ORDER BY length(update_id), update_id LIMIT $2",
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
        let rows = sqlx::query(
            "UPDATE inbox SET attempts = attempts + 1 \
             WHERE platform = $1 AND update_id IN \
             (SELECT update_id FROM inbox WHERE platform = $1 \
              ORDER BY length(update_id), update_id LIMIT $2) \
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
                    attempts: u32::try_from(row.try_get::<i32, _>("attempts")?).unwrap_or(0),
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
        let mut tx = self.pool.begin().await?;
        write_quarantine(&mut tx, &updates.iter().collect::<Vec<_>>(), now).await?;
        mark_processed(
            &mut tx,
            &updates.iter().map(|update| &update.key).collect::<Vec<_>>(),
            now,
        )
        .await?;
        for notice in notices {
            sqlx::query(
                "INSERT INTO outbox (person_id, platform, chat_id, body, status, attempts, \
                                     not_before, created_at) \
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
            )
            .bind(notice.person.map(|person| person.as_uuid()))
            .bind(notice.chat.platform.as_str())
            .bind(notice.chat.chat_id.as_str())
            .bind(batch::encode_body(&notice.body)?)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn quarantined(&self, limit: i64) -> Result<Vec<QuarantinedUpdate>, StoreError> {
        let rows = sqlx::query(
            "SELECT platform, update_id, quarantined_at, attempts, reason, payload \
             FROM quarantined_updates ORDER BY quarantined_at DESC, update_id DESC LIMIT $1",
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
                    quarantined_at: row.try_get("quarantined_at")?,
                    attempts: u32::try_from(row.try_get::<i32, _>("attempts")?).unwrap_or(0),
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
        let (platforms, ids) = key_columns(keys.iter());
        sqlx::query(DELETE_FROM_INBOX)
            .bind(platforms)
            .bind(ids)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn prune_processed(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM processed_updates WHERE processed_at < $1")
            .bind(before)
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
        // SKIP LOCKED: two dispatchers claiming at once take different messages.
        let rows = sqlx::query(
            "UPDATE outbox SET lease_owner = $1, lease_until = $2 WHERE id IN \
             (SELECT id FROM outbox WHERE status = 'pending' \
              AND (platform = ANY($5) OR (platform, chat_id) IN \
                   (SELECT * FROM UNNEST($6::text[], $7::text[]))) \
              AND (lease_until IS NULL OR lease_until < $3) \
              ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING id, person_id, platform, chat_id, body, attempts, not_before",
        )
        .bind(&lease.owner)
        .bind(lease.until)
        .bind(now)
        .bind(limit)
        .bind(platform_names(&lease.platforms))
        .bind(platform_names(
            &lease
                .chats
                .iter()
                .map(|chat| chat.platform)
                .collect::<Vec<_>>(),
        ))
        .bind(
            lease
                .chats
                .iter()
                .map(|chat| chat.chat_id.as_str())
                .collect::<Vec<_>>(),
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
        sqlx::query(
            "UPDATE outbox SET lease_until = $1 WHERE lease_owner = $2 AND status = 'pending'",
        )
        .bind(lease.until)
        .bind(&lease.owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn release_outbox_lease(&self, owner: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1",
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
        sqlx::query("DELETE FROM outbox WHERE id = ANY($1)")
            .bind(ids)
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
        sqlx::query(
            "UPDATE outbox SET attempts = $1, not_before = $2, last_error = $3 WHERE id = $4",
        )
        .bind(i32::try_from(attempts).unwrap_or(i32::MAX))
        .bind(not_before)
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
        sqlx::query(
            "UPDATE outbox SET status = 'dead', last_error = $1, lease_owner = NULL, lease_until = NULL \
             WHERE id = ANY($2)",
        )
        .bind(error)
        .bind(ids)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn dead_letters(&self, limit: i64) -> Result<Vec<DeadLetter>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, person_id, platform, chat_id, body, attempts, not_before, last_error \
             FROM outbox WHERE status = 'dead' ORDER BY id DESC LIMIT $1",
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
        // SKIP LOCKED: two schedulers claiming at once take different timers. Free
        // timers first; then, if the batch is not full, those whose holder's lease ran
        // out (a worker that died).
        let mut rows = sqlx::query(concat!(
            "UPDATE timers SET lease_owner = $1, lease_until = $2 WHERE id IN \
             (SELECT id FROM timers WHERE lease_owner IS NULL AND due_at <= $3 \
              AND (lease_until IS NULL OR lease_until < $3) \
              ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING ",
            timer_columns!()
        ))
        .bind(&lease.owner)
        .bind(lease.until)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let room = limit - rows.len() as i64;
        if room > 0 {
            rows.extend(
                sqlx::query(concat!(
                    "UPDATE timers SET lease_owner = $1, lease_until = $2 WHERE id IN \
                     (SELECT id FROM timers WHERE lease_owner IS NOT NULL AND lease_until < $3 \
                      AND due_at <= $3 ORDER BY lease_until LIMIT $4 FOR UPDATE SKIP LOCKED) \
                     RETURNING ",
                    timer_columns!()
                ))
                .bind(&lease.owner)
                .bind(lease.until)
                .bind(now)
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
        sqlx::query(
            "UPDATE timers SET attempts = $1, lease_owner = NULL, lease_until = $2, last_error = $3 \
             WHERE id = $4 AND revision = $5",
        )
        .bind(i32::try_from(attempts).unwrap_or(i32::MAX))
        .bind(not_before)
        .bind(error)
        .bind(timer.id)
        .bind(timer.revision)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn release_timer_leases(&self, owner: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE timers SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1",
        )
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn next_timer_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT MIN(due_at) FROM timers WHERE lease_owner IS NULL")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn timers_of(&self, person: PersonId) -> Result<Vec<DueTimer>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            timer_columns!(),
            " FROM timers WHERE person_id = $1 ORDER BY due_at, id"
        ))
        .bind(person.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_timer_row).collect()
    }

    async fn reengagement_stats(&self) -> Result<ReengagementStats, StoreError> {
        let (sent, returned): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM((data->'reengagement'->>'nudges_sent')::bigint), 0)::bigint, \
                    COALESCE(SUM((data->'reengagement'->>'returns')::bigint), 0)::bigint FROM practice",
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
        let mut tx = self.pool.begin_with(BEGIN_READ).await?;
        let rows = sqlx::query(
            "SELECT q.person_id, p.profile::text AS profile, r.data::text AS data, \
                    a.platform, a.platform_user_id, a.dm_chat_id \
             FROM match_queue q JOIN persons p ON p.id = q.person_id \
             LEFT JOIN practice r ON r.person_id = q.person_id \
             LEFT JOIN accounts a ON a.person_id = q.person_id \
             ORDER BY q.waiting_since, q.person_id, a.created_at, \
                      a.platform COLLATE \"C\", a.platform_user_id COLLATE \"C\"",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        batch::waiting_pool(rows.iter().map(|row| {
            Ok(batch::PoolRow {
                person: PersonId::from_uuid(row.try_get("person_id")?),
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
        sqlx::query(
            "INSERT INTO match_waves (started_at, finished_at, waiting, eligible, edges, pairs, total_weight) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(wave.started_at)
        .bind(wave.finished_at)
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
             FROM match_waves ORDER BY started_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(WaveRecord {
                    started_at: row.try_get("started_at")?,
                    finished_at: row.try_get("finished_at")?,
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
             FROM reports ORDER BY created_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                Ok(Report {
                    id,
                    reporter: PersonId::from_uuid(row.try_get("reporter_id")?),
                    about: PersonId::from_uuid(row.try_get("about_id")?),
                    reason: batch::decode_reason(id, &row.try_get::<String, _>("reason")?)?,
                    details: row.try_get("details")?,
                    proposal: row
                        .try_get::<Option<Uuid>, _>("proposal_id")?
                        .map(ProposalId::from_uuid),
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn partnering_stats(&self) -> Result<PartneringStats, StoreError> {
        let (waiting, proposed, partnered): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM match_queue), \
                    COUNT(*) FILTER (WHERE data->'partnering'->'status'->>'status' = 'proposed'), \
                    COUNT(*) FILTER (WHERE data->'partnering'->'status'->>'status' = 'partnered') \
             FROM practice",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(PartneringStats {
            waiting: batch::count_from_db(waiting),
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
        _ttl: std::time::Duration,
    ) -> Result<Option<Box<dyn Leadership>>, StoreError> {
        // A connection of its own, out of the pool: the session lock lives exactly as
        // long as it, so a leader that dies (or loses the network) lets go by itself.
        let mut connection = self.pool.acquire().await?.detach();
        let key = advisory_key(role);
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut connection)
            .await?;
        if !taken {
            let _ = connection.close().await;
            return Ok(None);
        }
        tracing::debug!(role, owner, key, "took the advisory lock");
        Ok(Some(Box::new(AdvisoryLead {
            connection: Some(connection),
            key,
        })))
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// The advisory lock key of a leader role: FNV-1a of a name only lexbot uses, so the
/// same role always maps to the same key and other applications' locks do not collide
/// by accident.
fn advisory_key(role: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in "lexbot.leader.".bytes().chain(role.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// The PostgreSQL lead: a session advisory lock held on a connection of its own.
struct AdvisoryLead {
    /// `None` once the connection failed: the lock went with it.
    connection: Option<PgConnection>,
    key: i64,
}

#[async_trait]
impl Leadership for AdvisoryLead {
    async fn still_held(&mut self) -> Result<bool, StoreError> {
        let Some(connection) = self.connection.as_mut() else {
            return Ok(false);
        };
        // A bigint key shows in pg_locks as its high and low halves, objsubid 1.
        let held = sqlx::query_scalar::<_, bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' \
             AND pid = pg_backend_pid() AND granted AND objsubid = 1 \
             AND classid::bigint = ($1 >> 32) & 4294967295 AND objid::bigint = $1 & 4294967295)",
        )
        .bind(self.key)
        .fetch_one(connection)
        .await;
        match held {
            Ok(held) => Ok(held),
            Err(error) => {
                // The session (and so the lock) is gone or about to be: another instance
                // may lead now.
                tracing::warn!(%error, "the leader's connection failed; the lead is lost");
                self.connection = None;
                Ok(false)
            }
        }
    }

    async fn release(mut self: Box<Self>) -> Result<(), StoreError> {
        if let Some(mut connection) = self.connection.take() {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(self.key)
                .execute(&mut connection)
                .await?;
            connection.close().await?;
        }
        Ok(())
    }
}

/// The tombstone an account hash leads to, if any.
async fn tombstone_of(
    pool: &PgPool,
    hash: &AccountHash,
) -> Result<Option<batch::TombstoneRead>, StoreError> {
    let row = sqlx::query(
        "SELECT t.person_id, t.blocked, t.former, t.version FROM tombstone_accounts a \
         JOIN tombstones t ON t.person_id = a.person_id WHERE a.account_hash = $1",
    )
    .bind(hash.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        Ok(batch::TombstoneRead {
            person: PersonId::from_uuid(row.try_get("person_id")?),
            blocked: row.try_get("blocked")?,
            former: row.try_get("former")?,
            version: row.try_get("version")?,
        })
    })
    .transpose()
}

async fn read_person(
    conn: &mut PgConnection,
    person: PersonId,
    chat: &ChatKey,
) -> Result<Option<LoadedPerson>, StoreError> {
    let id = person.as_uuid();
    let Some(row) = sqlx::query(
        "SELECT version, profile::text AS profile, created_at FROM persons WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let version: i64 = row.try_get("version")?;
    let profile = batch::decode_profile(person, &row.try_get::<String, _>("profile")?)?;
    let created_at: DateTime<Utc> = row.try_get("created_at")?;

    let rows = sqlx::query(
        "SELECT platform, platform_user_id, dm_chat_id FROM accounts WHERE person_id = $1",
    )
    .bind(id)
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
        "SELECT schema_version, state FROM dialogues WHERE person_id = $1 AND platform = $2 AND chat_id = $3",
    )
    .bind(id)
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
        sqlx::query_scalar("SELECT data::text FROM practice WHERE person_id = $1")
            .bind(id)
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
/// size, each reading its rows from arrays; the caller commits or rolls back.
async fn write_batch(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    commits: &[PersonCommit],
    lease: Option<&OutboxLease>,
) -> Result<Vec<CommitOutcome>, StoreError> {
    let at = commits[0].now;
    // A fired timer that is gone (fired by another worker, moved or cancelled) voids
    // its person's whole share: that step must not act a second time. This read takes
    // no lock: every change to a person's timers also bumps the person's version, so a
    // timer that goes after this read fails the version check below instead.
    let fired: Vec<i64> = commits
        .iter()
        .flat_map(|commit| commit.fired.iter().map(|fired| fired.id))
        .collect();
    let present: HashSet<FiredTimerRef> = if fired.is_empty() {
        HashSet::new()
    } else {
        sqlx::query_as::<_, (i64, i64)>("SELECT id, revision FROM timers WHERE id = ANY($1)")
            .bind(&fired)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(id, revision)| FiredTimerRef { id, revision })
            .collect()
    };
    let gone = batch::people_with_gone_timers(commits, &present);
    // The version check comes next: it decides whose writes happen at all. Rows are
    // locked in id order, so two replicas' batches cannot deadlock on each other. NO KEY
    // UPDATE (what an UPDATE takes anyway) rather than UPDATE: a peer message another
    // batch writes for one of these people takes a key share lock on them (the foreign
    // key, the EXISTS), which must not wait for this batch while this one waits for it.
    let mut order: Vec<&PersonCommit> = commits
        .iter()
        .filter(|commit| !gone.iter().any(|(person, _)| *person == commit.person))
        .collect();
    order.sort_by_key(|commit| commit.person.as_uuid());
    let mut ids = Vec::with_capacity(order.len());
    let mut expected = Vec::with_capacity(order.len());
    let mut profiles = Vec::with_capacity(order.len());
    for commit in &order {
        ids.push(commit.person.as_uuid());
        expected.push(commit.expected_version);
        profiles.push(match &commit.write {
            PersonWrite::Update {
                profile: Some(profile),
                ..
            } => Some(encode_profile(profile)?),
            _ => None,
        });
    }
    let bumped: Vec<Uuid> = sqlx::query_scalar(
        "WITH u AS (SELECT * FROM UNNEST($2::uuid[], $3::int8[], $4::text[]) AS u(id, expected, profile)), \
         locked AS (SELECT p.id FROM persons p JOIN u ON p.id = u.id AND p.version = u.expected \
                    ORDER BY p.id FOR NO KEY UPDATE OF p) \
         UPDATE persons p SET version = p.version + 1, updated_at = $1, \
         profile = COALESCE(u.profile::jsonb, p.profile) \
         FROM u WHERE p.id = u.id AND p.id IN (SELECT id FROM locked) AND p.version = u.expected \
         RETURNING p.id",
    )
    .bind(at)
    .bind(&ids)
    .bind(&expected)
    .bind(&profiles)
    .fetch_all(&mut **tx)
    .await?;
    let passed: HashSet<PersonId> = bumped.into_iter().map(PersonId::from_uuid).collect();

    // Who of the others still exists decides between Conflict and UnknownPerson.
    let missing: Vec<Uuid> = commits
        .iter()
        .filter(|commit| !passed.contains(&commit.person))
        .map(|commit| commit.person.as_uuid())
        .collect();
    let existing: HashSet<Uuid> = if missing.is_empty() {
        HashSet::new()
    } else {
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM persons WHERE id = ANY($1)")
            .bind(&missing)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect()
    };

    let rows = BatchRows::new(commits, &passed)?;
    if !rows.dialogues.is_empty() {
        let mut persons = Vec::with_capacity(rows.dialogues.len());
        let mut platforms = Vec::with_capacity(rows.dialogues.len());
        let mut chats = Vec::with_capacity(rows.dialogues.len());
        let mut versions = Vec::with_capacity(rows.dialogues.len());
        let mut states = Vec::with_capacity(rows.dialogues.len());
        for row in &rows.dialogues {
            persons.push(row.person.as_uuid());
            platforms.push(row.chat.platform.as_str());
            chats.push(row.chat.chat_id.as_str());
            versions.push(row.schema_version);
            states.push(row.state);
        }
        sqlx::query(
            "INSERT INTO dialogues (person_id, platform, chat_id, schema_version, state, updated_at) \
             SELECT u.person_id, u.platform, u.chat_id, u.schema_version, u.state, $1 \
             FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::int4[], $6::text[]) \
                  AS u(person_id, platform, chat_id, schema_version, state) \
             ON CONFLICT (person_id, platform, chat_id) DO UPDATE SET \
             schema_version = excluded.schema_version, state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(at)
        .bind(persons)
        .bind(platforms)
        .bind(chats)
        .bind(versions)
        .bind(states)
        .execute(&mut **tx)
        .await?;
    }
    if !rows.practice.is_empty() {
        let (persons, records): (Vec<Uuid>, Vec<&str>) = rows
            .practice
            .iter()
            .map(|(person, data)| (person.as_uuid(), data.as_str()))
            .unzip();
        sqlx::query(
            "INSERT INTO practice (person_id, data, updated_at) \
             SELECT u.person_id, u.data::jsonb, $1 FROM UNNEST($2::uuid[], $3::text[]) AS u(person_id, data) \
             ON CONFLICT (person_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        )
        .bind(at)
        .bind(persons)
        .bind(records)
        .execute(&mut **tx)
        .await?;
    }
    if !rows.erased.is_empty() {
        let erased: Vec<Uuid> = rows.erased.iter().map(|person| person.as_uuid()).collect();
        // Explicit deletes, so erasure does not hinge on every foreign key cascading.
        for sql in [
            "DELETE FROM dialogues WHERE person_id = ANY($1)",
            "DELETE FROM timers WHERE person_id = ANY($1)",
            "DELETE FROM practice WHERE person_id = ANY($1)",
            "DELETE FROM match_queue WHERE person_id = ANY($1)",
            "DELETE FROM outbox WHERE person_id = ANY($1)",
            "DELETE FROM quarantined_updates WHERE person_id = ANY($1)",
            "DELETE FROM accounts WHERE person_id = ANY($1)",
            "DELETE FROM persons WHERE id = ANY($1)",
        ] {
            sqlx::query(sql).bind(&erased).execute(&mut **tx).await?;
        }
    }
    write_tombstones(tx, &rows, at).await?;
    write_matching(tx, &rows).await?;
    let mut queued: Vec<Vec<OutboxMessage>> = vec![Vec::new(); commits.len()];
    if !rows.outbox.is_empty() {
        let mut persons = Vec::with_capacity(rows.outbox.len());
        let mut platforms = Vec::with_capacity(rows.outbox.len());
        let mut chats = Vec::with_capacity(rows.outbox.len());
        let mut bodies = Vec::with_capacity(rows.outbox.len());
        // Leased only to a holder that sends to the message's chat.
        let mut leased = Vec::with_capacity(rows.outbox.len());
        for row in &rows.outbox {
            persons.push(row.message.person.map(|person| person.as_uuid()));
            platforms.push(row.message.chat.platform.as_str());
            chats.push(row.message.chat.chat_id.as_str());
            bodies.push(row.body.as_str());
            leased.push(lease.is_some_and(|lease| lease.serves(&row.message.chat)));
        }
        let mut ids: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO outbox (person_id, platform, chat_id, body, status, attempts, not_before, \
                                 lease_owner, lease_until, created_at) \
             SELECT u.person_id, u.platform, u.chat_id, u.body, 'pending', 0, $1, \
                    CASE WHEN u.leased THEN $2 END, \
                    CASE WHEN u.leased THEN $3 END, $1 \
             FROM UNNEST($4::uuid[], $5::text[], $6::text[], $7::text[], $8::bool[]) \
                  WITH ORDINALITY AS u(person_id, platform, chat_id, body, leased, ord) \
             ORDER BY u.ord \
             RETURNING id",
        )
        .bind(at)
        .bind(lease.map(|lease| lease.owner.as_str()))
        .bind(lease.map(|lease| lease.until))
        .bind(persons)
        .bind(platforms)
        .bind(chats)
        .bind(bodies)
        .bind(leased)
        .fetch_all(&mut **tx)
        .await?;
        // Ids are drawn from the sequence as rows are inserted in array order, so
        // ascending ids follow it.
        ids.sort_unstable();
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
    // Before `mark_processed` empties their inbox rows, which hold the payloads.
    write_quarantine(tx, &rows.quarantined, at).await?;
    // Handled: the updates leave the inbox with their effects.
    mark_processed(tx, &rows.processed, at).await?;

    write_timers(tx, &rows, at).await?;

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
            } else if existing.contains(&commit.person.as_uuid()) {
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
    tx: &mut sqlx::Transaction<'static, Postgres>,
    rows: &BatchRows<'_>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if rows.tombstones.is_empty() {
        return Ok(());
    }
    let mut persons = Vec::with_capacity(rows.tombstones.len());
    let mut blocked = Vec::with_capacity(rows.tombstones.len());
    let mut former = Vec::with_capacity(rows.tombstones.len());
    let mut versions = Vec::with_capacity(rows.tombstones.len());
    let mut hashes = Vec::new();
    let mut owners = Vec::new();
    for row in &rows.tombstones {
        persons.push(row.person.as_uuid());
        blocked.push(row.blocked.as_str());
        former.push(row.former.as_str());
        versions.push(row.version);
        for hash in &row.tombstone.accounts {
            hashes.push(hash.as_str());
            owners.push(row.person.as_uuid());
        }
    }
    sqlx::query(
        "INSERT INTO tombstones (person_id, blocked, former, version, erased_at) \
         SELECT u.person_id, u.blocked, u.former, u.version, $1 \
         FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::int8[]) \
              AS u(person_id, blocked, former, version) \
         ON CONFLICT (person_id) DO UPDATE SET blocked = excluded.blocked, \
         former = excluded.former, version = excluded.version, erased_at = excluded.erased_at",
    )
    .bind(at)
    .bind(persons)
    .bind(blocked)
    .bind(former)
    .bind(versions)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO tombstone_accounts (account_hash, person_id) \
         SELECT u.account_hash, u.person_id FROM UNNEST($1::text[], $2::uuid[]) \
              AS u(account_hash, person_id) \
         ON CONFLICT (account_hash) DO UPDATE SET person_id = excluded.person_id",
    )
    .bind(hashes)
    .bind(owners)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The matching part of a batch (after erasures): the queue follows the practice
/// records written, and reports are filed (they outlive either side's erasure).
async fn write_matching(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    rows: &BatchRows<'_>,
) -> Result<(), StoreError> {
    if !rows.queue_joins.is_empty() {
        let (persons, since): (Vec<Uuid>, Vec<DateTime<Utc>>) = rows
            .queue_joins
            .iter()
            .map(|(person, since)| (person.as_uuid(), *since))
            .unzip();
        sqlx::query(
            "INSERT INTO match_queue (person_id, waiting_since) \
             SELECT u.person_id, u.waiting_since FROM UNNEST($1::uuid[], $2::timestamptz[]) \
                  AS u(person_id, waiting_since) \
             ON CONFLICT (person_id) DO UPDATE SET waiting_since = excluded.waiting_since",
        )
        .bind(persons)
        .bind(since)
        .execute(&mut **tx)
        .await?;
    }
    if !rows.queue_leaves.is_empty() {
        let leaves: Vec<Uuid> = rows
            .queue_leaves
            .iter()
            .map(|person| person.as_uuid())
            .collect();
        sqlx::query("DELETE FROM match_queue WHERE person_id = ANY($1)")
            .bind(leaves)
            .execute(&mut **tx)
            .await?;
    }
    if !rows.reports.is_empty() {
        let count = rows.reports.len();
        let mut reporters = Vec::with_capacity(count);
        let mut abouts = Vec::with_capacity(count);
        let mut reasons = Vec::with_capacity(count);
        let mut details = Vec::with_capacity(count);
        let mut proposals = Vec::with_capacity(count);
        let mut at = Vec::with_capacity(count);
        for row in &rows.reports {
            reporters.push(row.reporter.as_uuid());
            abouts.push(row.report.about.as_uuid());
            reasons.push(row.report.reason.as_str());
            details.push(row.report.details.as_str());
            proposals.push(row.report.proposal.map(|proposal| proposal.to_string()));
            at.push(row.at);
        }
        // A report about someone erased meanwhile is still filed: admins keep reports.
        sqlx::query(
            "INSERT INTO reports (reporter_id, about_id, reason, details, proposal_id, created_at) \
             SELECT u.reporter_id, u.about_id, u.reason, u.details, u.proposal_id::uuid, u.created_at \
             FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) \
                  WITH ORDINALITY AS u(reporter_id, about_id, reason, details, proposal_id, created_at, ord) \
             ORDER BY u.ord",
        )
        .bind(reporters)
        .bind(abouts)
        .bind(reasons)
        .bind(details)
        .bind(proposals)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The timer part of a batch: fired timers go, cancelled ones go, new and moved ones
/// are written (in that order, so a fired timer can schedule its own next occurrence).
async fn write_timers(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    rows: &BatchRows<'_>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if !rows.fired.is_empty() {
        sqlx::query("DELETE FROM timers WHERE id = ANY($1)")
            .bind(&rows.fired)
            .execute(&mut **tx)
            .await?;
    }
    if !rows.timer_cancels.is_empty() {
        let mut persons = Vec::with_capacity(rows.timer_cancels.len());
        let mut kinds = Vec::with_capacity(rows.timer_cancels.len());
        let mut keys = Vec::with_capacity(rows.timer_cancels.len());
        for (person, kind, key) in &rows.timer_cancels {
            persons.push(person.as_uuid());
            kinds.push(kind.as_str());
            keys.push(*key);
        }
        sqlx::query(
            "DELETE FROM timers t USING UNNEST($1::uuid[], $2::text[], $3::text[]) AS c(person_id, kind, key) \
             WHERE t.person_id = c.person_id AND t.kind = c.kind AND t.key = c.key",
        )
        .bind(persons)
        .bind(kinds)
        .bind(keys)
        .execute(&mut **tx)
        .await?;
    }
    if !rows.timer_upserts.is_empty() {
        // A delivery to someone erased (in this batch or before) is dropped: EXISTS
        // rather than the foreign key, which would fail the whole batch. The locking
        // read waits for an erasure in flight and then sees the person gone (a plain
        // EXISTS would see them in its snapshot and the foreign key would then fail).
        let count = rows.timer_upserts.len();
        let mut persons = Vec::with_capacity(count);
        let mut kinds = Vec::with_capacity(count);
        let mut keys = Vec::with_capacity(count);
        let mut due = Vec::with_capacity(count);
        let mut platforms = Vec::with_capacity(count);
        let mut chats = Vec::with_capacity(count);
        let mut payloads = Vec::with_capacity(count);
        for row in &rows.timer_upserts {
            persons.push(row.person.as_uuid());
            kinds.push(row.kind.as_str());
            keys.push(row.key);
            due.push(row.due_at);
            platforms.push(row.chat.platform.as_str());
            chats.push(row.chat.chat_id.as_str());
            payloads.push(row.payload);
        }
        sqlx::query(
            "INSERT INTO timers (person_id, kind, key, due_at, platform, chat_id, payload, \
                                 revision, attempts, created_at) \
             SELECT u.person_id, u.kind, u.key, u.due_at, u.platform, u.chat_id, u.payload, 0, 0, $1 \
             FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[]) \
                  AS u(person_id, kind, key, due_at, platform, chat_id, payload) \
             WHERE EXISTS (SELECT 1 FROM persons p WHERE p.id = u.person_id FOR KEY SHARE) \
             ON CONFLICT (person_id, kind, key) DO UPDATE SET \
             due_at = excluded.due_at, platform = excluded.platform, chat_id = excluded.chat_id, \
             payload = excluded.payload, revision = timers.revision + 1, attempts = 0, \
             lease_owner = NULL, lease_until = NULL, last_error = NULL",
        )
        .bind(at)
        .bind(persons)
        .bind(kinds)
        .bind(keys)
        .bind(due)
        .bind(platforms)
        .bind(chats)
        .bind(payloads)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
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
    .await?;
    sqlx::query(DELETE_FROM_INBOX)
        .bind(platforms)
        .bind(ids)
        .execute(&mut **tx)
        .await?;
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
        .await?;
    }
    Ok(())
}

fn key_columns<'a>(keys: impl Iterator<Item = &'a UpdateKey>) -> (Vec<&'a str>, Vec<&'a str>) {
    keys.map(|key| (key.platform.as_str(), key.id.as_str()))
        .unzip()
}

fn decode_timer_row(row: &sqlx::postgres::PgRow) -> Result<DueTimer, StoreError> {
    let platform: String = row.try_get("platform")?;
    Ok(DueTimer {
        id: row.try_get("id")?,
        revision: row.try_get("revision")?,
        person: PersonId::from_uuid(row.try_get("person_id")?),
        kind: row.try_get("kind")?,
        key: row.try_get("key")?,
        due_at: row.try_get("due_at")?,
        chat: ChatKey::new(
            batch::decode_platform("timers", &platform)?,
            row.try_get::<String, _>("chat_id")?,
        ),
        payload: row.try_get("payload")?,
        attempts: u32::try_from(row.try_get::<i32, _>("attempts")?).unwrap_or(u32::MAX),
    })
}

fn decode_outbox_row(row: &sqlx::postgres::PgRow) -> Result<OutboxMessage, StoreError> {
    let id: i64 = row.try_get("id")?;
    let platform: String = row.try_get("platform")?;
    Ok(OutboxMessage {
        id,
        chat: ChatKey::new(
            batch::decode_platform("outbox", &platform)?,
            row.try_get::<String, _>("chat_id")?,
        ),
        person: row
            .try_get::<Option<Uuid>, _>("person_id")?
            .map(PersonId::from_uuid),
        body: batch::decode_body(id, &row.try_get::<String, _>("body")?)?,
        attempts: u32::try_from(row.try_get::<i32, _>("attempts")?).unwrap_or(u32::MAX),
        not_before: row.try_get("not_before")?,
    })
}

fn encode_profile(profile: &Profile) -> Result<String, StoreError> {
    serde_json::to_string(profile).map_err(|error| StoreError::Corrupt {
        table: "persons",
        reason: format!("profile does not serialise: {error}"),
    })
}
