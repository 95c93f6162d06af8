//! The PostgreSQL store's [`OutboxQueue`]: claiming, renewing and releasing leases on outbox messages,
//! and their delivery, retry or death.

use super::*;

#[async_trait]
impl OutboxQueue for PostgresStore {
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
        .await
        .map_err(database)?;
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
        .await
        .map_err(database)?;
        Ok(())
    }

    async fn release_outbox_lease(&self, owner: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1",
        )
        .bind(owner)
        .execute(&self.pool)
        .await
        .map_err(database)?;
        Ok(())
    }

    async fn outbox_delivered(&self, ids: &[i64]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query("DELETE FROM outbox WHERE id = ANY($1)")
            .bind(ids)
            .execute(&self.pool)
            .await
            .map_err(database)?;
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
        .await
        .map_err(database)?;
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
        .await.map_err(database)?;
        Ok(())
    }
}
