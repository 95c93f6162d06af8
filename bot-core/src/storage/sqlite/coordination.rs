//! The SQLite store's [`Coordination`]: the lead of a role, one holder at a time.

use super::*;

#[async_trait]
impl Coordination for SqliteStore {
    async fn try_lead(
        &self,
        role: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<Box<dyn Leadership>>, StoreError> {
        let lease = LeaderLease {
            pool: self.pool.clone(),
            writer: self.writer.clone(),
            role: role.to_owned(),
            owner: owner.to_owned(),
            ttl: chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX),
        };
        Ok(lease
            .take()
            .await?
            .then(|| Box::new(lease) as Box<dyn Leadership>))
    }
}

/// The SQLite lead: the `leaders` row of a role, held until `until`. The holder renews it
/// on every [`Leadership::still_held`]; a holder that died loses it when it expires.
struct LeaderLease {
    pool: SqlitePool,
    /// The store's write turn: the lease's writes queue with the others.
    writer: Arc<tokio::sync::Mutex<()>>,
    role: String,
    owner: String,
    ttl: chrono::Duration,
}

impl LeaderLease {
    /// Takes or renews the lease: free, expired or already ours. `false` = someone
    /// else holds it.
    async fn take(&self) -> Result<bool, StoreError> {
        let now = Utc::now();
        let until = now
            .checked_add_signed(self.ttl)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let _turn = self.writer.lock().await;
        let taken: Option<String> = sqlx::query_scalar(
            "INSERT INTO leaders (role, owner, until) VALUES (?1, ?2, ?3) \
             ON CONFLICT (role) DO UPDATE SET owner = excluded.owner, until = excluded.until \
             WHERE leaders.owner = excluded.owner OR leaders.until < ?4 \
             RETURNING owner",
        )
        .bind(&self.role)
        .bind(&self.owner)
        .bind(encode_time(until))
        .bind(encode_time(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(database)?;
        Ok(taken.is_some())
    }
}

#[async_trait]
impl Leadership for LeaderLease {
    async fn still_held(&mut self) -> Result<bool, StoreError> {
        // Renewing is taking again: it fails only if another owner took the lease after
        // ours expired.
        self.take().await
    }

    async fn release(self: Box<Self>) -> Result<(), StoreError> {
        let _turn = self.writer.lock().await;
        sqlx::query("DELETE FROM leaders WHERE role = ? AND owner = ?")
            .bind(&self.role)
            .bind(&self.owner)
            .execute(&self.pool)
            .await
            .map_err(database)?;
        Ok(())
    }
}
