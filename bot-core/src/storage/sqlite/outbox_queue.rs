//! The SQLite store's [`OutboxQueue`]: claiming, renewing and releasing leases on outbox messages,
//! and their delivery, retry or death.

use super::*;

#[async_trait]
impl OutboxQueue for SqliteStore {
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
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE outbox SET lease_until = ? WHERE lease_owner = ? AND status = 'pending'",
        )
        .bind(encode_time(lease.until))
        .bind(&lease.owner)
        .execute(&self.pool)
        .await
        .map_err(database)?;
        Ok(())
    }

    async fn release_outbox_lease(&self, owner: &str) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?",
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
        let _turn = self.write_turn().await;
        sqlx::query("DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))")
            .bind(ids_json(ids))
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
        let _turn = self.write_turn().await;
        sqlx::query("UPDATE outbox SET attempts = ?, not_before = ?, last_error = ? WHERE id = ?")
            .bind(i64::from(attempts))
            .bind(encode_time(not_before))
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
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE outbox SET status = 'dead', last_error = ?, lease_owner = NULL, lease_until = NULL \
             WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(error)
        .bind(ids_json(ids))
        .execute(&self.pool)
        .await.map_err(database)?;
        Ok(())
    }
}
