//! Coordination between processes on one database: one leader of a role (the matcher)
//! at a time.

use async_trait::async_trait;

use super::StoreError;

/// Held while this process is the matcher's leader; dropping or releasing it lets
/// another instance lead. On PostgreSQL it is a session advisory lock on a connection
/// of its own; on SQLite, a row with an expiry that the holder renews.
#[async_trait]
pub trait Leadership: Send + Sync {
    /// Confirms the lead is still held (renews it where it expires); `false` = lost.
    async fn still_held(&mut self) -> Result<bool, StoreError>;
    /// Gives the lead up at once.
    async fn release(self: Box<Self>) -> Result<(), StoreError>;
}

#[async_trait]
pub trait Coordination: Send + Sync {
    /// Tries to become the one leader of `role` (e.g. "matcher"); `None` if another
    /// instance holds it. `owner` names this instance; `ttl` is how long a SQLite lead
    /// lasts without renewal.
    async fn try_lead(
        &self,
        role: &str,
        owner: &str,
        ttl: std::time::Duration,
    ) -> Result<Option<Box<dyn Leadership>>, StoreError>;
}
