//! The PostgreSQL store's [`PeopleStore`]: first contacts (with tombstones), loading a
//! person in one snapshot, and committing batches (the statements are in `commit.rs`).

use super::commit::write_batch;
use super::*;

#[async_trait]
impl PeopleStore for PostgresStore {
    async fn person_for_hashed_account(
        &self,
        account: &AccountRef,
        hash: Option<&AccountHash>,
        dm_chat: Option<&ChatKey>,
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
        .await
        .map_err(database)?;
        if let Some(linked) = linked {
            return Ok(PersonId::from_uuid(linked));
        }

        let returning = match hash {
            Some(hash) => tombstone_of(&self.pool, hash).await?,
            None => None,
        };
        let person = match &returning {
            Some(tombstone) => tombstone.person,
            None => PersonId::new_random(),
        };
        let profile = encode_profile(&Profile::new(locale))?;
        let mut tx = self.pool.begin().await.map_err(database)?;
        // Someone coming back through a second of their accounts (or a racing first
        // contact coming back) is there already.
        let created = sqlx::query(
            "INSERT INTO persons (id, version, profile, created_at, updated_at) \
             VALUES ($1, $2, $3::jsonb, $4, $4) ON CONFLICT (id) DO NOTHING",
        )
        .bind(person.as_uuid())
        .bind(returning.as_ref().map_or(0, |tombstone| tombstone.version))
        .bind(profile)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(database)?
        .rows_affected()
            == 1;
        if let Some(tombstone) = returning.as_ref().filter(|_| created) {
            sqlx::query(
                "INSERT INTO practice (person_id, data, updated_at) VALUES ($1, $2::jsonb, $3)",
            )
            .bind(person.as_uuid())
            .bind(tombstone.practice()?)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(database)?;
        }
        // A racing first contact's insert makes ours wait for it; the no-op update then
        // returns (and locks) the account it committed. DO NOTHING would return no row and
        // need a second read that a concurrent erase could still slip in front of.
        let linked: Uuid = sqlx::query_scalar(
            "INSERT INTO accounts (platform, platform_user_id, person_id, created_at, dm_chat_id) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (platform, platform_user_id) DO UPDATE SET person_id = accounts.person_id \
             RETURNING person_id",
        )
        .bind(account.platform.as_str())
        .bind(&account.user_id)
        .bind(person.as_uuid())
        .bind(now)
        .bind(batch::dm_chat_id(account, dm_chat))
        .fetch_one(&mut *tx)
        .await
        .map_err(database)?;
        if linked != person.as_uuid() {
            // Someone else won the race: our person would be an orphan.
            tx.rollback().await.map_err(database)?;
            return Ok(PersonId::from_uuid(linked));
        }
        if returning.is_some() && !created {
            // A new account of theirs: snapshots without it are stale.
            sqlx::query("UPDATE persons SET version = version + 1, updated_at = $2 WHERE id = $1")
                .bind(person.as_uuid())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(database)?;
        }
        tx.commit().await.map_err(database)?;
        Ok(person)
    }

    async fn record_dm_chat(&self, dm_chat: &DmChat) -> Result<(), StoreError> {
        let Some(chat_id) = batch::dm_chat_id(&dm_chat.account, Some(&dm_chat.chat)) else {
            return Ok(());
        };
        sqlx::query(
            "UPDATE accounts SET dm_chat_id = $1 WHERE platform = $2 AND platform_user_id = $3",
        )
        .bind(chat_id)
        .bind(dm_chat.account.platform.as_str())
        .bind(&dm_chat.account.user_id)
        .execute(&self.pool)
        .await
        .map_err(database)?;
        Ok(())
    }

    async fn load_person(
        &self,
        person: PersonId,
        chat: &ChatKey,
    ) -> Result<Option<LoadedPerson>, StoreError> {
        let mut tx = self.pool.begin_with(BEGIN_READ).await.map_err(database)?;
        let loaded = read_person(&mut tx, person, chat).await?;
        tx.commit().await.map_err(database)?;
        Ok(loaded)
    }

    async fn commit_batch(
        &self,
        commits: &[PersonCommit],
        lease: Option<&OutboxLease>,
    ) -> Result<Vec<CommitOutcome>, StoreError> {
        batch::check_distinct(commits)?;
        if commits.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await.map_err(database)?;
        match write_batch(&mut tx, commits, lease).await {
            Ok(outcomes) => {
                tx.commit().await.map_err(database)?;
                Ok(outcomes)
            }
            Err(error) => {
                let _ = tx.rollback().await;
                Err(error)
            }
        }
    }

    async fn processed_updates(
        &self,
        keys: &[UpdateKey],
    ) -> Result<HashSet<UpdateKey>, StoreError> {
        if keys.is_empty() {
            return Ok(HashSet::new());
        }
        let (platforms, ids) = key_columns(keys.iter());
        let rows = sqlx::query(
            "SELECT p.platform, p.update_id FROM processed_updates p \
             JOIN UNNEST($1::text[], $2::text[]) AS k(platform, update_id) \
             ON p.platform = k.platform AND p.update_id = k.update_id",
        )
        .bind(platforms)
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(database)?;
        rows.into_iter()
            .map(|row| {
                let platform: String = row.try_get("platform").map_err(database)?;
                Ok(UpdateKey {
                    platform: batch::decode_platform("processed_updates", &platform)?,
                    id: row.try_get("update_id").map_err(database)?,
                })
            })
            .collect()
    }
}

/// The tombstone an account hash leads to, if any.
async fn tombstone_of(
    pool: &PgPool,
    hash: &AccountHash,
) -> Result<Option<batch::TombstoneRead>, StoreError> {
    let row = sqlx::query(
        "SELECT t.person_id, t.blocked, t.former, t.version FROM tombstone_accounts a \
         JOIN tombstones t ON t.person_id = a.person_id WHERE a.account_hash = $1",
    )
    .bind(hash.as_str())
    .fetch_optional(pool)
    .await
    .map_err(database)?;
    row.map(|row| {
        Ok(batch::TombstoneRead {
            person: PersonId::from_uuid(row.try_get("person_id").map_err(database)?),
            blocked: row.try_get("blocked").map_err(database)?,
            former: row.try_get("former").map_err(database)?,
            version: row.try_get("version").map_err(database)?,
        })
    })
    .transpose()
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
    .await
    .map_err(database)?
    else {
        return Ok(None);
    };
    let version: i64 = row.try_get("version").map_err(database)?;
    let profile = batch::decode_profile(
        person,
        &row.try_get::<String, _>("profile").map_err(database)?,
    )?;
    let created_at: DateTime<Utc> = row.try_get("created_at").map_err(database)?;

    let rows = sqlx::query(
        "SELECT platform, platform_user_id, dm_chat_id FROM accounts WHERE person_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(database)?;
    let (accounts, dm_chats) = batch::decode_accounts(rows.iter().map(|row| {
        Ok(batch::AccountRow {
            platform: row.try_get("platform").map_err(database)?,
            user_id: row.try_get("platform_user_id").map_err(database)?,
            dm_chat_id: row.try_get("dm_chat_id").map_err(database)?,
        })
    }))?;

    let dialogue = sqlx::query(
        "SELECT schema_version, state FROM dialogues WHERE person_id = $1 AND platform = $2 AND chat_id = $3",
    )
    .bind(id)
    .bind(chat.platform.as_str())
    .bind(&chat.chat_id)
    .fetch_optional(&mut *conn)
    .await.map_err(database)?
    .map(|row| -> Result<StoredState, StoreError> {
        Ok(StoredState {
            schema_version: row.try_get("schema_version").map_err(database)?,
            json: row.try_get("state").map_err(database)?,
        })
    })
    .transpose()?;

    let practice: Option<String> =
        sqlx::query_scalar("SELECT data::text FROM practice WHERE person_id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(database)?;
    let practice = batch::decode_practice(person, practice.as_deref())?;

    Ok(Some(LoadedPerson {
        id: person,
        version,
        created_at,
        profile,
        accounts,
        dm_chats,
        dialogue,
        practice,
    }))
}
