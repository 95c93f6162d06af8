//! What both stores need to lay a batch of [`PersonCommit`]s out as bulk statements:
//! each table's rows for the people whose version check passed.

use std::collections::HashSet;

use super::{FiredTimerRef, PersonCommit, PersonWrite, StoreError, TimerWrite, UpdateKey};
use crate::domain::{ChatKey, PersonId, Platform};
use crate::engine::TimerKind;
use crate::outbox::{NewOutboxMessage, OutboxBody, OutboxStats};

/// A dialogue row to upsert.
pub(super) struct DialogueRow<'a> {
    pub person: PersonId,
    pub chat: &'a ChatKey,
    pub schema_version: i32,
    pub state: &'a str,
}

/// An outbox row to insert, with its body already encoded.
pub(super) struct OutboxRow<'a> {
    /// Index of the commit it belongs to.
    pub commit: usize,
    pub message: &'a NewOutboxMessage,
    pub body: String,
}

/// A timer row to insert or move.
pub(super) struct TimerRow<'a> {
    pub person: PersonId,
    pub kind: TimerKind,
    pub key: &'a str,
    pub due_at: chrono::DateTime<chrono::Utc>,
    pub chat: &'a ChatKey,
    pub payload: &'a str,
}

/// The rows of the commits in `passed` (indices into `commits`), in commit order.
pub(super) struct BatchRows<'a> {
    pub erased: Vec<PersonId>,
    pub dialogues: Vec<DialogueRow<'a>>,
    pub outbox: Vec<OutboxRow<'a>>,
    pub processed: Vec<&'a UpdateKey>,
    /// Practice records to upsert, as JSON.
    pub practice: Vec<(PersonId, String)>,
    /// Fired timers to delete (their revision was checked before the version check).
    pub fired: Vec<i64>,
    /// Each timer's last write in the batch: a timer written twice (scheduled, then
    /// moved) must appear once, since one statement cannot upsert a row twice.
    pub timer_upserts: Vec<TimerRow<'a>>,
    pub timer_cancels: Vec<(PersonId, TimerKind, &'a str)>,
}

impl<'a> BatchRows<'a> {
    pub fn new(
        commits: &'a [PersonCommit],
        passed: &HashSet<PersonId>,
    ) -> Result<Self, StoreError> {
        let mut rows = BatchRows {
            erased: Vec::new(),
            dialogues: Vec::new(),
            outbox: Vec::new(),
            processed: Vec::new(),
            practice: Vec::new(),
            fired: Vec::new(),
            timer_upserts: Vec::new(),
            timer_cancels: Vec::new(),
        };
        for (index, commit) in commits.iter().enumerate() {
            if !passed.contains(&commit.person) {
                continue;
            }
            match &commit.write {
                PersonWrite::Update {
                    dialogues,
                    practice,
                    ..
                } => {
                    if let Some(practice) = practice {
                        let json = serde_json::to_string(practice).map_err(|error| {
                            StoreError::Corrupt {
                                table: "practice",
                                reason: format!("record does not serialise: {error}"),
                            }
                        })?;
                        rows.practice.push((commit.person, json));
                    }
                    rows.dialogues
                        .extend(dialogues.iter().map(|(chat, state)| DialogueRow {
                            person: commit.person,
                            chat,
                            schema_version: state.schema_version,
                            state: &state.json,
                        }));
                }
                PersonWrite::Erase => rows.erased.push(commit.person),
            }
            for message in &commit.outbox {
                rows.outbox.push(OutboxRow {
                    commit: index,
                    message,
                    body: encode_body(&message.body)?,
                });
            }
            rows.processed.extend(commit.processed.iter());
            if matches!(commit.write, PersonWrite::Erase) {
                // The person's timers go with them.
                continue;
            }
            rows.fired.extend(commit.fired.iter().map(|fired| fired.id));
            let mut last: Vec<&TimerWrite> = Vec::new();
            for write in &commit.timers {
                let (kind, key) = timer_identity(write);
                last.retain(|earlier| timer_identity(earlier) != (kind, key));
                last.push(write);
            }
            for write in last {
                match write {
                    TimerWrite::Upsert {
                        kind,
                        key,
                        due_at,
                        chat,
                        payload,
                    } => rows.timer_upserts.push(TimerRow {
                        person: commit.person,
                        kind: *kind,
                        key,
                        due_at: *due_at,
                        chat,
                        payload,
                    }),
                    TimerWrite::Cancel { kind, key } => {
                        rows.timer_cancels.push((commit.person, *kind, key))
                    }
                }
            }
        }
        Ok(rows)
    }
}

fn timer_identity(write: &TimerWrite) -> (TimerKind, &str) {
    match write {
        TimerWrite::Upsert { kind, key, .. } | TimerWrite::Cancel { kind, key } => (*kind, key),
    }
}

/// The people of a batch whose fired timers are not all still there (at the revision
/// they were claimed at), given the ones that are: their commits are refused.
pub(super) fn people_with_gone_timers(
    commits: &[PersonCommit],
    present: &HashSet<FiredTimerRef>,
) -> Vec<(PersonId, Vec<FiredTimerRef>)> {
    commits
        .iter()
        .filter_map(|commit| {
            let gone: Vec<FiredTimerRef> = commit
                .fired
                .iter()
                .filter(|fired| !present.contains(fired))
                .copied()
                .collect();
            (!gone.is_empty()).then_some((commit.person, gone))
        })
        .collect()
}

/// Checks the batch names each person once: two entries for one person would both pass
/// the version check against the same old version.
pub(super) fn check_distinct(commits: &[PersonCommit]) -> Result<(), StoreError> {
    let mut seen = HashSet::with_capacity(commits.len());
    for commit in commits {
        if !seen.insert(commit.person) {
            return Err(StoreError::Corrupt {
                table: "persons",
                reason: format!("a batch names {} twice", commit.person),
            });
        }
    }
    Ok(())
}

pub(super) fn decode_practice(
    person: PersonId,
    raw: Option<&str>,
) -> Result<crate::domain::Practice, StoreError> {
    raw.map_or(Ok(crate::domain::Practice::default()), |raw| {
        serde_json::from_str(raw).map_err(|error| StoreError::Corrupt {
            table: "practice",
            reason: format!("record of {person}: {error}"),
        })
    })
}

pub(super) fn encode_body(body: &OutboxBody) -> Result<String, StoreError> {
    serde_json::to_string(body).map_err(|error| StoreError::Corrupt {
        table: "outbox",
        reason: format!("message does not serialise: {error}"),
    })
}

pub(super) fn decode_body(id: i64, raw: &str) -> Result<OutboxBody, StoreError> {
    serde_json::from_str(raw).map_err(|error| StoreError::Corrupt {
        table: "outbox",
        reason: format!("message {id}: {error}"),
    })
}

pub(super) fn decode_platform(table: &'static str, raw: &str) -> Result<Platform, StoreError> {
    Platform::parse(raw).ok_or_else(|| StoreError::Corrupt {
        table,
        reason: format!("unknown platform `{raw}`"),
    })
}

/// The queue figures from `SELECT status, COUNT(*) FROM outbox GROUP BY status`.
pub(super) fn outbox_stats(counts: Vec<(String, i64)>) -> OutboxStats {
    let mut stats = OutboxStats::default();
    for (status, count) in counts {
        let count = u64::try_from(count).unwrap_or(0);
        match status.as_str() {
            "pending" => stats.pending = count,
            _ => stats.dead = count,
        }
    }
    stats
}
