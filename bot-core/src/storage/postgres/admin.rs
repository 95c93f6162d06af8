//! [`AdminStore`] on PostgreSQL. Profiles and practice records are JSONB.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sqlx::{QueryBuilder, Row};

use super::PostgresStore;
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

/// Outbox rows one INSERT of a broadcast writes (9 bound values each).
const BROADCAST_ROWS_PER_STATEMENT: usize = 1000;

/// The filter of people a broadcast reaches, over `persons p` and `accounts a`; `$1` is
/// the interface language (NULL = any).
macro_rules! audience_filter {
    () => {
        "a.dm_chat_id IS NOT NULL \
     AND (p.profile->>'completed')::boolean \
     AND NOT COALESCE((p.profile->>'banned')::boolean, false) \
     AND NOT COALESCE((p.profile->>'unreachable')::boolean, false) \
     AND ($1::text IS NULL OR p.profile->>'locale' = $1::text)"
    };
}

fn decode_audit_row(row: &sqlx::postgres::PgRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: row.try_get("id").map_err(database)?,
        at: row.try_get("at").map_err(database)?,
        actor: row.try_get("actor").map_err(database)?,
        action: row.try_get("action").map_err(database)?,
        target: row
            .try_get::<Option<uuid::Uuid>, _>("target_id")
            .map_err(database)?
            .map(PersonId::from_uuid),
        details: row.try_get("details").map_err(database)?,
        outcome: row.try_get("outcome").map_err(database)?,
    })
}

fn decode_report_row(row: &sqlx::postgres::PgRow) -> Result<ReportView, StoreError> {
    let id: i64 = row.try_get("id").map_err(database)?;
    Ok(ReportView {
        id,
        reporter: PersonId::from_uuid(row.try_get("reporter_id").map_err(database)?),
        about: PersonId::from_uuid(row.try_get("about_id").map_err(database)?),
        reason: batch::decode_reason(id, &row.try_get::<String, _>("reason").map_err(database)?)?,
        details: row.try_get("details").map_err(database)?,
        created_at: row.try_get("created_at").map_err(database)?,
    })
}

impl PostgresStore {
    /// Each person a broadcast to `audience` reaches, with their oldest private chat.
    async fn recipients(&self, audience: Audience) -> Result<Vec<(PersonId, ChatKey)>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT p.id, a.platform, a.dm_chat_id FROM persons p \
             JOIN accounts a ON a.person_id = p.id WHERE ",
            audience_filter!(),
            " ORDER BY p.id, a.created_at, a.platform COLLATE \"C\", a.platform_user_id COLLATE \"C\""
        ))
        .bind(audience_locale(audience))
        .fetch_all(&self.pool)
        .await.map_err(database)?;
        let mut decoded = Vec::with_capacity(rows.len());
        for row in &rows {
            let person = PersonId::from_uuid(row.try_get("id").map_err(database)?);
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
impl AdminStore for PostgresStore {
    async fn audit(&self, entry: &NewAuditEntry) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO audit_log (at, actor, action, target_id, details, outcome) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(entry.at)
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(entry.target.map(|id| id.as_uuid()))
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
             WHERE ($1::uuid IS NULL OR target_id = $1) AND ($2::bigint IS NULL OR id < $2) \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(query.target.map(|id| id.as_uuid()))
        .bind(query.before)
        .bind(query.limit.max(0))
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        rows.iter().map(decode_audit_row).collect()
    }

    async fn find_person(&self, lookup: &PersonLookup) -> Result<Option<PersonId>, StoreError> {
        let id: Option<uuid::Uuid> = match lookup {
            PersonLookup::Id(id) => sqlx::query_scalar("SELECT id FROM persons WHERE id = $1")
                .bind(id.as_uuid())
                .fetch_optional(&self.pool)
                .await
                .map_err(database)?,
            PersonLookup::Account(account) => sqlx::query_scalar(
                "SELECT person_id FROM accounts WHERE platform = $1 AND platform_user_id = $2",
            )
            .bind(account.platform.as_str())
            .bind(&account.user_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(database)?,
            PersonLookup::Handle(handle) => sqlx::query_scalar(
                "SELECT person_id FROM practice WHERE data->>'handle' = $1 \
                     OR data->>'handle' LIKE $2 ESCAPE '\\' \
                     ORDER BY updated_at DESC LIMIT 1",
            )
            .bind(handle)
            .bind(handle_pattern(handle))
            .fetch_optional(&self.pool)
            .await
            .map_err(database)?,
        };
        Ok(id.map(PersonId::from_uuid))
    }

    async fn person_summary(
        &self,
        person: PersonId,
        audit_limit: i64,
    ) -> Result<Option<PersonSummary>, StoreError> {
        let id = person.as_uuid();
        let Some(row) = sqlx::query(
            "SELECT p.profile::text AS profile, p.created_at, \
             r.data->'partnering'->'status'->>'status' AS status, \
             (SELECT COUNT(*) FROM reports WHERE about_id = p.id) AS about, \
             (SELECT COUNT(*) FROM reports WHERE reporter_id = p.id) AS filed \
             FROM persons p LEFT JOIN practice r ON r.person_id = p.id WHERE p.id = $1",
        )
        .bind(id)
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
        let created_at: DateTime<Utc> = row.try_get("created_at").map_err(database)?;
        let status: Option<String> = row.try_get("status").map_err(database)?;
        let accounts = sqlx::query(
            "SELECT platform, platform_user_id, dm_chat_id FROM accounts WHERE person_id = $1",
        )
        .bind(id)
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
             WHERE person_id = $1 AND dm_chat_id IS NOT NULL \
             ORDER BY created_at, platform COLLATE \"C\", platform_user_id COLLATE \"C\" LIMIT 1",
        )
        .bind(person.as_uuid())
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
        let day = now - Duration::days(1);
        let week = now - Duration::days(7);
        let people = sqlx::query(
            "SELECT COUNT(*) AS people, \
             COUNT(*) FILTER (WHERE NOT c) AS onboarding, COUNT(*) FILTER (WHERE c) AS onboarded, \
             COUNT(*) FILTER (WHERE c AND paused) AS paused, \
             COUNT(*) FILTER (WHERE unreachable) AS unreachable, \
             COUNT(*) FILTER (WHERE banned) AS banned, \
             COUNT(*) FILTER (WHERE c AND created_at >= $1) AS today, \
             COUNT(*) FILTER (WHERE c AND created_at >= $2) AS week \
             FROM (SELECT COALESCE((profile->>'completed')::boolean, false) AS c, \
                   COALESCE((profile->>'matching_paused')::boolean, false) AS paused, \
                   COALESCE((profile->>'unreachable')::boolean, false) AS unreachable, \
                   COALESCE((profile->>'banned')::boolean, false) AS banned, created_at \
                   FROM persons) AS p",
        )
        .bind(day)
        .bind(week)
        .fetch_one(&self.pool)
        .await
        .map_err(database)?;
        let matching = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM match_queue) AS waiting, \
             COUNT(*) FILTER (WHERE s = 'proposed') AS proposed, \
             COUNT(*) FILTER (WHERE s = 'partnered') AS partnered \
             FROM (SELECT data->'partnering'->'status'->>'status' AS s FROM practice) AS r",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(database)?;
        let pairs = sqlx::query(
            "SELECT n AS native, t->>'language' AS learning, COUNT(*) AS people \
             FROM persons p, jsonb_array_elements_text(p.profile->'native') AS n, \
             jsonb_array_elements(p.profile->'targets') AS t \
             WHERE COALESCE((p.profile->>'completed')::boolean, false) \
             AND NOT COALESCE((p.profile->>'banned')::boolean, false) \
             GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 5",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        let mut top_pairs = Vec::with_capacity(pairs.len());
        for row in &pairs {
            let native: String = row.try_get("native").map_err(database)?;
            let learning: Option<String> = row.try_get("learning").map_err(database)?;
            // A code this build does not know is left out of the figures, not an error.
            if let (Some(native), Some(learning)) = (
                LanguageCode::parse(&native),
                learning.as_deref().and_then(LanguageCode::parse),
            ) {
                top_pairs.push(LanguagePairCount {
                    native,
                    learning,
                    people: batch::count_from_db(row.try_get("people").map_err(database)?),
                });
            }
        }
        let waves = sqlx::query(
            "SELECT COUNT(*) AS waves, COALESCE(SUM(pairs), 0)::bigint AS pairs \
             FROM match_waves WHERE started_at >= $1",
        )
        .bind(day)
        .fetch_one(&self.pool)
        .await
        .map_err(database)?;
        let delivery = sqlx::query(
            "SELECT COUNT(*) FILTER (WHERE status = 'pending') AS queued, \
             COUNT(*) FILTER (WHERE status = 'dead') AS dead FROM outbox",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(database)?;
        let late: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM timers WHERE due_at < $1")
            .bind(now - Duration::minutes(1))
            .fetch_one(&self.pool)
            .await
            .map_err(database)?;
        let open_reports: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE resolution IS NULL")
                .fetch_one(&self.pool)
                .await
                .map_err(database)?;
        let count = |row: &sqlx::postgres::PgRow, column: &str| -> Result<u64, StoreError> {
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
             WHERE resolution IS NULL ORDER BY created_at, id LIMIT $1",
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
             WHERE id = $1 AND resolution IS NULL",
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
            "UPDATE reports SET resolution = $1, resolved_at = $2, resolved_by = $3 \
             WHERE id = $4 AND resolution IS NULL",
        )
        .bind(resolution.as_str())
        .bind(now)
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
        let mut tx = self.pool.begin().await.map_err(database)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO broadcasts (created_at, actor, audience, text, queued) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(broadcast.at)
        .bind(&broadcast.actor)
        .bind(&audience)
        .bind(&broadcast.text)
        .bind(batch::count_to_db(recipients.len() as u64))
        .fetch_one(&mut *tx)
        .await
        .map_err(database)?;
        for chunk in recipients.chunks(BROADCAST_ROWS_PER_STATEMENT) {
            let mut insert: QueryBuilder<sqlx::Postgres> = QueryBuilder::new(
                "INSERT INTO outbox (person_id, platform, chat_id, body, status, attempts, \
                 not_before, created_at, broadcast_id) ",
            );
            insert.push_values(chunk, |mut row, (person, chat)| {
                row.push_bind(person.as_uuid())
                    .push_bind(chat.platform.as_str())
                    .push_bind(chat.chat_id.clone())
                    .push_bind(body.clone())
                    .push_bind("pending")
                    .push_bind(0_i32)
                    .push_bind(broadcast.at)
                    .push_bind(broadcast.at)
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
            sqlx::query_scalar::<_, i64>("SELECT queued FROM broadcasts WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(database)?
        else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT COUNT(*) FILTER (WHERE status = 'pending') AS pending, \
             COUNT(*) FILTER (WHERE status = 'dead') AS dead FROM outbox WHERE broadcast_id = $1",
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
             WHERE status = 'dead' ORDER BY id DESC LIMIT $1",
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
                attempts: u32::try_from(row.try_get::<i32, _>("attempts").map_err(database)?)
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
            "UPDATE outbox SET status = 'pending', attempts = 0, not_before = $1, \
             lease_owner = NULL, lease_until = NULL WHERE status = 'dead'",
        )
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(database)?;
        Ok(retried.rows_affected())
    }
}
