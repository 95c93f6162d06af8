//! Scratch databases for lexbot's tests and benchmarks, in one dev-only crate: a
//! temp-dir SQLite file, or a fresh PostgreSQL database on the server
//! `LEXBOT_TEST_POSTGRES_URL` names, dropped with its [`TestDb`]. Every crate's tests and
//! benches take their databases from here; the lexbot binary never depends on it.
//! [`scripted`] is a second platform a test drives itself.

pub mod scripted;

mod steps;

use std::future::Future;
use std::sync::Arc;

use bot_core::domain::{AccountRef, PersonId};
use bot_core::storage::{OutboxQueue, Store};

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool, SqlitePool};
pub use steps::{PeopleStoreExt, StepCommit, StepWrite};
use tokio::sync::OnceCell;

pub const POSTGRES_URL_VAR: &str = "LEXBOT_TEST_POSTGRES_URL";

/// The table SQLx's migrator keeps its bookkeeping in (named by the stores).
pub const MIGRATIONS_TABLE: &str = "lexbot_migrations";

/// The PostgreSQL server tests and benchmarks may create databases on, if one is set.
pub fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.is_empty())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test's own database: the SQLite file's directory is removed and the PostgreSQL
/// database dropped when this is dropped, also when the test panics.
pub struct TestDb {
    url: String,
    place: Place,
    /// The tests' own way in, beside the store: inspecting and arranging rows.
    raw: OnceCell<Raw>,
}

enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

enum Place {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { server_url: String, name: String },
}

/// Runs one test against a fresh database of `backend` and drops the database afterwards,
/// also when the test panics. PostgreSQL tests are skipped without `LEXBOT_TEST_POSTGRES_URL`.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Arc<dyn Store>, Arc<TestDb>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(db) = TestDb::create(backend).await else {
        eprintln!("note: {POSTGRES_URL_VAR} is not set, skipping this PostgreSQL test");
        return;
    };
    let db = Arc::new(db);
    let store = db.open().await;
    // A task of its own so that a panic comes back here and the database still gets dropped.
    let outcome = tokio::spawn(test(store.clone(), db.clone())).await;
    store.close().await;
    db.close().await;
    drop(db);
    if let Err(error) = outcome {
        match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("test task failed: {error}"),
        }
    }
}

/// Both backends' databases, PostgreSQL only when a server is configured.
pub async fn backends() -> Vec<(Backend, TestDb)> {
    let mut found = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if let Some(db) = TestDb::create(backend).await {
            found.push((backend, db));
        }
    }
    found
}

impl TestDb {
    /// `None` for PostgreSQL when no server is configured.
    pub async fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("lexbot.db").display());
                Some(Self {
                    url,
                    place: Place::Sqlite { _dir: dir },
                    raw: OnceCell::new(),
                })
            }
            Backend::Postgres => {
                let server_url = postgres_server()?;
                let name = format!("lexbot_t_{}", uuid::Uuid::new_v4().simple());
                let mut server = PgConnection::connect(&server_url)
                    .await
                    .expect("connect to the LEXBOT_TEST_POSTGRES_URL server");
                sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut server)
                    .await
                    .expect("create test database");
                server.close().await.expect("close server connection");
                let mut url = url::Url::parse(&server_url).expect("a PostgreSQL URL");
                url.set_path(&name);
                Some(Self {
                    url: url.to_string(),
                    place: Place::Postgres { server_url, name },
                    raw: OnceCell::new(),
                })
            }
        }
    }

    async fn raw(&self) -> &Raw {
        self.raw
            .get_or_init(|| async {
                match self.place {
                    Place::Sqlite { .. } => {
                        Raw::Sqlite(SqlitePool::connect(&self.url).await.expect("connect"))
                    }
                    Place::Postgres { .. } => {
                        Raw::Postgres(PgPool::connect(&self.url).await.expect("connect"))
                    }
                }
            })
            .await
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.place, Place::Postgres { .. })
    }

    /// A new store on this database, through the same URL dispatch the bot uses.
    pub async fn open(&self) -> Arc<dyn Store> {
        bot_core::storage::open(&self.url)
            .await
            .expect("open store")
    }

    /// Closes the tests' own connections; the database itself goes when this is dropped.
    pub async fn close(&self) {
        match self.raw.get() {
            Some(Raw::Sqlite(pool)) => pool.close().await,
            Some(Raw::Postgres(pool)) => pool.close().await,
            None => {}
        }
    }

    /// Runs SQL without bind parameters: SQL both backends accept, or written for this one
    /// (see [`TestDb::is_postgres`]).
    pub async fn execute(&self, sql: &str) -> u64 {
        match self.raw().await {
            Raw::Sqlite(pool) => sqlx::query(AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await
                .expect("execute")
                .rows_affected(),
            Raw::Postgres(pool) => sqlx::query(AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await
                .expect("execute")
                .rows_affected(),
        }
    }

    /// Makes every step's commit fail (they all bump a person's version), while first
    /// contacts and everything else still work.
    pub async fn refuse_commits(&self) {
        if self.is_postgres() {
            self.execute(
                "CREATE FUNCTION refuse_commits() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'commits refused by the test'; END $$",
            )
            .await;
            self.execute(
                "CREATE TRIGGER refuse_commits BEFORE UPDATE ON persons \
                 FOR EACH ROW EXECUTE FUNCTION refuse_commits()",
            )
            .await;
        } else {
            self.execute(
                "CREATE TRIGGER refuse_commits BEFORE UPDATE ON persons \
                 BEGIN SELECT RAISE(ABORT, 'commits refused by the test'); END",
            )
            .await;
        }
    }

    /// Undoes [`TestDb::refuse_commits`].
    pub async fn allow_commits(&self) {
        if self.is_postgres() {
            self.execute("DROP TRIGGER refuse_commits ON persons").await;
        } else {
            self.execute("DROP TRIGGER refuse_commits").await;
        }
    }

    pub async fn count_rows(&self, table: &str) -> i64 {
        self.count(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .await
    }

    /// The number a counting query that is the same on both backends returns.
    pub async fn count(&self, sql: &str) -> i64 {
        match self.raw().await {
            Raw::Sqlite(pool) => sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
                .fetch_one(pool)
                .await
                .expect("count"),
            Raw::Postgres(pool) => sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
                .fetch_one(pool)
                .await
                .expect("count"),
        }
    }

    /// Makes the database refuse every commit of `person` (each bumps their version)
    /// until [`TestDb::accept_commits_again`].
    pub async fn refuse_commits_of(&self, person: PersonId) {
        if self.is_postgres() {
            self.execute(
                "CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
            )
            .await;
            self.execute(&format!(
                "CREATE TRIGGER refuse_one BEFORE UPDATE ON persons FOR EACH ROW \
                 WHEN (OLD.id = '{person}') EXECUTE FUNCTION refuse_one()"
            ))
            .await;
        } else {
            self.execute(&format!(
                "CREATE TRIGGER refuse_one BEFORE UPDATE ON persons WHEN OLD.id = '{person}' \
                 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            ))
            .await;
        }
    }

    pub async fn accept_commits_again(&self) {
        if self.is_postgres() {
            self.execute("DROP TRIGGER refuse_one ON persons").await;
        } else {
            self.execute("DROP TRIGGER refuse_one").await;
        }
    }

    /// Links a second account to a person: the store has no API for it yet.
    pub async fn link_account(&self, person: PersonId, account: &AccountRef, now: DateTime<Utc>) {
        match self.raw().await {
            Raw::Sqlite(pool) => {
                sqlx::query(
                    "INSERT INTO accounts (platform, platform_user_id, person_id, created_at) VALUES (?, ?, ?, ?)",
                )
                .bind(account.platform.as_str())
                .bind(&account.user_id)
                .bind(person.to_string())
                .bind(now.to_rfc3339_opts(SecondsFormat::Micros, true))
                .execute(pool)
                .await
                .expect("link account");
            }
            Raw::Postgres(pool) => {
                sqlx::query(
                    "INSERT INTO accounts (platform, platform_user_id, person_id, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(account.platform.as_str())
                .bind(&account.user_id)
                .bind(person.as_uuid())
                .bind(now)
                .execute(pool)
                .await
                .expect("link account");
            }
        }
    }

    /// Every table of the schema, the migrations table included.
    pub async fn tables(&self) -> Vec<String> {
        match self.raw().await {
            Raw::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                     ORDER BY name",
                )
                .fetch_all(pool)
                .await
                .expect("list tables")
            }
            Raw::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
                )
                .fetch_all(pool)
                .await
                .expect("list tables")
            }
        }
    }

    /// `table.column` for every column of every data table (all but the migrations table)
    /// that holds `needle` somewhere in some row, compared as text.
    pub async fn columns_mentioning(&self, needle: &str) -> Vec<String> {
        let mut hits = Vec::new();
        for table in self.tables().await {
            if table == MIGRATIONS_TABLE {
                continue;
            }
            for column in self.columns(&table).await {
                if self.column_mentions(&table, &column, needle).await {
                    hits.push(format!("{table}.{column}"));
                }
            }
        }
        hits
    }

    async fn columns(&self, table: &str) -> Vec<String> {
        let columns: Vec<String> = match self.raw().await {
            Raw::Sqlite(pool) => {
                sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                        .bind(table)
                        .fetch_all(pool)
                        .await
                        .expect("list columns")
            }
            Raw::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(pool)
                .await
                .expect("list columns")
            }
        };
        assert!(!columns.is_empty(), "table {table} has no columns?");
        columns
    }

    async fn column_mentions(&self, table: &str, column: &str, needle: &str) -> bool {
        let count: i64 = match self.raw().await {
            Raw::Sqlite(pool) => {
                let sql = format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE instr(CAST(\"{column}\" AS TEXT), ?) > 0"
                );
                sqlx::query_scalar(AssertSqlSafe(sql))
                    .bind(needle)
                    .fetch_one(pool)
                    .await
                    .expect("search column")
            }
            Raw::Postgres(pool) => {
                let sql = format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE strpos(\"{column}\"::text, $1) > 0"
                );
                sqlx::query_scalar(AssertSqlSafe(sql))
                    .bind(needle)
                    .fetch_one(pool)
                    .await
                    .expect("search column")
            }
        };
        count > 0
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Place::Postgres { server_url, name } = &self.place else {
            return;
        };
        let (server_url, name) = (server_url.clone(), name.clone());
        // Drop runs outside any runtime's async context: use a small one of our own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let mut server = PgConnection::connect(&server_url).await?;
                sqlx::query(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut server)
                .await?;
                server.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("note: could not drop a test database on the {POSTGRES_URL_VAR} server");
        }
    }
}

/// Now, cut to the microseconds both backends keep, so round trips compare equal.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// Every message waiting in the outbox, claimed under a test's own lease.
pub async fn claim_outbox(store: &dyn OutboxQueue) -> Vec<bot_core::outbox::OutboxMessage> {
    let lease = bot_core::storage::OutboxLease {
        owner: "test".into(),
        until: now() + chrono::Duration::hours(1),
        platforms: bot_core::domain::Platform::ALL.to_vec(),
        chats: Vec::new(),
    };
    store
        .claim_outbox(&lease, now(), 1000)
        .await
        .expect("claim")
}

/// Generates one `#[tokio::test]` per backend for each listed test: `sqlite::name`
/// always runs, `postgres::name` when `LEXBOT_TEST_POSTGRES_URL` is set.
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {
        $crate::on_both_backends!(@backend sqlite, Sqlite, $($test),+);
        $crate::on_both_backends!(@backend postgres, Postgres, $($test),+);
    };
    (@backend $module:ident, $backend:ident, $($test:ident),+) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    $crate::run($crate::Backend::$backend, |store, db| async move {
                        super::$test(store, &db).await
                    })
                    .await;
                }
            )+
        }
    };
}
