//! The storage conformance suite: every test runs against SQLite and, when configured, PostgreSQL.

use std::sync::Arc;

use bot_core::domain::{
    AccountRef, Availability, Bio, CefrLevel, ChatKey, DayKind, DayPart, InterestId, LanguageCode,
    LevelChoice, Locale, PersonId, Platform, PracticeStyle, PracticeStyles, Profile, Slot,
    TargetLanguage, Timezone,
};
use bot_core::storage::{DatabaseErrorKind, LoadedPerson, Store, StoreError, StoredState};
use lexbot_test_kit::{PeopleStoreExt, StepCommit, StepWrite};
use tokio::sync::Barrier;

use lexbot_test_kit::{MIGRATIONS_TABLE, TestDb, now};

on_both_backends!(
    round_trip,
    concurrent_first_contact_makes_one_person,
    a_failing_step_changes_nothing,
    stale_writes_are_rejected,
    erase_leaves_no_trace,
    data_survives_reopening,
    an_unreadable_profile_is_reported_as_corrupt,
);

/// A platform user id no other test data can contain by accident.
fn unique_user(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

fn lang(code: &str) -> LanguageCode {
    LanguageCode::parse(code).expect("valid language code")
}

/// A profile with every field set to something other than its default.
fn full_profile() -> Profile {
    Profile {
        locale: Locale::Ru,
        native: vec![lang("ru"), lang("uk")],
        targets: vec![
            TargetLanguage {
                language: lang("es"),
                level: Some(LevelChoice::Known(CefrLevel::B1)),
            },
            TargetLanguage {
                language: lang("de"),
                level: Some(LevelChoice::PlacementTest),
            },
            // Unanswered, so the three states are seen to stay apart.
            TargetLanguage::new(lang("ja")),
        ],
        interests: vec![InterestId("music".into()), InterestId("hiking".into())],
        timezone: Some(Timezone::parse("Europe/Berlin").expect("known zone")),
        availability: Availability::from_slots([
            Slot::new(DayKind::Weekday, DayPart::Evening),
            Slot::new(DayKind::Weekend, DayPart::Morning),
        ]),
        styles: PracticeStyles::default()
            .toggled(PracticeStyle::Text)
            .toggled(PracticeStyle::Video),
        bio: Some(
            Bio::parse("Привет! I like \"quotes\", emoji 🎸\nand new lines.", 200)
                .expect("valid bio"),
        ),
        completed: true,
        unreachable: true,
        matching_paused: true,
        banned: true,
    }
}

fn state(schema_version: i32, step: &str) -> StoredState {
    StoredState {
        schema_version,
        json: format!(r#"{{"step":"{step}","nested":{{"b":1,"a":[true,null]}}}}"#),
    }
}

fn update(
    person: PersonId,
    expected_version: i64,
    chat: &ChatKey,
    state: StoredState,
    profile: Option<Profile>,
) -> StepCommit {
    StepCommit {
        person,
        expected_version,
        chat: chat.clone(),
        write: StepWrite::Update { state, profile },
        now: now(),
    }
}

async fn load(store: &dyn Store, person: PersonId, chat: &ChatKey) -> LoadedPerson {
    store
        .load_person(person, chat)
        .await
        .expect("load")
        .expect("person exists")
}

async fn round_trip(store: Arc<dyn Store>, db: &TestDb) {
    let telegram = AccountRef::new(Platform::Telegram, unique_user("tg"));
    let discord = AccountRef::new(Platform::Discord, unique_user("dc"));
    let chat_a = ChatKey::new(Platform::Telegram, "chat-a");
    let chat_b = ChatKey::new(Platform::Telegram, "chat-b");
    let created = now();

    let person = store
        .person_for_account(&telegram, Locale::Ru, created)
        .await
        .expect("first contact");
    assert_eq!(
        store
            .person_for_account(&telegram, Locale::En, now())
            .await
            .expect("again"),
        person
    );
    let other = store
        .person_for_account(&discord, Locale::En, now())
        .await
        .expect("other");
    assert_ne!(other, person, "different accounts, different persons");

    let fresh = load(&*store, person, &chat_a).await;
    assert_eq!(fresh.id, person);
    assert_eq!(fresh.version, 0);
    assert_eq!(fresh.created_at, created);
    assert_eq!(fresh.profile, Profile::new(Locale::Ru));
    assert_eq!(fresh.accounts, vec![telegram.clone()]);
    assert_eq!(fresh.dialogue, None);

    let profile = full_profile();
    store
        .commit_step(&update(
            person,
            0,
            &chat_a,
            state(1, "a1"),
            Some(profile.clone()),
        ))
        .await
        .expect("step 1");
    let loaded = load(&*store, person, &chat_a).await;
    assert_eq!(loaded.version, 1);
    assert_eq!(loaded.profile, profile);
    assert_eq!(loaded.dialogue, Some(state(1, "a1")));
    assert_eq!(loaded.created_at, created, "steps do not touch created_at");

    store
        .commit_step(&update(person, 1, &chat_b, state(3, "b1"), None))
        .await
        .expect("step 2");
    let in_b = load(&*store, person, &chat_b).await;
    assert_eq!(in_b.version, 2);
    assert_eq!(in_b.dialogue, Some(state(3, "b1")));
    assert_eq!(
        in_b.profile, profile,
        "a step without a profile change keeps the profile"
    );
    assert_eq!(
        load(&*store, person, &chat_a).await.dialogue,
        Some(state(1, "a1"))
    );

    store
        .commit_step(&update(person, 2, &chat_a, state(2, "a2"), None))
        .await
        .expect("step 3");
    assert_eq!(
        load(&*store, person, &chat_a).await.dialogue,
        Some(state(2, "a2"))
    );
    assert_eq!(
        load(&*store, person, &chat_b).await.dialogue,
        Some(state(3, "b1"))
    );
    assert_eq!(load(&*store, person, &chat_b).await.version, 3);

    // Accounts come sorted by platform name, then user id.
    let second = AccountRef::new(Platform::Discord, unique_user("dc"));
    db.link_account(person, &second, now()).await;
    assert_eq!(
        load(&*store, person, &chat_a).await.accounts,
        vec![second.clone(), telegram.clone()]
    );
    assert_eq!(
        store
            .person_for_account(&second, Locale::En, now())
            .await
            .expect("linked"),
        person
    );

    let untouched = load(&*store, other, &chat_a).await;
    assert_eq!((untouched.version, untouched.dialogue), (0, None));
    assert_eq!(untouched.profile, Profile::new(Locale::En));

    let nobody = PersonId::new_random();
    assert_eq!(
        store.load_person(nobody, &chat_a).await.expect("load"),
        None
    );
    let error = store
        .commit_step(&update(nobody, 0, &chat_a, state(1, "x"), None))
        .await
        .expect_err("unknown person");
    assert!(
        matches!(error, StoreError::UnknownPerson(id) if id == nobody),
        "{error:?}"
    );
}

async fn concurrent_first_contact_makes_one_person(store: Arc<dyn Store>, db: &TestDb) {
    const TASKS: usize = 16;
    let account = AccountRef::new(Platform::Telegram, unique_user("tg"));
    let start = Arc::new(Barrier::new(TASKS));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (store, account, start) = (store.clone(), account.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                store.person_for_account(&account, Locale::En, now()).await
            })
        })
        .collect();
    let mut persons = Vec::new();
    for task in tasks {
        persons.push(task.await.expect("task").expect("person_for_account"));
    }
    persons.sort();
    persons.dedup();
    assert_eq!(
        persons.len(),
        1,
        "all first contacts resolve to one person: {persons:?}"
    );
    assert_eq!(db.count_rows("persons").await, 1, "no orphan persons");
    assert_eq!(db.count_rows("accounts").await, 1);
    let loaded = load(&*store, persons[0], &ChatKey::new(Platform::Telegram, "c")).await;
    assert_eq!(loaded.accounts, vec![account]);
}

async fn a_failing_step_changes_nothing(store: Arc<dyn Store>, _db: &TestDb) {
    let account = AccountRef::new(Platform::Local, unique_user("local"));
    let chat = ChatKey::new(Platform::Local, "terminal");
    let person = store
        .person_for_account(&account, Locale::En, now())
        .await
        .expect("person");
    store
        .commit_step(&update(
            person,
            0,
            &chat,
            state(1, "before"),
            Some(full_profile()),
        ))
        .await
        .expect("first step");

    // The profile update runs first and succeeds; the dialogue then violates the
    // schema_version CHECK, and the whole step must roll back.
    let mut changed = full_profile();
    changed.bio = Some(Bio::parse("changed", 50).expect("bio"));
    changed.completed = false;
    let error = store
        .commit_step(&update(
            person,
            1,
            &chat,
            state(0, "invalid"),
            Some(changed),
        ))
        .await
        .expect_err("schema_version 0 violates the CHECK");
    assert!(
        matches!(
            error,
            StoreError::Database {
                kind: DatabaseErrorKind::ConstraintViolation,
                ..
            }
        ),
        "{error:?}"
    );

    let after = load(&*store, person, &chat).await;
    assert_eq!(after.version, 1);
    assert_eq!(after.profile, full_profile());
    assert_eq!(after.dialogue, Some(state(1, "before")));

    // Nothing is left locked or half-open by the failed step.
    store
        .commit_step(&update(person, 1, &chat, state(2, "after"), None))
        .await
        .expect("next step");
    assert_eq!(load(&*store, person, &chat).await.version, 2);
}

async fn stale_writes_are_rejected(store: Arc<dyn Store>, _db: &TestDb) {
    let account = AccountRef::new(Platform::Telegram, unique_user("tg"));
    let chat = ChatKey::new(Platform::Telegram, "dm");
    let person = store
        .person_for_account(&account, Locale::En, now())
        .await
        .expect("person");
    let snapshot = load(&*store, person, &chat).await;

    let mut first_profile = snapshot.profile.clone();
    first_profile.completed = true;
    store
        .commit_step(&update(
            person,
            snapshot.version,
            &chat,
            state(1, "first"),
            Some(first_profile.clone()),
        ))
        .await
        .expect("first writer");
    let mut second_profile = snapshot.profile.clone();
    second_profile.matching_paused = true;
    let error = store
        .commit_step(&update(
            person,
            snapshot.version,
            &chat,
            state(1, "second"),
            Some(second_profile),
        ))
        .await
        .expect_err("second writer is stale");
    assert!(
        matches!(error, StoreError::Conflict { person: p, expected_version: 0 } if p == person),
        "{error:?}"
    );
    let after = load(&*store, person, &chat).await;
    assert_eq!(after.version, 1);
    assert_eq!(after.profile, first_profile);
    assert_eq!(after.dialogue, Some(state(1, "first")));

    const WRITERS: usize = 8;
    let start = Arc::new(Barrier::new(WRITERS));
    let tasks: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (store, chat, start) = (store.clone(), chat.clone(), start.clone());
            tokio::spawn(async move {
                let commit = update(
                    person,
                    1,
                    &chat,
                    state(1, &format!("writer-{writer}")),
                    None,
                );
                start.wait().await;
                (writer, store.commit_step(&commit).await)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            (writer, Ok(())) => winners.push(writer),
            (_, Err(StoreError::Conflict { .. })) => {}
            (writer, Err(error)) => panic!("writer {writer}: {error:?}"),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one of the racing steps commits: {winners:?}"
    );
    let after = load(&*store, person, &chat).await;
    assert_eq!(after.version, 2);
    assert_eq!(
        after.dialogue,
        Some(state(1, &format!("writer-{}", winners[0])))
    );
}

async fn erase_leaves_no_trace(store: Arc<dyn Store>, db: &TestDb) {
    let telegram = AccountRef::new(Platform::Telegram, unique_user("tg"));
    let discord = AccountRef::new(Platform::Discord, unique_user("dc"));
    let chat_a = ChatKey::new(Platform::Telegram, unique_user("chat"));
    let chat_b = ChatKey::new(Platform::Discord, unique_user("chat"));
    let person = store
        .person_for_account(&telegram, Locale::En, now())
        .await
        .expect("person");
    db.link_account(person, &discord, now()).await;
    store
        .commit_step(&update(
            person,
            0,
            &chat_a,
            state(1, "a"),
            Some(full_profile()),
        ))
        .await
        .expect("dialogue a");
    store
        .commit_step(&update(person, 1, &chat_b, state(1, "b"), None))
        .await
        .expect("dialogue b");

    let bystander_account = AccountRef::new(Platform::Telegram, unique_user("tg"));
    let bystander = store
        .person_for_account(&bystander_account, Locale::Ru, now())
        .await
        .expect("bystander");
    store
        .commit_step(&update(
            bystander,
            0,
            &chat_a,
            state(1, "bystander"),
            Some(full_profile()),
        ))
        .await
        .expect("bystander step");

    let tables = db.tables().await;
    assert!(
        tables.iter().any(|t| t == MIGRATIONS_TABLE),
        "migrations table is ours: {tables:?}"
    );
    assert!(
        !tables.iter().any(|t| t == "_sqlx_migrations"),
        "{tables:?}"
    );
    for table in ["persons", "accounts", "dialogues"] {
        assert!(
            tables.iter().any(|t| t == table),
            "{table} missing from {tables:?}"
        );
    }

    let id = person.to_string();
    let simple = person.as_uuid().simple().to_string();
    let traces = [
        id.as_str(),
        simple.as_str(),
        telegram.user_id.as_str(),
        discord.user_id.as_str(),
    ];
    // The search must be able to find what it looks for, or an empty result means nothing.
    assert!(!db.columns_mentioning(&id).await.is_empty());
    assert!(!db.columns_mentioning(&discord.user_id).await.is_empty());

    let error = store
        .commit_step(&StepCommit {
            person,
            expected_version: 1,
            chat: chat_a.clone(),
            write: StepWrite::Erase,
            now: now(),
        })
        .await
        .expect_err("stale erase");
    assert!(matches!(error, StoreError::Conflict { .. }), "{error:?}");
    assert_eq!(
        load(&*store, person, &chat_a).await.version,
        2,
        "a stale erase erases nothing"
    );

    store
        .commit_step(&StepCommit {
            person,
            expected_version: 2,
            chat: chat_a.clone(),
            write: StepWrite::Erase,
            now: now(),
        })
        .await
        .expect("erase");

    for trace in traces {
        let hits = db.columns_mentioning(trace).await;
        assert!(hits.is_empty(), "`{trace}` survives erasure in {hits:?}");
    }
    assert_eq!(
        store.load_person(person, &chat_a).await.expect("load"),
        None
    );
    let error = store
        .commit_step(&StepCommit {
            person,
            expected_version: 3,
            chat: chat_a.clone(),
            write: StepWrite::Erase,
            now: now(),
        })
        .await
        .expect_err("already erased");
    assert!(matches!(error, StoreError::UnknownPerson(_)), "{error:?}");

    let kept = load(&*store, bystander, &chat_a).await;
    assert_eq!(kept.version, 1);
    assert_eq!(kept.profile, full_profile());
    assert_eq!(kept.accounts, vec![bystander_account]);
    assert_eq!(kept.dialogue, Some(state(1, "bystander")));

    // Coming back after erasure is a first contact again.
    let returning = store
        .person_for_account(&telegram, Locale::En, now())
        .await
        .expect("return");
    assert_ne!(returning, person);
    assert_eq!(load(&*store, returning, &chat_a).await.dialogue, None);
}

async fn data_survives_reopening(store: Arc<dyn Store>, db: &TestDb) {
    let account = AccountRef::new(Platform::Discord, unique_user("dc"));
    let chat = ChatKey::new(Platform::Discord, "guild-dm");
    let person = store
        .person_for_account(&account, Locale::Ru, now())
        .await
        .expect("person");
    store
        .commit_step(&update(
            person,
            0,
            &chat,
            state(4, "saved"),
            Some(full_profile()),
        ))
        .await
        .expect("step");
    let before = load(&*store, person, &chat).await;
    store.close().await;

    // Opening again also re-runs the migrator over an up-to-date schema.
    let reopened = bot_core::storage::open(db.url()).await.expect("reopen");
    assert_eq!(load(&*reopened, person, &chat).await, before);
    assert_eq!(
        reopened
            .person_for_account(&account, Locale::En, now())
            .await
            .expect("same"),
        person
    );
    reopened
        .commit_step(&update(person, 1, &chat, state(4, "after restart"), None))
        .await
        .expect("write after reopening");
    reopened.close().await;
}

async fn an_unreadable_profile_is_reported_as_corrupt(store: Arc<dyn Store>, db: &TestDb) {
    let account = AccountRef::new(Platform::Telegram, unique_user("tg"));
    let chat = ChatKey::new(Platform::Telegram, "dm");
    let person = store
        .person_for_account(&account, Locale::En, now())
        .await
        .expect("person");
    // Valid JSON (PostgreSQL's JSONB accepts nothing else), but not a profile.
    assert_eq!(
        db.execute(r#"UPDATE persons SET profile = '{"locale": 42}'"#)
            .await,
        1
    );
    let error = store
        .load_person(person, &chat)
        .await
        .expect_err("corrupt profile");
    assert!(
        matches!(
            error,
            StoreError::Corrupt {
                table: "persons",
                ..
            }
        ),
        "{error:?}"
    );
}
