//! The statements of a SQLite batch commit ([`PeopleStore::commit_batch`]): the version
//! check, then each table's rows for the people who passed, in a handful of bulk
//! statements whatever the batch size.

use super::*;

/// The body of [`PeopleStore::commit_batch`]: a handful of bulk statements whatever the batch
/// size, each reading its rows from one JSON array; the caller commits or rolls back.
pub(super) async fn write_batch(
    tx: &mut sqlx::Transaction<'static, Sqlite>,
    commits: &[PersonCommit],
    lease: Option<&OutboxLease>,
) -> Result<Vec<CommitOutcome>, StoreError> {
    let at = encode_time(commits[0].now);
    // A fired timer that is gone (fired by another worker, moved or cancelled) voids
    // its person's whole share: that step must not act a second time.
    let fired: Vec<i64> = commits
        .iter()
        .flat_map(|commit| commit.fired.iter().map(|fired| fired.id))
        .collect();
    let present: HashSet<FiredTimerRef> = if fired.is_empty() {
        HashSet::new()
    } else {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT id, revision FROM timers WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(ids_json(&fired))
        .fetch_all(&mut **tx)
        .await
        .map_err(database)?
        .into_iter()
        .map(|(id, revision)| FiredTimerRef { id, revision })
        .collect()
    };
    let gone = batch::people_with_gone_timers(commits, &present);
    // The version check comes next: it decides whose writes happen at all.
    let mut checks: Vec<(String, i64, Option<String>)> = Vec::with_capacity(commits.len());
    for commit in commits {
        if gone.iter().any(|(person, _)| *person == commit.person) {
            continue;
        }
        let profile = match &commit.write {
            PersonWrite::Update {
                profile: Some(profile),
                ..
            } => Some(encode_profile(profile)?),
            _ => None,
        };
        checks.push((commit.person.to_string(), commit.expected_version, profile));
    }
    let mut bumped: Vec<String> = Vec::with_capacity(checks.len());
    for chunk in row_chunks(&checks) {
        bumped.extend(
            values_statement(
                "WITH u (id, expected, profile, updated_at) AS (",
                chunk,
                |mut row, (id, expected, profile)| {
                    row.push_bind(id.as_str())
                        .push_bind(*expected)
                        .push_bind(profile.as_deref())
                        .push_bind(at.as_str());
                },
                ") UPDATE persons SET version = persons.version + 1, updated_at = u.updated_at, \
                 profile = COALESCE(u.profile, persons.profile) FROM u \
                 WHERE persons.id = u.id AND persons.version = u.expected \
                 RETURNING persons.id",
            )
            .build_query_scalar::<String>()
            .fetch_all(&mut **tx)
            .await
            .map_err(database)?,
        );
    }
    let passed = bumped
        .iter()
        .map(|id| decode_person_id("persons", id))
        .collect::<Result<HashSet<_>, _>>()?;

    // Who of the others still exists decides between Conflict and UnknownPerson.
    let missing: Vec<String> = commits
        .iter()
        .filter(|commit| !passed.contains(&commit.person))
        .map(|commit| commit.person.to_string())
        .collect();
    let existing: HashSet<String> = if missing.is_empty() {
        HashSet::new()
    } else {
        sqlx::query_scalar::<_, String>(
            "SELECT id FROM persons WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::Value::from(missing).to_string())
        .fetch_all(&mut **tx)
        .await
        .map_err(database)?
        .into_iter()
        .collect()
    };

    let rows = BatchRows::new(commits, &passed)?;
    for chunk in row_chunks(&rows.dialogues) {
        values_statement(
            "INSERT INTO dialogues (person_id, platform, chat_id, schema_version, state, updated_at) ",
            chunk,
            |mut row, dialogue| {
                row.push_bind(dialogue.person.to_string())
                    .push_bind(dialogue.chat.platform.as_str())
                    .push_bind(dialogue.chat.chat_id.as_str())
                    .push_bind(dialogue.schema_version)
                    .push_bind(dialogue.state)
                    .push_bind(at.as_str());
            },
            " ON CONFLICT (person_id, platform, chat_id) DO UPDATE SET \
             schema_version = excluded.schema_version, state = excluded.state, \
             updated_at = excluded.updated_at",
        )
        .build()
        .execute(&mut **tx)
        .await.map_err(database)?;
    }
    for chunk in row_chunks(&rows.practice) {
        values_statement(
            "INSERT INTO practice (person_id, data, updated_at) ",
            chunk,
            |mut row, (person, data)| {
                row.push_bind(person.to_string())
                    .push_bind(data.as_str())
                    .push_bind(at.as_str());
            },
            " ON CONFLICT (person_id) DO UPDATE SET data = excluded.data, \
             updated_at = excluded.updated_at",
        )
        .build()
        .execute(&mut **tx)
        .await
        .map_err(database)?;
    }
    if !rows.erased.is_empty() {
        let erased = serde_json::Value::from(
            rows.erased
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        )
        .to_string();
        // Explicit deletes rather than trusting ON DELETE CASCADE alone: erasure must
        // not depend on the foreign_keys pragma being on for this connection.
        for sql in [
            "DELETE FROM dialogues WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM timers WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM practice WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM match_queue WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM outbox WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM quarantined_updates WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM accounts WHERE person_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM persons WHERE id IN (SELECT value FROM json_each(?))",
        ] {
            sqlx::query(sql)
                .bind(&erased)
                .execute(&mut **tx)
                .await
                .map_err(database)?;
        }
    }
    write_tombstones(tx, &rows, &at).await?;
    write_matching(tx, &rows).await?;
    let mut queued: Vec<Vec<OutboxMessage>> = vec![Vec::new(); commits.len()];
    if !rows.outbox.is_empty() {
        let lease_until = lease.map(|lease| encode_time(lease.until));
        // Leased only to a holder that sends to the message's chat.
        let held_by = |chat: &ChatKey| lease.filter(|lease| lease.serves(chat));
        let mut ids: Vec<i64> = Vec::with_capacity(rows.outbox.len());
        for chunk in row_chunks(&rows.outbox) {
            let mut inserted: Vec<i64> = values_statement(
                "INSERT INTO outbox (person_id, platform, chat_id, body, status, attempts, \
                                     not_before, lease_owner, lease_until, created_at) ",
                chunk,
                |mut row, message| {
                    row.push_bind(message.message.person.map(|person| person.to_string()))
                        .push_bind(message.message.chat.platform.as_str())
                        .push_bind(message.message.chat.chat_id.as_str())
                        .push_bind(message.body.as_str())
                        .push_bind("pending")
                        .push_bind(0_i64)
                        .push_bind(at.as_str());
                    let holder = held_by(&message.message.chat);
                    row.push_bind(holder.map(|lease| lease.owner.as_str()))
                        .push_bind(holder.and(lease_until.as_deref()))
                        .push_bind(at.as_str());
                },
                " RETURNING id",
            )
            .build_query_scalar()
            .fetch_all(&mut **tx)
            .await
            .map_err(database)?;
            // Rows are inserted in list order, and chunk after chunk, so ascending ids
            // follow the rows.
            inserted.sort_unstable();
            ids.extend(inserted);
        }
        for (row, id) in rows.outbox.iter().zip(ids) {
            queued[row.commit].push(OutboxMessage {
                id,
                chat: row.message.chat.clone(),
                person: row.message.person,
                body: row.message.body.clone(),
                attempts: 0,
                not_before: commits[row.commit].now,
            });
        }
    }
    // Before `processed` below empties their inbox rows, which hold the payloads.
    write_quarantine(tx, &rows.quarantined, &at).await?;
    // Handled: the updates leave the inbox with their effects.
    mark_processed(tx, &rows.processed, &at).await?;

    write_timers(tx, &rows, &at).await?;

    Ok(commits
        .iter()
        .zip(queued)
        .map(|(commit, outbox)| {
            if let Some((_, timers)) = gone.iter().find(|(person, _)| *person == commit.person) {
                CommitOutcome::TimerGone {
                    timers: timers.clone(),
                }
            } else if passed.contains(&commit.person) {
                CommitOutcome::Committed { outbox }
            } else if existing.contains(&commit.person.to_string()) {
                CommitOutcome::Conflict
            } else {
                CommitOutcome::UnknownPerson
            }
        })
        .collect())
}

/// The tombstones of the people erased in a batch: the person's lists (replacing those of
/// an earlier erasure of theirs), and each of their accounts' hashes leading to them.
async fn write_tombstones(
    tx: &mut sqlx::Transaction<'static, Sqlite>,
    rows: &BatchRows<'_>,
    at: &str,
) -> Result<(), StoreError> {
    for row in &rows.tombstones {
        let person = row.person.to_string();
        sqlx::query(
            "INSERT INTO tombstones (person_id, blocked, former, version, erased_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET \
             blocked = excluded.blocked, former = excluded.former, \
             version = excluded.version, erased_at = excluded.erased_at",
        )
        .bind(&person)
        .bind(&row.blocked)
        .bind(&row.former)
        .bind(row.version)
        .bind(at)
        .execute(&mut **tx)
        .await
        .map_err(database)?;
        for hash in &row.tombstone.accounts {
            sqlx::query(
                "INSERT INTO tombstone_accounts (account_hash, person_id) VALUES (?, ?) \
                 ON CONFLICT (account_hash) DO UPDATE SET person_id = excluded.person_id",
            )
            .bind(hash.as_str())
            .bind(&person)
            .execute(&mut **tx)
            .await
            .map_err(database)?;
        }
    }
    Ok(())
}

/// The matching part of a batch (after erasures): the queue follows the practice
/// records written, and reports are filed (they outlive either side's erasure).
async fn write_matching(
    tx: &mut sqlx::Transaction<'static, Sqlite>,
    rows: &BatchRows<'_>,
) -> Result<(), StoreError> {
    if !rows.queue_joins.is_empty() {
        let joins: Vec<serde_json::Value> = rows
            .queue_joins
            .iter()
            .map(|(person, since)| serde_json::json!([person.to_string(), encode_time(*since)]))
            .collect();
        sqlx::query(
            "INSERT INTO match_queue (person_id, waiting_since) \
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') \
             FROM json_each(?) WHERE true \
             ON CONFLICT (person_id) DO UPDATE SET waiting_since = excluded.waiting_since",
        )
        .bind(serde_json::Value::Array(joins).to_string())
        .execute(&mut **tx)
        .await
        .map_err(database)?;
    }
    if !rows.queue_leaves.is_empty() {
        let leaves = serde_json::Value::from(
            rows.queue_leaves
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        );
        sqlx::query("DELETE FROM match_queue WHERE person_id IN (SELECT value FROM json_each(?))")
            .bind(leaves.to_string())
            .execute(&mut **tx)
            .await
            .map_err(database)?;
    }
    if !rows.reports.is_empty() {
        let reports: Vec<serde_json::Value> = rows
            .reports
            .iter()
            .map(|row| {
                serde_json::json!([
                    row.reporter.to_string(),
                    row.report.about.to_string(),
                    row.report.reason.as_str(),
                    row.report.details,
                    row.report.proposal.map(|proposal| proposal.to_string()),
                    encode_time(row.at)
                ])
            })
            .collect();
        // A report about someone erased meanwhile is still filed: admins keep reports.
        sqlx::query(
            "INSERT INTO reports (reporter_id, about_id, reason, details, proposal_id, created_at) \
             SELECT json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]'), \
                    json_extract(r.value, '$[2]'), json_extract(r.value, '$[3]'), \
                    json_extract(r.value, '$[4]'), json_extract(r.value, '$[5]') \
             FROM json_each(?) AS r ORDER BY r.key",
        )
        .bind(serde_json::Value::Array(reports).to_string())
        .execute(&mut **tx)
        .await
        .map_err(database)?;
    }
    Ok(())
}

/// The timer part of a batch: fired timers go, cancelled ones go, new and moved ones
/// are written (in that order, so a fired timer can schedule its own next occurrence).
async fn write_timers(
    tx: &mut sqlx::Transaction<'static, Sqlite>,
    rows: &BatchRows<'_>,
    at: &str,
) -> Result<(), StoreError> {
    if !rows.fired.is_empty() {
        sqlx::query("DELETE FROM timers WHERE id IN (SELECT value FROM json_each(?))")
            .bind(ids_json(&rows.fired))
            .execute(&mut **tx)
            .await
            .map_err(database)?;
    }
    if !rows.timer_cancels.is_empty() {
        let cancels: Vec<serde_json::Value> = rows
            .timer_cancels
            .iter()
            .map(|(person, kind, key)| serde_json::json!([person.to_string(), kind.as_str(), key]))
            .collect();
        sqlx::query(
            "DELETE FROM timers WHERE (person_id, kind, key) IN \
             (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') \
              FROM json_each(?))",
        )
        .bind(serde_json::Value::Array(cancels).to_string())
        .execute(&mut **tx)
        .await.map_err(database)?;
    }
    if !rows.timer_upserts.is_empty() {
        // A delivery to someone erased (in this batch or before) is dropped: EXISTS
        // rather than the foreign key, which would fail the whole batch.
        let upserts: Vec<serde_json::Value> = rows
            .timer_upserts
            .iter()
            .map(|row| {
                serde_json::json!([
                    row.person.to_string(),
                    row.kind.as_str(),
                    row.key,
                    encode_time(row.due_at),
                    row.chat.platform.as_str(),
                    row.chat.chat_id,
                    row.payload
                ])
            })
            .collect();
        sqlx::query(
            "INSERT INTO timers (person_id, kind, key, due_at, platform, chat_id, payload, \
                                 revision, attempts, created_at) \
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), \
                    json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'), \
                    json_extract(value, '$[6]'), 0, 0, ?1 \
             FROM json_each(?2) \
             WHERE EXISTS (SELECT 1 FROM persons p WHERE p.id = json_extract(value, '$[0]')) \
             ON CONFLICT (person_id, kind, key) DO UPDATE SET \
             due_at = excluded.due_at, platform = excluded.platform, chat_id = excluded.chat_id, \
             payload = excluded.payload, revision = timers.revision + 1, attempts = 0, \
             lease_owner = NULL, lease_until = NULL, last_error = NULL",
        )
        .bind(at)
        .bind(serde_json::Value::Array(upserts).to_string())
        .execute(&mut **tx)
        .await.map_err(database)?;
    }
    Ok(())
}
