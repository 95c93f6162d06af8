//! What outlives /delete_me, on both backends: with a privacy key, a person who deletes
//! their data and comes back from the same account is the same person to everyone else
//! (still blocked, still not re-paired with former partners) while nothing of their
//! profile or platform id is kept; reports outlive either side's erasure; without a key,
//! nothing but reports is kept.

use std::sync::Arc;

use bot_core::app;
use bot_core::config::{Secret, Settings};
use bot_core::domain::{
    AccountRef, Bio, ChatKey, Locale, PersonId, Platform, Practice, ReportReason,
};
use bot_core::engine::{Event, Input, NewReport};
use bot_core::privacy::PrivacyKey;
use bot_core::runtime::{Conversations, Incoming};
use bot_core::storage::{CommitOutcome, LoadedPerson, PersonCommit, PersonWrite, Store, Tombstone};

use lexbot_test_kit::{PeopleStoreExt, TestDb, claim_outbox, now};

on_both_backends!(
    a_returning_account_is_the_erased_person_with_their_lists,
    without_a_key_nothing_but_reports_is_kept,
    reports_survive_the_erasure_of_either_side,
    block_survives_delete_and_rejoin,
    report_survives_the_reported_persons_delete_me,
);

fn key() -> PrivacyKey {
    PrivacyKey::new(&Secret::new("test-privacy-key-0123456789abcdef")).expect("long enough")
}

fn unique_user() -> String {
    format!("person-{}", uuid::Uuid::new_v4().simple())
}

fn telegram(user: &str) -> AccountRef {
    AccountRef::new(Platform::Telegram, user)
}

fn chat(user: &str) -> ChatKey {
    ChatKey::new(Platform::Telegram, user)
}

async fn load(store: &dyn Store, person: PersonId, user: &str) -> LoadedPerson {
    store
        .load_person(person, &chat(user))
        .await
        .expect("load")
        .expect("the person exists")
}

async fn commit_one(store: &dyn Store, commit: PersonCommit) {
    let outcome = store.commit_batch(&[commit], None).await.expect("batch");
    assert!(
        matches!(outcome[..], [CommitOutcome::Committed { .. }]),
        "{outcome:?}"
    );
}

/// Writes `change` of the person's practice record, as their own step would.
async fn change_practice(
    store: &dyn Store,
    person: PersonId,
    user: &str,
    change: impl FnOnce(&mut Practice),
) {
    let loaded = load(store, person, user).await;
    let mut practice = loaded.practice;
    change(&mut practice);
    let write = PersonWrite::Update {
        profile: None,
        dialogues: Vec::new(),
        practice: Some(Box::new(practice)),
    };
    commit_one(
        store,
        PersonCommit::new(person, loaded.version, write, now()),
    )
    .await;
}

/// Erases the person as /delete_me does with a privacy key; what they were just before.
async fn erase_keeping_tombstone(
    store: &dyn Store,
    key: &PrivacyKey,
    person: PersonId,
    user: &str,
) -> LoadedPerson {
    let before = load(store, person, user).await;
    let tombstone = Tombstone::of(key, &before.accounts, &before.practice.partnering);
    let write = PersonWrite::Erase {
        keep: Some(tombstone),
    };
    commit_one(
        store,
        PersonCommit::new(person, before.version, write, now()),
    )
    .await;
    before
}

/// The person `account` leads to, recognised by its keyed hash on first contact.
async fn come_back(store: &dyn Store, key: &PrivacyKey, account: &AccountRef) -> PersonId {
    store
        .person_for_hashed_account(
            account,
            Some(&key.account_hash(account)),
            None,
            Locale::En,
            now(),
        )
        .await
        .expect("first contact")
}

fn report(about: PersonId, details: &str) -> NewReport {
    NewReport {
        about,
        reason: ReportReason::Harassment,
        details: details.to_owned(),
        proposal: None,
    }
}

async fn report_details(store: &dyn Store) -> Vec<(PersonId, PersonId, String)> {
    let mut reports: Vec<_> = store
        .reports(100)
        .await
        .expect("reports")
        .into_iter()
        .map(|report| (report.reporter, report.about, report.details))
        .collect();
    reports.sort_by(|a, b| a.2.cmp(&b.2));
    reports
}

async fn a_returning_account_is_the_erased_person_with_their_lists(
    store: Arc<dyn Store>,
    db: &TestDb,
) {
    let store = &*store;
    let key = key();
    let (user, second_user) = (unique_user(), unique_user());
    let (account, second) = (
        telegram(&user),
        AccountRef::new(Platform::Discord, second_user.clone()),
    );
    let person = store
        .person_for_account(&account, Locale::Ru, now())
        .await
        .expect("person");
    db.link_account(person, &second, now()).await;
    let (blocked, former) = (PersonId::new_random(), PersonId::new_random());
    change_practice(store, person, &user, |practice| {
        practice.partnering.blocked.push(blocked);
        practice.partnering.former.push(former);
        practice.partnering.no_shows = 2;
        practice.streak.best = 9;
    })
    .await;
    let before = erase_keeping_tombstone(store, &key, person, &user).await;
    assert_eq!(
        store.load_person(person, &chat(&user)).await.expect("load"),
        None
    );
    // The platform ids are gone: only their keyed hashes lead back.
    for id in [&user, &second_user] {
        let hits = db.columns_mentioning(id).await;
        assert!(hits.is_empty(), "{id} survives in {hits:?}");
    }
    assert_eq!(
        db.columns_mentioning(&key.account_hash(&account).to_string())
            .await,
        vec!["tombstone_accounts.account_hash"]
    );
    let mut kept = db.columns_mentioning(&person.to_string()).await;
    kept.sort();
    assert_eq!(
        kept,
        vec!["tombstone_accounts.person_id", "tombstones.person_id"]
    );

    // With it, the erased person is back: their id and lists, nothing else.
    assert_eq!(come_back(store, &key, &account).await, person);
    let returned = load(store, person, &user).await;
    assert!(
        returned.version > before.version,
        "no step computed before the erasure can commit"
    );
    assert_eq!(returned.accounts, vec![account.clone()]);
    assert_eq!(returned.profile, bot_core::domain::Profile::new(Locale::En));
    assert_eq!(returned.dialogue, None);
    let mut expected = Practice::default();
    expected.partnering.blocked = vec![blocked];
    expected.partnering.former = vec![former];
    assert_eq!(returned.practice, expected);
    // Another account of theirs that comes back joins them.
    assert_eq!(come_back(store, &key, &second).await, person);
    let joined = load(store, person, &user).await;
    assert_eq!(joined.accounts.len(), 2);
    assert!(
        joined.version > returned.version,
        "snapshots without it are stale"
    );
    assert_eq!(joined.practice, expected);

    // Erased again: the tombstone takes the lists they have now.
    let later = PersonId::new_random();
    change_practice(store, person, &user, |practice| {
        practice.partnering.blocked.push(later);
    })
    .await;
    erase_keeping_tombstone(store, &key, person, &user).await;
    assert_eq!(come_back(store, &key, &second).await, person);
    let returned = load(store, person, &second_user).await;
    assert_eq!(returned.practice.partnering.blocked, vec![blocked, later]);
    assert_eq!(returned.accounts, vec![second]);
}

async fn without_a_key_nothing_but_reports_is_kept(store: Arc<dyn Store>, db: &TestDb) {
    let store = &*store;
    let user = unique_user();
    let account = telegram(&user);
    let person = store
        .person_for_account(&account, Locale::En, now())
        .await
        .expect("person");
    let other = PersonId::new_random();
    change_practice(store, person, &user, |practice| {
        practice.partnering.blocked.push(other);
    })
    .await;
    commit_one(
        store,
        PersonCommit {
            reports: vec![report(other, "filed before leaving")],
            ..PersonCommit::new(person, 1, PersonWrite::Erase { keep: None }, now())
        },
    )
    .await;
    assert_eq!(db.count_rows("tombstones").await, 0);
    assert_eq!(db.count_rows("tombstone_accounts").await, 0);
    assert_eq!(
        db.columns_mentioning(&person.to_string()).await,
        vec!["reports.reporter_id"]
    );
    assert!(db.columns_mentioning(&user).await.is_empty());
    assert_eq!(
        db.columns_mentioning(&other.to_string()).await,
        vec!["reports.about_id"]
    );

    // Coming back, even with a hash, is a first contact: there is no tombstone.
    let back = come_back(store, &key(), &account).await;
    assert_ne!(back, person);
    assert_eq!(load(store, back, &user).await.practice, Practice::default());
}

async fn reports_survive_the_erasure_of_either_side(store: Arc<dyn Store>, _db: &TestDb) {
    let store = &*store;
    let (reporter_user, reported_user) = (unique_user(), unique_user());
    let reporter = store
        .person_for_account(&telegram(&reporter_user), Locale::En, now())
        .await
        .expect("reporter");
    let reported = store
        .person_for_account(&telegram(&reported_user), Locale::En, now())
        .await
        .expect("reported");
    let write = || PersonWrite::Update {
        profile: None,
        dialogues: Vec::new(),
        practice: None,
    };
    commit_one(
        store,
        PersonCommit {
            reports: vec![report(reported, "about the one who leaves")],
            ..PersonCommit::new(reporter, 0, write(), now())
        },
    )
    .await;
    commit_one(
        store,
        PersonCommit {
            reports: vec![report(reporter, "by the one who leaves")],
            ..PersonCommit::new(reported, 0, write(), now())
        },
    )
    .await;

    let erase = PersonWrite::Erase {
        keep: Some(Tombstone {
            accounts: vec![key().account_hash(&telegram(&reported_user))],
            blocked: Vec::new(),
            former: Vec::new(),
        }),
    };
    commit_one(store, PersonCommit::new(reported, 1, erase, now())).await;
    // A report about someone erased meanwhile is still filed.
    commit_one(
        store,
        PersonCommit {
            reports: vec![report(reported, "after they left")],
            ..PersonCommit::new(reporter, 1, write(), now())
        },
    )
    .await;
    // So are the reports of someone erased in the same commit.
    commit_one(
        store,
        PersonCommit {
            reports: vec![report(PersonId::new_random(), "on the way out")],
            ..PersonCommit::new(reporter, 2, PersonWrite::Erase { keep: None }, now())
        },
    )
    .await;
    let reports = report_details(store).await;
    let details: Vec<&str> = reports.iter().map(|(_, _, text)| text.as_str()).collect();
    assert_eq!(
        details,
        [
            "about the one who leaves",
            "after they left",
            "by the one who leaves",
            "on the way out"
        ]
    );
    assert_eq!(
        (reports[0].0, reports[0].1),
        (reporter, reported),
        "the ids stay as filed"
    );
    assert_eq!((reports[2].0, reports[2].1), (reported, reporter));
}

// Through the runtime: people talking to the bot.

fn conversations(store: Arc<dyn Store>, key: Option<PrivacyKey>) -> Conversations {
    let settings =
        Settings::load_with_env(None, figment::providers::Env::prefixed("LEXBOT_NOTHING_"))
            .expect("defaults");
    Conversations::with_privacy_key(
        store,
        Arc::new(app::load_context(&settings).expect("context")),
        key,
    )
}

async fn say(conversations: &Conversations, user: &str, input: Input) -> String {
    let incoming = Incoming::new(telegram(user), chat(user), Event::new(input));
    conversations
        .handle(&incoming, now())
        .await
        .expect("step commits")
        .iter()
        .map(|reply| reply.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn button(data: &str) -> Input {
    Input::Button(data.to_owned())
}

/// Someone who said hello to the bot, and their id.
async fn newcomer(conversations: &Conversations, user: &str) -> PersonId {
    say(conversations, user, Input::from_text("hello")).await;
    conversations
        .store()
        .person_for_account(&telegram(user), Locale::En, now())
        .await
        .expect("known")
}

async fn delete_me(conversations: &Conversations, user: &str) {
    say(conversations, user, Input::from_text("/delete_me")).await;
    let done = say(conversations, user, button("del:yes")).await;
    assert!(done.contains("Your data is erased"), "{done}");
    // The goodbye is delivered: nothing of theirs waits in the outbox any more.
    let store = conversations.store();
    let ids: Vec<i64> = claim_outbox(&**store)
        .await
        .iter()
        .map(|message| message.id)
        .collect();
    store.outbox_delivered(&ids).await.expect("delivered");
}

async fn block_survives_delete_and_rejoin(store: Arc<dyn Store>, db: &TestDb) {
    for keyed in [true, false] {
        let conversations = conversations(store.clone(), keyed.then(key));
        let store = &**conversations.store();
        let (ana_user, ben_user, carla_user) = (unique_user(), unique_user(), unique_user());
        let ana = newcomer(&conversations, &ana_user).await;
        let ben = newcomer(&conversations, &ben_user).await;
        let carla = newcomer(&conversations, &carla_user).await;
        // Ana and Ben were partners, and so were Ben and Carla (only his record says so).
        change_practice(store, ana, &ana_user, |practice| {
            practice.partnering.former.push(ben);
        })
        .await;
        change_practice(store, ben, &ben_user, |practice| {
            practice.partnering.former.extend([ana, carla]);
        })
        .await;
        // Ana blocks him.
        let asked = say(&conversations, &ana_user, Input::from_text("/block")).await;
        assert!(asked.contains("Block"), "{asked}");
        say(&conversations, &ana_user, button("pb:yes")).await;
        assert_eq!(
            load(store, ana, &ana_user)
                .await
                .practice
                .partnering
                .blocked,
            vec![ben]
        );
        // Ben's profile says something that is his alone.
        let bio = format!("Ben's own words {}", uuid::Uuid::new_v4().simple());
        let loaded = load(store, ben, &ben_user).await;
        let mut profile = loaded.profile.clone();
        profile.bio = Some(Bio::parse(&bio, 300).expect("a bio"));
        let write = PersonWrite::Update {
            profile: Some(profile),
            dialogues: Vec::new(),
            practice: None,
        };
        commit_one(store, PersonCommit::new(ben, loaded.version, write, now())).await;
        assert!(!db.columns_mentioning(&bio).await.is_empty());

        delete_me(&conversations, &ben_user).await;
        assert!(db.columns_mentioning(&ben_user).await.is_empty());
        assert!(db.columns_mentioning(&bio).await.is_empty());
        say(&conversations, &ben_user, Input::from_text("/start")).await;
        let back = store
            .person_for_account(&telegram(&ben_user), Locale::En, now())
            .await
            .expect("back");
        let returned = load(store, back, &ben_user).await;
        assert_eq!(returned.profile.bio, None, "his profile is gone");
        // Ana's block is about Ben's id, whoever he is now.
        let blocked_by_ana = load(store, ana, &ana_user)
            .await
            .practice
            .partnering
            .excludes(back);
        if keyed {
            assert_eq!(back, ben, "the same person to everyone else");
            assert!(blocked_by_ana);
            assert_eq!(returned.practice.partnering.former, vec![ana, carla]);
        } else {
            assert_ne!(back, ben, "without a key he is a stranger");
            assert!(!blocked_by_ana);
            assert_eq!(returned.practice, Practice::default());
        }
    }
}

async fn report_survives_the_reported_persons_delete_me(store: Arc<dyn Store>, _db: &TestDb) {
    let conversations = conversations(store.clone(), Some(key()));
    let store = &**conversations.store();
    let (ana_user, ben_user) = (unique_user(), unique_user());
    let ana = newcomer(&conversations, &ana_user).await;
    let ben = newcomer(&conversations, &ben_user).await;
    change_practice(store, ana, &ana_user, |practice| {
        practice.partnering.former.push(ben);
    })
    .await;
    say(&conversations, &ana_user, Input::from_text("/report")).await;
    say(&conversations, &ana_user, button("pr:harassment")).await;
    let filed = say(&conversations, &ana_user, Input::from_text("rude messages")).await;
    assert!(filed.contains("admins will look into it"), "{filed}");

    delete_me(&conversations, &ben_user).await;
    let reports = report_details(store).await;
    assert_eq!(
        reports,
        vec![(ana, ben, "rude messages".to_owned())],
        "the report is kept for the admins"
    );
    let kept = store.reports(10).await.expect("reports");
    assert_eq!(kept[0].reason, ReportReason::Harassment);

    // Ben comes back: the report is about him again.
    say(&conversations, &ben_user, Input::from_text("/start")).await;
    let back = store
        .person_for_account(&telegram(&ben_user), Locale::En, now())
        .await
        .expect("back");
    assert_eq!(back, ben);
}
