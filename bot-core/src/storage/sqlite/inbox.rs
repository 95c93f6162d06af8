//! The SQLite store's [`InboxStore`]: received updates until their step commits, and quarantine.

use super::*;

#[async_trait]
impl InboxStore for SqliteStore {
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
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(database)?;
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
            .await
            .map_err(database)?;
        }
        tx.commit().await.map_err(database)?;
        Ok(())
    }

    async fn inbox_pending(
        &self,
        platform: Platform,
        limit: i64,
    ) -> Result<Vec<InboxUpdate>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT update_id, payload FROM inbox WHERE platform = ? \
             ORDER BY length(update_id), update_id LIMIT ?",
        )
        .bind(platform.as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        Ok(rows
            .into_iter()
            .map(|(id, payload)| InboxUpdate { id, payload })
            .collect())
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
        .await
        .map_err(database)?;
        let mut replayed = rows
            .into_iter()
            .map(|row| {
                Ok(ReplayedUpdate {
                    update: InboxUpdate {
                        id: row.try_get("update_id").map_err(database)?,
                        payload: row.try_get("payload").map_err(database)?,
                    },
                    attempts: u32::try_from(row.try_get::<i64, _>("attempts").map_err(database)?)
                        .unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        crate::storage::inbox::sort_oldest_first(&mut replayed);
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
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(database)?;
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
            .await
            .map_err(database)?;
        }
        tx.commit().await.map_err(database)?;
        Ok(())
    }

    async fn inbox_done(&self, keys: &[UpdateKey]) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        let _turn = self.write_turn().await;
        sqlx::query(DELETE_FROM_INBOX)
            .bind(keys_json(keys.iter()))
            .execute(&self.pool)
            .await
            .map_err(database)?;
        Ok(())
    }

    async fn prune_processed(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let _turn = self.write_turn().await;
        let done = sqlx::query("DELETE FROM processed_updates WHERE processed_at < ?")
            .bind(encode_time(before))
            .execute(&self.pool)
            .await
            .map_err(database)?;
        Ok(done.rows_affected())
    }
}
