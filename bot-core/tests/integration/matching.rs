//! The store's matching part on both backends: the queue follows practice writes, erasure
//! takes people out of it (their reports stay), a peer message to someone erased is
//! dropped without failing its batch, one leader at a time, waves and reports round-trip.

use std::sync::Arc;
use std::time::Duration;

use bot_core::domain::{
    AccountRef, ChatKey, Locale, PartnerRef, PartnerStatus, Partnership, PersonId, Platform,
    Practice, Profile, Proposal, ProposalId, ReportReason,
};
use bot_core::engine::{NewReport, TimerKind};
use bot_core::storage::{CommitOutcome, PersonCommit, PersonWrite, Store, TimerWrite, WaveRecord};
use chrono::{DateTime, Utc};

use lexbot_test_kit::{PeopleStoreExt, TestDb, now};

on_both_backends!(
    the_queue_follows_practice_writes,
    erased_people_leave_the_queue_and_their_reports_stay,
    a_peer_message_to_an_erased_person_is_dropped,
    one_leader_at_a_time,
    waves_and_reports_round_trip,
    partnering_stats_count_each_status,
);

async fn new_person(store: &dyn Store) -> (PersonId, AccountRef) {
    let account = AccountRef::new(
        Platform::Telegram,
        format!("tg-{}", uuid::Uuid::new_v4().simple()),
    );
    let person = store
        .person_for_account(&account, Locale::En, now())
        .await
        .expect("person");
    (person, account)
}

fn with_status(status: PartnerStatus) -> Practice {
    let mut practice = Practice::default();
    practice.partnering.status = status;
    practice
}

fn waiting(since: DateTime<Utc>) -> Practice {
    with_status(PartnerStatus::Waiting { since })
}

/// A commit of one person writing `practice` (if given), plus timers and reports.
fn commit(
    person: PersonId,
    expected_version: i64,
    practice: Option<Practice>,
    timers: Vec<TimerWrite>,
    reports: Vec<NewReport>,
) -> PersonCommit {
    let write = PersonWrite::Update {
        profile: None,
        dialogues: Vec::new(),
        practice: practice.map(Box::new),
    };
    PersonCommit {
        timers,
        reports,
        ..PersonCommit::new(person, expected_version, write, now())
    }
}

fn erase(person: PersonId, expected_version: i64) -> PersonCommit {
    PersonCommit::new(
        person,
        expected_version,
        PersonWrite::Erase { keep: None },
        now(),
    )
}

async fn commit_one(store: &dyn Store, commit: PersonCommit) {
    let outcome = store.commit_batch(&[commit], None).await.expect("batch");
    assert!(
        matches!(outcome[..], [CommitOutcome::Committed { .. }]),
        "{outcome:?}"
    );
}

async fn queue(store: &dyn Store) -> Vec<(PersonId, DateTime<Utc>)> {
    store
        .waiting_pool()
        .await
        .expect("waiting pool")
        .into_iter()
        .map(|entry| {
            let since = entry
                .practice
                .partnering
                .waiting_since()
                .expect("everyone in the pool waits");
            (entry.person, since)
        })
        .collect()
}

fn report(about: PersonId, details: &str) -> NewReport {
    NewReport {
        about,
        reason: ReportReason::Harassment,
        details: details.to_owned(),
        proposal: Some(ProposalId::new_random()),
    }
}

async fn the_queue_follows_practice_writes(store: Arc<dyn Store>, db: &TestDb) {
    let (early, early_account) = new_person(&*store).await;
    let (late, _) = new_person(&*store).await;
    let start = now();
    let later = start + chrono::Duration::minutes(5);
    let store = &*store;
    commit_one(store, commit(late, 0, Some(waiting(later)), vec![], vec![])).await;
    commit_one(
        store,
        commit(early, 0, Some(waiting(start)), vec![], vec![]),
    )
    .await;
    db.link_account(
        early,
        &AccountRef::new(Platform::Discord, "zz-linked-later"),
        later,
    )
    .await;

    assert_eq!(queue(store).await, vec![(early, start), (late, later)]);
    let pool = store.waiting_pool().await.expect("pool");
    assert_eq!(pool[0].profile, Profile::new(Locale::En));
    assert_eq!(pool[0].practice, waiting(start));
    assert_eq!(
        pool[0].accounts,
        vec![
            early_account,
            AccountRef::new(Platform::Discord, "zz-linked-later")
        ],
        "oldest account first"
    );
    assert_eq!(store.queue_len().await.expect("length"), 2);
    assert_eq!(store.partnering_stats().await.expect("stats").waiting, 2);

    // A step that does not write the record leaves the queue alone.
    commit_one(store, commit(early, 1, None, vec![], vec![])).await;
    assert_eq!(queue(store).await.len(), 2);
    // Back in the queue later: the new time counts.
    let moved = later + chrono::Duration::minutes(1);
    commit_one(
        store,
        commit(early, 2, Some(waiting(moved)), vec![], vec![]),
    )
    .await;
    assert_eq!(queue(store).await, vec![(late, later), (early, moved)]);
    // Out of it.
    commit_one(
        store,
        commit(
            late,
            1,
            Some(with_status(PartnerStatus::Idle)),
            vec![],
            vec![],
        ),
    )
    .await;
    assert_eq!(queue(store).await, vec![(early, moved)]);
    assert_eq!(db.count_rows("match_queue").await, 1);

    // A rejected commit (stale version) changes nothing.
    let outcome = store
        .commit_batch(
            &[commit(
                early,
                0,
                Some(with_status(PartnerStatus::Idle)),
                vec![],
                vec![],
            )],
            None,
        )
        .await
        .expect("batch");
    assert_eq!(outcome, vec![CommitOutcome::Conflict]);
    assert_eq!(queue(store).await, vec![(early, moved)]);
}

async fn erased_people_leave_the_queue_and_their_reports_stay(store: Arc<dyn Store>, db: &TestDb) {
    let store = &*store;
    let (leaving, _) = new_person(store).await;
    let (staying, _) = new_person(store).await;
    let (bystander, _) = new_person(store).await;
    let at = now();
    commit_one(
        store,
        commit(
            leaving,
            0,
            Some(waiting(at)),
            vec![],
            vec![report(staying, "by the leaver")],
        ),
    )
    .await;
    commit_one(
        store,
        commit(
            staying,
            0,
            Some(waiting(at)),
            vec![],
            vec![
                report(leaving, "about the leaver"),
                report(bystander, "kept"),
            ],
        ),
    )
    .await;
    assert_eq!(store.reports(10).await.expect("reports").len(), 3);
    assert_eq!(queue(store).await.len(), 2);

    commit_one(store, erase(leaving, 1)).await;
    assert_eq!(queue(store).await, vec![(staying, at)]);
    // Reports are the admins' record: those by and about the erased person stay, and
    // their id is kept there alone.
    assert_eq!(store.reports(10).await.expect("reports").len(), 3);
    let mut hits = db.columns_mentioning(&leaving.to_string()).await;
    hits.sort();
    assert_eq!(hits, ["reports.about_id", "reports.reporter_id"]);

    // A report about someone erased meanwhile is filed too, and fails nothing.
    commit_one(
        store,
        commit(staying, 1, None, vec![], vec![report(leaving, "too late")]),
    )
    .await;
    let reports = store.reports(10).await.expect("reports");
    assert_eq!(reports.len(), 4);
    assert_eq!(
        (reports[0].about, reports[0].details.as_str()),
        (leaving, "too late")
    );
}

async fn a_peer_message_to_an_erased_person_is_dropped(store: Arc<dyn Store>, _db: &TestDb) {
    let store = &*store;
    let (sender, sender_account) = new_person(store).await;
    let (gone, _) = new_person(store).await;
    let (erased_in_batch, _) = new_person(store).await;
    let (present, present_account) = new_person(store).await;
    commit_one(store, erase(gone, 0)).await;

    let sender_chat = ChatKey::new(Platform::Telegram, sender_account.user_id.clone());
    let present_chat = ChatKey::new(Platform::Telegram, present_account.user_id.clone());
    let due = now();
    let deliver = |to: PersonId, key: &str, chat: &ChatKey| TimerWrite::Deliver {
        to,
        key: key.to_owned(),
        due_at: due,
        chat: chat.clone(),
        payload: "{}".to_owned(),
    };
    let own = TimerWrite::Upsert {
        kind: TimerKind::Peer,
        key: "own".to_owned(),
        due_at: due,
        chat: sender_chat.clone(),
        payload: "{}".to_owned(),
    };
    let outcome = store
        .commit_batch(
            &[
                commit(
                    sender,
                    0,
                    None,
                    vec![
                        deliver(gone, "to-gone", &present_chat),
                        deliver(erased_in_batch, "to-erased-in-batch", &present_chat),
                        deliver(present, "to-present", &present_chat),
                        own,
                    ],
                    vec![],
                ),
                erase(erased_in_batch, 0),
            ],
            None,
        )
        .await
        .expect("the batch commits");
    assert!(
        matches!(
            outcome[..],
            [
                CommitOutcome::Committed { .. },
                CommitOutcome::Committed { .. }
            ]
        ),
        "{outcome:?}"
    );
    let own_timers = store.timers_of(sender).await.expect("timers");
    assert_eq!(own_timers.len(), 1);
    assert_eq!(own_timers[0].key, "own");
    let delivered = store.timers_of(present).await.expect("timers");
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].kind, "peer");
    assert_eq!(delivered[0].key, "to-present");
    assert_eq!(delivered[0].chat, present_chat);
    assert!(store.timers_of(gone).await.expect("timers").is_empty());
    assert!(
        store
            .timers_of(erased_in_batch)
            .await
            .expect("timers")
            .is_empty()
    );

    // Moving one's own timer still works (the upsert's conflict path).
    let moved = due + chrono::Duration::hours(1);
    commit_one(
        store,
        commit(
            sender,
            1,
            None,
            vec![TimerWrite::Upsert {
                kind: TimerKind::Peer,
                key: "own".to_owned(),
                due_at: moved,
                chat: sender_chat,
                payload: "{}".to_owned(),
            }],
            vec![],
        ),
    )
    .await;
    let own_timers = store.timers_of(sender).await.expect("timers");
    assert_eq!((own_timers.len(), own_timers[0].due_at), (1, moved));
    assert_eq!(own_timers[0].revision, 1);
}

async fn one_leader_at_a_time(store: Arc<dyn Store>, db: &TestDb) {
    let ttl = Duration::from_secs(60);
    let mut first = store
        .try_lead("matcher", "first", ttl)
        .await
        .expect("try")
        .expect("nobody leads yet");
    assert!(
        store
            .try_lead("matcher", "second", ttl)
            .await
            .expect("try")
            .is_none(),
        "a second leader while the first holds"
    );
    // Roles are independent.
    let other_role = store
        .try_lead("other-role", "second", ttl)
        .await
        .expect("try")
        .expect("another role is free");
    assert!(first.still_held().await.expect("check"));
    first.release().await.expect("release");
    let second = store
        .try_lead("matcher", "second", ttl)
        .await
        .expect("try")
        .expect("free after release");
    assert!(
        store
            .try_lead("matcher", "third", ttl)
            .await
            .expect("try")
            .is_none()
    );
    // Dropping a lead lets go of it too (PostgreSQL: the connection closes; the server
    // notices within moments).
    drop(second);
    let sqlite = db.url().starts_with("sqlite");
    if !sqlite {
        let mut third = None;
        for _ in 0..50 {
            third = store.try_lead("matcher", "third", ttl).await.expect("try");
            if third.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let third = third.expect("a dropped PostgreSQL lead is freed");
        third.release().await.expect("release");
    }
    other_role.release().await.expect("release");

    if sqlite {
        // The dropped SQLite lease is free once it expires; a short one here.
        let short = Duration::from_millis(300);
        db.execute("DELETE FROM leaders").await;
        let mut expiring = store
            .try_lead("matcher", "expiring", short)
            .await
            .expect("try")
            .expect("free");
        assert!(
            store
                .try_lead("matcher", "taker", short)
                .await
                .expect("try")
                .is_none()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut taker = store
            .try_lead("matcher", "taker", ttl)
            .await
            .expect("try")
            .expect("an expired lease is free");
        assert!(
            !expiring.still_held().await.expect("check"),
            "the old holder sees its lead gone"
        );
        assert!(taker.still_held().await.expect("check"));
        // The same owner takes its own lease back at once (a restart).
        assert!(
            store
                .try_lead("matcher", "taker", ttl)
                .await
                .expect("try")
                .is_some()
        );
    }
}

async fn waves_and_reports_round_trip(store: Arc<dyn Store>, _db: &TestDb) {
    let store = &*store;
    let start = now();
    let wave = |minutes: i64, pairs: u64| WaveRecord {
        started_at: start + chrono::Duration::minutes(minutes),
        finished_at: start + chrono::Duration::minutes(minutes) + chrono::Duration::seconds(2),
        waiting: 10 + pairs,
        eligible: 8 + pairs,
        edges: 40 + pairs,
        pairs,
        total_weight: 1_234 * pairs as i64,
    };
    for (minutes, pairs) in [(0, 1), (1, 2), (2, 3)] {
        store
            .record_wave(&wave(minutes, pairs))
            .await
            .expect("record");
    }
    assert_eq!(
        store.recent_waves(2).await.expect("waves"),
        vec![wave(2, 3), wave(1, 2)]
    );
    let (reporter, _) = new_person(store).await;
    let (about, _) = new_person(store).await;
    let first = NewReport {
        about,
        reason: ReportReason::NoShow,
        details: "Ни разу не пришёл 🙁 \"quotes\"".to_owned(),
        proposal: Some(ProposalId::new_random()),
    };
    let second = NewReport {
        about,
        reason: ReportReason::Other,
        details: String::new(),
        proposal: None,
    };
    let mut first_commit = commit(reporter, 0, None, vec![], vec![first.clone()]);
    first_commit.now = start;
    commit_one(store, first_commit).await;
    let mut second_commit = commit(reporter, 1, None, vec![], vec![second.clone()]);
    second_commit.now = start + chrono::Duration::seconds(1);
    commit_one(store, second_commit).await;
    let reports = store.reports(10).await.expect("reports");
    assert_eq!(reports.len(), 2);
    for (stored, (filed, at)) in reports.iter().zip([
        (&second, start + chrono::Duration::seconds(1)),
        (&first, start),
    ]) {
        assert_eq!(stored.reporter, reporter);
        assert_eq!(stored.about, filed.about);
        assert_eq!(stored.reason, filed.reason);
        assert_eq!(stored.details, filed.details);
        assert_eq!(stored.proposal, filed.proposal);
        assert_eq!(stored.created_at, at);
    }
    assert!(reports[0].id > reports[1].id);
    assert_eq!(store.reports(1).await.expect("reports").len(), 1);
}

async fn partnering_stats_count_each_status(store: Arc<dyn Store>, _db: &TestDb) {
    let store = &*store;
    let at = now();
    let partner = |person: PersonId| PartnerRef {
        person,
        chat: ChatKey::new(Platform::Telegram, "1"),
        profile: Profile::new(Locale::En),
    };
    let (other, _) = new_person(store).await;
    let proposal = |person| {
        PartnerStatus::Proposed(Box::new(Proposal {
            id: ProposalId::new_random(),
            partner: partner(person),
            made_at: at,
            expires_at: at + chrono::Duration::hours(24),
            accepted: false,
            partner_accepted: true,
            waiting_since: at,
        }))
    };
    let partnership = PartnerStatus::Partnered(Box::new(Partnership {
        id: ProposalId::new_random(),
        partner: partner(other),
        since: at,
        reveal_asked: false,
        partner_handle: None,
        revealed: false,
        sent: 3,
        received: 4,
        follow_up_answered: false,
    }));
    let statuses = [
        PartnerStatus::Waiting { since: at },
        PartnerStatus::Waiting { since: at },
        PartnerStatus::Waiting { since: at },
        proposal(other),
        proposal(other),
        partnership,
        PartnerStatus::Idle,
    ];
    for status in statuses {
        let (person, _) = new_person(store).await;
        commit_one(
            store,
            commit(person, 0, Some(with_status(status)), vec![], vec![]),
        )
        .await;
    }
    let stats = store.partnering_stats().await.expect("stats");
    assert_eq!(
        (stats.waiting, stats.proposed, stats.partnered),
        (3, 2, 1),
        "{stats:?}"
    );
    assert_eq!(store.queue_len().await.expect("length"), 3);
}
