//! [`AdminStore`] on SQLite. Profiles and practice records are JSON text, read with
//! `json_extract`; times are fixed-width RFC 3339 text (see migrations/sqlite/0001_init.sql).

use async_trait::async_trait;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use sqlx::{QueryBuilder, Row, Sqlite};

use super::SqliteStore;
use crate::domain::{ChatKey, LanguageCode, PersonId};
use crate::engine::{
    AdminStats, Audience, AuditEntry, BroadcastProgress, DeadLetterView, LanguagePairCount,
    PersonSummary, ReportView, Resolution,
};
use crate::storage::admin::{
    AdminStore, AuditQuery, NewAuditEntry, NewBroadcast, OpenReport, PersonLookup, QueuedBroadcast,
    audience_locale, broadcast_body, first_chat_each, handle_pattern, matching_status,
};
use crate::storage::error::database;
use crate::storage::{StoreError, batch};

/// As the main store's: take SQLite's write lock up front so writers queue.
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// Outbox rows one INSERT of a broadcast writes (9 bound values each).
const BROADCAST_ROWS_PER_STATEMENT: usize = 500;

/// The filter of people a broadcast reaches, over `persons p` and `accounts a`; binds
/// the interface language twice (NULL = any).
macro_rules! audience_filter {
    () => {
        "a.dm_chat_id IS NOT NULL \
     AND json_extract(p.profile, '$.completed') = 1 \
     AND IFNULL(json_extract(p.profile, '$.banned'), 0) = 0 \
     AND IFNULL(json_extract(p.profile, '$.unreachable'), 0) = 0 \
     AND (? IS NULL OR json_extract(p.profile, '$.locale') = ?)"
    };
}

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

fn decode_person_id(table: &'static str, raw: &str) -> Result<PersonId, StoreError> {
    PersonId::parse(raw).map_err(|error| StoreError::Corrupt {
        table,
        reason: format!("person id `{raw}`: {error}"),
    })
}

fn decode_audit_row(row: &sqlx::sqlite::SqliteRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: row.try_get("id").map_err(database)?,
        at: decode_time(
            "audit_log",
            &row.try_get::<String, _>("at").map_err(database)?,
        )?,
        actor: row.try_get("actor").map_err(database)?,
        action: row.try_get("action").map_err(database)?,
        target: row
            .try_get::<Option<String>, _>("target_id")
            .map_err(database)?
            .map(|raw| decode_person_id("audit_log", &raw))
            .transpose()?,
        details: row.try_get("details").map_err(database)?,
        outcome: row.try_get("outcome").map_err(database)?,
    })
}

fn decode_report_row(row: &sqlx::sqlite::SqliteRow) -> Result<ReportView, StoreError> {
    let id: i64 = row.try_get("id").map_err(database)?;
    Ok(ReportView {
        id,
        reporter: decode_person_id(
            "reports",
            &row.try_get::<String, _>("reporter_id").map_err(database)?,
        )?,
        about: decode_person_id(
            "reports",
            &row.try_get::<String, _>("about_id").map_err(database)?,
        )?,
        reason: batch::decode_reason(id, &row.try_get::<String, _>("reason").map_err(database)?)?,
        details: row.try_get("details").map_err(database)?,
        created_at: decode_time(
            "reports",
            &row.try_get::<String, _>("created_at").map_err(database)?,
        )?,
    })
}

impl SqliteStore {
    /// Each person a broadcast to `audience` reaches, with their oldest private chat.
    async fn recipients(&self, audience: Audience) -> Result<Vec<(PersonId, ChatKey)>, StoreError> {
        let locale = audience_locale(audience);
        let rows = sqlx::query(concat!(
            "SELECT p.id, a.platform, a.dm_chat_id FROM persons p \
             JOIN accounts a ON a.person_id = p.id WHERE ",
            audience_filter!(),
            " ORDER BY p.id, a.created_at, a.platform, a.platform_user_id"
        ))
        .bind(locale)
        .bind(locale)
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        let mut decoded = Vec::with_capacity(rows.len());
        for row in &rows {
            let person = decode_person_id(
                "persons",
                &row.try_get::<String, _>("id").map_err(database)?,
            )?;
            let platform = batch::decode_platform(
                "accounts",
                &row.try_get::<String, _>("platform").map_err(database)?,
            )?;
            let chat: String = row.try_get("dm_chat_id").map_err(database)?;
            decoded.push((person, ChatKey::new(platform, chat)));
        }
        Ok(first_chat_each(decoded))
    }
}

#[async_trait]
impl AdminStore for SqliteStore {
    async fn audit(&self, entry: &NewAuditEntry) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO audit_log (at, actor, action, target_id, details, outcome) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(encode_time(entry.at))
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(entry.target.map(|id| id.to_string()))
        .bind(&entry.details)
        .bind(&entry.outcome)
        .fetch_one(&self.pool)
        .await
        .map_err(database)?;
        Ok(id)
    }

    async fn audit_log(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, target_id, details, outcome FROM audit_log \
             WHERE (? IS NULL OR target_id = ?) AND (? IS NULL OR id < ?) \
             ORDER BY id DESC LIMIT ?",
        )
        .bind(query.target.map(|id| id.to_string()))
        .bind(query.target.map(|id| id.to_string()))
        .bind(query.before)
        .bind(query.before)
        .bind(query.limit.max(0))
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        rows.iter().map(decode_audit_row).collect()
    }

    async fn find_person(&self, lookup: &PersonLookup) -> Result<Option<PersonId>, StoreError> {
        let raw: Option<String> = match lookup {
            PersonLookup::Id(id) => sqlx::query_scalar("SELECT id FROM persons WHERE id = ?")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(database)?,
            PersonLookup::Account(account) => sqlx::query_scalar(
                "SELECT person_id FROM accounts WHERE platform = ? AND platform_user_id = ?",
            )
            .bind(account.platform.as_str())
            .bind(&account.user_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(database)?,
            PersonLookup::Handle(handle) => sqlx::query_scalar(
                "SELECT person_id FROM practice WHERE json_extract(data, '$.handle') = ? \
                     OR json_extract(data, '$.handle') LIKE ? ESCAPE '\\' \
                     ORDER BY updated_at DESC LIMIT 1",
            )
            .bind(handle)
            .bind(handle_pattern(handle))
            .fetch_optional(&self.pool)
            .await
            .map_err(database)?,
        };
        raw.map(|raw| decode_person_id("persons", &raw)).transpose()
    }

    async fn person_summary(
        &self,
        person: PersonId,
        audit_limit: i64,
    ) -> Result<Option<PersonSummary>, StoreError> {
        let id = person.to_string();
        let Some(row) = sqlx::query(
            "SELECT p.profile, p.created_at, \
             json_extract(r.data, '$.partnering.status.status') AS status, \
             (SELECT COUNT(*) FROM reports WHERE about_id = p.id) AS about, \
             (SELECT COUNT(*) FROM reports WHERE reporter_id = p.id) AS filed \
             FROM persons p LEFT JOIN practice r ON r.person_id = p.id WHERE p.id = ?",
        )
        .bind(&id)
        .fetch_optional(&self.pool)
        .await
        .map_err(database)?
        else {
            return Ok(None);
        };
        let profile = batch::decode_profile(
            person,
            &row.try_get::<String, _>("profile").map_err(database)?,
        )?;
        let created_at = decode_time(
            "persons",
            &row.try_get::<String, _>("created_at").map_err(database)?,
        )?;
        let status: Option<String> = row.try_get("status").map_err(database)?;
        let accounts = sqlx::query(
            "SELECT platform, platform_user_id, dm_chat_id FROM accounts WHERE person_id = ?",
        )
        .bind(&id)
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        let (accounts, _) = batch::decode_accounts(accounts.iter().map(|row| {
            Ok(batch::AccountRow {
                platform: row.try_get("platform").map_err(database)?,
                user_id: row.try_get("platform_user_id").map_err(database)?,
                dm_chat_id: row.try_get("dm_chat_id").map_err(database)?,
            })
        }))?;
        let audit = self
            .audit_log(&AuditQuery {
                target: Some(person),
                before: None,
                limit: audit_limit,
            })
            .await?;
        Ok(Some(PersonSummary {
            id: person,
            created_at,
            accounts,
            profile,
            matching: matching_status(status.as_deref()),
            reports_about: batch::count_from_db(row.try_get("about").map_err(database)?),
            reports_filed: batch::count_from_db(row.try_get("filed").map_err(database)?),
            audit,
        }))
    }

    async fn private_chat(&self, person: PersonId) -> Result<Option<ChatKey>, StoreError> {
        let row = sqlx::query(
            "SELECT platform, dm_chat_id FROM accounts \
             WHERE person_id = ? AND dm_chat_id IS NOT NULL \
             ORDER BY created_at, platform, platform_user_id LIMIT 1",
        )
        .bind(person.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(database)?;
        row.map(|row| {
            let platform = batch::decode_platform(
                "accounts",
                &row.try_get::<String, _>("platform").map_err(database)?,
            )?;
            Ok(ChatKey::new(
                platform,
                row.try_get::<String, _>("dm_chat_id").map_err(database)?,
            ))
        })
        .transpose()
    }

    async fn stats(&self, now: DateTime<Utc>) -> Result<AdminStats, StoreError> {
        let day = encode_time(now - Duration::days(1));
        let week = encode_time(now - Duration::days(7));
        let people = sqlx::query(
            "SELECT COUNT(*) AS people, \
             COALESCE(SUM(c = 0), 0) AS onboarding, COALESCE(SUM(c = 1), 0) AS onboarded, \
             COALESCE(SUM(c = 1 AND paused = 1), 0) AS paused, \
             COALESCE(SUM(unreachable = 1), 0) AS unreachable, \
             COALESCE(SUM(banned = 1), 0) AS banned, \
             COALESCE(SUM(c = 1 AND created_at >= ?), 0) AS today, \
             COALESCE(SUM(c = 1 AND created_at >= ?), 0) AS week \
             FROM (SELECT json_extract(profile, '$.completed') AS c, \
                   json_extract(profile, '$.matching_paused') AS paused, \
                   IFNULL(json_extract(profile, '$.unreachable'), 0) AS unreachable, \
                   IFNULL(json_extract(profile, '$.banned'), 0) AS banned, created_at \
                   FROM persons)",
        )
        .bind(&day)
        .bind(&week)
        .fetch_one(&self.pool)
        .await
        .map_err(database)?;
        let matching = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM match_queue) AS waiting, \
             COALESCE(SUM(s = 'proposed'), 0) AS proposed, \
             COALESCE(SUM(s = 'partnered'), 0) AS partnered \
             FROM (SELECT json_extract(data, '$.partnering.status.status') AS s FROM practice)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(database)?;
        let pairs = sqlx::query(
            "SELECT n.value AS native, json_extract(t.value, '$.language') AS learning, \
             COUNT(*) AS people \
             FROM persons p, json_each(p.profile, '$.native') n, json_each(p.profile, '$.targets') t \
             WHERE json_extract(p.profile, '$.completed') = 1 \
             AND IFNULL(json_extract(p.profile, '$.banned'), 0) = 0 \
             GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 5",
        )
        .fetch_all(&self.pool)
        .await.map_err(database)?;
        let mut top_pairs = Vec::with_capacity(pairs.len());
        for row in &pairs {
            let native: String = row.try_get("native").map_err(database)?;
            let learning: String = row.try_get("learning").map_err(database)?;
            // A code this build does not know is left out of the figures, not an error.
            if let (Some(native), Some(learning)) =
                (LanguageCode::parse(&native), LanguageCode::parse(&learning))
            {
                top_pairs.push(LanguagePairCount {
                    native,
                    learning,
                    people: batch::count_from_db(row.try_get("people").map_err(database)?),
                });
            }
        }
        let waves = sqlx::query(
            "SELECT COUNT(*) AS waves, COALESCE(SUM(pairs), 0) AS pairs \
             FROM match_waves WHERE started_at >= ?",
        )
        .bind(&day)
        .fetch_one(&self.pool)
        .await
        .map_err(database)?;
        let delivery = sqlx::query(
            "SELECT COALESCE(SUM(status = 'pending'), 0) AS queued, \
             COALESCE(SUM(status = 'dead'), 0) AS dead FROM outbox",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(database)?;
        let late: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM timers WHERE due_at < ?")
            .bind(encode_time(now - Duration::minutes(1)))
            .fetch_one(&self.pool)
            .await
            .map_err(database)?;
        let open_reports: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE resolution IS NULL")
                .fetch_one(&self.pool)
                .await
                .map_err(database)?;
        let count = |row: &sqlx::sqlite::SqliteRow, column: &str| -> Result<u64, StoreError> {
            Ok(batch::count_from_db(row.try_get(column).map_err(database)?))
        };
        Ok(AdminStats {
            people: count(&people, "people")?,
            onboarding: count(&people, "onboarding")?,
            onboarded: count(&people, "onboarded")?,
            paused: count(&people, "paused")?,
            unreachable: count(&people, "unreachable")?,
            banned: count(&people, "banned")?,
            onboarded_today: count(&people, "today")?,
            onboarded_week: count(&people, "week")?,
            waiting: count(&matching, "waiting")?,
            proposed: count(&matching, "proposed")?,
            partnered: count(&matching, "partnered")?,
            top_pairs,
            waves_last_day: count(&waves, "waves")?,
            pairs_last_day: count(&waves, "pairs")?,
            outbox_queued: count(&delivery, "queued")?,
            outbox_dead: count(&delivery, "dead")?,
            timers_late: batch::count_from_db(late),
            open_reports: batch::count_from_db(open_reports),
        })
    }

    async fn reports_page(&self, limit: i64) -> Result<(u64, Vec<ReportView>), StoreError> {
        let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE resolution IS NULL")
            .fetch_one(&self.pool)
            .await
            .map_err(database)?;
        let rows = sqlx::query(
            "SELECT id, reporter_id, about_id, reason, details, created_at FROM reports \
             WHERE resolution IS NULL ORDER BY created_at, id LIMIT ?",
        )
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        let page = rows
            .iter()
            .map(decode_report_row)
            .collect::<Result<_, _>>()?;
        Ok((batch::count_from_db(open), page))
    }

    async fn open_report(&self, id: i64) -> Result<Option<OpenReport>, StoreError> {
        let row = sqlx::query(
            "SELECT id, reporter_id, about_id, reason, details, created_at FROM reports \
             WHERE id = ? AND resolution IS NULL",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(database)?;
        row.as_ref().map(decode_report_row).transpose()
    }

    async fn close_report(
        &self,
        id: i64,
        resolution: Resolution,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let closed = sqlx::query(
            "UPDATE reports SET resolution = ?, resolved_at = ?, resolved_by = ? \
             WHERE id = ? AND resolution IS NULL",
        )
        .bind(resolution.as_str())
        .bind(encode_time(now))
        .bind(actor)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(database)?;
        Ok(closed.rows_affected() == 1)
    }

    async fn broadcast_audience(&self, audience: Audience) -> Result<u64, StoreError> {
        Ok(self.recipients(audience).await?.len() as u64)
    }

    async fn broadcast_create(
        &self,
        broadcast: &NewBroadcast,
    ) -> Result<QueuedBroadcast, StoreError> {
        let body = broadcast_body(&broadcast.text)?;
        let audience =
            serde_json::to_string(&broadcast.audience).map_err(|error| StoreError::Corrupt {
                table: "broadcasts",
                reason: format!("an audience does not serialise: {error}"),
            })?;
        let recipients = self.recipients(broadcast.audience).await?;
        let at = encode_time(broadcast.at);
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(database)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO broadcasts (created_at, actor, audience, text, queued) \
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&at)
        .bind(&broadcast.actor)
        .bind(&audience)
        .bind(&broadcast.text)
        .bind(batch::count_to_db(recipients.len() as u64))
        .fetch_one(&mut *tx)
        .await
        .map_err(database)?;
        for chunk in recipients.chunks(BROADCAST_ROWS_PER_STATEMENT) {
            let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO outbox (person_id, platform, chat_id, body, status, attempts, \
                 not_before, created_at, broadcast_id) ",
            );
            insert.push_values(chunk, |mut row, (person, chat)| {
                row.push_bind(person.to_string())
                    .push_bind(chat.platform.as_str())
                    .push_bind(chat.chat_id.clone())
                    .push_bind(body.clone())
                    .push_bind("pending")
                    .push_bind(0_i64)
                    .push_bind(at.clone())
                    .push_bind(at.clone())
                    .push_bind(id);
            });
            insert.build().execute(&mut *tx).await.map_err(database)?;
        }
        tx.commit().await.map_err(database)?;
        Ok(QueuedBroadcast {
            id,
            queued: recipients.len() as u64,
        })
    }

    async fn broadcast_progress(&self, id: i64) -> Result<Option<BroadcastProgress>, StoreError> {
        let Some(queued) =
            sqlx::query_scalar::<_, i64>("SELECT queued FROM broadcasts WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(database)?
        else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT COALESCE(SUM(status = 'pending'), 0) AS pending, \
             COALESCE(SUM(status = 'dead'), 0) AS dead FROM outbox WHERE broadcast_id = ?",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .map_err(database)?;
        let queued = batch::count_from_db(queued);
        let pending = batch::count_from_db(row.try_get("pending").map_err(database)?);
        let failed = batch::count_from_db(row.try_get("dead").map_err(database)?);
        Ok(Some(BroadcastProgress {
            broadcast: id,
            queued,
            sent: queued.saturating_sub(pending + failed),
            failed,
        }))
    }

    async fn dead_letter_sample(
        &self,
        limit: i64,
    ) -> Result<(u64, Vec<DeadLetterView>), StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'dead'")
            .fetch_one(&self.pool)
            .await
            .map_err(database)?;
        let rows = sqlx::query(
            "SELECT id, platform, chat_id, attempts, last_error FROM outbox \
             WHERE status = 'dead' ORDER BY id DESC LIMIT ?",
        )
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        let mut sample = Vec::with_capacity(rows.len());
        for row in &rows {
            let platform: String = row.try_get("platform").map_err(database)?;
            let chat: String = row.try_get("chat_id").map_err(database)?;
            sample.push(DeadLetterView {
                id: row.try_get("id").map_err(database)?,
                chat: format!("{platform}:{chat}"),
                attempts: u32::try_from(row.try_get::<i64, _>("attempts").map_err(database)?)
                    .unwrap_or(u32::MAX),
                last_error: row
                    .try_get::<Option<String>, _>("last_error")
                    .map_err(database)?
                    .unwrap_or_default(),
            });
        }
        Ok((batch::count_from_db(count), sample))
    }

    async fn retry_dead_letters(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let retried = sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = 0, not_before = ?, \
             lease_owner = NULL, lease_until = NULL WHERE status = 'dead'",
        )
        .bind(encode_time(now))
        .execute(&self.pool)
        .await
        .map_err(database)?;
        Ok(retried.rows_affected())
    }
}
