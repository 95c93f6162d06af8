//! Store calls only tests make, on top of [`PeopleStore`]: a first contact with no
//! privacy key and no private chat, and one step committed on its own (the runtime
//! always commits batches).

use async_trait::async_trait;
use bot_core::domain::{AccountRef, ChatKey, Locale, PersonId, Profile};
use bot_core::storage::{
    CommitOutcome, PeopleStore, PersonCommit, PersonWrite, StoreError, StoredState,
};
use chrono::{DateTime, Utc};

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

/// One step of one person in one chat.
#[derive(Debug, Clone, PartialEq)]
pub struct StepCommit {
    pub person: PersonId,
    /// The `LoadedPerson::version` the step was computed from.
    pub expected_version: i64,
    pub chat: ChatKey,
    pub write: StepWrite,
    pub now: DateTime<Utc>,
}

impl StepCommit {
    /// The step as a batch of one.
    pub fn to_person_commit(&self) -> PersonCommit {
        let write = match &self.write {
            StepWrite::Update { state, profile } => PersonWrite::Update {
                profile: profile.clone(),
                dialogues: vec![(self.chat.clone(), state.clone())],
                practice: None,
            },
            StepWrite::Erase => PersonWrite::Erase { keep: None },
        };
        PersonCommit::new(self.person, self.expected_version, write, self.now)
    }
}

#[async_trait]
pub trait PeopleStoreExt: PeopleStore {
    /// The person behind a platform account, created on first contact with an empty
    /// profile in `locale`: [`PeopleStore::person_for_hashed_account`] without a hash or
    /// a private chat.
    async fn person_for_account(
        &self,
        account: &AccountRef,
        locale: Locale,
        now: DateTime<Utc>,
    ) -> Result<PersonId, StoreError> {
        self.person_for_hashed_account(account, None, None, locale, now)
            .await
    }

    /// Writes one step atomically, only if the person is still at `expected_version`:
    /// [`StoreError::Conflict`] if not, [`StoreError::UnknownPerson`] if they are gone.
    async fn commit_step(&self, commit: &StepCommit) -> Result<(), StoreError> {
        let outcome = self
            .commit_batch(&[commit.to_person_commit()], None)
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
}

impl<T: PeopleStore + ?Sized> PeopleStoreExt for T {}
