//! The SQLite store's [`MatchingStore`]: the waiting pool in one snapshot, its length, the waves.

use super::*;

#[async_trait]
impl MatchingStore for SqliteStore {
    async fn waiting_pool(&self) -> Result<Vec<WaitingEntry>, StoreError> {
        // One snapshot, so nobody's profile and record come from different moments.
        // Accounts tied on created_at go by byte order, as PostgreSQL's COLLATE "C".
        let mut tx = self.pool.begin().await.map_err(database)?;
        let rows = sqlx::query(
            "SELECT q.person_id, p.profile, r.data, a.platform, a.platform_user_id, a.dm_chat_id \
             FROM match_queue q JOIN persons p ON p.id = q.person_id \
             LEFT JOIN practice r ON r.person_id = q.person_id \
             LEFT JOIN accounts a ON a.person_id = q.person_id \
             ORDER BY q.waiting_since, q.person_id, a.created_at, a.platform, a.platform_user_id",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(database)?;
        tx.commit().await.map_err(database)?;
        batch::waiting_pool(rows.iter().map(|row| {
            Ok(batch::PoolRow {
                person: decode_person_id(
                    "match_queue",
                    &row.try_get::<String, _>("person_id").map_err(database)?,
                )?,
                profile: row.try_get("profile").map_err(database)?,
                practice: row.try_get("data").map_err(database)?,
                account: batch::AccountRow::joined(
                    row.try_get("platform").map_err(database)?,
                    row.try_get("platform_user_id").map_err(database)?,
                    row.try_get("dm_chat_id").map_err(database)?,
                ),
            })
        }))
    }

    async fn queue_len(&self) -> Result<u64, StoreError> {
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM match_queue")
            .fetch_one(&self.pool)
            .await
            .map_err(database)?;
        Ok(batch::count_from_db(waiting))
    }

    async fn record_wave(&self, wave: &WaveRecord) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO match_waves (started_at, finished_at, waiting, eligible, edges, pairs, total_weight) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(encode_time(wave.started_at))
        .bind(encode_time(wave.finished_at))
        .bind(batch::count_to_db(wave.waiting))
        .bind(batch::count_to_db(wave.eligible))
        .bind(batch::count_to_db(wave.edges))
        .bind(batch::count_to_db(wave.pairs))
        .bind(wave.total_weight)
        .execute(&self.pool)
        .await.map_err(database)?;
        Ok(())
    }

    async fn recent_waves(&self, limit: i64) -> Result<Vec<WaveRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT started_at, finished_at, waiting, eligible, edges, pairs, total_weight \
             FROM match_waves ORDER BY started_at DESC, id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        rows.iter()
            .map(|row| {
                Ok(WaveRecord {
                    started_at: decode_time(
                        "match_waves",
                        &row.try_get::<String, _>("started_at").map_err(database)?,
                    )?,
                    finished_at: decode_time(
                        "match_waves",
                        &row.try_get::<String, _>("finished_at").map_err(database)?,
                    )?,
                    waiting: batch::count_from_db(row.try_get("waiting").map_err(database)?),
                    eligible: batch::count_from_db(row.try_get("eligible").map_err(database)?),
                    edges: batch::count_from_db(row.try_get("edges").map_err(database)?),
                    pairs: batch::count_from_db(row.try_get("pairs").map_err(database)?),
                    total_weight: row.try_get("total_weight").map_err(database)?,
                })
            })
            .collect()
    }
}
