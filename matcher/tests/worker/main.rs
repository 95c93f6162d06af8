//! The matcher worker over a real store and runtime, on SQLite and (when
//! `LEXBOT_TEST_POSTGRES_URL` names a server) PostgreSQL: a wave proposes reciprocal
//! pairs to both sides, queues their notifications and is recorded; one instance leads;
//! someone who deletes their data and comes back is still kept from whom they blocked,
//! who blocked them and their former partners.

use std::sync::Arc;
use std::time::Duration;

use bot_core::app;
use bot_core::config::Secret;
use bot_core::config::Settings;
use bot_core::domain::{
    AccountRef, Availability, Bio, CefrLevel, ChatKey, DayKind, DayPart, InterestId, LanguageCode,
    LevelChoice, Locale, PartnerStatus, PersonId, Platform, Practice, PracticeStyle,
    PracticeStyles, Profile, Proposal, Slot, TargetLanguage, Timezone,
};
use bot_core::engine::{Event, Input};
use bot_core::privacy::PrivacyKey;
use bot_core::runtime::{Conversations, Incoming};
use bot_core::storage::{CommitOutcome, OutboxLease, PersonCommit, PersonWrite, Store};
use chrono::{DateTime, Utc};
use lexbot_test_kit::{PeopleStoreExt, TestDb, now, on_both_backends};
use matcher::worker::{LEADER_ROLE, MatcherWorker, WorkerConfig};

on_both_backends!(
    a_wave_proposes_reciprocal_pairs_to_both_sides,
    the_spawned_worker_leads_alone_and_lets_go,
    someone_who_deletes_and_rejoins_meets_nobody_they_could_not_before,
    a_proposal_goes_to_the_stored_private_chat_not_one_named_after_the_account,
);

fn settings() -> Settings {
    Settings::load_with_env(None, figment::providers::Env::prefixed("LEXBOT_NOTHING_"))
        .expect("defaults")
}

fn conversations(store: Arc<dyn Store>) -> Conversations {
    keyed_conversations(store, None)
}

fn keyed_conversations(store: Arc<dyn Store>, key: Option<PrivacyKey>) -> Conversations {
    Conversations::with_privacy_key(
        store,
        Arc::new(app::load_context(&settings()).expect("context")),
        key,
    )
}

fn language(code: &str) -> LanguageCode {
    LanguageCode::parse(code).expect("a two-letter code")
}

/// A complete profile: native in `native`, learning `learns` at B1, in Berlin, free on
/// weekday evenings, practising by text.
fn profile(native: &str, learns: &str) -> Profile {
    let mut profile = Profile::new(Locale::En);
    profile.native = vec![language(native)];
    profile.targets = vec![TargetLanguage {
        language: language(learns),
        level: Some(LevelChoice::Known(CefrLevel::B1)),
    }];
    profile.interests = vec![InterestId("music".into())];
    profile.timezone = Some(Timezone::parse("Europe/Berlin").expect("a zone"));
    profile.availability =
        Availability::from_slots([Slot::new(DayKind::Weekday, DayPart::Evening)]);
    profile.styles = PracticeStyles::default().toggled(PracticeStyle::Text);
    profile.bio = Some(Bio::skipped());
    profile.completed = true;
    profile
}

/// Someone on Telegram with `profile` who waits since `since`; their private chat (on
/// Telegram, the one with their user id).
async fn waiting_person(
    store: &dyn Store,
    profile: Profile,
    since: DateTime<Utc>,
) -> (PersonId, ChatKey) {
    let user = format!("{}", uuid::Uuid::new_v4().as_u128() % 1_000_000_000_000);
    let account = AccountRef::new(Platform::Telegram, user.clone());
    let chat = ChatKey::new(Platform::Telegram, user);
    let person = waiting_in(store, &account, &chat, profile, since).await;
    (person, chat)
}

/// Someone who first wrote from `account` in the private chat `chat`, with `profile`,
/// waiting since `since`.
async fn waiting_in(
    store: &dyn Store,
    account: &AccountRef,
    chat: &ChatKey,
    profile: Profile,
    since: DateTime<Utc>,
) -> PersonId {
    let person = store
        .person_for_hashed_account(account, None, Some(chat), Locale::En, since)
        .await
        .expect("person");
    change_person(store, person, chat, Some(profile), |practice| {
        practice.partnering.status = PartnerStatus::Waiting { since };
    })
    .await;
    person
}

/// English/Spanish and German/French learners: two pairs, and one person with nobody
/// to pair with.
async fn seed(store: &dyn Store) -> Vec<(PersonId, ChatKey)> {
    let since = now() - chrono::Duration::hours(2);
    let mut people = Vec::new();
    for (native, learns) in [
        ("en", "es"),
        ("es", "en"),
        ("de", "fr"),
        ("fr", "de"),
        ("ja", "ko"),
    ] {
        people.push(waiting_person(store, profile(native, learns), since).await);
    }
    people
}

async fn a_wave_proposes_reciprocal_pairs_to_both_sides(store: Arc<dyn Store>, _db: &TestDb) {
    let people = seed(&*store).await;
    let conversations = conversations(store.clone());
    let worker = MatcherWorker::new(conversations.clone(), &settings()).expect("config");
    let at = now();
    let outcome = worker.run_wave(at).await.expect("wave");
    assert_eq!(outcome.waiting, 5);
    assert_eq!(outcome.eligible, 5);
    assert_eq!(outcome.pairs, 2, "{outcome:?}");
    assert_eq!(outcome.proposed.len(), 2);
    assert_eq!((outcome.offers_delivered, outcome.offers_failed), (4, 0));

    let partner_of = [Some(1), Some(0), Some(3), Some(2), None];
    for (index, (person, chat)) in people.iter().enumerate() {
        let loaded = store
            .load_person(*person, chat)
            .await
            .expect("load")
            .expect("exists");
        let status = &loaded.practice.partnering.status;
        match partner_of[index] {
            Some(other) => {
                let PartnerStatus::Proposed(proposal) = status else {
                    panic!("person {index} has no proposal: {status:?}");
                };
                assert_eq!(proposal.partner.person, people[other].0);
                assert_eq!(proposal.partner.chat, people[other].1);
                assert!(proposal.expires_at > at);
            }
            None => assert!(
                matches!(status, PartnerStatus::Waiting { .. }),
                "the unpaired one still waits: {status:?}"
            ),
        }
    }
    // Both sides of a pair hold the same proposal.
    let proposal_of = |index: usize| {
        let store = store.clone();
        let (person, chat) = people[index].clone();
        async move {
            let loaded = store.load_person(person, &chat).await.expect("load");
            match loaded.map(|loaded| loaded.practice.partnering.status) {
                Some(PartnerStatus::Proposed(proposal)) => proposal.id,
                other => panic!("no proposal: {other:?}"),
            }
        }
    };
    assert_eq!(proposal_of(0).await, proposal_of(1).await);
    assert_ne!(proposal_of(0).await, proposal_of(2).await);

    // Each proposed person has a message waiting in their private chat.
    let lease = OutboxLease {
        owner: "test".to_owned(),
        until: at + chrono::Duration::minutes(5),
        platforms: bot_core::domain::Platform::ALL.to_vec(),
        chats: Vec::new(),
    };
    let queued = store.claim_outbox(&lease, at, 100).await.expect("claim");
    for (index, (_, chat)) in people.iter().enumerate() {
        let count = queued
            .iter()
            .filter(|message| message.chat == *chat)
            .count();
        if partner_of[index].is_some() {
            assert!(count >= 1, "nothing queued for person {index}: {queued:?}");
        } else {
            assert_eq!(count, 0, "the unpaired one was told something");
        }
    }

    let waves = store.recent_waves(10).await.expect("waves");
    assert_eq!(waves.len(), 1);
    assert_eq!(
        (waves[0].waiting, waves[0].eligible, waves[0].pairs),
        (5, 5, 2)
    );
    assert_eq!(waves[0].started_at, at);
    assert_eq!(waves[0].total_weight, outcome.total_weight);
    assert_eq!(store.queue_len().await.expect("queue"), 1);

    // A second wave finds only the one left over: nobody is proposed twice.
    let again = worker.run_wave(now()).await.expect("wave");
    assert_eq!((again.waiting, again.pairs), (1, 0));

    // Two workers, one leader.
    let second = WorkerConfig::from_settings(&settings()).expect("config");
    assert_ne!(worker.config().owner, second.owner);
    let ttl = Duration::from_secs(60);
    let lead = store
        .try_lead(LEADER_ROLE, &worker.config().owner, ttl)
        .await
        .expect("try");
    let other = store
        .try_lead(LEADER_ROLE, &second.owner, ttl)
        .await
        .expect("try");
    assert!(lead.is_some() && other.is_none());
    if let Some(lead) = lead {
        lead.release().await.expect("release");
    }
    conversations.store().close().await;
}

async fn the_spawned_worker_leads_alone_and_lets_go(store: Arc<dyn Store>, _db: &TestDb) {
    let people = seed(&*store).await;
    let conversations = conversations(store.clone());
    let quick = |mut config: WorkerConfig| {
        config.poll_interval = Duration::from_millis(50);
        config.lead_retry = Duration::from_millis(50);
        config.wave_interval = Duration::from_millis(100);
        config
    };
    let config = || quick(WorkerConfig::from_settings(&settings()).expect("config"));
    let first = MatcherWorker::with_config(conversations.clone(), config()).spawn();
    let second = MatcherWorker::with_config(conversations.clone(), config()).spawn();

    let mut waited = Duration::ZERO;
    while store.queue_len().await.expect("queue") > 1 {
        assert!(waited < Duration::from_secs(20), "no wave ran");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
    // The leftover person alone never makes a wave; let a few polls pass anyway.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let waves = store.recent_waves(10).await.expect("waves");
    assert_eq!(waves.len(), 1, "one wave for one queue: {waves:?}");
    assert_eq!(waves[0].pairs, 2);
    for (person, chat) in &people[..4] {
        let loaded = store
            .load_person(*person, chat)
            .await
            .expect("load")
            .expect("exists");
        assert!(matches!(
            loaded.practice.partnering.status,
            PartnerStatus::Proposed(_)
        ));
    }
    // Someone leads: a third instance cannot.
    let ttl = Duration::from_secs(60);
    assert!(
        store
            .try_lead(LEADER_ROLE, "probe", ttl)
            .await
            .expect("try")
            .is_none()
    );
    first.shutdown().await;
    second.shutdown().await;
    // Both let go at shutdown.
    let mut free = None;
    for _ in 0..50 {
        free = store
            .try_lead(LEADER_ROLE, "probe", ttl)
            .await
            .expect("try");
        if free.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    free.expect("the lead is free after shutdown")
        .release()
        .await
        .expect("release");
    conversations.store().close().await;
}

/// The proposal `person` holds; fails the test if they hold none.
async fn proposal_held(store: &dyn Store, person: PersonId, chat: &ChatKey) -> Proposal {
    let loaded = store
        .load_person(person, chat)
        .await
        .expect("load")
        .expect("exists");
    match loaded.practice.partnering.status {
        PartnerStatus::Proposed(proposal) => *proposal,
        other => panic!("{person} holds no proposal: {other:?}"),
    }
}

/// Writes the person's profile (if given) and `change` of their practice record.
async fn change_person(
    store: &dyn Store,
    person: PersonId,
    chat: &ChatKey,
    profile: Option<Profile>,
    change: impl FnOnce(&mut Practice),
) {
    let loaded = store
        .load_person(person, chat)
        .await
        .expect("load")
        .expect("exists");
    let mut practice = loaded.practice;
    change(&mut practice);
    let write = PersonWrite::Update {
        profile,
        dialogues: Vec::new(),
        practice: Some(Box::new(practice)),
    };
    let outcome = store
        .commit_batch(
            &[PersonCommit::new(person, loaded.version, write, now())],
            None,
        )
        .await
        .expect("commit");
    assert!(
        matches!(outcome[..], [CommitOutcome::Committed { .. }]),
        "{outcome:?}"
    );
}

async fn someone_who_deletes_and_rejoins_meets_nobody_they_could_not_before(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    // Ben learns English; Ana, Dora and Emil could all practise with him. Ana blocked
    // him, and Dora was his partner (only his own record still says so).
    let since = now() - chrono::Duration::hours(2);
    let (ana, ana_chat) = waiting_person(&*store, profile("en", "es"), since).await;
    let (ben, ben_chat) = waiting_person(&*store, profile("es", "en"), since).await;
    let (dora, _) = waiting_person(&*store, profile("en", "es"), since).await;
    // Emil shares no interest with Ben: the others would be proposed before him.
    let mut stranger = profile("en", "es");
    stranger.interests = vec![InterestId("cooking".into())];
    let (emil, _) = waiting_person(&*store, stranger, since).await;
    change_person(&*store, ana, &ana_chat, None, |practice| {
        practice.partnering.blocked.push(ben);
    })
    .await;
    change_person(&*store, ben, &ben_chat, None, |practice| {
        practice.partnering.former.push(dora);
    })
    .await;

    let key =
        PrivacyKey::new(&Secret::new("matcher-test-privacy-key-0123456789")).expect("long enough");
    let conversations = keyed_conversations(store.clone(), Some(key));
    let ben_says = |input: Input| {
        let account = AccountRef::new(Platform::Telegram, ben_chat.chat_id.clone());
        let incoming = Incoming::new(account, ben_chat.clone(), Event::new(input));
        let conversations = conversations.clone();
        async move {
            conversations
                .handle(&incoming, now())
                .await
                .expect("step commits")
        }
    };
    ben_says(Input::from_text("/delete_me")).await;
    ben_says(Input::Button("del:yes".into())).await;
    assert_eq!(
        store.queue_len().await.expect("queue"),
        3,
        "he left the queue"
    );
    // He comes back, fills in his profile again and waits.
    ben_says(Input::from_text("/start")).await;
    let back = store
        .person_for_account(
            &AccountRef::new(Platform::Telegram, ben_chat.chat_id.clone()),
            Locale::En,
            now(),
        )
        .await
        .expect("back");
    assert_eq!(back, ben);
    change_person(
        &*store,
        ben,
        &ben_chat,
        Some(profile("es", "en")),
        |practice| practice.partnering.status = PartnerStatus::Waiting { since: now() },
    )
    .await;

    let worker = MatcherWorker::new(conversations.clone(), &settings()).expect("config");
    let outcome = worker.run_wave(now()).await.expect("wave");
    assert_eq!((outcome.waiting, outcome.pairs), (4, 1), "{outcome:?}");
    let proposal = proposal_held(&*store, ben, &ben_chat).await;
    assert_eq!(
        proposal.partner.person, emil,
        "only the stranger is proposed"
    );
    conversations.store().close().await;
}

async fn a_proposal_goes_to_the_stored_private_chat_not_one_named_after_the_account(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    // On Discord a DM channel has an id of its own, unlike Telegram's private chats.
    let since = now() - chrono::Duration::hours(2);
    let discord = AccountRef::new(Platform::Discord, "480011223344556677");
    let dm = ChatKey::new(Platform::Discord, "1190000000000000042");
    let ana = waiting_in(&*store, &discord, &dm, profile("en", "es"), since).await;
    let (ben, ben_chat) = waiting_person(&*store, profile("es", "en"), since).await;
    // Someone whose private chat was never seen (only ever in a group) is skipped.
    let unseen = AccountRef::new(Platform::Discord, "480099999999999999");
    let carl = store
        .person_for_account(&unseen, Locale::En, since)
        .await
        .expect("person");
    let carl_group = ChatKey::new(Platform::Discord, "guild-channel-7");
    change_person(
        &*store,
        carl,
        &carl_group,
        Some(profile("en", "es")),
        |practice| {
            practice.partnering.status = PartnerStatus::Waiting { since };
        },
    )
    .await;

    let conversations = conversations(store.clone());
    let worker = MatcherWorker::new(conversations.clone(), &settings()).expect("config");
    let at = now();
    let outcome = worker.run_wave(at).await.expect("wave");
    assert_eq!((outcome.waiting, outcome.pairs), (2, 1), "{outcome:?}");

    let proposal = proposal_held(&*store, ben, &ben_chat).await;
    assert_eq!(proposal.partner.person, ana);
    assert_eq!(
        proposal.partner.chat, dm,
        "Ben's answers go to Ana's DM channel"
    );

    let lease = OutboxLease {
        owner: "test".to_owned(),
        until: at + chrono::Duration::minutes(5),
        platforms: Platform::ALL.to_vec(),
        chats: Vec::new(),
    };
    let queued = store.claim_outbox(&lease, at, 100).await.expect("claim");
    let chats: Vec<&ChatKey> = queued.iter().map(|message| &message.chat).collect();
    assert!(
        chats.contains(&&dm),
        "Ana's offer is in her DM channel: {chats:?}"
    );
    assert!(chats.contains(&&ben_chat), "{chats:?}");
    let named_after_account = ChatKey::new(Platform::Discord, discord.user_id.clone());
    assert!(!chats.contains(&&named_after_account), "{chats:?}");
    conversations.store().close().await;
}
