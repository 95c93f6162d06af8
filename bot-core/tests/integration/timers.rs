//! The timers table through the store: scheduled, moved and cancelled with a step's
//! commit; claimed under leases; deleted by the commit of the step they fired, once.

use std::collections::HashSet;
use std::sync::Arc;

use bot_core::domain::{AccountRef, ChatKey, Locale, PersonId, Platform};
use bot_core::engine::TimerKind;
use bot_core::storage::{
    CommitOutcome, FiredTimerRef, PersonCommit, PersonWrite, Store, StoredState, TimerLease,
    TimerWrite,
};
use chrono::{DateTime, Duration, Utc};

use lexbot_test_kit::{PeopleStoreExt, TestDb, now};

on_both_backends!(
    timers_are_written_moved_and_cancelled_with_the_step,
    a_fired_timer_is_deleted_once_and_a_second_firing_changes_nothing,
    claims_honour_leases_and_retry_waits,
    two_claims_at_once_share_nothing,
);

async fn new_person(store: &dyn Store) -> (PersonId, ChatKey) {
    let user = format!("timer-{}", uuid::Uuid::new_v4().simple());
    let person = store
        .person_for_account(
            &AccountRef::new(Platform::Telegram, user.clone()),
            Locale::En,
            now(),
        )
        .await
        .expect("person");
    (person, ChatKey::new(Platform::Telegram, user))
}

fn upsert(kind: TimerKind, key: &str, due_at: DateTime<Utc>, chat: &ChatKey) -> TimerWrite {
    TimerWrite::Upsert {
        kind,
        key: key.to_owned(),
        due_at,
        chat: chat.clone(),
        payload: format!("{{\"key\":\"{key}\"}}"),
    }
}

/// One person's step in `chat` that leaves the dialogue at `state`, with these timers.
pub(crate) fn commit(
    person: PersonId,
    version: i64,
    chat: &ChatKey,
    state: &str,
    timers: Vec<TimerWrite>,
    fired: Vec<FiredTimerRef>,
) -> PersonCommit {
    let write = PersonWrite::Update {
        profile: None,
        dialogues: vec![(
            chat.clone(),
            StoredState {
                schema_version: 1,
                json: format!("{{\"state\":\"{state}\"}}"),
            },
        )],
        practice: None,
    };
    PersonCommit {
        timers,
        fired,
        ..PersonCommit::new(person, version, write, now())
    }
}

async fn commit_one(store: &dyn Store, commit: PersonCommit) -> CommitOutcome {
    store
        .commit_batch(&[commit], None)
        .await
        .expect("commit")
        .pop()
        .expect("one outcome")
}

fn lease(owner: &str, until: DateTime<Utc>) -> TimerLease {
    TimerLease {
        owner: owner.to_owned(),
        until,
    }
}

async fn timers_are_written_moved_and_cancelled_with_the_step(store: Arc<dyn Store>, _db: &TestDb) {
    let (person, chat) = new_person(&*store).await;
    let at = now() + Duration::hours(1);
    let outcome = commit_one(
        &*store,
        commit(
            person,
            0,
            &chat,
            "a",
            vec![
                upsert(TimerKind::DialogueTimeout, "telegram:1", at, &chat),
                upsert(TimerKind::DialogueTimeout, "telegram:2", at, &chat),
                // Scheduled, then moved by a later step of the same batch: one row.
                upsert(
                    TimerKind::DialogueTimeout,
                    "telegram:1",
                    at + Duration::hours(1),
                    &chat,
                ),
            ],
            Vec::new(),
        ),
    )
    .await;
    assert!(
        matches!(outcome, CommitOutcome::Committed { .. }),
        "{outcome:?}"
    );
    let timers = store.timers_of(person).await.expect("timers");
    assert_eq!(timers.len(), 2, "{timers:?}");
    assert_eq!(timers[0].key, "telegram:2");
    assert_eq!(timers[1].key, "telegram:1");
    assert_eq!(timers[1].due_at, at + Duration::hours(1));
    assert_eq!(timers[1].chat, chat);
    assert_eq!(timers[1].payload, "{\"key\":\"telegram:1\"}");
    assert_eq!(timers[1].kind, "dialogue_timeout");
    let first_revision = timers[1].revision;

    // A stale step writes none of its timers.
    let outcome = commit_one(
        &*store,
        commit(
            person,
            0,
            &chat,
            "stale",
            vec![TimerWrite::Cancel {
                kind: TimerKind::DialogueTimeout,
                key: "telegram:1".into(),
            }],
            Vec::new(),
        ),
    )
    .await;
    assert_eq!(outcome, CommitOutcome::Conflict);
    assert_eq!(store.timers_of(person).await.expect("timers").len(), 2);

    // Moving keeps one row and gives it a new revision; cancelling drops it.
    let outcome = commit_one(
        &*store,
        commit(
            person,
            1,
            &chat,
            "b",
            vec![
                upsert(TimerKind::DialogueTimeout, "telegram:1", at, &chat),
                TimerWrite::Cancel {
                    kind: TimerKind::DialogueTimeout,
                    key: "telegram:2".into(),
                },
            ],
            Vec::new(),
        ),
    )
    .await;
    assert!(
        matches!(outcome, CommitOutcome::Committed { .. }),
        "{outcome:?}"
    );
    let timers = store.timers_of(person).await.expect("timers");
    assert_eq!(timers.len(), 1, "{timers:?}");
    assert_eq!(timers[0].due_at, at);
    assert!(timers[0].revision > first_revision);
    assert_eq!(store.next_timer_due().await.expect("next"), Some(at));
}

async fn a_fired_timer_is_deleted_once_and_a_second_firing_changes_nothing(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    let (person, chat) = new_person(&*store).await;
    let due = now() - Duration::minutes(5);
    commit_one(
        &*store,
        commit(
            person,
            0,
            &chat,
            "armed",
            vec![upsert(TimerKind::DialogueTimeout, "k", due, &chat)],
            Vec::new(),
        ),
    )
    .await;
    let claimed = store
        .claim_timers(&lease("a", now() + Duration::minutes(1)), now(), 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].person, person);
    let fired = claimed[0].fired_ref();

    // The firing step reschedules the same timer: the old row goes, a new one comes.
    let next = due + Duration::days(1);
    let outcome = commit_one(
        &*store,
        commit(
            person,
            1,
            &chat,
            "fired",
            vec![upsert(TimerKind::DialogueTimeout, "k", next, &chat)],
            vec![fired],
        ),
    )
    .await;
    assert!(
        matches!(outcome, CommitOutcome::Committed { .. }),
        "{outcome:?}"
    );
    let timers = store.timers_of(person).await.expect("timers");
    assert_eq!(timers.len(), 1);
    assert_eq!(timers[0].due_at, next);
    assert_ne!(timers[0].fired_ref(), fired);

    // The same timer fired again (another worker, a lease that ran out): refused whole.
    let outcome = commit_one(
        &*store,
        commit(
            person,
            2,
            &chat,
            "fired twice",
            vec![upsert(TimerKind::DialogueTimeout, "other", next, &chat)],
            vec![fired],
        ),
    )
    .await;
    assert_eq!(
        outcome,
        CommitOutcome::TimerGone {
            timers: vec![fired]
        }
    );
    let timers = store.timers_of(person).await.expect("timers");
    assert_eq!(timers.len(), 1, "nothing of the refused step was written");
    let loaded = store
        .load_person(person, &chat)
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(loaded.version, 2);
    assert_eq!(
        loaded.dialogue.map(|d| d.json),
        Some("{\"state\":\"fired\"}".to_owned())
    );

    // A timer moved after it was claimed: the old claim no longer acts.
    let claimed = store
        .claim_timers(&lease("a", next + Duration::minutes(1)), next, 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    commit_one(
        &*store,
        commit(
            person,
            2,
            &chat,
            "moved",
            vec![upsert(TimerKind::DialogueTimeout, "k", next, &chat)],
            Vec::new(),
        ),
    )
    .await;
    let outcome = commit_one(
        &*store,
        commit(
            person,
            3,
            &chat,
            "late",
            Vec::new(),
            vec![claimed[0].fired_ref()],
        ),
    )
    .await;
    assert!(
        matches!(outcome, CommitOutcome::TimerGone { .. }),
        "{outcome:?}"
    );
    assert_eq!(store.timers_of(person).await.expect("timers").len(), 1);
}

async fn claims_honour_leases_and_retry_waits(store: Arc<dyn Store>, _db: &TestDb) {
    let (person, chat) = new_person(&*store).await;
    let t0 = now();
    commit_one(
        &*store,
        commit(
            person,
            0,
            &chat,
            "armed",
            vec![
                upsert(
                    TimerKind::DialogueTimeout,
                    "early",
                    t0 - Duration::minutes(2),
                    &chat,
                ),
                upsert(
                    TimerKind::DialogueTimeout,
                    "late",
                    t0 - Duration::minutes(1),
                    &chat,
                ),
                upsert(
                    TimerKind::DialogueTimeout,
                    "future",
                    t0 + Duration::hours(1),
                    &chat,
                ),
            ],
            Vec::new(),
        ),
    )
    .await;
    let first = store
        .claim_timers(&lease("a", t0 + Duration::minutes(1)), t0, 1)
        .await
        .expect("claim");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].key, "early", "earliest first");
    assert_eq!(
        store.next_timer_due().await.expect("next"),
        Some(t0 - Duration::minutes(1)),
        "a held timer is not the next one due"
    );
    let second = store
        .claim_timers(&lease("b", t0 + Duration::minutes(1)), t0, 10)
        .await
        .expect("claim");
    assert_eq!(
        second.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
        vec!["late"],
        "held and future timers are not claimed"
    );

    // A's lease runs out: B may take its timer.
    let later = t0 + Duration::minutes(2);
    let taken = store
        .claim_timers(&lease("b", later + Duration::minutes(1)), later, 10)
        .await
        .expect("claim");
    assert_eq!(
        taken.iter().map(|t| t.key.as_str()).collect::<HashSet<_>>(),
        HashSet::from(["early", "late"])
    );

    // A failure waits until not_before, then counts as an attempt.
    store
        .timer_retry_later(
            taken[0].fired_ref(),
            1,
            later + Duration::minutes(10),
            "boom",
        )
        .await
        .expect("retry later");
    store.release_timer_leases("b").await.expect("release");
    let after_release = store
        .claim_timers(&lease("c", later + Duration::minutes(1)), later, 10)
        .await
        .expect("claim");
    assert_eq!(after_release.len(), 1, "{after_release:?}");
    assert_eq!(after_release[0].key, taken[1].key);
    let retried_at = later + Duration::minutes(11);
    let retried = store
        .claim_timers(
            &lease("c", retried_at + Duration::minutes(1)),
            retried_at,
            10,
        )
        .await
        .expect("claim");
    let again: Vec<_> = retried.iter().filter(|t| t.key == taken[0].key).collect();
    assert_eq!(again.len(), 1, "{retried:?}");
    assert_eq!(again[0].attempts, 1);
}

/// Claims batches of 7 as `owner` until none are left; the ids of every timer claimed.
async fn claim_until_none_left(store: &dyn Store, owner: &str, at: DateTime<Utc>) -> Vec<i64> {
    let mut ids = Vec::new();
    loop {
        let got = store
            .claim_timers(&lease(owner, at + Duration::minutes(5)), at, 7)
            .await
            .unwrap_or_else(|error| panic!("claim {owner}: {error:?}"));
        if got.is_empty() {
            return ids;
        }
        ids.extend(got.iter().map(|t| t.id));
    }
}

async fn two_claims_at_once_share_nothing(store: Arc<dyn Store>, db: &TestDb) {
    let t0 = now();
    let mut expected = 0;
    for _ in 0..20 {
        let (person, chat) = new_person(&*store).await;
        let timers = (0..10)
            .map(|n| {
                upsert(
                    TimerKind::DialogueTimeout,
                    &n.to_string(),
                    t0 - Duration::seconds(n),
                    &chat,
                )
            })
            .collect();
        commit_one(
            &*store,
            commit(person, 0, &chat, "armed", timers, Vec::new()),
        )
        .await;
        expected += 10;
    }
    let other = db.open().await;
    let (a, b) = tokio::join!(
        claim_until_none_left(&*store, "a", t0),
        claim_until_none_left(&*other, "b", t0),
    );
    other.close().await;
    let mut all: Vec<i64> = a.iter().chain(&b).copied().collect();
    assert_eq!(all.len(), expected, "every due timer claimed");
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), expected, "no timer claimed twice");
}
