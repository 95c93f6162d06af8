//! One storage trait, two stores: SQLite (the embedded default) and PostgreSQL
//! (production). The backend is chosen from the database URL's scheme.
//!
//! The store knows persons, their platform accounts, their profiles and one saved
//! dialogue per chat. A conversation step is written with [`Store::commit_step`]: the
//! dialogue state and the profile change of one step commit together or not at all, and
//! a step computed from a stale snapshot (the person's version moved on) is rejected
//! with [`StoreError::Conflict`] so the caller can reload and recompute.
//!
//! The runtime commits many people's steps in one transaction ([`Store::commit_batch`]):
//! each person's writes (dialogues, profile, outgoing messages, the ids of the updates
//! that caused them) apply together or, on a version conflict, not at all, while the
//! others in the batch still commit. The outbox queue itself is here too.
//!
//! So are the scheduler's timers: a step's new, moved and cancelled timers are part of
//! its [`PersonCommit`], and a fired timer is deleted by the commit of the step it
//! caused, which is rejected ([`CommitOutcome::TimerGone`]) if the timer was fired,
//! moved or cancelled meanwhile: each timer acts once.
//!
//! Erasing a person ([`PersonWrite::Erase`]) deletes everything of theirs except the
//! reports they filed or that were filed about them, which stay for the admins; with a
//! [`Tombstone`], their id and the lists that keep others from meeting them again stay
//! under the keyed hashes of their accounts, and [`Store::person_for_hashed_account`]
//! brings them back as the same person when one of those accounts returns.
//!
//! The inbox keeps platform updates from their receipt until their step commits
//! ([`Store::inbox_put`]): a committed [`PersonCommit`] deletes the inbox rows of the
//! updates it handled in its own transaction, so an update leaves the inbox exactly when
//! its effects are in. An adapter can then confirm updates to the platform as soon as
//! they are stored, and step whatever is left in the inbox after a crash.

mod admin;
mod batch;
mod postgres;
mod postgres_admin;
mod sqlite;
mod sqlite_admin;

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{AccountRef, ChatKey, Partnering, PersonId, Platform, Practice, Profile};
use crate::engine::{NewReport, TimerKind};
use crate::outbox::{NewOutboxMessage, OutboxMessage, OutboxStats};
use crate::privacy::{AccountHash, PrivacyKey};

pub use admin::{
    AdminStore, AuditQuery, NewAuditEntry, NewBroadcast, PersonLookup, QueuedBroadcast,
};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

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

/// What one conversation step writes.
#[derive(Debug, Clone, PartialEq)]
pub enum StepWrite {
    /// Save the chat's dialogue state and, if the step changed it, the profile.
    Update {
        state: StoredState,
        profile: Option<Profile>,
    },
    /// Erase the person (/delete_me), keeping nothing of them but reports.
    Erase,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepCommit {
    pub person: PersonId,
    /// The `LoadedPerson::version` the step was computed from.
    pub expected_version: i64,
    pub chat: ChatKey,
    pub write: StepWrite,
    pub now: DateTime<Utc>,
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

/// A change to one of the person's timers.
#[derive(Debug, Clone, PartialEq)]
pub enum TimerWrite {
    /// Creates the timer, or moves the person's timer of this kind and key (a new
    /// revision, so a worker holding the old one cannot act on it).
    Upsert {
        kind: TimerKind,
        key: String,
        due_at: DateTime<Utc>,
        /// Where it fires.
        chat: ChatKey,
        /// JSON text.
        payload: String,
    },
    Cancel {
        kind: TimerKind,
        key: String,
    },
    /// A peer message for another person, due at once: a [`TimerKind::Peer`] timer of
    /// `to`'s (a unique `key`), written only if `to` still exists.
    Deliver {
        to: PersonId,
        key: String,
        due_at: DateTime<Utc>,
        chat: ChatKey,
        /// JSON text of the [`crate::engine::PeerMessage`].
        payload: String,
    },
}

/// A claimed timer as the step that fired it names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FiredTimerRef {
    pub id: i64,
    pub revision: i64,
}

/// A due timer, claimed by a scheduler instance.
#[derive(Debug, Clone, PartialEq)]
pub struct DueTimer {
    pub id: i64,
    pub revision: i64,
    pub person: PersonId,
    /// As stored: a kind this build does not know (from a newer build) stays a string.
    pub kind: String,
    pub key: String,
    pub due_at: DateTime<Utc>,
    pub chat: ChatKey,
    /// JSON text.
    pub payload: String,
    /// Failed firings so far.
    pub attempts: u32,
}

impl DueTimer {
    pub fn fired_ref(&self) -> FiredTimerRef {
        FiredTimerRef {
            id: self.id,
            revision: self.revision,
        }
    }
}

/// Re-engagement figures over everyone, for /stats and the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReengagementStats {
    pub nudges_sent: u64,
    /// Returns within 48 hours of a nudge.
    pub returned_within_48h: u64,
}

/// A scheduler instance's hold on claimed timers, like [`OutboxLease`] for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerLease {
    pub owner: String,
    pub until: DateTime<Utc>,
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

impl From<&StepCommit> for PersonCommit {
    fn from(step: &StepCommit) -> Self {
        let write = match &step.write {
            StepWrite::Update { state, profile } => PersonWrite::Update {
                profile: profile.clone(),
                dialogues: vec![(step.chat.clone(), state.clone())],
                practice: None,
            },
            StepWrite::Erase => PersonWrite::Erase { keep: None },
        };
        Self::new(step.person, step.expected_version, write, step.now)
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

/// Someone in the matcher queue, with what a wave needs of them.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingEntry {
    pub person: PersonId,
    pub profile: Profile,
    /// Holds their matching side (`practice.partnering`): blocks, former partners,
    /// missed proposals, no-shows, and when they started waiting.
    pub practice: Practice,
    /// Their platform accounts, oldest first.
    pub accounts: Vec<AccountRef>,
    /// The private chats of those of their accounts whose private chat is known, oldest
    /// account first: a wave proposes in the first.
    pub dm_chats: Vec<DmChat>,
}

/// One matcher wave, for the record (missed waves are counted from it) and admins.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveRecord {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// People in the queue, and those of them who could be paired at all.
    pub waiting: u64,
    pub eligible: u64,
    pub edges: u64,
    pub pairs: u64,
    pub total_weight: i64,
}

/// A report a person filed about another, as admins see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: i64,
    pub reporter: PersonId,
    pub about: PersonId,
    pub reason: crate::domain::ReportReason,
    pub details: String,
    pub proposal: Option<crate::domain::ProposalId>,
    pub created_at: DateTime<Utc>,
}

/// How many people stand where with matching, for /stats and the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PartneringStats {
    pub waiting: u64,
    pub proposed: u64,
    pub partnered: u64,
}

/// Held while this process is the matcher's leader; dropping or releasing it lets
/// another instance lead. On PostgreSQL it is a session advisory lock on a connection
/// of its own; on SQLite, a row with an expiry that the holder renews.
#[async_trait]
pub trait Leadership: Send + Sync {
    /// Confirms the lead is still held (renews it where it expires); `false` = lost.
    async fn still_held(&mut self) -> Result<bool, StoreError>;
    /// Gives the lead up at once.
    async fn release(self: Box<Self>) -> Result<(), StoreError>;
}

/// A received platform update kept in the inbox until its step commits.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InboxUpdate {
    /// The platform's update id, as in [`UpdateKey::id`].
    pub id: String,
    /// The update as the platform sent it (JSON), to be converted again on replay.
    pub payload: String,
}

/// An update kept in the inbox, with how often a replay has taken it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayedUpdate {
    pub update: InboxUpdate,
    /// Replays that took it so far, this one included.
    pub attempts: u32,
}

/// An update given up on: it will not be stepped again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantine {
    pub key: UpdateKey,
    /// Whose step it was, when known: their /delete_me erases the record.
    pub person: Option<PersonId>,
    /// How often it was stepped before it was given up.
    pub attempts: u32,
    /// Why: "step panicked", or the last failure. Never a person's text.
    pub reason: String,
}

/// A quarantined update, for admins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedUpdate {
    pub key: UpdateKey,
    pub quarantined_at: DateTime<Utc>,
    pub attempts: u32,
    pub reason: String,
    /// The update as received, when the inbox held it.
    pub payload: Option<String>,
}

/// A dispatcher instance's hold on outbox messages: others leave them alone until
/// `until`, and the same owner (a restarted process) takes them back at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxLease {
    pub owner: String,
    pub until: DateTime<Utc>,
    /// The platforms whose every chat the holder sends to.
    pub platforms: Vec<Platform>,
    /// Single chats the holder sends to besides (a terminal serves only its own chat of
    /// the local platform). Messages of chats in neither are neither claimed nor leased
    /// to it: another process's dispatcher sends them.
    pub chats: Vec<ChatKey>,
}

impl OutboxLease {
    /// Whether the holder sends the messages of `chat`.
    pub fn serves(&self, chat: &ChatKey) -> bool {
        self.platforms.contains(&chat.platform) || self.chats.contains(chat)
    }
}

/// A message that could not be delivered, for admins.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    pub message: OutboxMessage,
    pub last_error: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The person changed since the snapshot was loaded: reload and recompute the step.
    #[error("stale write: person {person} is no longer at version {expected_version}")]
    Conflict {
        person: PersonId,
        expected_version: i64,
    },
    #[error("person {0} does not exist")]
    UnknownPerson(PersonId),
    /// A row could not be read back (e.g. a profile that is not valid JSON).
    #[error("corrupt row in {table}: {reason}")]
    Corrupt { table: &'static str, reason: String },
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[async_trait]
pub trait Store: AdminStore + Send + Sync + 'static {
    /// The person behind a platform account; on first contact a new person with an
    /// empty profile in `locale` is created (racing first contacts resolve to one person).
    async fn person_for_account(
        &self,
        account: &AccountRef,
        locale: crate::domain::Locale,
        now: DateTime<Utc>,
    ) -> Result<PersonId, StoreError> {
        self.person_for_hashed_account(account, None, None, locale, now)
            .await
    }

    /// As [`Store::person_for_account`], and `hash` is the account's keyed hash: on first
    /// contact from an account with a [`Tombstone`], the person erased is created again,
    /// with their id and the tombstone's lists (or, if they are back already through
    /// another of their accounts, this account joins them). `dm_chat`, the private chat
    /// the contact came from (of the account's platform), is stored with an account it
    /// creates; an account that exists already keeps what it has ([`Store::record_dm_chat`]
    /// changes it).
    async fn person_for_hashed_account(
        &self,
        account: &AccountRef,
        hash: Option<&AccountHash>,
        dm_chat: Option<&ChatKey>,
        locale: crate::domain::Locale,
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

    /// Writes one step atomically, only if the person is still at `expected_version`.
    async fn commit_step(&self, commit: &StepCommit) -> Result<(), StoreError> {
        let outcome = self
            .commit_batch(&[PersonCommit::from(commit)], None)
            .await?;
        match outcome.into_iter().next() {
            Some(CommitOutcome::Committed { .. }) => Ok(()),
            Some(CommitOutcome::Conflict) => Err(StoreError::Conflict {
                person: commit.person,
                expected_version: commit.expected_version,
            }),
            Some(CommitOutcome::UnknownPerson | CommitOutcome::TimerGone { .. }) | None => {
                Err(StoreError::UnknownPerson(commit.person))
            }
        }
    }

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

    /// Keeps received updates of `platform` until their steps commit, in one statement.
    /// An update already in the inbox, or already handled (in `processed_updates`), is
    /// left as it is.
    async fn inbox_put(
        &self,
        platform: Platform,
        updates: &[InboxUpdate],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Up to `limit` updates of `platform` still in the inbox, oldest (lowest id) first.
    async fn inbox_pending(
        &self,
        platform: Platform,
        limit: i64,
    ) -> Result<Vec<InboxUpdate>, StoreError>;

    /// Takes up to `limit` updates of `platform` still in the inbox, oldest first, for a
    /// replay: each counts one more attempt, returned with it, so an update that fails
    /// its step every time can be given up ([`Store::quarantine_updates`]).
    async fn inbox_replay(
        &self,
        platform: Platform,
        limit: i64,
    ) -> Result<Vec<ReplayedUpdate>, StoreError>;

    /// Gives these updates up: each moves from the inbox (if there) to
    /// `quarantined_updates` and counts as processed; `notices` (telling the people
    /// concerned) are queued in the outbox in the same transaction.
    async fn quarantine_updates(
        &self,
        updates: &[Quarantine],
        notices: &[NewOutboxMessage],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Quarantined updates, newest first.
    async fn quarantined(&self, limit: i64) -> Result<Vec<QuarantinedUpdate>, StoreError>;

    /// These updates need no (further) step: they leave the inbox. Committed steps
    /// remove their own updates; this is for those that committed nothing.
    async fn inbox_done(&self, keys: &[UpdateKey]) -> Result<(), StoreError>;

    /// Forgets handled updates older than `before` (platforms stop redelivering after a day).
    async fn prune_processed(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Leases up to `limit` pending messages of the lease's platforms that nobody holds
    /// (or whose lease expired), oldest first.
    async fn claim_outbox(
        &self,
        lease: &OutboxLease,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Extends every lease `lease.owner` holds to `lease.until`.
    async fn renew_outbox_lease(&self, lease: &OutboxLease) -> Result<(), StoreError>;

    /// Gives up every lease `owner` holds, so the messages can be claimed at once (by a
    /// restarted instance of the same name, or by another).
    async fn release_outbox_lease(&self, owner: &str) -> Result<(), StoreError>;

    /// The platform accepted these messages: they leave the queue.
    async fn outbox_delivered(&self, ids: &[i64]) -> Result<(), StoreError>;

    /// A delivery failed and will be tried again at `not_before`.
    async fn outbox_retry_later(
        &self,
        id: i64,
        attempts: u32,
        not_before: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;

    /// These messages will not be tried again.
    async fn outbox_dead(&self, ids: &[i64], error: &str) -> Result<(), StoreError>;

    /// Dead messages, newest first.
    async fn dead_letters(&self, limit: i64) -> Result<Vec<DeadLetter>, StoreError>;

    async fn outbox_stats(&self) -> Result<OutboxStats, StoreError>;

    /// Leases up to `limit` timers due at `now` that nobody holds (or whose lease
    /// expired, or that wait after a failure until a time now past), earliest first.
    /// Two instances claiming at once get different timers.
    async fn claim_timers(
        &self,
        lease: &TimerLease,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DueTimer>, StoreError>;

    /// Firing a claimed timer failed: it is released and not claimed again before
    /// `not_before`. Nothing happens if it was moved or fired meanwhile.
    async fn timer_retry_later(
        &self,
        timer: FiredTimerRef,
        attempts: u32,
        not_before: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;

    /// Gives up every timer lease `owner` holds (at shutdown), so others take them at once.
    async fn release_timer_leases(&self, owner: &str) -> Result<(), StoreError>;

    /// When the earliest timer nobody holds is due, if there is one.
    async fn next_timer_due(&self) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// A person's timers, earliest first (for /export, admins and tests).
    async fn timers_of(&self, person: PersonId) -> Result<Vec<DueTimer>, StoreError>;

    /// Nudges sent and returns after one, summed over everyone's practice record.
    async fn reengagement_stats(&self) -> Result<ReengagementStats, StoreError>;

    /// Everyone in the matcher queue (their practice record says they wait), oldest
    /// waiter first.
    async fn waiting_pool(&self) -> Result<Vec<WaitingEntry>, StoreError>;

    async fn record_wave(&self, wave: &WaveRecord) -> Result<(), StoreError>;

    /// The most recent waves, newest first.
    async fn recent_waves(&self, limit: i64) -> Result<Vec<WaveRecord>, StoreError>;

    /// Reports, newest first.
    async fn reports(&self, limit: i64) -> Result<Vec<Report>, StoreError>;

    async fn partnering_stats(&self) -> Result<PartneringStats, StoreError>;

    /// Answers once the database does: a round trip on a pooled connection, for
    /// `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;

    /// How many people wait in the matcher queue: [`PartneringStats::waiting`] without
    /// reading every practice record, cheap enough to poll every second.
    async fn queue_len(&self) -> Result<u64, StoreError>;

    /// Tries to become the one leader of `role` (e.g. "matcher"); `None` if another
    /// instance holds it. `owner` names this instance; `ttl` is how long a SQLite lead
    /// lasts without renewal.
    async fn try_lead(
        &self,
        role: &str,
        owner: &str,
        ttl: std::time::Duration,
    ) -> Result<Option<Box<dyn Leadership>>, StoreError>;

    /// Closes the connection pool; pending writes are finished first.
    async fn close(&self);
}

/// Oldest first, as both stores order their inbox: shorter ids first, then in text
/// order, which is numeric order for decimal ids.
fn sort_oldest_first(updates: &mut [ReplayedUpdate]) {
    updates
        .sort_by(|a, b| (a.update.id.len(), &a.update.id).cmp(&(b.update.id.len(), &b.update.id)));
}

/// Opens the store a URL names and brings its schema up to date:
/// `sqlite://PATH` (created if missing) or `postgres://...`/`postgresql://...`.
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact_url(url)))
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => match parsed.set_password(Some("***")) {
            Ok(()) => parsed.to_string(),
            Err(()) => "[a URL with a password]".to_owned(),
        },
        Ok(_) => url.to_owned(),
        // Unparsable: it may still hold a password, so show no credentials at all.
        Err(_) => match url.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => url.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{Tombstone, redact_url};
    use crate::config::Secret;
    use crate::domain::{
        AccountRef, ChatKey, Locale, PartnerRef, PartnerStatus, Partnering, Partnership, PersonId,
        Platform, Profile, ProposalId,
    };
    use crate::privacy::PrivacyKey;

    #[test]
    fn a_tombstone_keeps_hashes_blocks_and_former_partners_with_the_current_one() {
        let key = PrivacyKey::new(&Secret::new("a-key-for-the-tombstone-test-0123"))
            .expect("long enough");
        let accounts = [
            AccountRef::new(Platform::Telegram, "111"),
            AccountRef::new(Platform::Discord, "222"),
        ];
        let [blocked, former, current] = [(); 3].map(|()| PersonId::new_random());
        let partnering = Partnering {
            status: PartnerStatus::Partnered(Box::new(Partnership {
                id: ProposalId::new_random(),
                partner: PartnerRef {
                    person: current,
                    chat: ChatKey::new(Platform::Telegram, "333"),
                    profile: Profile::new(Locale::En),
                },
                since: chrono::Utc::now(),
                reveal_asked: false,
                partner_handle: None,
                revealed: false,
                sent: 0,
                received: 0,
                follow_up_answered: false,
            })),
            blocked: vec![blocked],
            former: vec![former],
            no_shows: 3,
            ..Partnering::default()
        };
        let tombstone = Tombstone::of(&key, &accounts, &partnering);
        assert_eq!(
            tombstone,
            Tombstone {
                accounts: accounts.iter().map(|a| key.account_hash(a)).collect(),
                blocked: vec![blocked],
                former: vec![former, current],
            }
        );
    }

    #[test]
    fn passwords_never_appear_in_redacted_urls() {
        assert_eq!(
            redact_url("postgres://lex:s3cr%40t@db:5432/lexbot"),
            "postgres://lex:***@db:5432/lexbot"
        );
        assert_eq!(
            redact_url("postgres://lex@db/lexbot"),
            "postgres://lex@db/lexbot"
        );
        assert_eq!(redact_url("sqlite://lexbot.db"), "sqlite://lexbot.db");
    }
}
