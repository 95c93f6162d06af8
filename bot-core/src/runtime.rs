//! The conversation runtime: loads a person, runs one engine step, and commits its state
//! and effects atomically; a stale write is recomputed from fresh data, never lost.
//! One person's events run strictly in order; different people run in parallel.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::domain::{AccountRef, ChatKey, Locale, PersonId};
use crate::engine::{
    self, Context, DialogueState, Effect, Event, PersonView, Reply, STATE_SCHEMA_VERSION,
};
use crate::storage::{LoadedPerson, StepCommit, StepWrite, Store, StoreError, StoredState};

/// How often a step is recomputed after a stale write before giving up.
const MAX_ATTEMPTS: usize = 8;

/// One event from one platform chat.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub account: AccountRef,
    pub chat: ChatKey,
    pub event: Event,
}

/// Internal failures: logged, never shown to people (they get `error-internal`).
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "saved dialogue has schema version {found}; this build knows up to {STATE_SCHEMA_VERSION}"
    )]
    NewerState { found: i32 },
    #[error("gave up on person {0} after {MAX_ATTEMPTS} conflicting writes")]
    TooManyConflicts(PersonId),
}

pub struct Conversations {
    store: Arc<dyn Store>,
    context: Arc<Context>,
    locks: PersonLocks,
}

impl Conversations {
    pub fn new(store: Arc<dyn Store>, context: Arc<Context>) -> Self {
        Self {
            store,
            context,
            locks: PersonLocks::default(),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Handles one event and returns the replies for its chat, after the step committed.
    pub async fn handle(
        &self,
        incoming: &Incoming,
        now: DateTime<Utc>,
    ) -> Result<Vec<Reply>, RuntimeError> {
        let locale = Locale::from_client_language(incoming.event.client_language.as_deref());
        let mut person = self
            .store
            .person_for_account(&incoming.account, locale, now)
            .await?;
        let _turn = self.locks.lock(person).await;
        for _ in 0..MAX_ATTEMPTS {
            let Some(loaded) = self.store.load_person(person, &incoming.chat).await? else {
                // Erased between resolving and loading: this is a new first contact.
                person = self
                    .store
                    .person_for_account(&incoming.account, locale, now)
                    .await?;
                continue;
            };
            let (commit, replies) = self.compute(&loaded, incoming, now)?;
            match self.store.commit_step(&commit).await {
                Ok(()) => return Ok(replies),
                Err(StoreError::Conflict { .. }) => {
                    tracing::debug!(%person, "stale write, recomputing the step");
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(RuntimeError::TooManyConflicts(person))
    }

    fn compute(
        &self,
        loaded: &LoadedPerson,
        incoming: &Incoming,
        now: DateTime<Utc>,
    ) -> Result<(StepCommit, Vec<Reply>), RuntimeError> {
        let (state, mut replies) = match decode_state(loaded.dialogue.as_ref())? {
            Ok(state) => (state, Vec::new()),
            Err(reason) => {
                tracing::error!(person = %loaded.id, %reason, "saved dialogue unreadable, starting afresh");
                let note = self.context.t(loaded.profile.locale, "error-state-reset");
                (DialogueState::Idle, vec![Reply::text(note)])
            }
        };
        let view = PersonView {
            id: loaded.id,
            created_at: loaded.created_at,
            profile: &loaded.profile,
            accounts: &loaded.accounts,
        };
        let transition = engine::step(&self.context, state, &view, &incoming.event, now);
        replies.extend(transition.replies);
        let mut profile = None;
        let mut erase = false;
        for effect in transition.effects {
            match effect {
                Effect::SaveProfile(saved) => profile = Some(saved),
                Effect::ErasePerson => erase = true,
            }
        }
        let write = if erase {
            StepWrite::Erase
        } else {
            StepWrite::Update {
                state: encode_state(&transition.state),
                profile,
            }
        };
        let commit = StepCommit {
            person: loaded.id,
            expected_version: loaded.version,
            chat: incoming.chat.clone(),
            write,
            now,
        };
        Ok((commit, replies))
    }

    /// The apology an adapter sends when [`Conversations::handle`] failed.
    pub fn internal_error_reply(&self, client_language: Option<&str>) -> Reply {
        Reply::text(self.context.t(
            Locale::from_client_language(client_language),
            "error-internal",
        ))
    }
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

/// One async mutex per person with events in flight, so one person's steps never
/// interleave inside this process (the version check covers other processes).
#[derive(Default)]
struct PersonLocks {
    locks: Mutex<HashMap<PersonId, Arc<tokio::sync::Mutex<()>>>>,
}

struct PersonTurn<'a> {
    locks: &'a PersonLocks,
    person: PersonId,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl PersonLocks {
    async fn lock(&self, person: PersonId) -> PersonTurn<'_> {
        let lock = {
            let mut locks = self
                .locks
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            locks.entry(person).or_default().clone()
        };
        PersonTurn {
            locks: self,
            person,
            _guard: lock.lock_owned().await,
        }
    }
}

impl Drop for PersonTurn<'_> {
    fn drop(&mut self) {
        let mut locks = self
            .locks
            .locks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Only this turn's guard (and the map) hold it: nobody waits, forget it.
        if locks
            .get(&self.person)
            .is_some_and(|lock| Arc::strong_count(lock) <= 2)
        {
            locks.remove(&self.person);
        }
    }
}
