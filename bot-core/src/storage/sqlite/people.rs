//! The SQLite store's [`PeopleStore`]: first contacts (with tombstones), loading a
//! person in one snapshot, and committing batches (the statements are in `commit.rs`).

use super::commit::write_batch;
use super::*;

#[async_trait]
impl PeopleStore for SqliteStore {
    async fn person_for_hashed_account(
        &self,
        account: &AccountRef,
        hash: Option<&AccountHash>,
        dm_chat: Option<&ChatKey>,
        locale: Locale,
        now: DateTime<Utc>,
    ) -> Result<PersonId, StoreError> {
        // Every contact after the first takes this path, without the write lock.
        if let Some(person) =
            linked_person(&mut *self.pool.acquire().await.map_err(database)?, account).await?
        {
            return Ok(person);
        }
        let profile = encode_profile(&Profile::new(locale))?;
        let at = encode_time(now);
        // Under the write lock nobody can link the account between our check and insert,
        // so racing first contacts all end up with the person the first one created.
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(database)?;
        if let Some(linked) = linked_person(&mut tx, account).await? {
            tx.rollback().await.map_err(database)?;
            return Ok(linked);
        }
        let returning = match hash {
            Some(hash) => tombstone_of(&mut tx, hash).await?,
            None => None,
        };
        let person = match &returning {
            Some(tombstone) => tombstone.person,
            None => PersonId::new_random(),
        };
        // Someone coming back through a second of their accounts is there already.
        let created = sqlx::query(
            "INSERT INTO persons (id, version, profile, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(person.to_string())
        .bind(returning.as_ref().map_or(0, |tombstone| tombstone.version))
        .bind(profile)
        .bind(&at)
        .bind(&at)
        .execute(&mut *tx)
        .await
        .map_err(database)?
        .rows_affected()
            == 1;
        if let Some(tombstone) = &returning {
            if created {
                sqlx::query("INSERT INTO practice (person_id, data, updated_at) VALUES (?, ?, ?)")
                    .bind(person.to_string())
                    .bind(tombstone.practice()?)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await
                    .map_err(database)?;
            } else {
                // A new account of theirs: snapshots without it are stale.
                sqlx::query(
                    "UPDATE persons SET version = version + 1, updated_at = ? WHERE id = ?",
                )
                .bind(&at)
                .bind(person.to_string())
                .execute(&mut *tx)
                .await
                .map_err(database)?;
            }
        }
        sqlx::query(
            "INSERT INTO accounts (platform, platform_user_id, person_id, created_at, dm_chat_id) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(account.platform.as_str())
        .bind(&account.user_id)
        .bind(person.to_string())
        .bind(&at)
        .bind(batch::dm_chat_id(account, dm_chat))
        .execute(&mut *tx)
        .await
        .map_err(database)?;
        tx.commit().await.map_err(database)?;
        Ok(person)
    }

    async fn record_dm_chat(&self, dm_chat: &DmChat) -> Result<(), StoreError> {
        let Some(chat_id) = batch::dm_chat_id(&dm_chat.account, Some(&dm_chat.chat)) else {
            return Ok(());
        };
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE accounts SET dm_chat_id = ? WHERE platform = ? AND platform_user_id = ?",
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
        // One read transaction, so the person, accounts and dialogue come from one snapshot.
        let mut tx = self.pool.begin().await.map_err(database)?;
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
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin_with(BEGIN_WRITE).await.map_err(database)?;
        match write_batch(&mut tx, commits, lease).await {
            Ok(outcomes) => {
                tx.commit().await.map_err(database)?;
                Ok(outcomes)
            }
            Err(error) => {
                // The batch's own error is the one worth reporting; should the rollback
                // fail too, SQLx rolls back again before the connection is reused.
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
        let rows = sqlx::query(
            "SELECT platform, update_id FROM processed_updates \
             WHERE (platform, update_id) IN \
             (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))",
        )
        .bind(keys_json(keys.iter()))
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
    .await
    .map_err(database)?;
    id.map(|id| decode_person_id("accounts", &id)).transpose()
}

/// The tombstone an account hash leads to, if any.
async fn tombstone_of(
    conn: &mut SqliteConnection,
    hash: &AccountHash,
) -> Result<Option<batch::TombstoneRead>, StoreError> {
    let row = sqlx::query(
        "SELECT t.person_id, t.blocked, t.former, t.version FROM tombstone_accounts a \
         JOIN tombstones t ON t.person_id = a.person_id WHERE a.account_hash = ?",
    )
    .bind(hash.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(database)?;
    row.map(|row| {
        Ok(batch::TombstoneRead {
            person: decode_person_id(
                "tombstones",
                &row.try_get::<String, _>("person_id").map_err(database)?,
            )?,
            blocked: row.try_get("blocked").map_err(database)?,
            former: row.try_get("former").map_err(database)?,
            version: row.try_get("version").map_err(database)?,
        })
    })
    .transpose()
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
    let created_at = decode_time(
        "persons",
        &row.try_get::<String, _>("created_at").map_err(database)?,
    )?;

    let rows = sqlx::query(
        "SELECT platform, platform_user_id, dm_chat_id FROM accounts WHERE person_id = ?",
    )
    .bind(&id)
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
        "SELECT schema_version, state FROM dialogues WHERE person_id = ? AND platform = ? AND chat_id = ?",
    )
    .bind(&id)
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
        sqlx::query_scalar("SELECT data FROM practice WHERE person_id = ?")
            .bind(&id)
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
