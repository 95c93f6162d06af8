//! The conversation runtime: runs engine steps and commits their state, profile changes,
//! outgoing messages and update ids atomically.
//!
//! All steps of a process go through one committer task, which takes whatever events
//! are waiting (up to [`MAX_BATCH`]), steps them in memory and commits them in one
//! transaction (group commit), so durability costs one transaction per batch rather
//! than per event. One person's events are stepped strictly in arrival order; a step
//! computed from a stale snapshot (another process moved the person on) is recomputed
//! from fresh data, never lost. Platform updates seen before (same update id) are
//! recognised and not stepped again.
//!
//! The committer keeps the people it saw in memory; the version check in the store
//! makes that cache safe with several processes: a stale entry costs one conflict and
//! a reload.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::domain::{AccountRef, ChatKey, Locale, PersonId, Platform, Practice, Profile};
use crate::engine::{
    self, ChatKind, Context, DialogueState, Effect, Event, FiredTimer, Input, PersonView, Reply,
    STATE_SCHEMA_VERSION,
};
use crate::outbox::{self, OnBlocked, OutboxFeed, PlatformLimits};
use crate::privacy::PrivacyKey;
use crate::storage::{
    CommitOutcome, DmChat, FiredTimerRef, LoadedPerson, OutboxLease, PersonCommit, PersonWrite,
    Quarantine, Store, StoreError, StoredState, TimerWrite, Tombstone, UpdateKey,
};

/// How often a step is recomputed after a stale write before giving up.
const MAX_ATTEMPTS: usize = 8;

/// The most events stepped and committed together.
pub const MAX_BATCH: usize = 512;

/// People kept in memory; past this the cache starts over (they are reloaded on demand).
const MAX_CACHED_PEOPLE: usize = 200_000;

/// One event from one platform chat.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub account: AccountRef,
    pub chat: ChatKey,
    pub event: Event,
    /// The platform's id for the update, so a redelivered update is recognised.
    pub update: Option<UpdateKey>,
    /// The message whose button was pressed: replies that update it edit it in place.
    pub origin_message: Option<String>,
}

impl Incoming {
    pub fn new(account: AccountRef, chat: ChatKey, event: Event) -> Self {
        Self {
            account,
            chat,
            event,
            update: None,
            origin_message: None,
        }
    }
}

/// A due timer to fire: a step of its person in the chat it was scheduled from.
#[derive(Debug, Clone)]
pub struct TimerEvent {
    pub person: PersonId,
    pub chat: ChatKey,
    pub timer: FiredTimer,
    /// The claimed row, deleted by the step's commit.
    pub fired: FiredTimerRef,
}

/// What became of one event.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Handled {
    /// What the step said; already queued in the outbox, which every chat's messages go
    /// through (the terminal's too).
    pub replies: Vec<Reply>,
    /// The update was handled before (a redelivery), or the timer was already fired,
    /// moved or cancelled: nothing was done again.
    pub duplicate: bool,
}

/// Internal failures: logged, never shown to people (they get `error-internal`).
#[derive(Debug, Clone, thiserror::Error)]
pub enum RuntimeError {
    #[error("store: {0}")]
    Store(String),
    #[error(
        "saved dialogue has schema version {found}; this build knows up to {STATE_SCHEMA_VERSION}"
    )]
    NewerState { found: i32 },
    #[error("gave up on person {0} after {MAX_ATTEMPTS} conflicting writes")]
    TooManyConflicts(PersonId),
    #[error("the runtime has stopped")]
    Stopped,
}

impl From<StoreError> for RuntimeError {
    fn from(error: StoreError) -> Self {
        RuntimeError::Store(error.to_string())
    }
}

/// A handle on the runtime; clones share one committer.
#[derive(Clone)]
pub struct Conversations {
    shared: Arc<Shared>,
    jobs: mpsc::UnboundedSender<Job>,
}

struct Shared {
    store: Arc<dyn Store>,
    /// Replaced whole when an admin reloads the content pack; each step reads one.
    context: RwLock<Arc<Context>>,
    /// Where admins' requests go (the admin desk, `crate::admin`), once it runs.
    desk: Mutex<Option<mpsc::UnboundedSender<AdminTask>>>,
    /// Signalled when an admin asks for a matcher wave now (/match_now); the matcher of
    /// this process runs one at once.
    wave_requests: Arc<Notify>,
    /// Where committed platform messages go; without one they wait in the outbox for a
    /// dispatcher to claim them.
    feed: Mutex<Option<OutboxFeed>>,
    /// What one message may carry on each platform, as its adapter declared.
    platform_limits: RwLock<HashMap<Platform, PlatformLimits>>,
    /// Signalled when a commit wrote peer messages, which are due at once: a scheduler
    /// worker of this process delivers them without waiting for its next poll.
    peer_messages: Arc<Notify>,
    /// Hashes the accounts of people erased and of first contacts, so that blocks,
    /// former partners and reports outlive /delete_me; without it nothing does.
    privacy: Option<PrivacyKey>,
    /// The step-latency and group-commit histograms, taken once.
    metrics: crate::telemetry::RuntimeMetrics,
    /// Runs before every step; tests use it to make a step panic.
    #[cfg(feature = "fault-injection")]
    before_step: Mutex<Option<StepHook>>,
}

impl Shared {
    fn context(&self) -> Arc<Context> {
        self.context
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn platform_limits(&self, platform: Platform) -> PlatformLimits {
        self.platform_limits
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&platform)
            .copied()
            .unwrap_or(PlatformLimits::UNDECLARED)
    }
}

/// An admin's request on its way to the admin desk: who asked (their person, the chat
/// the answer goes to, and the account the audit log names), and what.
#[derive(Debug, Clone)]
pub struct AdminTask {
    pub admin: PersonId,
    pub chat: ChatKey,
    /// `platform:account id`.
    pub actor: String,
    pub request: engine::AdminRequest,
}

/// Called with each event before its step ([`Conversations::before_each_step`]).
#[cfg(feature = "fault-injection")]
pub type StepHook = Arc<dyn Fn(&Event) + Send + Sync>;

/// What an update whose step panicked is quarantined with.
pub const PANICKED: &str = "step panicked";

impl Conversations {
    /// Starts the committer task, without a privacy key; needs a Tokio runtime.
    pub fn new(store: Arc<dyn Store>, context: Arc<Context>) -> Self {
        Self::with_privacy_key(store, context, None)
    }

    /// Starts the committer task; with `privacy`, an erasure leaves a tombstone under
    /// the keyed hashes of the person's accounts ([`crate::storage::Tombstone`]).
    pub fn with_privacy_key(
        store: Arc<dyn Store>,
        context: Arc<Context>,
        privacy: Option<PrivacyKey>,
    ) -> Self {
        let shared = Arc::new(Shared {
            store,
            context: RwLock::new(context),
            desk: Mutex::new(None),
            wave_requests: Arc::new(Notify::new()),
            feed: Mutex::new(None),
            platform_limits: RwLock::new(HashMap::new()),
            peer_messages: Arc::new(Notify::new()),
            privacy,
            metrics: crate::telemetry::RuntimeMetrics::new(),
            #[cfg(feature = "fault-injection")]
            before_step: Mutex::new(None),
        });
        let (jobs, receiver) = mpsc::unbounded_channel();
        tokio::spawn(committer(shared.clone(), receiver));
        Self { shared, jobs }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.shared.store
    }

    /// The texts, content and rules steps run with now.
    pub fn context(&self) -> Arc<Context> {
        self.shared.context()
    }

    /// Steps from now on run with `context` (an admin reloaded the content pack).
    pub fn replace_context(&self, context: Arc<Context>) {
        *self
            .shared
            .context
            .write()
            .unwrap_or_else(|p| p.into_inner()) = context;
    }

    /// Hands admins' requests to `desk` from now on (the admin desk's task).
    pub fn attach_admin_desk(&self, desk: mpsc::UnboundedSender<AdminTask>) {
        *self.shared.desk.lock().unwrap_or_else(|p| p.into_inner()) = Some(desk);
    }

    /// Asks this process's matcher for a wave now.
    pub fn request_wave(&self) {
        self.shared.wave_requests.notify_one();
    }

    /// Signalled (one permit) when an admin asks for a matcher wave now.
    pub fn wave_requests(&self) -> Arc<Notify> {
        self.shared.wave_requests.clone()
    }

    /// Delivers something from the admin side as a step of `person` in `chat`: the
    /// desk's answer to an admin, or an admin's order about the person.
    pub async fn admin_input(
        &self,
        person: PersonId,
        chat: ChatKey,
        input: engine::AdminInput,
        now: DateTime<Utc>,
    ) -> Result<Handled, RuntimeError> {
        self.handle_for_person(person, chat, Event::new(Input::Admin(input)), now)
            .await
    }

    /// Signalled (one permit) whenever a commit wrote peer messages.
    pub fn peer_messages_written(&self) -> Arc<Notify> {
        self.shared.peer_messages.clone()
    }

    /// Delivers messages on people's behalf (the matcher's proposals): each is a step
    /// of its recipient in the given chat, all committed together where possible. The
    /// results come in the same order; someone who no longer exists is skipped.
    pub async fn tell(
        &self,
        messages: Vec<(PersonId, ChatKey, engine::PeerMessage)>,
        now: DateTime<Utc>,
    ) -> Vec<Result<Handled, RuntimeError>> {
        let events = messages
            .into_iter()
            .map(|(person, chat, message)| (person, chat, Event::new(Input::Peer(message))))
            .collect();
        self.handle_for_people(events, now).await
    }

    /// Runs `hook` before every step from now on, inside the step's panic guard: a test
    /// makes a chosen step panic with it.
    #[cfg(feature = "fault-injection")]
    pub fn before_each_step(&self, hook: StepHook) {
        *self
            .shared
            .before_step
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(hook);
    }

    /// Gives up on updates that failed their step too often: they will not be stepped
    /// again (each is quarantined, with its attempts and `reason`, and counts as
    /// processed), and each chat they came from is told, once, that something went wrong.
    pub async fn give_up(
        &self,
        updates: &[(Incoming, u32)],
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RuntimeError> {
        let mut quarantine = Vec::with_capacity(updates.len());
        let mut notices = Vec::new();
        let mut told: HashSet<&ChatKey> = HashSet::new();
        for (incoming, attempts) in updates {
            let Some(key) = &incoming.update else {
                continue;
            };
            quarantine.push(Quarantine {
                key: key.clone(),
                person: None,
                attempts: *attempts,
                reason: reason.to_owned(),
            });
            if told.insert(&incoming.chat) {
                let max_chars = self
                    .shared
                    .platform_limits(incoming.chat.platform)
                    .max_message_chars;
                let apology = self.internal_error_reply(incoming.event.client_language.as_deref());
                notices.extend(outbox::messages_for(
                    &incoming.chat,
                    None,
                    &[apology],
                    None,
                    max_chars,
                ));
            }
        }
        for item in &quarantine {
            tracing::error!(update = %item.key.id, platform = %item.key.platform.as_str(),
                attempts = item.attempts, reason, "update given up and quarantined");
        }
        Ok(self
            .shared
            .store
            .quarantine_updates(&quarantine, &notices, now)
            .await?)
    }

    /// Records what one message may carry on `platform` (its adapter's declaration);
    /// replies for its chats are split to fit from the next step on.
    pub fn declare_platform_limits(&self, platform: Platform, limits: PlatformLimits) {
        self.shared
            .platform_limits
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(platform, limits);
    }

    /// What one message may carry on `platform`: its adapter's declaration, or
    /// [`PlatformLimits::UNDECLARED`] when no adapter of this process serves it.
    pub fn platform_limits(&self, platform: Platform) -> PlatformLimits {
        self.shared.platform_limits(platform)
    }

    /// Hands messages to this dispatcher as soon as they are committed.
    pub fn attach_outbox(&self, feed: OutboxFeed) {
        *self.shared.feed.lock().unwrap_or_else(|p| p.into_inner()) = Some(feed);
    }

    /// Handles one event and returns its replies, after the step committed.
    pub async fn handle(
        &self,
        incoming: &Incoming,
        now: DateTime<Utc>,
    ) -> Result<Vec<Reply>, RuntimeError> {
        let mut results = self.handle_batch(vec![incoming.clone()], now).await;
        results
            .pop()
            .unwrap_or(Err(RuntimeError::Stopped))
            .map(|handled| handled.replies)
    }

    /// Handles several events (e.g. one getUpdates response); the results come in the
    /// same order. Each event's effects are committed when its result arrives.
    pub async fn handle_batch(
        &self,
        incoming: Vec<Incoming>,
        now: DateTime<Utc>,
    ) -> Vec<Result<Handled, RuntimeError>> {
        self.queue_batch(incoming, now).results().await
    }

    /// Queues several events for the committer at once and returns a handle on their
    /// results. Batches are stepped in the order they were queued (one person's events
    /// in arrival order across batches too), so an adapter can keep several batches in
    /// flight, filling the group commits, without reordering anyone's events.
    pub fn queue_batch(&self, incoming: Vec<Incoming>, now: DateTime<Utc>) -> QueuedBatch {
        let count = incoming.len();
        let items = incoming
            .into_iter()
            .map(|incoming| Work {
                who: Who::Account(incoming.account),
                chat: incoming.chat,
                event: incoming.event,
                update: incoming.update,
                origin_message: incoming.origin_message,
                now,
                timer: None,
            })
            .collect();
        self.queue(items, count)
    }

    /// Fires due timers: each is a step of its person, committed together with the
    /// timer's deletion, so it acts once however many schedulers claimed it. The results
    /// come in the same order; a timer that was already fired, moved or cancelled comes
    /// back as a duplicate.
    pub async fn fire_timers(
        &self,
        timers: Vec<TimerEvent>,
        now: DateTime<Utc>,
    ) -> Vec<Result<Handled, RuntimeError>> {
        let count = timers.len();
        let items = timers
            .into_iter()
            .map(|event| Work {
                who: Who::Person(event.person),
                chat: event.chat,
                event: Event::new(Input::Timer(event.timer)),
                update: None,
                origin_message: None,
                now,
                timer: Some(event.fired),
            })
            .collect();
        self.submit(items, count).await
    }

    /// Runs a step for a person the runtime already knows by id (e.g. the dispatcher
    /// found they blocked the bot). Nothing happens if they no longer exist.
    pub async fn handle_for_person(
        &self,
        person: PersonId,
        chat: ChatKey,
        event: Event,
        now: DateTime<Utc>,
    ) -> Result<Handled, RuntimeError> {
        let mut results = self
            .handle_for_people(vec![(person, chat, event)], now)
            .await;
        results.pop().unwrap_or(Err(RuntimeError::Stopped))
    }

    /// Runs steps for people known by id, each in the given chat; the results come in
    /// the same order.
    async fn handle_for_people(
        &self,
        events: Vec<(PersonId, ChatKey, Event)>,
        now: DateTime<Utc>,
    ) -> Vec<Result<Handled, RuntimeError>> {
        let count = events.len();
        let items = events
            .into_iter()
            .map(|(person, chat, event)| Work {
                who: Who::Person(person),
                chat,
                event,
                update: None,
                origin_message: None,
                now,
                timer: None,
            })
            .collect();
        self.submit(items, count).await
    }

    async fn submit(&self, items: Vec<Work>, count: usize) -> Vec<Result<Handled, RuntimeError>> {
        self.queue(items, count).results().await
    }

    fn queue(&self, items: Vec<Work>, count: usize) -> QueuedBatch {
        let (done, results) = oneshot::channel();
        let results = self
            .jobs
            .send(Job { items, done })
            .is_ok()
            .then_some(results);
        QueuedBatch { count, results }
    }

    /// The apology an adapter sends when a step failed.
    pub fn internal_error_reply(&self, client_language: Option<&str>) -> Reply {
        Reply::text(self.shared.context().t(
            Locale::from_client_language(client_language),
            "error-internal",
        ))
    }
}

/// Events queued with [`Conversations::queue_batch`], waiting for their results.
pub struct QueuedBatch {
    count: usize,
    /// `None` when the committer had already stopped.
    results: Option<oneshot::Receiver<Vec<Result<Handled, RuntimeError>>>>,
}

impl QueuedBatch {
    /// The results in the order the events were queued, once they are committed.
    pub async fn results(self) -> Vec<Result<Handled, RuntimeError>> {
        match self.results {
            Some(results) => results.await.ok(),
            None => None,
        }
        .unwrap_or_else(|| vec![Err(RuntimeError::Stopped); self.count])
    }
}

#[async_trait]
impl OnBlocked for Conversations {
    async fn blocked(&self, person: PersonId, chat: ChatKey) {
        let event = Event::new(Input::ChatBlocked);
        if let Err(error) = self
            .handle_for_person(person, chat, event, Utc::now())
            .await
        {
            tracing::error!(%person, %error, "could not mark a person unreachable");
        }
    }
}

/// Logs a panic as an error with where it happened, never its message: a step's panic
/// message can quote what a person typed (a byte-index panic prints the text around it),
/// and people's words do not go to logs. The runtime catches step panics itself; this
/// only decides what is written about them.
pub fn log_panics_without_messages() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|at| format!("{}:{}", at.file(), at.line()))
            .unwrap_or_default();
        let thread = std::thread::current();
        tracing::error!(%location, thread = thread.name().unwrap_or("unnamed"),
            "panic (its message is not logged: it may quote a person's words)");
    }));
}

pub fn encode_state(state: &DialogueState) -> StoredState {
    StoredState {
        schema_version: STATE_SCHEMA_VERSION,
        // Plain enums and strings always serialise.
        json: serde_json::to_string(state).unwrap_or_else(|_| "{\"state\":\"idle\"}".to_owned()),
    }
}

/// The saved state, or `Ok(Err(reason))` when it cannot be read back (it is then
/// replaced). A state written by a newer build is an error: overwriting it would lose it.
pub fn decode_state(
    stored: Option<&StoredState>,
) -> Result<Result<DialogueState, String>, RuntimeError> {
    let Some(stored) = stored else {
        return Ok(Ok(DialogueState::Idle));
    };
    if stored.schema_version > STATE_SCHEMA_VERSION {
        return Err(RuntimeError::NewerState {
            found: stored.schema_version,
        });
    }
    Ok(serde_json::from_str(&stored.json).map_err(|e| e.to_string()))
}

enum Who {
    Account(AccountRef),
    Person(PersonId),
}

struct Work {
    who: Who,
    chat: ChatKey,
    event: Event,
    update: Option<UpdateKey>,
    origin_message: Option<String>,
    now: DateTime<Utc>,
    /// The timer this event fires, deleted by its commit.
    timer: Option<FiredTimerRef>,
}

struct Job {
    items: Vec<Work>,
    done: oneshot::Sender<Vec<Result<Handled, RuntimeError>>>,
}

/// A person as the committer last saw them.
struct CachedPerson {
    version: i64,
    created_at: DateTime<Utc>,
    profile: Profile,
    accounts: Vec<AccountRef>,
    /// Their accounts' private chats as stored.
    dm_chats: Vec<DmChat>,
    practice: Practice,
    /// Saved dialogues by chat; `None` = loaded, and there is none.
    dialogues: HashMap<ChatKey, Option<StoredState>>,
}

#[derive(Default)]
struct Cache {
    people: HashMap<PersonId, CachedPerson>,
    accounts: HashMap<AccountRef, PersonId>,
}

impl Cache {
    fn forget(&mut self, person: PersonId) {
        if let Some(cached) = self.people.remove(&person) {
            for account in cached.accounts {
                self.accounts.remove(&account);
            }
        }
        self.accounts.retain(|_, p| *p != person);
    }

    fn absorb(&mut self, loaded: LoadedPerson, chat: &ChatKey) {
        let entry = self
            .people
            .entry(loaded.id)
            .or_insert_with(|| CachedPerson {
                version: loaded.version,
                created_at: loaded.created_at,
                profile: loaded.profile.clone(),
                accounts: loaded.accounts.clone(),
                dm_chats: loaded.dm_chats.clone(),
                practice: loaded.practice.clone(),
                dialogues: HashMap::new(),
            });
        if entry.version != loaded.version {
            // Someone else moved them on: everything else cached is stale too.
            entry.version = loaded.version;
            entry.profile = loaded.profile;
            entry.accounts = loaded.accounts;
            entry.dm_chats = loaded.dm_chats;
            entry.practice = loaded.practice;
            entry.dialogues.clear();
        }
        entry.dialogues.insert(chat.clone(), loaded.dialogue);
    }
}

async fn committer(shared: Arc<Shared>, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut cache = Cache::default();
    while let Some(first) = jobs.recv().await {
        let mut count = first.items.len();
        let mut batch = vec![first];
        while count < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => {
                    count += job.items.len();
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        let mut items = Vec::with_capacity(count);
        let mut replies_to = Vec::with_capacity(batch.len());
        for job in batch {
            replies_to.push((job.items.len(), job.done));
            items.extend(job.items);
        }
        if cache.people.len() > MAX_CACHED_PEOPLE {
            cache = Cache::default();
        }
        let mut results = process(&shared, &mut cache, items).await.into_iter();
        for (len, done) in replies_to {
            let _ = done.send(results.by_ref().take(len).collect());
        }
    }
}

/// One person's share of a round.
struct PersonRound {
    person: PersonId,
    items: Vec<usize>,
}

async fn process(
    shared: &Shared,
    cache: &mut Cache,
    items: Vec<Work>,
) -> Vec<Result<Handled, RuntimeError>> {
    let mut results: Vec<Option<Result<Handled, RuntimeError>>> = vec![None; items.len()];
    let mut attempts = vec![0usize; items.len()];
    let mut pending: Vec<usize> = (0..items.len()).collect();
    while !pending.is_empty() {
        match round(
            shared,
            cache,
            &items,
            &mut pending,
            &mut results,
            &mut attempts,
        )
        .await
        {
            Ok(()) => {}
            Err(error) => {
                tracing::error!(%error, count = pending.len(), "batch failed");
                // The cache may hold what the failed transaction would have written.
                *cache = Cache::default();
                for &i in &pending {
                    results[i] = Some(Err(error.clone()));
                }
                pending.clear();
            }
        }
    }
    results
        .into_iter()
        .map(|result| result.unwrap_or(Err(RuntimeError::Stopped)))
        .collect()
}

/// Steps and commits what it can of `pending`, leaving there what must go again
/// (conflicts, and events after an erasure in the same batch).
async fn round(
    shared: &Shared,
    cache: &mut Cache,
    items: &[Work],
    pending: &mut Vec<usize>,
    results: &mut [Option<Result<Handled, RuntimeError>>],
    attempts: &mut [usize],
) -> Result<(), RuntimeError> {
    // Redeliveries: seen in an earlier batch, or twice in this one.
    let keys: Vec<UpdateKey> = pending
        .iter()
        .filter_map(|&i| items[i].update.clone())
        .collect();
    let done_before = shared.store.processed_updates(&keys).await?;
    let mut seen = HashSet::new();
    pending.retain(|&i| match &items[i].update {
        Some(key) if done_before.contains(key) || !seen.insert(key.clone()) => {
            results[i] = Some(Ok(Handled {
                replies: Vec::new(),
                duplicate: true,
            }));
            false
        }
        _ => true,
    });

    // Who each event is from (first contacts resolved concurrently), grouped by person in
    // arrival order.
    let people = resolve_people(shared, cache, items, pending).await?;
    let mut rounds: Vec<PersonRound> = Vec::new();
    let mut index_of: HashMap<PersonId, usize> = HashMap::new();
    for (&i, person) in pending.iter().zip(people) {
        let slot = *index_of.entry(person).or_insert_with(|| {
            rounds.push(PersonRound {
                person,
                items: Vec::new(),
            });
            rounds.len() - 1
        });
        rounds[slot].items.push(i);
    }

    // Cache misses loaded concurrently, over the pool's connections.
    prefetch_people(shared, cache, items, &rounds).await?;

    let feed = shared
        .feed
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let mut commits = Vec::with_capacity(rounds.len());
    let mut committed_items: Vec<Vec<(usize, Vec<Reply>)>> = Vec::with_capacity(rounds.len());
    let mut admin_tasks: Vec<Vec<AdminTask>> = Vec::with_capacity(rounds.len());
    let mut next_round = Vec::new();
    for person_round in rounds {
        let person = person_round.person;
        // Load what the cache lacks.
        let mut vanished = false;
        for &i in &person_round.items {
            let chat = &items[i].chat;
            let known = cache
                .people
                .get(&person)
                .is_some_and(|cached| cached.dialogues.contains_key(chat));
            if !known {
                match shared.store.load_person(person, chat).await? {
                    Some(loaded) => cache.absorb(loaded, chat),
                    None => {
                        vanished = true;
                        break;
                    }
                }
            }
        }
        if !vanished {
            record_dm_chats(shared, cache, person, items, &person_round.items).await;
        }
        if vanished {
            cache.forget(person);
            for &i in &person_round.items {
                match items[i].who {
                    // Erased meanwhile: an event about them has nobody to act on.
                    Who::Person(_) => results[i] = Some(Ok(Handled::default())),
                    // Erased between resolving and loading: a new first contact.
                    Who::Account(_) => retry(i, person, attempts, results, &mut next_round),
                }
            }
            continue;
        }
        let Some(cached) = cache.people.get(&person) else {
            continue;
        };
        let mut step = PersonSteps::new(person, cached);
        let mut stepped = Vec::new();
        for (position, &i) in person_round.items.iter().enumerate() {
            let item = &items[i];
            let started = std::time::Instant::now();
            let ran = step.run(shared, item);
            shared
                .metrics
                .step_duration
                .record(started.elapsed().as_secs_f64());
            match ran {
                Ok(replies) => {
                    let max_chars = shared.platform_limits(item.chat.platform).max_message_chars;
                    let about = (!step.erased).then_some(person);
                    step.outbox.extend(outbox::messages_for(
                        &item.chat,
                        about,
                        &replies,
                        item.origin_message.as_deref(),
                        max_chars,
                    ));
                    if let Some(key) = &item.update {
                        step.processed.push(key.clone());
                    }
                    if let Some(fired) = item.timer {
                        step.fired.push(fired);
                    }
                    stepped.push((i, replies));
                }
                Err(error) => results[i] = Some(Err(error)),
            }
            if step.erased {
                // After an erasure the next event is a new first contact: next round.
                next_round.extend(person_round.items[position + 1..].iter().copied());
                break;
            }
        }
        if stepped.is_empty() {
            continue;
        }
        admin_tasks.push(std::mem::take(&mut step.admin));
        commits.push(step.into_commit(items[person_round.items[0]].now, shared.privacy.as_ref()));
        committed_items.push(stepped);
    }

    let lease = feed
        .as_ref()
        .map(|feed| feed.lease(commits.first().map_or_else(Utc::now, |c| c.now)));
    if !commits.is_empty() {
        shared
            .metrics
            .commit_batch_size
            .record(commits.len() as f64);
    }
    let outcomes = commit_isolating(shared.store.as_ref(), &commits, lease.as_ref()).await;
    let mut counts = PlatformCounts::default();
    let mut delivered = Vec::new();
    let mut told = false;
    let mut for_desk = Vec::new();
    for (((commit, stepped), tasks), outcome) in commits
        .into_iter()
        .zip(committed_items)
        .zip(admin_tasks)
        .zip(outcomes)
    {
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(error) => {
                // Only this person's steps failed; what the cache holds of them may be
                // what the failed commit would have written.
                tracing::error!(person = %commit.person, %error, "commit failed");
                cache.forget(commit.person);
                let error = RuntimeError::from(error);
                for (i, _) in stepped {
                    results[i] = Some(Err(error.clone()));
                }
                continue;
            }
        };
        match outcome {
            CommitOutcome::Committed { outbox } => {
                for message in &outbox {
                    counts.queued[platform_index(message.chat.platform)] += 1;
                }
                delivered.extend(outbox);
                told |= commit
                    .timers
                    .iter()
                    .any(|write| matches!(write, TimerWrite::Deliver { .. }));
                cache_committed(cache, &commit);
                for_desk.extend(tasks);
                for (i, replies) in stepped {
                    if items[i].update.is_some() {
                        counts.stepped[platform_index(items[i].chat.platform)] += 1;
                    }
                    results[i] = Some(Ok(Handled {
                        replies,
                        duplicate: false,
                    }));
                }
            }
            stale @ (CommitOutcome::Conflict | CommitOutcome::UnknownPerson) => {
                tracing::debug!(person = %commit.person, "stale write, recomputing");
                if matches!(stale, CommitOutcome::UnknownPerson) {
                    cache.forget(commit.person);
                } else {
                    // Their accounts still lead to them; only the snapshot is stale.
                    cache.people.remove(&commit.person);
                }
                for (i, _) in stepped {
                    retry(i, commit.person, attempts, results, &mut next_round);
                }
            }
            CommitOutcome::TimerGone { timers } => {
                // Someone else fired (or the person moved) these timers: their events are
                // done with; the person's other events go again without them.
                tracing::debug!(person = %commit.person, ?timers, "timer already handled");
                for (i, _) in stepped {
                    match items[i].timer {
                        Some(fired) if timers.contains(&fired) => {
                            results[i] = Some(Ok(Handled {
                                replies: Vec::new(),
                                duplicate: true,
                            }));
                        }
                        _ => retry(i, commit.person, attempts, results, &mut next_round),
                    }
                }
            }
        }
    }
    counts.record();
    if let Some(feed) = &feed {
        feed.push(delivered);
    }
    if told {
        shared.peer_messages.notify_one();
    }
    hand_to_desk(shared, for_desk);
    next_round.sort_unstable();
    *pending = next_round;
    Ok(())
}

/// Hands committed admin requests to the desk. A refused attempt (not an admin) is
/// logged here as well, since the desk may not run in this process.
fn hand_to_desk(shared: &Shared, tasks: Vec<AdminTask>) {
    if tasks.is_empty() {
        return;
    }
    let desk = shared
        .desk
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    for task in tasks {
        if let engine::AdminRequest::Refused { command } = &task.request {
            tracing::warn!(person = %task.admin, actor = %task.actor, %command,
                "an admin command from someone who is not an admin");
        }
        let sent = desk
            .as_ref()
            .is_some_and(|desk| desk.send(task.clone()).is_ok());
        if !sent && !matches!(task.request, engine::AdminRequest::Refused { .. }) {
            tracing::error!(person = %task.admin, action = task.request.action(),
                "an admin request, but the admin desk does not run in this process");
        }
    }
}

/// A round's committed updates and queued messages per platform, added to the counters
/// once per round rather than once per person.
#[derive(Default)]
struct PlatformCounts {
    stepped: [u64; Platform::ALL.len()],
    queued: [u64; Platform::ALL.len()],
}

fn platform_index(platform: Platform) -> usize {
    Platform::ALL
        .iter()
        .position(|known| *known == platform)
        .unwrap_or(0)
}

impl PlatformCounts {
    fn record(&self) {
        use crate::telemetry::{OUTBOX_QUEUED, UPDATES_STEPPED, platform_counter};
        for (i, platform) in Platform::ALL.into_iter().enumerate() {
            if self.stepped[i] > 0 {
                platform_counter(UPDATES_STEPPED, platform).increment(self.stepped[i]);
            }
            if self.queued[i] > 0 {
                platform_counter(OUTBOX_QUEUED, platform).increment(self.queued[i]);
            }
        }
    }
}

/// Commits `commits` together; if that transaction fails, each person's commit is tried
/// alone, so one person's bad write (a row the database refuses) fails only their steps
/// and everyone else's commit normally.
async fn commit_isolating(
    store: &dyn Store,
    commits: &[PersonCommit],
    lease: Option<&OutboxLease>,
) -> Vec<Result<CommitOutcome, StoreError>> {
    if commits.is_empty() {
        return Vec::new();
    }
    let error = match store.commit_batch(commits, lease).await {
        Ok(outcomes) => return outcomes.into_iter().map(Ok).collect(),
        Err(error) => error,
    };
    if commits.len() == 1 {
        return vec![Err(error)];
    }
    tracing::warn!(%error, count = commits.len(), "group commit failed; committing each person alone");
    let mut outcomes = Vec::with_capacity(commits.len());
    for commit in commits {
        let outcome = store
            .commit_batch(std::slice::from_ref(commit), lease)
            .await
            .and_then(|mut outcome| {
                outcome.pop().ok_or_else(|| StoreError::Corrupt {
                    table: "persons",
                    reason: "a commit returned no outcome".into(),
                })
            });
        outcomes.push(outcome);
    }
    outcomes
}

fn retry(
    i: usize,
    person: PersonId,
    attempts: &mut [usize],
    results: &mut [Option<Result<Handled, RuntimeError>>],
    next_round: &mut Vec<usize>,
) {
    attempts[i] += 1;
    if attempts[i] >= MAX_ATTEMPTS {
        results[i] = Some(Err(RuntimeError::TooManyConflicts(person)));
    } else {
        next_round.push(i);
    }
}

fn cache_committed(cache: &mut Cache, commit: &PersonCommit) {
    match &commit.write {
        PersonWrite::Erase { .. } => cache.forget(commit.person),
        PersonWrite::Update {
            profile,
            dialogues,
            practice,
        } => {
            if let Some(cached) = cache.people.get_mut(&commit.person) {
                cached.version += 1;
                if let Some(profile) = profile {
                    cached.profile = profile.clone();
                }
                if let Some(practice) = practice {
                    cached.practice = Practice::clone(practice);
                }
                for (chat, state) in dialogues {
                    cached.dialogues.insert(chat.clone(), Some(state.clone()));
                }
            }
        }
    }
}

/// One person's events of a round, stepped one after the other on a working copy.
struct PersonSteps {
    person: PersonId,
    version: i64,
    created_at: DateTime<Utc>,
    accounts: Vec<AccountRef>,
    profile: Profile,
    profile_changed: bool,
    practice: Practice,
    practice_changed: bool,
    dialogues: HashMap<ChatKey, Option<StoredState>>,
    touched: Vec<ChatKey>,
    erased: bool,
    outbox: Vec<outbox::NewOutboxMessage>,
    processed: Vec<UpdateKey>,
    timers: Vec<TimerWrite>,
    fired: Vec<FiredTimerRef>,
    reports: Vec<engine::NewReport>,
    quarantined: Vec<Quarantine>,
    /// Requests for the admin desk, handed over once the commit is in.
    admin: Vec<AdminTask>,
}

impl PersonSteps {
    fn new(person: PersonId, cached: &CachedPerson) -> Self {
        Self {
            person,
            version: cached.version,
            created_at: cached.created_at,
            accounts: cached.accounts.clone(),
            profile: cached.profile.clone(),
            profile_changed: false,
            practice: cached.practice.clone(),
            practice_changed: false,
            dialogues: cached.dialogues.clone(),
            touched: Vec::new(),
            erased: false,
            outbox: Vec::new(),
            processed: Vec::new(),
            timers: Vec::new(),
            fired: Vec::new(),
            reports: Vec::new(),
            quarantined: Vec::new(),
            admin: Vec::new(),
        }
    }

    fn run(&mut self, shared: &Shared, item: &Work) -> Result<Vec<Reply>, RuntimeError> {
        let context = shared.context();
        let context = context.as_ref();
        let saved = self.dialogues.get(&item.chat).and_then(Option::as_ref);
        let (state, mut replies) = match decode_state(saved)? {
            Ok(state) => (state, Vec::new()),
            Err(reason) => {
                tracing::error!(person = %self.person, %reason, "saved dialogue unreadable, starting afresh");
                let note = context.t(self.profile.locale, "error-state-reset");
                (DialogueState::Idle, vec![Reply::text(note)])
            }
        };
        let view = PersonView {
            id: self.person,
            created_at: self.created_at,
            profile: &self.profile,
            accounts: &self.accounts,
            practice: &self.practice,
        };
        // A panic is a bug, but it must cost one person one answer, never the runtime:
        // the step is dropped (state, profile and record stay as they were), the person
        // is told, and an update that caused it is quarantined, not stepped again (a step
        // is a pure function: it would panic again).
        #[cfg(feature = "fault-injection")]
        let hook = shared
            .before_step
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let stepped = std::panic::catch_unwind(AssertUnwindSafe(|| {
            #[cfg(feature = "fault-injection")]
            if let Some(hook) = &hook {
                hook(&item.event);
            }
            engine::step(context, state, &view, &item.event, item.now)
        }));
        let transition = match stepped {
            Ok(transition) => transition,
            Err(_) => {
                tracing::error!(person = %self.person, event = item.event.input.kind(),
                    "step panicked; it was dropped");
                if let Some(key) = &item.update {
                    self.quarantined.push(Quarantine {
                        key: key.clone(),
                        person: Some(self.person),
                        attempts: 1,
                        reason: PANICKED.to_owned(),
                    });
                }
                if !matches!(item.event.input, Input::Timer(_) | Input::Peer(_)) {
                    replies.push(Reply::text(
                        context.t(self.profile.locale, "error-internal"),
                    ));
                }
                return Ok(replies);
            }
        };
        replies.extend(transition.replies);
        for effect in transition.effects {
            match effect {
                Effect::SaveProfile(saved) => {
                    self.profile = saved;
                    self.profile_changed = true;
                }
                Effect::SavePractice(saved) => {
                    self.practice = saved;
                    self.practice_changed = true;
                }
                Effect::ErasePerson => self.erased = true,
                Effect::Schedule(spec) => self.timers.push(TimerWrite::Upsert {
                    kind: spec.kind,
                    key: engine::stored_key(spec.kind, &spec.key, &item.chat),
                    due_at: spec.due_at,
                    chat: item.chat.clone(),
                    payload: spec.payload.to_string(),
                }),
                Effect::Cancel { kind, key } => self.timers.push(TimerWrite::Cancel {
                    kind,
                    key: engine::stored_key(kind, &key, &item.chat),
                }),
                Effect::Tell {
                    to,
                    chat,
                    mut message,
                } => {
                    // The answer goes back to where this step ran.
                    message.reply_to.get_or_insert_with(|| item.chat.clone());
                    // Plain data always serialises.
                    let payload = serde_json::to_string(&message).unwrap_or_default();
                    self.timers.push(TimerWrite::Deliver {
                        to,
                        key: uuid::Uuid::new_v4().simple().to_string(),
                        due_at: item.now,
                        chat,
                        payload,
                    });
                }
                Effect::Report(report) => self.reports.push(report),
                Effect::Admin(request) => {
                    let account = context
                        .admins
                        .accounts()
                        .iter()
                        .find(|admin| self.accounts.contains(admin))
                        .or_else(|| {
                            self.accounts
                                .iter()
                                .find(|account| account.platform == item.chat.platform)
                        })
                        .or(self.accounts.first());
                    self.admin.push(AdminTask {
                        admin: self.person,
                        chat: item.chat.clone(),
                        actor: account.map(engine::actor_of_account).unwrap_or_default(),
                        request,
                    });
                }
            }
        }
        if !self.erased {
            self.dialogues
                .insert(item.chat.clone(), Some(encode_state(&transition.state)));
            if !self.touched.contains(&item.chat) {
                self.touched.push(item.chat.clone());
            }
        }
        Ok(replies)
    }

    fn into_commit(self, now: DateTime<Utc>, privacy: Option<&PrivacyKey>) -> PersonCommit {
        let write = if self.erased {
            PersonWrite::Erase {
                keep: privacy
                    .map(|key| Tombstone::of(key, &self.accounts, &self.practice.partnering)),
            }
        } else {
            let mut dialogues = Vec::with_capacity(self.touched.len());
            for chat in self.touched {
                if let Some(Some(state)) = self.dialogues.get(&chat) {
                    dialogues.push((chat, state.clone()));
                }
            }
            PersonWrite::Update {
                profile: self.profile_changed.then_some(self.profile),
                dialogues,
                practice: self.practice_changed.then(|| Box::new(self.practice)),
            }
        };
        PersonCommit {
            person: self.person,
            expected_version: self.version,
            write,
            outbox: self.outbox,
            processed: self.processed,
            timers: self.timers,
            fired: self.fired,
            reports: self.reports,
            quarantined: self.quarantined,
            now,
        }
    }
}

/// The private chat an event shows its account talking in: an event from an account
/// (not a timer or a peer message) in a private chat of the account's platform.
fn dm_chat_of(item: &Work) -> Option<DmChat> {
    match &item.who {
        Who::Account(account)
            if item.event.chat == ChatKind::Private && item.chat.platform == account.platform =>
        {
            Some(DmChat {
                account: account.clone(),
                chat: item.chat.clone(),
            })
        }
        _ => None,
    }
}

/// Stores the private chats `person`'s events show that their record lacks (an account
/// seen in private for the first time, or talking from a new private chat), so the
/// matcher and peer messages reach them there. Nothing is written while they stay
/// where they were. A failed write is logged and does not hold up the steps: the next
/// private message tries again.
async fn record_dm_chats(
    shared: &Shared,
    cache: &mut Cache,
    person: PersonId,
    items: &[Work],
    round_items: &[usize],
) {
    for &i in round_items {
        let Some(dm_chat) = dm_chat_of(&items[i]) else {
            continue;
        };
        let Some(cached) = cache.people.get_mut(&person) else {
            return;
        };
        if cached.dm_chats.contains(&dm_chat) {
            continue;
        }
        if let Err(error) = shared.store.record_dm_chat(&dm_chat).await {
            tracing::error!(%person, %error, "could not store a private chat");
            continue;
        }
        cached
            .dm_chats
            .retain(|known| known.account != dm_chat.account);
        cached.dm_chats.push(dm_chat);
    }
}

/// The person behind each of `pending`, in order. Accounts the cache does not know are
/// looked up (created on first contact) concurrently: one round trip each at the same
/// time instead of one after the other.
async fn resolve_people(
    shared: &Shared,
    cache: &mut Cache,
    items: &[Work],
    pending: &[usize],
) -> Result<Vec<PersonId>, RuntimeError> {
    let mut unknown: HashMap<&AccountRef, (Locale, DateTime<Utc>, Option<ChatKey>)> =
        HashMap::new();
    for &i in pending {
        if let Who::Account(account) = &items[i].who
            && !cache.accounts.contains_key(account)
        {
            let locale = Locale::from_client_language(items[i].event.client_language.as_deref());
            let first = unknown
                .entry(account)
                .or_insert((locale, items[i].now, None));
            // A first contact from a group still learns the private chat from a later
            // event of the same batch, if there is one.
            if first.2.is_none() {
                first.2 = dm_chat_of(&items[i]).map(|dm_chat| dm_chat.chat);
            }
        }
    }
    let mut lookups = tokio::task::JoinSet::new();
    for (account, (locale, now, dm_chat)) in unknown {
        let store = shared.store.clone();
        let account = account.clone();
        // Someone erased who comes back is recognised by the hash alone.
        let hash = shared
            .privacy
            .as_ref()
            .map(|key| key.account_hash(&account));
        lookups.spawn(async move {
            let person = store
                .person_for_hashed_account(&account, hash.as_ref(), dm_chat.as_ref(), locale, now)
                .await;
            (account, person)
        });
    }
    while let Some(joined) = lookups.join_next().await {
        let (account, person) = joined.map_err(|error| RuntimeError::Store(error.to_string()))?;
        cache.accounts.insert(account, person?);
    }
    pending
        .iter()
        .map(|&i| match &items[i].who {
            Who::Person(person) => Ok(*person),
            Who::Account(account) => cache.accounts.get(account).copied().ok_or_else(|| {
                RuntimeError::Store(format!("account {account:?} was not resolved"))
            }),
        })
        .collect()
}

/// Loads, concurrently, the people and chats of `rounds` the cache lacks. Someone who no
/// longer exists is simply not cached; the step loop finds that out and handles it.
async fn prefetch_people(
    shared: &Shared,
    cache: &mut Cache,
    items: &[Work],
    rounds: &[PersonRound],
) -> Result<(), RuntimeError> {
    let mut loads = tokio::task::JoinSet::new();
    for round in rounds {
        let mut chats: Vec<&ChatKey> = Vec::new();
        for &i in &round.items {
            let chat = &items[i].chat;
            let known = cache
                .people
                .get(&round.person)
                .is_some_and(|cached| cached.dialogues.contains_key(chat));
            if !known && !chats.contains(&chat) {
                chats.push(chat);
            }
        }
        // One load per person here; a person talking in two chats at once (rare) gets
        // the second chat loaded by the step loop.
        if let Some(chat) = chats.first() {
            let store = shared.store.clone();
            let person = round.person;
            let chat = (*chat).clone();
            loads.spawn(async move {
                let loaded = store.load_person(person, &chat).await;
                (chat, loaded)
            });
        }
    }
    while let Some(joined) = loads.join_next().await {
        let (chat, loaded) = joined.map_err(|error| RuntimeError::Store(error.to_string()))?;
        if let Some(loaded) = loaded? {
            cache.absorb(loaded, &chat);
        }
    }
    Ok(())
}
