//! The SQLite store's [`AdminReads`]: reports, quarantined updates, dead messages and figures.

use super::*;

#[async_trait]
impl AdminReads for SqliteStore {
    async fn quarantined(&self, limit: i64) -> Result<Vec<QuarantinedUpdate>, StoreError> {
        let rows = sqlx::query(
            "SELECT platform, update_id, quarantined_at, attempts, reason, payload \
             FROM quarantined_updates ORDER BY quarantined_at DESC, update_id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        rows.into_iter()
            .map(|row| {
                let platform: String = row.try_get("platform").map_err(database)?;
                Ok(QuarantinedUpdate {
                    key: UpdateKey {
                        platform: batch::decode_platform("quarantined_updates", &platform)?,
                        id: row.try_get("update_id").map_err(database)?,
                    },
                    quarantined_at: decode_time(
                        "quarantined_updates",
                        &row.try_get::<String, _>("quarantined_at")
                            .map_err(database)?,
                    )?,
                    attempts: u32::try_from(row.try_get::<i64, _>("attempts").map_err(database)?)
                        .unwrap_or(0),
                    reason: row.try_get("reason").map_err(database)?,
                    payload: row.try_get("payload").map_err(database)?,
                })
            })
            .collect()
    }

    async fn dead_letters(&self, limit: i64) -> Result<Vec<DeadLetter>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, person_id, platform, chat_id, body, attempts, not_before, last_error \
             FROM outbox WHERE status = 'dead' ORDER BY id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        rows.iter()
            .map(|row| {
                let last_error: Option<String> = row.try_get("last_error").map_err(database)?;
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
                .await
                .map_err(database)?;
        Ok(batch::outbox_stats(counts))
    }

    async fn timers_of(&self, person: PersonId) -> Result<Vec<DueTimer>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            timer_columns!(),
            " FROM timers WHERE person_id = ? ORDER BY due_at, id"
        ))
        .bind(person.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        rows.iter().map(decode_timer_row).collect()
    }

    async fn reengagement_stats(&self) -> Result<ReengagementStats, StoreError> {
        let (sent, returned): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(json_extract(data, '$.reengagement.nudges_sent')), 0), \
                    COALESCE(SUM(json_extract(data, '$.reengagement.returns')), 0) FROM practice",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(database)?;
        Ok(ReengagementStats {
            nudges_sent: u64::try_from(sent).unwrap_or(0),
            returned_within_48h: u64::try_from(returned).unwrap_or(0),
        })
    }

    async fn reports(&self, limit: i64) -> Result<Vec<Report>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, reporter_id, about_id, reason, details, proposal_id, created_at \
             FROM reports ORDER BY created_at DESC, id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id").map_err(database)?;
                let proposal = row
                    .try_get::<Option<String>, _>("proposal_id")
                    .map_err(database)?
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
                        &row.try_get::<String, _>("reporter_id").map_err(database)?,
                    )?,
                    about: decode_person_id(
                        "reports",
                        &row.try_get::<String, _>("about_id").map_err(database)?,
                    )?,
                    reason: batch::decode_reason(
                        id,
                        &row.try_get::<String, _>("reason").map_err(database)?,
                    )?,
                    details: row.try_get("details").map_err(database)?,
                    proposal,
                    created_at: decode_time(
                        "reports",
                        &row.try_get::<String, _>("created_at").map_err(database)?,
                    )?,
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
        .await
        .map_err(database)?;
        Ok(PartneringStats {
            waiting: self.queue_len().await?,
            proposed: batch::count_from_db(proposed),
            partnered: batch::count_from_db(partnered),
        })
    }
}
