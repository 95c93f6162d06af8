//! The PostgreSQL store's [`TimerStore`]: claiming due timers under a lease, retries after a failed
//! firing, the next due time.

use super::*;

#[async_trait]
impl TimerStore for PostgresStore {
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
        .await
        .map_err(database)?;
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
        .await.map_err(database)?;
        Ok(())
    }

    async fn release_timer_leases(&self, owner: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE timers SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1",
        )
        .bind(owner)
        .execute(&self.pool)
        .await
        .map_err(database)?;
        Ok(())
    }

    async fn next_timer_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT MIN(due_at) FROM timers WHERE lease_owner IS NULL")
                .fetch_one(&self.pool)
                .await
                .map_err(database)?,
        )
    }
}
