//! The scheduler over a real store: a fired timer's step commits its replies into the
//! outbox together with the timer's deletion, and acts once.

use std::sync::Arc;

use bot_core::app;
use bot_core::config::Settings;
use bot_core::domain::{
    AccountRef, ChatKey, LocalTime, Locale, PersonId, Platform, Practice, Profile, Timezone,
    Weekdays,
};
use bot_core::engine::{Event, Input, TimerKind};
use bot_core::runtime::{Conversations, Incoming};
use bot_core::scheduler::{Clock, Scheduler, SchedulerConfig};
use bot_core::storage::{CommitOutcome, OutboxLease, PersonCommit, PersonWrite, Store, TimerWrite};
use chrono::{DateTime, Duration, Utc};

use lexbot_test_kit::{PeopleStoreExt, TestDb, now};

on_both_backends!(
    an_unanswered_flow_times_out_through_the_outbox_once,
    ten_thousand_timers_fire_exactly_once_with_two_workers,
    a_nudge_goes_out_and_a_return_stops_the_ladder_and_is_counted,
);

pub fn conversations(store: Arc<dyn Store>) -> Conversations {
    let settings =
        Settings::load_with_env(None, figment::providers::Env::prefixed("LEXBOT_NOTHING_"))
            .expect("defaults");
    Conversations::new(
        store,
        Arc::new(app::load_context(&settings).expect("context")),
    )
}

pub fn scheduler(conversations: &Conversations, owner: &str) -> Scheduler {
    Scheduler::new(
        conversations.clone(),
        SchedulerConfig {
            owner: owner.to_owned(),
            ..SchedulerConfig::default()
        },
    )
}

/// Every queued message text for `chat`, in order.
pub async fn queued_texts(store: &dyn Store, chat: &ChatKey, at: DateTime<Utc>) -> Vec<String> {
    let lease = OutboxLease {
        owner: format!("peek-{}", uuid::Uuid::new_v4().simple()),
        until: at + Duration::seconds(1),
        platforms: bot_core::domain::Platform::ALL.to_vec(),
        chats: Vec::new(),
    };
    let messages = store
        .claim_outbox(&lease, at + Duration::days(400), 100_000)
        .await
        .expect("claim outbox");
    store
        .release_outbox_lease(&lease.owner)
        .await
        .expect("release");
    messages
        .into_iter()
        .filter(|message| &message.chat == chat)
        .map(|message| message.body.reply().text.clone())
        .collect()
}

async fn an_unanswered_flow_times_out_through_the_outbox_once(store: Arc<dyn Store>, _db: &TestDb) {
    let conversations = conversations(store.clone());
    let user = format!("sched-{}", uuid::Uuid::new_v4().simple());
    let account = AccountRef::new(Platform::Telegram, user.clone());
    let chat = ChatKey::new(Platform::Telegram, user.clone());
    let t0 = now();
    conversations
        .handle(
            &Incoming::new(
                account.clone(),
                chat.clone(),
                Event::new(Input::from_text("/start")),
            ),
            t0,
        )
        .await
        .expect("start");
    let person = store
        .person_for_account(&account, Locale::En, t0)
        .await
        .expect("person");
    let timers = store.timers_of(person).await.expect("timers");
    assert_eq!(timers.len(), 1, "{timers:?}");
    assert_eq!(timers[0].kind, "dialogue_timeout");
    assert_eq!(timers[0].due_at, t0 + Duration::hours(24));
    assert_eq!(timers[0].chat, chat);
    let before = queued_texts(&*store, &chat, t0).await.len();

    let first = scheduler(&conversations, "a");
    let second = scheduler(&conversations, "b");
    let early = first.tick_at(t0 + Duration::hours(23)).await.expect("tick");
    assert_eq!(early.claimed, 0, "not due yet");

    let at = t0 + Duration::hours(25);
    let tick = first.tick_at(at).await.expect("tick");
    assert_eq!(
        (tick.claimed, tick.fired, tick.failed),
        (1, 1, 0),
        "{tick:?}"
    );
    let again = second.tick_at(at + Duration::hours(2)).await.expect("tick");
    assert_eq!(again.claimed, 0, "a fired timer is gone");

    let texts = queued_texts(&*store, &chat, at).await;
    assert_eq!(texts.len(), before + 1, "{texts:?}");
    assert!(
        texts[before].contains("paused your profile setup"),
        "{texts:?}"
    );
    assert!(store.timers_of(person).await.expect("timers").is_empty());
    let loaded = store
        .load_person(person, &chat)
        .await
        .expect("load")
        .expect("exists");
    let state = loaded.dialogue.expect("a dialogue").json;
    assert!(state.contains("onboarding_suspended"), "{state}");
    assert_eq!(first.stats().snapshot().fired, 1);
    conversations.store().close().await;
}

/// People with reminders whose timers are all due at `due`, in Berlin, in chats of their own.
pub async fn people_with_due_reminders(
    store: &dyn Store,
    people: usize,
    reminders_each: usize,
    due: DateTime<Utc>,
) -> Vec<(PersonId, ChatKey)> {
    let berlin = Timezone::parse("Europe/Berlin").expect("zone");
    let mut created = Vec::with_capacity(people);
    for n in 0..people {
        let user = format!("many-{n}-{}", uuid::Uuid::new_v4().simple());
        let person = store
            .person_for_account(
                &AccountRef::new(Platform::Telegram, user.clone()),
                Locale::En,
                due,
            )
            .await
            .expect("person");
        created.push((person, ChatKey::new(Platform::Telegram, user)));
    }
    let mut profile = Profile::new(Locale::En);
    profile.timezone = Some(berlin);
    profile.completed = true;
    for chunk in created.chunks(500) {
        let commits: Vec<PersonCommit> = chunk
            .iter()
            .map(|(person, chat)| {
                let mut practice = Practice::default();
                let timers = (0..reminders_each)
                    .map(|n| {
                        let time = LocalTime::new(8 + n as u32 % 10, 0).expect("valid time");
                        let reminder = practice.add_reminder(time, Weekdays::EVERY_DAY);
                        TimerWrite::Upsert {
                            kind: TimerKind::Reminder,
                            key: reminder.id.to_string(),
                            due_at: due,
                            chat: chat.clone(),
                            payload: "null".into(),
                        }
                    })
                    .collect();
                let write = PersonWrite::Update {
                    profile: Some(profile.clone()),
                    dialogues: Vec::new(),
                    practice: Some(Box::new(practice)),
                };
                PersonCommit {
                    timers,
                    ..PersonCommit::new(*person, 0, write, due)
                }
            })
            .collect();
        let outcomes = store
            .commit_batch(&commits, None)
            .await
            .expect("setup commit");
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, CommitOutcome::Committed { .. }))
        );
    }
    created
}

async fn ten_thousand_timers_fire_exactly_once_with_two_workers(
    store: Arc<dyn Store>,
    db: &TestDb,
) {
    const PEOPLE: usize = 2_000;
    const EACH: usize = 5;
    // 21:00 in Berlin: outside the default quiet hours, and every reminder (08:00-12:00)
    // is late but its next time is tomorrow, so each one reminds.
    let now = DateTime::parse_from_rfc3339("2026-03-02T20:00:00Z")
        .expect("instant")
        .with_timezone(&Utc);
    let people = people_with_due_reminders(&*store, PEOPLE, EACH, now - Duration::hours(1)).await;

    // Two workers as two processes would run them: their own store pools, runtimes
    // and scheduler instances, on one database. Their leases run out a microsecond
    // after they claim (the clock ticks on every reading), so each keeps taking the
    // other's timers while they are still being fired: only the check at commit keeps
    // every timer to one firing.
    let ticks = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let clock: Clock = Arc::new(move || {
        now + Duration::microseconds(ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    });
    let config = |owner: &str| SchedulerConfig {
        owner: owner.to_owned(),
        lease: std::time::Duration::from_micros(1),
        ..SchedulerConfig::default()
    };
    let first_store = db.open().await;
    let second_store = db.open().await;
    let first = conversations(first_store.clone());
    let second = conversations(second_store.clone());
    let workers = [
        Scheduler::new(first.clone(), config("worker-a"))
            .with_clock(clock.clone())
            .spawn(),
        Scheduler::new(second.clone(), config("worker-b"))
            .with_clock(clock.clone())
            .spawn(),
    ];
    let started = std::time::Instant::now();
    let deadline = now + Duration::minutes(1);
    while store
        .next_timer_due()
        .await
        .expect("next due")
        .is_some_and(|due| due <= deadline)
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(300),
            "timers left unfired"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut fired = Vec::new();
    for worker in workers {
        // After shutdown: the last batch may have committed before its counts were added.
        let stats = worker.stats();
        worker.shutdown().await;
        fired.push(stats.snapshot());
    }
    first_store.close().await;
    second_store.close().await;

    let total: u64 = fired.iter().map(|stats| stats.fired).sum();
    assert_eq!(total, (PEOPLE * EACH) as u64, "{fired:?}");
    assert!(
        fired.iter().all(|stats| stats.fired > 0),
        "both workers fired: {fired:?}"
    );
    assert!(
        fired.iter().map(|stats| stats.duplicates).sum::<u64>() > 0,
        "the workers did race for the same timers: {fired:?}"
    );
    assert!(fired.iter().all(|stats| stats.failed == 0), "{fired:?}");

    // Exactly one reminder per timer reached the outbox, and each timer now waits for
    // its next day.
    let lease = OutboxLease {
        owner: "count".into(),
        until: now + Duration::hours(1),
        platforms: bot_core::domain::Platform::ALL.to_vec(),
        chats: Vec::new(),
    };
    let queued = store
        .claim_outbox(&lease, now + Duration::days(1), 1_000_000)
        .await
        .expect("outbox");
    assert_eq!(queued.len(), PEOPLE * EACH);
    let mut per_chat: std::collections::HashMap<&ChatKey, usize> = Default::default();
    for message in &queued {
        assert!(message.body.reply().text.contains("Time to practise!"));
        *per_chat.entry(&message.chat).or_default() += 1;
    }
    assert_eq!(per_chat.len(), PEOPLE);
    assert!(
        per_chat.values().all(|count| *count == EACH),
        "a chat got a reminder twice or not at all"
    );
    assert_eq!(db.count_rows("timers").await, (PEOPLE * EACH) as i64);
    let (person, _) = people[0];
    let next: Vec<DateTime<Utc>> = store
        .timers_of(person)
        .await
        .expect("timers")
        .iter()
        .map(|timer| timer.due_at)
        .collect();
    assert_eq!(
        next.first().copied(),
        Some(
            DateTime::parse_from_rfc3339("2026-03-03T07:00:00Z")
                .expect("instant")
                .with_timezone(&Utc)
        ),
        "08:00 in Berlin tomorrow"
    );
}

async fn a_nudge_goes_out_and_a_return_stops_the_ladder_and_is_counted(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    let conversations = conversations(store.clone());
    let user = format!("nudge-{}", uuid::Uuid::new_v4().simple());
    let account = AccountRef::new(Platform::Telegram, user.clone());
    let chat = ChatKey::new(Platform::Telegram, user.clone());
    let active = DateTime::parse_from_rfc3339("2026-03-02T10:00:00Z")
        .expect("instant")
        .with_timezone(&Utc);
    let person = store
        .person_for_account(&account, Locale::En, active)
        .await
        .expect("person");
    let mut profile = Profile::new(Locale::En);
    profile.timezone = Some(Timezone::parse("Europe/Berlin").expect("zone"));
    profile.completed = true;
    let mut practice = Practice::default();
    practice.reengagement.last_active = Some(active);
    let first_nudge = active + Duration::days(3);
    let outcome = store
        .commit_batch(
            &[PersonCommit {
                timers: vec![TimerWrite::Upsert {
                    kind: TimerKind::Reengage,
                    key: String::new(),
                    due_at: first_nudge,
                    chat: chat.clone(),
                    payload: "null".into(),
                }],
                ..PersonCommit::new(
                    person,
                    0,
                    PersonWrite::Update {
                        profile: Some(profile),
                        dialogues: Vec::new(),
                        practice: Some(Box::new(practice)),
                    },
                    active,
                )
            }],
            None,
        )
        .await
        .expect("setup");
    assert!(matches!(outcome[0], CommitOutcome::Committed { .. }));

    let worker = scheduler(&conversations, "nudger");
    let tick = worker.tick_at(first_nudge).await.expect("tick");
    assert_eq!(tick.fired, 1, "{tick:?}");
    let texts = queued_texts(&*store, &chat, first_nudge).await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("It's been a few days!"), "{texts:?}");
    let stats = store.reengagement_stats().await.expect("stats");
    assert_eq!((stats.nudges_sent, stats.returned_within_48h), (1, 0));
    let next = store.timers_of(person).await.expect("timers");
    assert_eq!(next.len(), 1);
    assert_eq!(
        next[0].due_at,
        active + Duration::days(7),
        "the second step is set"
    );

    // The person comes back the next day.
    let back = first_nudge + Duration::hours(26);
    conversations
        .handle(
            &Incoming::new(account, chat.clone(), Event::new(Input::from_text("/help"))),
            back,
        )
        .await
        .expect("help");
    let stats = store.reengagement_stats().await.expect("stats");
    assert_eq!((stats.nudges_sent, stats.returned_within_48h), (1, 1));
    let timers = store.timers_of(person).await.expect("timers");
    assert_eq!(timers.len(), 1);
    assert_eq!(
        timers[0].due_at,
        back + Duration::days(3),
        "the ladder starts over"
    );
    // Nothing is due at the old ladder's 7-day step.
    let tick = worker
        .tick_at(active + Duration::days(7))
        .await
        .expect("tick");
    assert_eq!(tick.claimed, 0);
    conversations.store().close().await;
}
