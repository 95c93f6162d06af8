//! People and their commits: finding the person behind a platform account, loading
//! what one step needs, and writing many people's steps in one transaction
//! ([`PeopleStore::commit_batch`]), each person's share guarded by their version.
//!
//! A step computed from a stale snapshot (the person's version moved on) writes nothing
//! of theirs ([`CommitOutcome::Conflict`]) so the caller can reload and recompute.
//! Erasing a person ([`PersonWrite::Erase`]) deletes everything of theirs except the
//! reports they filed or that were filed about them, which stay for the admins; with a
//! [`Tombstone`], their id and the lists that keep others from meeting them again stay
//! under the keyed hashes of their accounts, and
//! [`PeopleStore::person_for_hashed_account`] brings them back as the same person when
//! one of those accounts returns.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{FiredTimerRef, OutboxLease, Quarantine, StoreError, TimerWrite};
use crate::domain::{
    AccountRef, ChatKey, Locale, Partnering, PersonId, Platform, Practice, Profile,
};
use crate::engine::NewReport;
use crate::outbox::{NewOutboxMessage, OutboxMessage};
use crate::privacy::{AccountHash, PrivacyKey};

/// A saved conversation state: engine-defined JSON plus the schema version it was written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredState {
    pub schema_version: i32,
    pub json: String,
}

/// Everything the engine needs to know about one person for one step.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedPerson {
    pub id: PersonId,
    /// Bumped by every committed step; a step commits only if it still matches.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub profile: Profile,
    pub accounts: Vec<AccountRef>,
    /// The private chats of those of their accounts whose private chat is known, in the
    /// order of `accounts`.
    pub dm_chats: Vec<DmChat>,
    /// The saved dialogue of the chat that was asked for, if any.
    pub dialogue: Option<StoredState>,
    /// Their practice record; the empty one if they have none yet.
    pub practice: Practice,
}

/// The private chat a platform account talks to the bot in, as it was last seen. It is
/// stored, never derived from the account: on Telegram its id is the account's id, but a
/// Discord DM channel has an id of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DmChat {
    pub account: AccountRef,
    pub chat: ChatKey,
}

/// What one person's steps in a batch write.
#[derive(Debug, Clone, PartialEq)]
pub enum PersonWrite {
    /// Save the dialogue states of the chats the steps ran in and, if they changed
    /// them, the profile and the practice record.
    Update {
        profile: Option<Profile>,
        dialogues: Vec<(ChatKey, StoredState)>,
        practice: Option<Box<Practice>>,
    },
    /// Erase the person (/delete_me): everything about them goes but the reports they
    /// filed or that were filed about them, and, if given, the tombstone.
    Erase { keep: Option<Tombstone> },
}

/// What outlives a person's erasure (with a privacy key configured): their id under the
/// keyed hashes of their platform accounts, and whom they must never meet again. An
/// account with a tombstone that comes back becomes the same person again, with these
/// lists, so everyone else's blocks, former-partner rules and reports about them still
/// apply. Nothing else of theirs is kept: no profile, no text, no platform id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    pub accounts: Vec<AccountHash>,
    /// People they blocked.
    pub blocked: Vec<PersonId>,
    /// Their former partners and fallen-through proposals.
    pub former: Vec<PersonId>,
}

impl Tombstone {
    /// The tombstone of someone with these accounts and this matching side, under `key`.
    /// The partner of a proposal or partnership still open counts as a former partner:
    /// the erasure ends it.
    pub fn of(key: &PrivacyKey, accounts: &[AccountRef], partnering: &Partnering) -> Self {
        let mut former = partnering.former.clone();
        if let Some((partner, _)) = partnering.current()
            && !former.contains(&partner.person)
        {
            former.push(partner.person);
        }
        Self {
            accounts: accounts
                .iter()
                .map(|account| key.account_hash(account))
                .collect(),
            blocked: partnering.blocked.clone(),
            former,
        }
    }
}

/// One person's share of a batch: applied entirely, or not at all if the person is no
/// longer at `expected_version`.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonCommit {
    pub person: PersonId,
    pub expected_version: i64,
    pub write: PersonWrite,
    /// Messages to queue, in sending order.
    pub outbox: Vec<NewOutboxMessage>,
    /// The platform updates these steps handled, so a redelivery is recognised; their
    /// inbox rows are deleted with the commit.
    pub processed: Vec<UpdateKey>,
    /// Timers to create, move or drop, in the order the steps asked.
    pub timers: Vec<TimerWrite>,
    /// Due timers these steps handled: deleted with this commit, which is refused
    /// entirely if any of them is no longer there at this revision.
    pub fired: Vec<FiredTimerRef>,
    /// Reports these steps filed about others, for admins.
    pub reports: Vec<NewReport>,
    /// Updates whose step panicked: recorded in `quarantined_updates` with what the
    /// inbox held of them. Each is also in `processed`, so a redelivery is skipped.
    pub quarantined: Vec<Quarantine>,
    pub now: DateTime<Utc>,
}

impl PersonCommit {
    /// A commit of `write` alone: no messages, handled updates, timers or reports.
    pub fn new(
        person: PersonId,
        expected_version: i64,
        write: PersonWrite,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            person,
            expected_version,
            write,
            outbox: Vec::new(),
            processed: Vec::new(),
            timers: Vec::new(),
            fired: Vec::new(),
            reports: Vec::new(),
            quarantined: Vec::new(),
            now,
        }
    }
}

/// How one [`PersonCommit`] of a batch ended.
#[derive(Debug, Clone, PartialEq)]
pub enum CommitOutcome {
    /// Written; the queued messages with their ids.
    Committed { outbox: Vec<OutboxMessage> },
    /// The person changed since the snapshot: nothing of theirs was written.
    Conflict,
    /// The person does not exist (any more): nothing of theirs was written.
    UnknownPerson,
    /// These fired timers were already handled, moved or cancelled (by another worker,
    /// or a step of the person): nothing of theirs was written.
    TimerGone { timers: Vec<FiredTimerRef> },
}

/// A platform's id for one incoming update (Telegram's update_id).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UpdateKey {
    pub platform: Platform,
    pub id: String,
}

#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// The person behind a platform account; on first contact a new person with an
    /// empty profile in `locale` is created (racing first contacts resolve to one
    /// person). `hash` is the account's keyed hash: on first contact from an account
    /// with a [`Tombstone`], the person erased is created again, with their id and the
    /// tombstone's lists (or, if they are back already through another of their
    /// accounts, this account joins them). `dm_chat`, the private chat the contact came
    /// from (of the account's platform), is stored with an account it creates; an
    /// account that exists already keeps what it has ([`PeopleStore::record_dm_chat`]
    /// changes it).
    async fn person_for_hashed_account(
        &self,
        account: &AccountRef,
        hash: Option<&AccountHash>,
        dm_chat: Option<&ChatKey>,
        locale: Locale,
        now: DateTime<Utc>,
    ) -> Result<PersonId, StoreError>;

    /// Stores the private chat of an account (one that no longer exists is left alone).
    async fn record_dm_chat(&self, dm_chat: &DmChat) -> Result<(), StoreError>;

    /// The person with their profile, accounts and the dialogue saved for `chat`;
    /// `None` if the person does not exist (any more).
    async fn load_person(
        &self,
        person: PersonId,
        chat: &ChatKey,
    ) -> Result<Option<LoadedPerson>, StoreError>;

    /// Writes several people's steps in one transaction; the outcomes come in the order
    /// of `commits`, which must name each person at most once. New outbox messages are
    /// leased to `lease` (the dispatcher that will send them), if given and it serves
    /// their platform.
    async fn commit_batch(
        &self,
        commits: &[PersonCommit],
        lease: Option<&OutboxLease>,
    ) -> Result<Vec<CommitOutcome>, StoreError>;

    /// Which of `keys` were already handled.
    async fn processed_updates(&self, keys: &[UpdateKey])
    -> Result<HashSet<UpdateKey>, StoreError>;
}
