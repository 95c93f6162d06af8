//! The statements of a PostgreSQL batch commit ([`PeopleStore::commit_batch`]): the
//! version check, then each table's rows for the people who passed, in a handful of
//! bulk statements whatever the batch size.

use super::*;

/// The body of [`PeopleStore::commit_batch`]: a handful of bulk statements whatever the batch
/// size, each reading its rows from arrays; the caller commits or rolls back.
pub(super) async fn write_batch(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    commits: &[PersonCommit],
    lease: Option<&OutboxLease>,
) -> Result<Vec<CommitOutcome>, StoreError> {
    let at = commits[0].now;
    // A fired timer that is gone (fired by another worker, moved or cancelled) voids
    // its person's whole share: that step must not act a second time. This read takes
    // no lock: every change to a person's timers also bumps the person's version, so a
    // timer that goes after this read fails the version check below instead.
    let fired: Vec<i64> = commits
        .iter()
        .flat_map(|commit| commit.fired.iter().map(|fired| fired.id))
        .collect();
    let present: HashSet<FiredTimerRef> = if fired.is_empty() {
        HashSet::new()
    } else {
        sqlx::query_as::<_, (i64, i64)>("SELECT id, revision FROM timers WHERE id = ANY($1)")
            .bind(&fired)
            .fetch_all(&mut **tx)
            .await
            .map_err(database)?
            .into_iter()
            .map(|(id, revision)| FiredTimerRef { id, revision })
            .collect()
    };
    let gone = batch::people_with_gone_timers(commits, &present);
    // The version check comes next: it decides whose writes happen at all. Rows are
    // locked in id order, so two replicas' batches cannot deadlock on each other. NO KEY
    // UPDATE (what an UPDATE takes anyway) rather than UPDATE: a peer message another
    // batch writes for one of these people takes a key share lock on them (the foreign
    // key, the EXISTS), which must not wait for this batch while this one waits for it.
    let mut order: Vec<&PersonCommit> = commits
        .iter()
        .filter(|commit| !gone.iter().any(|(person, _)| *person == commit.person))
        .collect();
    order.sort_by_key(|commit| commit.person.as_uuid());
    let mut ids = Vec::with_capacity(order.len());
    let mut expected = Vec::with_capacity(order.len());
    let mut profiles = Vec::with_capacity(order.len());
    for commit in &order {
        ids.push(commit.person.as_uuid());
        expected.push(commit.expected_version);
        profiles.push(match &commit.write {
            PersonWrite::Update {
                profile: Some(profile),
                ..
            } => Some(encode_profile(profile)?),
            _ => None,
        });
    }
    let bumped: Vec<Uuid> = sqlx::query_scalar(
        "WITH u AS (SELECT * FROM UNNEST($2::uuid[], $3::int8[], $4::text[]) AS u(id, expected, profile)), \
         locked AS (SELECT p.id FROM persons p JOIN u ON p.id = u.id AND p.version = u.expected \
                    ORDER BY p.id FOR NO KEY UPDATE OF p) \
         UPDATE persons p SET version = p.version + 1, updated_at = $1, \
         profile = COALESCE(u.profile::jsonb, p.profile) \
         FROM u WHERE p.id = u.id AND p.id IN (SELECT id FROM locked) AND p.version = u.expected \
         RETURNING p.id",
    )
    .bind(at)
    .bind(&ids)
    .bind(&expected)
    .bind(&profiles)
    .fetch_all(&mut **tx)
    .await.map_err(database)?;
    let passed: HashSet<PersonId> = bumped.into_iter().map(PersonId::from_uuid).collect();

    // Who of the others still exists decides between Conflict and UnknownPerson.
    let missing: Vec<Uuid> = commits
        .iter()
        .filter(|commit| !passed.contains(&commit.person))
        .map(|commit| commit.person.as_uuid())
        .collect();
    let existing: HashSet<Uuid> = if missing.is_empty() {
        HashSet::new()
    } else {
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM persons WHERE id = ANY($1)")
            .bind(&missing)
            .fetch_all(&mut **tx)
            .await
            .map_err(database)?
            .into_iter()
            .collect()
    };

    let rows = BatchRows::new(commits, &passed)?;
    if !rows.dialogues.is_empty() {
        let mut persons = Vec::with_capacity(rows.dialogues.len());
        let mut platforms = Vec::with_capacity(rows.dialogues.len());
        let mut chats = Vec::with_capacity(rows.dialogues.len());
        let mut versions = Vec::with_capacity(rows.dialogues.len());
        let mut states = Vec::with_capacity(rows.dialogues.len());
        for row in &rows.dialogues {
            persons.push(row.person.as_uuid());
            platforms.push(row.chat.platform.as_str());
            chats.push(row.chat.chat_id.as_str());
            versions.push(row.schema_version);
            states.push(row.state);
        }
        sqlx::query(
            "INSERT INTO dialogues (person_id, platform, chat_id, schema_version, state, updated_at) \
             SELECT u.person_id, u.platform, u.chat_id, u.schema_version, u.state, $1 \
             FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::int4[], $6::text[]) \
                  AS u(person_id, platform, chat_id, schema_version, state) \
             ON CONFLICT (person_id, platform, chat_id) DO UPDATE SET \
             schema_version = excluded.schema_version, state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(at)
        .bind(persons)
        .bind(platforms)
        .bind(chats)
        .bind(versions)
        .bind(states)
        .execute(&mut **tx)
        .await.map_err(database)?;
    }
    if !rows.practice.is_empty() {
        let (persons, records): (Vec<Uuid>, Vec<&str>) = rows
            .practice
            .iter()
            .map(|(person, data)| (person.as_uuid(), data.as_str()))
            .unzip();
        sqlx::query(
            "INSERT INTO practice (person_id, data, updated_at) \
             SELECT u.person_id, u.data::jsonb, $1 FROM UNNEST($2::uuid[], $3::text[]) AS u(person_id, data) \
             ON CONFLICT (person_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        )
        .bind(at)
        .bind(persons)
        .bind(records)
        .execute(&mut **tx)
        .await.map_err(database)?;
    }
    if !rows.erased.is_empty() {
        let erased: Vec<Uuid> = rows.erased.iter().map(|person| person.as_uuid()).collect();
        // Explicit deletes, so erasure does not hinge on every foreign key cascading.
        for sql in [
            "DELETE FROM dialogues WHERE person_id = ANY($1)",
            "DELETE FROM timers WHERE person_id = ANY($1)",
            "DELETE FROM practice WHERE person_id = ANY($1)",
            "DELETE FROM match_queue WHERE person_id = ANY($1)",
            "DELETE FROM outbox WHERE person_id = ANY($1)",
            "DELETE FROM quarantined_updates WHERE person_id = ANY($1)",
            "DELETE FROM accounts WHERE person_id = ANY($1)",
            "DELETE FROM persons WHERE id = ANY($1)",
        ] {
            sqlx::query(sql)
                .bind(&erased)
                .execute(&mut **tx)
                .await
                .map_err(database)?;
        }
    }
    write_tombstones(tx, &rows, at).await?;
    write_matching(tx, &rows).await?;
    let mut queued: Vec<Vec<OutboxMessage>> = vec![Vec::new(); commits.len()];
    if !rows.outbox.is_empty() {
        let mut persons = Vec::with_capacity(rows.outbox.len());
        let mut platforms = Vec::with_capacity(rows.outbox.len());
        let mut chats = Vec::with_capacity(rows.outbox.len());
        let mut bodies = Vec::with_capacity(rows.outbox.len());
        // Leased only to a holder that sends to the message's chat.
        let mut leased = Vec::with_capacity(rows.outbox.len());
        for row in &rows.outbox {
            persons.push(row.message.person.map(|person| person.as_uuid()));
            platforms.push(row.message.chat.platform.as_str());
            chats.push(row.message.chat.chat_id.as_str());
            bodies.push(row.body.as_str());
            leased.push(lease.is_some_and(|lease| lease.serves(&row.message.chat)));
        }
        let mut ids: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO outbox (person_id, platform, chat_id, body, status, attempts, not_before, \
                                 lease_owner, lease_until, created_at) \
             SELECT u.person_id, u.platform, u.chat_id, u.body, 'pending', 0, $1, \
                    CASE WHEN u.leased THEN $2 END, \
                    CASE WHEN u.leased THEN $3 END, $1 \
             FROM UNNEST($4::uuid[], $5::text[], $6::text[], $7::text[], $8::bool[]) \
                  WITH ORDINALITY AS u(person_id, platform, chat_id, body, leased, ord) \
             ORDER BY u.ord \
             RETURNING id",
        )
        .bind(at)
        .bind(lease.map(|lease| lease.owner.as_str()))
        .bind(lease.map(|lease| lease.until))
        .bind(persons)
        .bind(platforms)
        .bind(chats)
        .bind(bodies)
        .bind(leased)
        .fetch_all(&mut **tx)
        .await
        .map_err(database)?;
        // Ids are drawn from the sequence as rows are inserted in array order, so
        // ascending ids follow it.
        ids.sort_unstable();
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
    // Before `mark_processed` empties their inbox rows, which hold the payloads.
    write_quarantine(tx, &rows.quarantined, at).await?;
    // Handled: the updates leave the inbox with their effects.
    mark_processed(tx, &rows.processed, at).await?;

    write_timers(tx, &rows, at).await?;

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
            } else if existing.contains(&commit.person.as_uuid()) {
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
    tx: &mut sqlx::Transaction<'static, Postgres>,
    rows: &BatchRows<'_>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if rows.tombstones.is_empty() {
        return Ok(());
    }
    let mut persons = Vec::with_capacity(rows.tombstones.len());
    let mut blocked = Vec::with_capacity(rows.tombstones.len());
    let mut former = Vec::with_capacity(rows.tombstones.len());
    let mut versions = Vec::with_capacity(rows.tombstones.len());
    let mut hashes = Vec::new();
    let mut owners = Vec::new();
    for row in &rows.tombstones {
        persons.push(row.person.as_uuid());
        blocked.push(row.blocked.as_str());
        former.push(row.former.as_str());
        versions.push(row.version);
        for hash in &row.tombstone.accounts {
            hashes.push(hash.as_str());
            owners.push(row.person.as_uuid());
        }
    }
    sqlx::query(
        "INSERT INTO tombstones (person_id, blocked, former, version, erased_at) \
         SELECT u.person_id, u.blocked, u.former, u.version, $1 \
         FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::int8[]) \
              AS u(person_id, blocked, former, version) \
         ON CONFLICT (person_id) DO UPDATE SET blocked = excluded.blocked, \
         former = excluded.former, version = excluded.version, erased_at = excluded.erased_at",
    )
    .bind(at)
    .bind(persons)
    .bind(blocked)
    .bind(former)
    .bind(versions)
    .execute(&mut **tx)
    .await
    .map_err(database)?;
    sqlx::query(
        "INSERT INTO tombstone_accounts (account_hash, person_id) \
         SELECT u.account_hash, u.person_id FROM UNNEST($1::text[], $2::uuid[]) \
              AS u(account_hash, person_id) \
         ON CONFLICT (account_hash) DO UPDATE SET person_id = excluded.person_id",
    )
    .bind(hashes)
    .bind(owners)
    .execute(&mut **tx)
    .await
    .map_err(database)?;
    Ok(())
}

/// The matching part of a batch (after erasures): the queue follows the practice
/// records written, and reports are filed (they outlive either side's erasure).
async fn write_matching(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    rows: &BatchRows<'_>,
) -> Result<(), StoreError> {
    if !rows.queue_joins.is_empty() {
        let (persons, since): (Vec<Uuid>, Vec<DateTime<Utc>>) = rows
            .queue_joins
            .iter()
            .map(|(person, since)| (person.as_uuid(), *since))
            .unzip();
        sqlx::query(
            "INSERT INTO match_queue (person_id, waiting_since) \
             SELECT u.person_id, u.waiting_since FROM UNNEST($1::uuid[], $2::timestamptz[]) \
                  AS u(person_id, waiting_since) \
             ON CONFLICT (person_id) DO UPDATE SET waiting_since = excluded.waiting_since",
        )
        .bind(persons)
        .bind(since)
        .execute(&mut **tx)
        .await
        .map_err(database)?;
    }
    if !rows.queue_leaves.is_empty() {
        let leaves: Vec<Uuid> = rows
            .queue_leaves
            .iter()
            .map(|person| person.as_uuid())
            .collect();
        sqlx::query("DELETE FROM match_queue WHERE person_id = ANY($1)")
            .bind(leaves)
            .execute(&mut **tx)
            .await
            .map_err(database)?;
    }
    if !rows.reports.is_empty() {
        let count = rows.reports.len();
        let mut reporters = Vec::with_capacity(count);
        let mut abouts = Vec::with_capacity(count);
        let mut reasons = Vec::with_capacity(count);
        let mut details = Vec::with_capacity(count);
        let mut proposals = Vec::with_capacity(count);
        let mut at = Vec::with_capacity(count);
        for row in &rows.reports {
            reporters.push(row.reporter.as_uuid());
            abouts.push(row.report.about.as_uuid());
            reasons.push(row.report.reason.as_str());
            details.push(row.report.details.as_str());
            proposals.push(row.report.proposal.map(|proposal| proposal.to_string()));
            at.push(row.at);
        }
        // A report about someone erased meanwhile is still filed: admins keep reports.
        sqlx::query(
            "INSERT INTO reports (reporter_id, about_id, reason, details, proposal_id, created_at) \
             SELECT u.reporter_id, u.about_id, u.reason, u.details, u.proposal_id::uuid, u.created_at \
             FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) \
                  WITH ORDINALITY AS u(reporter_id, about_id, reason, details, proposal_id, created_at, ord) \
             ORDER BY u.ord",
        )
        .bind(reporters)
        .bind(abouts)
        .bind(reasons)
        .bind(details)
        .bind(proposals)
        .bind(at)
        .execute(&mut **tx)
        .await.map_err(database)?;
    }
    Ok(())
}

/// The timer part of a batch: fired timers go, cancelled ones go, new and moved ones
/// are written (in that order, so a fired timer can schedule its own next occurrence).
async fn write_timers(
    tx: &mut sqlx::Transaction<'static, Postgres>,
    rows: &BatchRows<'_>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if !rows.fired.is_empty() {
        sqlx::query("DELETE FROM timers WHERE id = ANY($1)")
            .bind(&rows.fired)
            .execute(&mut **tx)
            .await
            .map_err(database)?;
    }
    if !rows.timer_cancels.is_empty() {
        let mut persons = Vec::with_capacity(rows.timer_cancels.len());
        let mut kinds = Vec::with_capacity(rows.timer_cancels.len());
        let mut keys = Vec::with_capacity(rows.timer_cancels.len());
        for (person, kind, key) in &rows.timer_cancels {
            persons.push(person.as_uuid());
            kinds.push(kind.as_str());
            keys.push(*key);
        }
        sqlx::query(
            "DELETE FROM timers t USING UNNEST($1::uuid[], $2::text[], $3::text[]) AS c(person_id, kind, key) \
             WHERE t.person_id = c.person_id AND t.kind = c.kind AND t.key = c.key",
        )
        .bind(persons)
        .bind(kinds)
        .bind(keys)
        .execute(&mut **tx)
        .await.map_err(database)?;
    }
    if !rows.timer_upserts.is_empty() {
        // A delivery to someone erased (in this batch or before) is dropped: EXISTS
        // rather than the foreign key, which would fail the whole batch. The locking
        // read waits for an erasure in flight and then sees the person gone (a plain
        // EXISTS would see them in its snapshot and the foreign key would then fail).
        let count = rows.timer_upserts.len();
        let mut persons = Vec::with_capacity(count);
        let mut kinds = Vec::with_capacity(count);
        let mut keys = Vec::with_capacity(count);
        let mut due = Vec::with_capacity(count);
        let mut platforms = Vec::with_capacity(count);
        let mut chats = Vec::with_capacity(count);
        let mut payloads = Vec::with_capacity(count);
        for row in &rows.timer_upserts {
            persons.push(row.person.as_uuid());
            kinds.push(row.kind.as_str());
            keys.push(row.key);
            due.push(row.due_at);
            platforms.push(row.chat.platform.as_str());
            chats.push(row.chat.chat_id.as_str());
            payloads.push(row.payload);
        }
        sqlx::query(
            "INSERT INTO timers (person_id, kind, key, due_at, platform, chat_id, payload, \
                                 revision, attempts, created_at) \
             SELECT u.person_id, u.kind, u.key, u.due_at, u.platform, u.chat_id, u.payload, 0, 0, $1 \
             FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[]) \
                  AS u(person_id, kind, key, due_at, platform, chat_id, payload) \
             WHERE EXISTS (SELECT 1 FROM persons p WHERE p.id = u.person_id FOR KEY SHARE) \
             ON CONFLICT (person_id, kind, key) DO UPDATE SET \
             due_at = excluded.due_at, platform = excluded.platform, chat_id = excluded.chat_id, \
             payload = excluded.payload, revision = timers.revision + 1, attempts = 0, \
             lease_owner = NULL, lease_until = NULL, last_error = NULL",
        )
        .bind(at)
        .bind(persons)
        .bind(kinds)
        .bind(keys)
        .bind(due)
        .bind(platforms)
        .bind(chats)
        .bind(payloads)
        .execute(&mut **tx)
        .await.map_err(database)?;
    }
    Ok(())
}
