//! The PostgreSQL store's [`Coordination`]: the lead of a role, one holder at a time.

use super::*;

#[async_trait]
impl Coordination for PostgresStore {
    async fn try_lead(
        &self,
        role: &str,
        owner: &str,
        _ttl: std::time::Duration,
    ) -> Result<Option<Box<dyn Leadership>>, StoreError> {
        // A connection of its own, out of the pool: the session lock lives exactly as
        // long as it, so a leader that dies (or loses the network) lets go by itself.
        let mut connection = self.pool.acquire().await.map_err(database)?.detach();
        let key = advisory_key(role);
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut connection)
            .await
            .map_err(database)?;
        if !taken {
            let _ = connection.close().await;
            return Ok(None);
        }
        tracing::debug!(role, owner, key, "took the advisory lock");
        Ok(Some(Box::new(AdvisoryLead {
            connection: Some(connection),
            key,
        })))
    }
}

/// The advisory lock key of a leader role: FNV-1a of a name only lexbot uses, so the
/// same role always maps to the same key and other applications' locks do not collide
/// by accident.
fn advisory_key(role: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in "lexbot.leader.".bytes().chain(role.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// The PostgreSQL lead: a session advisory lock held on a connection of its own.
struct AdvisoryLead {
    /// `None` once the connection failed: the lock went with it.
    connection: Option<PgConnection>,
    key: i64,
}

#[async_trait]
impl Leadership for AdvisoryLead {
    async fn still_held(&mut self) -> Result<bool, StoreError> {
        let Some(connection) = self.connection.as_mut() else {
            return Ok(false);
        };
        // A bigint key shows in pg_locks as its high and low halves, objsubid 1.
        let held = sqlx::query_scalar::<_, bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' \
             AND pid = pg_backend_pid() AND granted AND objsubid = 1 \
             AND classid::bigint = ($1 >> 32) & 4294967295 AND objid::bigint = $1 & 4294967295)",
        )
        .bind(self.key)
        .fetch_one(connection)
        .await;
        match held {
            Ok(held) => Ok(held),
            Err(error) => {
                // The session (and so the lock) is gone or about to be: another instance
                // may lead now.
                tracing::warn!(%error, "the leader's connection failed; the lead is lost");
                self.connection = None;
                Ok(false)
            }
        }
    }

    async fn release(mut self: Box<Self>) -> Result<(), StoreError> {
        if let Some(mut connection) = self.connection.take() {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(self.key)
                .execute(&mut connection)
                .await
                .map_err(database)?;
            connection.close().await.map_err(database)?;
        }
        Ok(())
    }
}
