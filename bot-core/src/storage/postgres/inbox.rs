//! The PostgreSQL store's [`InboxStore`]: received updates until their step commits, and quarantine.

use super::*;

#[async_trait]
impl InboxStore for PostgresStore {
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
        .await.map_err(database)?;
        Ok(())
    }

    async fn inbox_pending(
        &self,
        platform: Platform,
        limit: i64,
    ) -> Result<Vec<InboxUpdate>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT update_id, payload FROM inbox WHERE platform = $1 \
             ORDER BY length(update_id), update_id LIMIT $2",
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
                    attempts: u32::try_from(row.try_get::<i32, _>("attempts").map_err(database)?)
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
        let mut tx = self.pool.begin().await.map_err(database)?;
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
        let (platforms, ids) = key_columns(keys.iter());
        sqlx::query(DELETE_FROM_INBOX)
            .bind(platforms)
            .bind(ids)
            .execute(&self.pool)
            .await
            .map_err(database)?;
        Ok(())
    }

    async fn prune_processed(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM processed_updates WHERE processed_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map_err(database)?;
        Ok(done.rows_affected())
    }
}
