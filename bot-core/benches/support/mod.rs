//! What the store benchmarks share: a scratch PostgreSQL database on the server
//! `LEXBOT_TEST_POSTGRES_URL` names.

/// The PostgreSQL server to benchmark against, if one is set.
pub fn postgres_server() -> Option<String> {
    std::env::var("LEXBOT_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// A fresh database on the server, dropped by [`ScratchDatabase::drop`].
pub struct ScratchDatabase {
    admin: sqlx::PgPool,
    name: String,
    /// Where to connect to it.
    pub url: String,
}

impl ScratchDatabase {
    pub async fn create(server: &str) -> Self {
        let name = format!("lexbot_bench_{}", uuid::Uuid::new_v4().simple());
        let base = server
            .rsplit_once('/')
            .map_or(server, |(base, _)| base)
            .to_owned();
        let admin = sqlx::PgPool::connect(server)
            .await
            .expect("postgres server");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .expect("create");
        let url = format!("{base}/{name}");
        Self { admin, name, url }
    }

    pub async fn drop(self) {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {} WITH (FORCE)",
            self.name
        )))
        .execute(&self.admin)
        .await
        .expect("drop");
    }
}
