//! What both stores need to lay a batch of [`PersonCommit`]s out as bulk statements:
//! each table's rows for the people whose version check passed.

use std::collections::HashSet;

use super::{PersonCommit, PersonWrite, StoreError, UpdateKey};
use crate::domain::{ChatKey, PersonId};
use crate::outbox::{NewOutboxMessage, OutboxBody};

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

/// The rows of the commits in `passed` (indices into `commits`), in commit order.
pub(super) struct BatchRows<'a> {
    pub erased: Vec<PersonId>,
    pub dialogues: Vec<DialogueRow<'a>>,
    pub outbox: Vec<OutboxRow<'a>>,
    pub processed: Vec<&'a UpdateKey>,
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
        };
        for (index, commit) in commits.iter().enumerate() {
            if !passed.contains(&commit.person) {
                continue;
            }
            match &commit.write {
                PersonWrite::Update { dialogues, .. } => {
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
        }
        Ok(rows)
    }
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
