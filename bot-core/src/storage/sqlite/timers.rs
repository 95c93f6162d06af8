//! The SQLite store's [`TimerStore`]: claiming due timers under a lease, retries after a failed
//! firing, the next due time.

use super::*;

#[async_trait]
impl TimerStore for SqliteStore {
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
        .await
        .map_err(database)?;
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
                .await
                .map_err(database)?,
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
        .await
        .map_err(database)?;
        Ok(())
    }

    async fn release_timer_leases(&self, owner: &str) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE timers SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?",
        )
        .bind(owner)
        .execute(&self.pool)
        .await
        .map_err(database)?;
        Ok(())
    }

    async fn next_timer_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let due: Option<String> =
            sqlx::query_scalar("SELECT MIN(due_at) FROM timers WHERE lease_owner IS NULL")
                .fetch_one(&self.pool)
                .await
                .map_err(database)?;
        due.map(|due| decode_time("timers", &due)).transpose()
    }
}
