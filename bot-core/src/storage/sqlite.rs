//! The SQLite store: one database file in WAL mode, the embedded default backend.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool};

use super::{LoadedPerson, StepCommit, StepWrite, Store, StoreError, StoredState};
use crate::domain::{AccountRef, ChatKey, Locale, PersonId, Platform, Profile};

/// Our own name, so that a library that keeps its migrations in SQLx's default table
/// (`_sqlx_migrations`) can share the database without the two mixing up versions.
const MIGRATIONS_TABLE: &str = "lexbot_migrations";

/// A deferred transaction that reads first takes the write lock only at its first write;
/// two of them upgrading at once deadlock, and SQLite then fails one with SQLITE_BUSY
/// at once instead of letting busy_timeout wait. IMMEDIATE takes the write lock up front,
/// so concurrent writers queue instead.
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// SQLite has one writer at a time anyway; a few connections let reads run beside it.
const MAX_CONNECTIONS: u32 = 4;

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database a `sqlite://PATH` URL names and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable in WAL mode except for the last commits on power loss.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await?;
        let mut migrator = sqlx::migrate!("../migrations/sqlite");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        if let Err(error) = migrator.run(&pool).await {
            pool.close().await;
            return Err(error.into());
        }
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn person_for_account(
        &self,
        account: &AccountRef,
        locale: Locale,
        now: DateTime<Utc>,
    ) -> Result<PersonId, StoreError> {
        // Every contact after the first takes this path, without the write lock.
        if let Some(person) = linked_person(&mut *self.pool.acquire().await?, account).await? {
            return Ok(person);
        }
        let person = PersonId::new_random();
        let profile = encode_profile(&Profile::new(locale))?;
        let at = encode_time(now);
        // Under the write lock nobody can link the account between our check and insert,
        // so racing first contacts all end up with the person the first one created.
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        if let Some(linked) = linked_person(&mut tx, account).await? {
            tx.rollback().await?;
            return Ok(linked);
        }
        sqlx::query(
            "INSERT INTO persons (id, version, profile, created_at, updated_at) VALUES (?, 0, ?, ?, ?)",
        )
        .bind(person.to_string())
        .bind(profile)
        .bind(&at)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO accounts (platform, platform_user_id, person_id, created_at) VALUES (?, ?, ?, ?)")
            .bind(account.platform.as_str())
            .bind(&account.user_id)
            .bind(person.to_string())
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(person)
    }

    async fn load_person(
        &self,
        person: PersonId,
        chat: &ChatKey,
    ) -> Result<Option<LoadedPerson>, StoreError> {
        // One read transaction, so the person, accounts and dialogue come from one snapshot.
        let mut tx = self.pool.begin().await?;
        let loaded = read_person(&mut tx, person, chat).await?;
        tx.commit().await?;
        Ok(loaded)
    }

    async fn commit_step(&self, commit: &StepCommit) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await?;
        match write_step(&mut tx, commit).await {
            Ok(()) => {
                tx.commit().await?;
                Ok(())
            }
            Err(error) => {
                // The step's own error is the one worth reporting; should the rollback fail
                // too, SQLx rolls back again before the connection is reused.
                let _ = tx.rollback().await;
                Err(error)
            }
        }
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

async fn linked_person(
    conn: &mut SqliteConnection,
    account: &AccountRef,
) -> Result<Option<PersonId>, StoreError> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT person_id FROM accounts WHERE platform = ? AND platform_user_id = ?",
    )
    .bind(account.platform.as_str())
    .bind(&account.user_id)
    .fetch_optional(&mut *conn)
    .await?;
    id.map(|id| decode_person_id("accounts", &id)).transpose()
}

async fn read_person(
    conn: &mut SqliteConnection,
    person: PersonId,
    chat: &ChatKey,
) -> Result<Option<LoadedPerson>, StoreError> {
    let id = person.to_string();
    let Some(row) = sqlx::query("SELECT version, profile, created_at FROM persons WHERE id = ?")
        .bind(&id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let version: i64 = row.try_get("version")?;
    let profile: String = row.try_get("profile")?;
    let profile =
        serde_json::from_str::<Profile>(&profile).map_err(|error| StoreError::Corrupt {
            table: "persons",
            reason: format!("profile of {person}: {error}"),
        })?;
    let created_at = decode_time("persons", &row.try_get::<String, _>("created_at")?)?;

    let rows = sqlx::query("SELECT platform, platform_user_id FROM accounts WHERE person_id = ?")
        .bind(&id)
        .fetch_all(&mut *conn)
        .await?;
    let mut accounts = Vec::with_capacity(rows.len());
    for row in rows {
        let platform: String = row.try_get("platform")?;
        let platform = Platform::parse(&platform).ok_or_else(|| StoreError::Corrupt {
            table: "accounts",
            reason: format!("unknown platform `{platform}` for {person}"),
        })?;
        accounts.push(AccountRef::new(
            platform,
            row.try_get::<String, _>("platform_user_id")?,
        ));
    }
    // Sorted here rather than in SQL so both backends agree whatever their collation.
    accounts
        .sort_by(|a, b| (a.platform.as_str(), &a.user_id).cmp(&(b.platform.as_str(), &b.user_id)));

    let dialogue = sqlx::query(
        "SELECT schema_version, state FROM dialogues WHERE person_id = ? AND platform = ? AND chat_id = ?",
    )
    .bind(&id)
    .bind(chat.platform.as_str())
    .bind(&chat.chat_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|row| -> Result<StoredState, StoreError> {
        Ok(StoredState {
            schema_version: row.try_get("schema_version")?,
            json: row.try_get("state")?,
        })
    })
    .transpose()?;

    Ok(Some(LoadedPerson {
        id: person,
        version,
        created_at,
        profile,
        accounts,
        dialogue,
    }))
}

/// The body of [`Store::commit_step`]; the caller commits or rolls back.
async fn write_step(
    tx: &mut sqlx::Transaction<'static, Sqlite>,
    commit: &StepCommit,
) -> Result<(), StoreError> {
    let id = commit.person.to_string();
    let at = encode_time(commit.now);
    // The version check comes first: it decides whether anything is written at all.
    let bumped = match &commit.write {
        StepWrite::Update {
            profile: Some(profile), ..
        } => {
            sqlx::query(
                "UPDATE persons SET version = version + 1, updated_at = ?, profile = ? WHERE id = ? AND version = ?",
            )
            .bind(&at)
            .bind(encode_profile(profile)?)
            .bind(&id)
            .bind(commit.expected_version)
            .execute(&mut **tx)
            .await?
        }
        _ => {
            sqlx::query("UPDATE persons SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?")
                .bind(&at)
                .bind(&id)
                .bind(commit.expected_version)
                .execute(&mut **tx)
                .await?
        }
    };
    if bumped.rows_affected() == 0 {
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM persons WHERE id = ?")
            .bind(&id)
            .fetch_optional(&mut **tx)
            .await?;
        return Err(match exists {
            Some(_) => StoreError::Conflict {
                person: commit.person,
                expected_version: commit.expected_version,
            },
            None => StoreError::UnknownPerson(commit.person),
        });
    }

    match &commit.write {
        StepWrite::Update { state, .. } => {
            sqlx::query(
                "INSERT INTO dialogues (person_id, platform, chat_id, schema_version, state, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (person_id, platform, chat_id) DO UPDATE SET \
                 schema_version = excluded.schema_version, state = excluded.state, updated_at = excluded.updated_at",
            )
            .bind(&id)
            .bind(commit.chat.platform.as_str())
            .bind(&commit.chat.chat_id)
            .bind(state.schema_version)
            .bind(&state.json)
            .bind(&at)
            .execute(&mut **tx)
            .await?;
        }
        StepWrite::Erase => {
            // Explicit deletes rather than trusting ON DELETE CASCADE alone: erasure must
            // not depend on the foreign_keys pragma being on for this connection.
            for sql in [
                "DELETE FROM dialogues WHERE person_id = ?",
                "DELETE FROM accounts WHERE person_id = ?",
                "DELETE FROM persons WHERE id = ?",
            ] {
                sqlx::query(sql).bind(&id).execute(&mut **tx).await?;
            }
        }
    }
    Ok(())
}

fn encode_profile(profile: &Profile) -> Result<String, StoreError> {
    serde_json::to_string(profile).map_err(|error| StoreError::Corrupt {
        table: "persons",
        reason: format!("profile does not serialise: {error}"),
    })
}

fn decode_person_id(table: &'static str, raw: &str) -> Result<PersonId, StoreError> {
    PersonId::parse(raw).map_err(|error| StoreError::Corrupt {
        table,
        reason: format!("person id `{raw}`: {error}"),
    })
}

/// Fixed-width RFC 3339 in UTC with microseconds; see migrations/sqlite/0001_init.sql.
fn encode_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn decode_time(table: &'static str, raw: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|error| StoreError::Corrupt {
            table,
            reason: format!("timestamp `{raw}`: {error}"),
        })
}
