//! What both stores need to lay a batch of [`PersonCommit`]s out as bulk statements:
//! each table's rows for the people whose version check passed.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::{
    DmChat, FiredTimerRef, PersonCommit, PersonWrite, StoreError, TimerWrite, Tombstone, UpdateKey,
};
use crate::domain::{AccountRef, ChatKey, Partnering, PersonId, Platform, Practice};
use crate::engine::{NewReport, TimerKind};
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

/// A timer row to insert or move. Written only while `person` exists: a peer message
/// (a delivery to someone else) for a person erased meanwhile is dropped, never an error.
pub(super) struct TimerRow<'a> {
    pub person: PersonId,
    pub kind: TimerKind,
    pub key: &'a str,
    pub due_at: chrono::DateTime<chrono::Utc>,
    pub chat: &'a ChatKey,
    pub payload: &'a str,
}

/// A report to insert, filed by `reporter` at `at`.
pub(super) struct ReportRow<'a> {
    pub reporter: PersonId,
    pub report: &'a NewReport,
    pub at: DateTime<Utc>,
}

/// A tombstone to write for a person erased at `expected_version`.
pub(super) struct TombstoneRow<'a> {
    pub person: PersonId,
    pub tombstone: &'a Tombstone,
    /// The version the person comes back at (see [`returning_version`]).
    pub version: i64,
    /// The lists, as JSON arrays of person ids.
    pub blocked: String,
    pub former: String,
}

/// A tombstone as read for a first contact from one of its accounts.
pub(super) struct TombstoneRead {
    pub person: PersonId,
    /// JSON arrays of person ids.
    pub blocked: String,
    pub former: String,
    pub version: i64,
}

impl TombstoneRead {
    /// The practice record the person comes back with: their blocks and former
    /// partners, nothing else; as JSON.
    pub fn practice(&self) -> Result<String, StoreError> {
        let decode = |raw: &str| {
            serde_json::from_str::<Vec<PersonId>>(raw).map_err(|error| StoreError::Corrupt {
                table: "tombstones",
                reason: format!("tombstone of {}: {error}", self.person),
            })
        };
        let practice = Practice {
            partnering: Box::new(Partnering {
                blocked: decode(&self.blocked)?,
                former: decode(&self.former)?,
                ..Partnering::default()
            }),
            ..Practice::default()
        };
        serde_json::to_string(&practice).map_err(|error| StoreError::Corrupt {
            table: "practice",
            reason: format!("record does not serialise: {error}"),
        })
    }
}

/// The rows of the commits in `passed` (indices into `commits`), in commit order.
pub(super) struct BatchRows<'a> {
    pub erased: Vec<PersonId>,
    pub tombstones: Vec<TombstoneRow<'a>>,
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
    /// `match_queue` follows the practice records written: who waits (since when) ...
    pub queue_joins: Vec<(PersonId, DateTime<Utc>)>,
    /// ... and who does not (any more).
    pub queue_leaves: Vec<PersonId>,
    pub reports: Vec<ReportRow<'a>>,
    /// Updates whose step panicked, written before `processed` empties their inbox rows.
    pub quarantined: Vec<&'a super::Quarantine>,
}

impl<'a> BatchRows<'a> {
    pub fn new(
        commits: &'a [PersonCommit],
        passed: &HashSet<PersonId>,
    ) -> Result<Self, StoreError> {
        let mut rows = BatchRows {
            erased: Vec::new(),
            tombstones: Vec::new(),
            dialogues: Vec::new(),
            outbox: Vec::new(),
            processed: Vec::new(),
            practice: Vec::new(),
            fired: Vec::new(),
            timer_upserts: Vec::new(),
            timer_cancels: Vec::new(),
            queue_joins: Vec::new(),
            queue_leaves: Vec::new(),
            reports: Vec::new(),
            quarantined: Vec::new(),
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
                        match practice.partnering.waiting_since() {
                            Some(since) => rows.queue_joins.push((commit.person, since)),
                            None => rows.queue_leaves.push(commit.person),
                        }
                    }
                    rows.dialogues
                        .extend(dialogues.iter().map(|(chat, state)| DialogueRow {
                            person: commit.person,
                            chat,
                            schema_version: state.schema_version,
                            state: &state.json,
                        }));
                }
                PersonWrite::Erase { keep } => {
                    rows.erased.push(commit.person);
                    if let Some(tombstone) = keep {
                        rows.tombstones.push(TombstoneRow {
                            person: commit.person,
                            tombstone,
                            version: returning_version(commit.expected_version),
                            blocked: encode_people(&tombstone.blocked)?,
                            former: encode_people(&tombstone.former)?,
                        });
                    }
                }
            }
            for message in &commit.outbox {
                rows.outbox.push(OutboxRow {
                    commit: index,
                    message,
                    body: encode_body(&message.body)?,
                });
            }
            rows.processed.extend(commit.processed.iter());
            rows.quarantined.extend(commit.quarantined.iter());
            let erased = matches!(commit.write, PersonWrite::Erase { .. });
            if !erased {
                rows.fired.extend(commit.fired.iter().map(|fired| fired.id));
            }
            // Reports outlive their reporter's erasure, also one filed just before it.
            rows.reports
                .extend(commit.reports.iter().map(|report| ReportRow {
                    reporter: commit.person,
                    report,
                    at: commit.now,
                }));
            let mut last: Vec<&TimerWrite> = Vec::new();
            for write in &commit.timers {
                // An erased person's own timers go with them; what they told others
                // (a farewell to their partner) still goes out.
                if erased && !matches!(write, TimerWrite::Deliver { .. }) {
                    continue;
                }
                if let Some(identity) = timer_identity(write) {
                    last.retain(|earlier| timer_identity(earlier) != Some(identity));
                }
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
                    TimerWrite::Deliver {
                        to,
                        key,
                        due_at,
                        chat,
                        payload,
                    } => rows.timer_upserts.push(TimerRow {
                        person: *to,
                        kind: TimerKind::Peer,
                        key,
                        due_at: *due_at,
                        chat,
                        payload,
                    }),
                }
            }
        }
        Ok(rows)
    }
}

/// Which of the person's own timers a write is about; `None` for a delivery to
/// somebody else (its key is unique, so it is never written twice).
fn timer_identity(write: &TimerWrite) -> Option<(TimerKind, &str)> {
    match write {
        TimerWrite::Upsert { kind, key, .. } | TimerWrite::Cancel { kind, key } => {
            Some((*kind, key))
        }
        TimerWrite::Deliver { .. } => None,
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

/// The version a person erased at `expected_version` comes back at: above every version
/// they had, so that a step computed from a snapshot of them before the erasure (another
/// process's cache) can never commit over the person who came back.
pub(super) fn returning_version(expected_version: i64) -> i64 {
    expected_version.saturating_add(1)
}

fn encode_people(people: &[PersonId]) -> Result<String, StoreError> {
    serde_json::to_string(people).map_err(|error| StoreError::Corrupt {
        table: "tombstones",
        reason: format!("list does not serialise: {error}"),
    })
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

/// An `accounts` row as read: platform, user id and private chat id.
pub(super) struct AccountRow {
    pub platform: String,
    pub user_id: String,
    pub dm_chat_id: Option<String>,
}

impl AccountRow {
    /// The account of a LEFT JOIN row, if it has one.
    pub fn joined(
        platform: Option<String>,
        user_id: Option<String>,
        dm_chat_id: Option<String>,
    ) -> Option<Self> {
        let (platform, user_id) = platform.zip(user_id)?;
        Some(Self {
            platform,
            user_id,
            dm_chat_id,
        })
    }

    /// The account, and its private chat if it is known.
    pub fn decode(self) -> Result<(AccountRef, Option<DmChat>), StoreError> {
        let account = AccountRef::new(decode_platform("accounts", &self.platform)?, self.user_id);
        let dm_chat = self.dm_chat_id.map(|chat_id| DmChat {
            chat: ChatKey::new(account.platform, chat_id),
            account: account.clone(),
        });
        Ok((account, dm_chat))
    }
}

/// The `dm_chat_id` to store for `account` talking in private in `chat`: none if `chat`
/// is on another platform (an account's private chat is on its own platform).
pub(super) fn dm_chat_id<'a>(account: &AccountRef, chat: Option<&'a ChatKey>) -> Option<&'a str> {
    chat.filter(|chat| chat.platform == account.platform)
        .map(|chat| chat.chat_id.as_str())
}

/// A person's accounts and their known private chats, sorted by platform and user id so
/// both backends agree whatever their collation.
pub(super) fn decode_accounts(
    rows: impl IntoIterator<Item = Result<AccountRow, StoreError>>,
) -> Result<(Vec<AccountRef>, Vec<DmChat>), StoreError> {
    let mut decoded = rows
        .into_iter()
        .map(|row| row?.decode())
        .collect::<Result<Vec<_>, _>>()?;
    decoded.sort_by(|(a, _), (b, _)| {
        (a.platform.as_str(), &a.user_id).cmp(&(b.platform.as_str(), &b.user_id))
    });
    let mut accounts = Vec::with_capacity(decoded.len());
    let mut dm_chats = Vec::new();
    for (account, dm_chat) in decoded {
        accounts.push(account);
        dm_chats.extend(dm_chat);
    }
    Ok((accounts, dm_chats))
}

/// One row of the waiting-pool query: a queued person with one of their accounts (or
/// none, if they have none). A person's rows are adjacent, their accounts in order.
pub(super) struct PoolRow {
    pub person: PersonId,
    pub profile: String,
    pub practice: Option<String>,
    pub account: Option<AccountRow>,
}

/// The waiting pool from the rows of its query, in their order.
pub(super) fn waiting_pool(
    rows: impl IntoIterator<Item = Result<PoolRow, StoreError>>,
) -> Result<Vec<super::WaitingEntry>, StoreError> {
    let mut pool: Vec<super::WaitingEntry> = Vec::new();
    for row in rows {
        let row = row?;
        if pool.last().is_none_or(|entry| entry.person != row.person) {
            pool.push(super::WaitingEntry {
                person: row.person,
                profile: decode_profile(row.person, &row.profile)?,
                practice: decode_practice(row.person, row.practice.as_deref())?,
                accounts: Vec::new(),
                dm_chats: Vec::new(),
            });
        }
        if let (Some(account), Some(entry)) = (row.account, pool.last_mut()) {
            let (account, dm_chat) = account.decode()?;
            entry.accounts.push(account);
            entry.dm_chats.extend(dm_chat);
        }
    }
    Ok(pool)
}

pub(super) fn decode_profile(
    person: PersonId,
    raw: &str,
) -> Result<crate::domain::Profile, StoreError> {
    serde_json::from_str(raw).map_err(|error| StoreError::Corrupt {
        table: "persons",
        reason: format!("profile of {person}: {error}"),
    })
}

/// A count as the databases keep it (a signed 64-bit integer).
pub(super) fn count_to_db(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// A count read back; the columns are CHECKed non-negative.
pub(super) fn count_from_db(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}

pub(super) fn decode_reason(
    report: i64,
    raw: &str,
) -> Result<crate::domain::ReportReason, StoreError> {
    crate::domain::ReportReason::parse(raw).ok_or_else(|| StoreError::Corrupt {
        table: "reports",
        reason: format!("report {report}: unknown reason `{raw}`"),
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
