//! The PostgreSQL store, for production deployments.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgConnection, PgPool, Postgres, Row};
use uuid::Uuid;

use super::{LoadedPerson, StepCommit, StepWrite, Store, StoreError, StoredState};
use crate::domain::{AccountRef, ChatKey, Locale, PersonId, Platform, Profile};

/// Our own name, so that a library that keeps its migrations in SQLx's default table
/// (`_sqlx_migrations`) can share the database without the two mixing up versions.
const MIGRATIONS_TABLE: &str = "lexbot_migrations";

const MAX_CONNECTIONS: u32 = 10;

/// A snapshot for loading, so the person, accounts and dialogue agree with each other.
const BEGIN_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to the database a `postgres://` URL names and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect(url)
            .await?;
        let mut migrator = sqlx::migrate!("../migrations/postgres");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        if let Err(error) = migrator.run(&pool).await {
            pool.close().await;
            return Err(error.into());
        }
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn person_for_account(
        &self,
        account: &AccountRef,
        locale: Locale,
        now: DateTime<Utc>,
    ) -> Result<PersonId, StoreError> {
        // Every contact after the first takes this path, without writing.
        let linked: Option<Uuid> = sqlx::query_scalar(
            "SELECT person_id FROM accounts WHERE platform = $1 AND platform_user_id = $2",
        )
        .bind(account.platform.as_str())
        .bind(&account.user_id)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(linked) = linked {
            return Ok(PersonId::from_uuid(linked));
        }

        let person = PersonId::new_random();
        let profile = encode_profile(&Profile::new(locale))?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO persons (id, version, profile, created_at, updated_at) VALUES ($1, 0, $2::jsonb, $3, $3)",
        )
        .bind(person.as_uuid())
        .bind(profile)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // A racing first contact's insert makes ours wait for it; the no-op update then
        // returns (and locks) the account it committed. DO NOTHING would return no row and
        // need a second read that a concurrent erase could still slip in front of.
        let linked: Uuid = sqlx::query_scalar(
            "INSERT INTO accounts (platform, platform_user_id, person_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (platform, platform_user_id) DO UPDATE SET person_id = accounts.person_id \
             RETURNING person_id",
        )
        .bind(account.platform.as_str())
        .bind(&account.user_id)
        .bind(person.as_uuid())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if linked == person.as_uuid() {
            tx.commit().await?;
        } else {
            // Someone else won the race: our person would be an orphan.
            tx.rollback().await?;
        }
        Ok(PersonId::from_uuid(linked))
    }

    async fn load_person(
        &self,
        person: PersonId,
        chat: &ChatKey,
    ) -> Result<Option<LoadedPerson>, StoreError> {
        let mut tx = self.pool.begin_with(BEGIN_READ).await?;
        let loaded = read_person(&mut tx, person, chat).await?;
        tx.commit().await?;
        Ok(loaded)
    }

    async fn commit_step(&self, commit: &StepCommit) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
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

async fn read_person(
    conn: &mut PgConnection,
    person: PersonId,
    chat: &ChatKey,
) -> Result<Option<LoadedPerson>, StoreError> {
    let id = person.as_uuid();
    let Some(row) = sqlx::query(
        "SELECT version, profile::text AS profile, created_at FROM persons WHERE id = $1",
    )
    .bind(id)
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
    let created_at: DateTime<Utc> = row.try_get("created_at")?;

    let rows = sqlx::query("SELECT platform, platform_user_id FROM accounts WHERE person_id = $1")
        .bind(id)
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
    // Sorted here rather than in SQL so both backends agree whatever the database collation.
    accounts
        .sort_by(|a, b| (a.platform.as_str(), &a.user_id).cmp(&(b.platform.as_str(), &b.user_id)));

    let dialogue = sqlx::query(
        "SELECT schema_version, state FROM dialogues WHERE person_id = $1 AND platform = $2 AND chat_id = $3",
    )
    .bind(id)
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
    tx: &mut sqlx::Transaction<'static, Postgres>,
    commit: &StepCommit,
) -> Result<(), StoreError> {
    let id = commit.person.as_uuid();
    // The version check comes first: it decides whether anything is written at all, and
    // its row lock on the person orders concurrent steps (and erasure) before any of them
    // touches the person's other rows, so they cannot deadlock.
    let bumped = match &commit.write {
        StepWrite::Update {
            profile: Some(profile), ..
        } => {
            sqlx::query(
                "UPDATE persons SET version = version + 1, updated_at = $1, profile = $2::jsonb \
                 WHERE id = $3 AND version = $4",
            )
            .bind(commit.now)
            .bind(encode_profile(profile)?)
            .bind(id)
            .bind(commit.expected_version)
            .execute(&mut **tx)
            .await?
        }
        _ => {
            sqlx::query("UPDATE persons SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3")
                .bind(commit.now)
                .bind(id)
                .bind(commit.expected_version)
                .execute(&mut **tx)
                .await?
        }
    };
    if bumped.rows_affected() == 0 {
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM persons WHERE id = $1")
            .bind(id)
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
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (person_id, platform, chat_id) DO UPDATE SET \
                 schema_version = EXCLUDED.schema_version, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at",
            )
            .bind(id)
            .bind(commit.chat.platform.as_str())
            .bind(&commit.chat.chat_id)
            .bind(state.schema_version)
            .bind(&state.json)
            .bind(commit.now)
            .execute(&mut **tx)
            .await?;
        }
        StepWrite::Erase => {
            // Explicit deletes, not ON DELETE CASCADE alone: what erasure removes is then
            // spelled out here, the same as in the SQLite store.
            for sql in [
                "DELETE FROM dialogues WHERE person_id = $1",
                "DELETE FROM accounts WHERE person_id = $1",
                "DELETE FROM persons WHERE id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut **tx).await?;
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
