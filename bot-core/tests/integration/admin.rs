//! The admin side on both backends: the AdminStore conformance (audit log, lookups and
//! summaries, the reports queue, broadcasts into the outbox and their progress, /stats,
//! dead letters), and the admin desk carrying out requests through the runtime: a ban is
//! a step of the person banned, every action is audited, a non-admin's command does
//! nothing but the unknown-command answer.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use bot_core::admin::{AdminDesk, DeskOptions, execute};
use bot_core::app::{self, Service};
use bot_core::config::Settings;
use bot_core::domain::{
    AccountRef, ChatKey, LanguageCode, LevelChoice, Locale, PersonId, Platform, Practice, Profile,
    ReportReason, TargetLanguage,
};
use bot_core::engine::{
    AdminOutcome, AdminRequest, Audience, Event, Input, MatchingStatus, NewReport, Resolution,
};
use bot_core::runtime::{Conversations, Incoming};
use bot_core::storage::{
    AuditQuery, CommitOutcome, NewAuditEntry, NewBroadcast, PersonCommit, PersonLookup,
    PersonWrite, Store, WaveRecord,
};
use chrono::Duration;

use lexbot_test_kit::{TestDb, claim_outbox, now};

on_both_backends!(
    the_audit_log_keeps_every_action_newest_first_with_a_cursor,
    people_are_found_by_id_or_account_and_summarised,
    the_reports_queue_is_oldest_first_and_a_report_closes_once,
    a_broadcast_reaches_each_onboarded_reachable_unbanned_person_once,
    stats_count_people_matching_waves_delivery_and_reports,
    dead_letters_are_sampled_and_queued_again,
    a_ban_from_the_desk_is_a_step_of_the_person_and_is_audited,
    admin_commands_through_the_runtime_and_a_strangers_ban,
);

/// Someone on Telegram whose private chat is known, with `profile`; their account id.
async fn person(store: &dyn Store, profile: Option<Profile>) -> (PersonId, AccountRef) {
    let id = rand_id().to_string();
    let account = AccountRef::new(Platform::Telegram, id.clone());
    let chat = ChatKey::new(Platform::Telegram, id);
    let person = store
        .person_for_hashed_account(&account, None, Some(&chat), Locale::En, now())
        .await
        .expect("person");
    if let Some(profile) = profile {
        write(store, person, Some(profile), None, vec![]).await;
    }
    (person, account)
}

fn rand_id() -> u64 {
    u64::from_le_bytes(
        uuid::Uuid::new_v4().as_bytes()[..8]
            .try_into()
            .unwrap_or([1; 8]),
    ) >> 12
}

async fn version(store: &dyn Store, person: PersonId) -> i64 {
    store
        .load_person(person, &ChatKey::new(Platform::Local, "x"))
        .await
        .expect("load")
        .expect("exists")
        .version
}

async fn write(
    store: &dyn Store,
    person: PersonId,
    profile: Option<Profile>,
    practice: Option<Practice>,
    reports: Vec<NewReport>,
) {
    let expected = version(store, person).await;
    let commit = PersonCommit {
        reports,
        ..PersonCommit::new(
            person,
            expected,
            PersonWrite::Update {
                profile,
                dialogues: Vec::new(),
                practice: practice.map(Box::new),
            },
            now(),
        )
    };
    let outcome = store.commit_batch(&[commit], None).await.expect("commit");
    assert!(
        matches!(outcome[..], [CommitOutcome::Committed { .. }]),
        "{outcome:?}"
    );
}

fn onboarded(locale: Locale) -> Profile {
    let mut profile = Profile::new(locale);
    profile.native = vec![LanguageCode::parse("es").expect("code")];
    profile.targets = vec![TargetLanguage {
        language: LanguageCode::parse("en").expect("code"),
        level: Some(LevelChoice::PlacementTest),
    }];
    profile.completed = true;
    profile
}

fn waiting() -> Practice {
    let mut practice = Practice::default();
    practice.partnering.status = bot_core::domain::PartnerStatus::Waiting { since: now() };
    practice
}

fn entry(actor: &str, action: &str, target: Option<PersonId>) -> NewAuditEntry {
    NewAuditEntry {
        at: now(),
        actor: actor.into(),
        action: action.into(),
        target,
        details: "spam".into(),
        outcome: "ok".into(),
    }
}

async fn the_audit_log_keeps_every_action_newest_first_with_a_cursor(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    let (ana, _) = person(&*store, None).await;
    let mut ids = Vec::new();
    for (actor, action, target) in [
        ("telegram:1", "ban", Some(ana)),
        ("token:ops", "stats", None),
        ("telegram:1", "unban", Some(ana)),
    ] {
        ids.push(
            store
                .audit(&entry(actor, action, target))
                .await
                .expect("audit"),
        );
    }
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
    let all = store
        .audit_log(&AuditQuery {
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .expect("log");
    let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["unban", "stats", "ban"]);
    assert_eq!(all[0].actor, "telegram:1");
    assert_eq!(all[0].target, Some(ana));
    assert_eq!(all[0].details, "spam");
    assert_eq!(all[0].outcome, "ok");
    assert_eq!(all[1].target, None);

    let page = store
        .audit_log(&AuditQuery {
            target: None,
            before: Some(ids[2]),
            limit: 1,
        })
        .await
        .expect("page");
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].action, "stats");
    let about_ana = store
        .audit_log(&AuditQuery {
            target: Some(ana),
            before: None,
            limit: 10,
        })
        .await
        .expect("about ana");
    let actions: Vec<&str> = about_ana.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["unban", "ban"]);
}

async fn people_are_found_by_id_or_account_and_summarised(store: Arc<dyn Store>, _db: &TestDb) {
    let mut profile = onboarded(Locale::Ru);
    profile.banned = true;
    let (ana, account) = person(&*store, Some(profile.clone())).await;
    let (ben, _) = person(&*store, None).await;
    write(&*store, ana, None, Some(waiting()), vec![]).await;
    write(
        &*store,
        ben,
        None,
        None,
        vec![NewReport {
            about: ana,
            reason: ReportReason::Spam,
            details: "casino links".into(),
            proposal: None,
        }],
    )
    .await;
    store
        .audit(&entry("telegram:1", "ban", Some(ana)))
        .await
        .expect("audit");

    assert_eq!(
        store
            .find_person(&PersonLookup::Id(ana))
            .await
            .expect("find"),
        Some(ana)
    );
    assert_eq!(
        store
            .find_person(&PersonLookup::Account(account.clone()))
            .await
            .expect("find"),
        Some(ana)
    );
    assert_eq!(
        store
            .find_person(&PersonLookup::Id(PersonId::new_random()))
            .await
            .expect("find"),
        None
    );
    assert_eq!(
        store
            .find_person(&PersonLookup::Account(AccountRef::new(
                Platform::Discord,
                "nobody"
            )))
            .await
            .expect("find"),
        None
    );

    let summary = store
        .person_summary(ana, 10)
        .await
        .expect("summary")
        .expect("exists");
    assert_eq!(summary.id, ana);
    assert_eq!(summary.accounts, vec![account.clone()]);
    assert_eq!(summary.profile, profile);
    assert_eq!(summary.matching, MatchingStatus::Waiting);
    assert_eq!((summary.reports_about, summary.reports_filed), (1, 0));
    assert_eq!(summary.audit.len(), 1);
    assert_eq!(summary.audit[0].action, "ban");
    assert_eq!(
        store.private_chat(ana).await.expect("chat"),
        Some(ChatKey::new(Platform::Telegram, account.user_id.clone()))
    );
    let ben_summary = store
        .person_summary(ben, 10)
        .await
        .expect("summary")
        .expect("exists");
    assert_eq!(ben_summary.matching, MatchingStatus::Idle);
    assert_eq!(
        (ben_summary.reports_about, ben_summary.reports_filed),
        (0, 1)
    );
    assert!(
        store
            .person_summary(PersonId::new_random(), 10)
            .await
            .expect("summary")
            .is_none()
    );
}

async fn the_reports_queue_is_oldest_first_and_a_report_closes_once(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    let (ana, _) = person(&*store, None).await;
    let (ben, _) = person(&*store, None).await;
    for details in ["first", "second", "third"] {
        write(
            &*store,
            ana,
            None,
            None,
            vec![NewReport {
                about: ben,
                reason: ReportReason::Harassment,
                details: details.into(),
                proposal: None,
            }],
        )
        .await;
    }
    let (open, page) = store.reports_page(2).await.expect("page");
    assert_eq!(open, 3);
    let details: Vec<&str> = page.iter().map(|r| r.details.as_str()).collect();
    assert_eq!(details, ["first", "second"]);
    assert_eq!(page[0].reporter, ana);
    assert_eq!(page[0].about, ben);
    assert_eq!(page[0].reason, ReportReason::Harassment);

    let first = page[0].id;
    assert_eq!(
        store
            .open_report(first)
            .await
            .expect("open")
            .map(|r| r.about),
        Some(ben)
    );
    assert!(
        store
            .close_report(first, Resolution::Dismissed, "telegram:1", now())
            .await
            .expect("close")
    );
    assert!(
        !store
            .close_report(first, Resolution::Resolved, "telegram:1", now())
            .await
            .expect("close again"),
        "a closed report does not close twice"
    );
    assert!(store.open_report(first).await.expect("open").is_none());
    assert!(
        !store
            .close_report(i64::MAX, Resolution::Resolved, "telegram:1", now())
            .await
            .expect("close unknown")
    );
    let (open, page) = store.reports_page(5).await.expect("page");
    assert_eq!(open, 2);
    let details: Vec<&str> = page.iter().map(|r| r.details.as_str()).collect();
    assert_eq!(details, ["second", "third"]);
    // The store's own list of every report still has all three.
    assert_eq!(store.reports(10).await.expect("reports").len(), 3);
}

async fn a_broadcast_reaches_each_onboarded_reachable_unbanned_person_once(
    store: Arc<dyn Store>,
    db: &TestDb,
) {
    let (en_1, _) = person(&*store, Some(onboarded(Locale::En))).await;
    let (en_2, _) = person(&*store, Some(onboarded(Locale::En))).await;
    let (ru, ru_account) = person(&*store, Some(onboarded(Locale::Ru))).await;
    // A second account of the Russian speaker: still one message.
    db.link_account(
        ru,
        &AccountRef::new(Platform::Local, format!("ru-{}", rand_id())),
        now() + Duration::seconds(1),
    )
    .await;
    person(&*store, Some(Profile::new(Locale::En))).await;
    let mut banned = onboarded(Locale::En);
    banned.banned = true;
    person(&*store, Some(banned)).await;
    let mut unreachable = onboarded(Locale::Ru);
    unreachable.unreachable = true;
    person(&*store, Some(unreachable)).await;

    assert_eq!(
        store
            .broadcast_audience(Audience::Everyone)
            .await
            .expect("count"),
        3
    );
    assert_eq!(
        store
            .broadcast_audience(Audience::Locale { locale: Locale::Ru })
            .await
            .expect("count"),
        1
    );
    let queued = store
        .broadcast_create(&NewBroadcast {
            at: now(),
            actor: "telegram:1".into(),
            text: "New courses are out!".into(),
            audience: Audience::Everyone,
        })
        .await
        .expect("queue");
    assert_eq!(queued.queued, 3);
    let messages = claim_outbox(&*store).await;
    assert_eq!(messages.len(), 3);
    let mut people: Vec<PersonId> = messages.iter().filter_map(|m| m.person).collect();
    people.sort();
    let mut expected = vec![en_1, en_2, ru];
    expected.sort();
    assert_eq!(people, expected);
    for message in &messages {
        assert_eq!(message.body.reply().text, "New courses are out!");
        assert_eq!(message.chat.platform, Platform::Telegram);
    }
    assert!(
        messages
            .iter()
            .any(|m| m.chat == ChatKey::new(Platform::Telegram, ru_account.user_id.clone()))
    );

    let progress = store
        .broadcast_progress(queued.id)
        .await
        .expect("progress")
        .expect("exists");
    assert_eq!((progress.queued, progress.sent, progress.failed), (3, 0, 0));
    store
        .outbox_delivered(&[messages[0].id])
        .await
        .expect("delivered");
    store
        .outbox_dead(&[messages[1].id], "403: blocked")
        .await
        .expect("dead");
    let progress = store
        .broadcast_progress(queued.id)
        .await
        .expect("progress")
        .expect("exists");
    assert_eq!((progress.queued, progress.sent, progress.failed), (3, 1, 1));
    assert!(!progress.finished());
    store
        .outbox_delivered(&[messages[2].id])
        .await
        .expect("delivered");
    let progress = store
        .broadcast_progress(queued.id)
        .await
        .expect("progress")
        .expect("exists");
    assert!(progress.finished());
    assert_eq!((progress.sent, progress.failed), (2, 1));
    assert!(
        store
            .broadcast_progress(queued.id + 1000)
            .await
            .expect("progress")
            .is_none()
    );
}

async fn stats_count_people_matching_waves_delivery_and_reports(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    let (ana, _) = person(&*store, Some(onboarded(Locale::En))).await;
    let mut paused = onboarded(Locale::En);
    paused.matching_paused = true;
    person(&*store, Some(paused)).await;
    let mut banned = onboarded(Locale::Ru);
    banned.banned = true;
    let (ben, _) = person(&*store, Some(banned)).await;
    person(&*store, None).await;
    write(&*store, ana, None, Some(waiting()), vec![]).await;
    write(
        &*store,
        ana,
        None,
        None,
        vec![NewReport {
            about: ben,
            reason: ReportReason::Spam,
            details: String::new(),
            proposal: None,
        }],
    )
    .await;
    store
        .record_wave(&WaveRecord {
            started_at: now() - Duration::minutes(5),
            finished_at: now() - Duration::minutes(5),
            waiting: 10,
            eligible: 8,
            edges: 20,
            pairs: 4,
            total_weight: 1000,
        })
        .await
        .expect("wave");
    store
        .record_wave(&WaveRecord {
            started_at: now() - Duration::days(3),
            finished_at: now() - Duration::days(3),
            waiting: 10,
            eligible: 8,
            edges: 20,
            pairs: 7,
            total_weight: 1000,
        })
        .await
        .expect("old wave");

    let stats = store.stats(now()).await.expect("stats");
    assert_eq!(stats.people, 4);
    assert_eq!((stats.onboarding, stats.onboarded), (1, 3));
    assert_eq!((stats.paused, stats.unreachable, stats.banned), (1, 0, 1));
    assert_eq!((stats.onboarded_today, stats.onboarded_week), (3, 3));
    assert_eq!(stats.waiting, 1);
    assert_eq!((stats.proposed, stats.partnered), (0, 0));
    assert_eq!((stats.waves_last_day, stats.pairs_last_day), (1, 4));
    assert_eq!((stats.outbox_queued, stats.outbox_dead), (0, 0));
    assert_eq!(stats.open_reports, 1);
    assert_eq!(stats.timers_late, 0);
    // Two onboarded, unbanned Spanish speakers learning English.
    assert_eq!(stats.top_pairs.len(), 1);
    assert_eq!(stats.top_pairs[0].native.as_str(), "es");
    assert_eq!(stats.top_pairs[0].learning.as_str(), "en");
    assert_eq!(stats.top_pairs[0].people, 2);
}

async fn dead_letters_are_sampled_and_queued_again(store: Arc<dyn Store>, _db: &TestDb) {
    person(&*store, Some(onboarded(Locale::En))).await;
    person(&*store, Some(onboarded(Locale::En))).await;
    store
        .broadcast_create(&NewBroadcast {
            at: now(),
            actor: "token:ops".into(),
            text: "hello".into(),
            audience: Audience::Everyone,
        })
        .await
        .expect("queue");
    let messages = claim_outbox(&*store).await;
    let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    store
        .outbox_dead(&ids, "network: connection refused")
        .await
        .expect("dead");
    let (count, sample) = store.dead_letter_sample(1).await.expect("sample");
    assert_eq!(count, 2);
    assert_eq!(sample.len(), 1);
    assert_eq!(sample[0].last_error, "network: connection refused");
    assert!(sample[0].chat.starts_with("telegram:"));
    assert_eq!(store.stats(now()).await.expect("stats").outbox_dead, 2);

    assert_eq!(store.retry_dead_letters(now()).await.expect("retry"), 2);
    assert_eq!(store.dead_letter_sample(5).await.expect("sample").0, 0);
    let again = claim_outbox(&*store).await;
    assert_eq!(again.len(), 2);
    assert!(again.iter().all(|m| m.attempts == 0));
}

fn settings_with_admin(admin: &str) -> Settings {
    let mut settings =
        Settings::load_with_env(None, figment::providers::Env::prefixed("LEXBOT_NOTHING_"))
            .expect("defaults");
    settings.admin.accounts = vec![admin.to_owned()];
    settings
}

fn conversations(store: Arc<dyn Store>, settings: &Settings) -> Conversations {
    Conversations::new(
        store,
        Arc::new(app::load_context(settings).expect("context")),
    )
}

async fn a_ban_from_the_desk_is_a_step_of_the_person_and_is_audited(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    let settings = settings_with_admin("telegram:1");
    let conversations = conversations(store.clone(), &settings);
    let options = DeskOptions::default();
    let (ana, account) = person(&*store, Some(onboarded(Locale::En))).await;
    write(&*store, ana, None, Some(waiting()), vec![]).await;
    assert_eq!(store.queue_len().await.expect("queue"), 1);

    let target = format!("telegram:{}", account.user_id);
    let ban = AdminRequest::Ban {
        target: target.clone(),
        reason: "spam links".into(),
    };
    let outcome = execute(&conversations, &options, "telegram:1", &ban).await;
    assert_eq!(
        outcome,
        AdminOutcome::Moderated {
            person: ana,
            ban: true,
            changed: true
        }
    );
    let loaded = store
        .load_person(
            ana,
            &ChatKey::new(Platform::Telegram, account.user_id.clone()),
        )
        .await
        .expect("load")
        .expect("exists");
    assert!(loaded.profile.banned);
    assert_eq!(
        store.queue_len().await.expect("queue"),
        0,
        "out of the queue"
    );
    let notices = claim_outbox(&*store).await;
    assert_eq!(notices.len(), 1, "one notice");
    assert!(
        notices[0]
            .body
            .reply()
            .text
            .contains("An admin has suspended your lexbot account")
    );
    assert_eq!(
        notices[0].chat,
        ChatKey::new(Platform::Telegram, account.user_id.clone())
    );

    let again = execute(&conversations, &options, "telegram:1", &ban).await;
    assert_eq!(
        again,
        AdminOutcome::Moderated {
            person: ana,
            ban: true,
            changed: false
        }
    );
    let nobody = execute(
        &conversations,
        &options,
        "token:ops",
        &AdminRequest::Unban {
            target: "discord:404".into(),
        },
    )
    .await;
    assert!(matches!(nobody, AdminOutcome::NoSuchPerson { .. }));

    let log = store
        .audit_log(&AuditQuery {
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .expect("log");
    let rows: Vec<(&str, &str, &str, Option<PersonId>)> = log
        .iter()
        .map(|e| {
            (
                e.actor.as_str(),
                e.action.as_str(),
                e.outcome.as_str(),
                e.target,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("token:ops", "unban", "not_found", None),
            ("telegram:1", "ban", "unchanged", Some(ana)),
            ("telegram:1", "ban", "ok", Some(ana)),
        ]
    );
    assert_eq!(log[2].details, format!("{target}: spam links"));

    // A content reload without settings is refused; with them it swaps the pack.
    let refused = execute(
        &conversations,
        &options,
        "telegram:1",
        &AdminRequest::ReloadContent,
    )
    .await;
    assert!(matches!(refused, AdminOutcome::ContentRefused { .. }));
    let reloaded = execute(
        &conversations,
        &DeskOptions {
            settings: Some(settings.clone()),
            ..DeskOptions::default()
        },
        "telegram:1",
        &AdminRequest::ReloadContent,
    )
    .await;
    assert!(
        matches!(reloaded, AdminOutcome::ContentReloaded { languages, .. } if languages > 0),
        "{reloaded:?}"
    );
    let mut broken = settings.clone();
    broken.content.dir = std::env::temp_dir().join(format!("no-such-pack-{}", rand_id()));
    let refused = execute(
        &conversations,
        &DeskOptions {
            settings: Some(broken),
            ..DeskOptions::default()
        },
        "telegram:1",
        &AdminRequest::ReloadContent,
    )
    .await;
    assert!(
        matches!(&refused, AdminOutcome::ContentRefused { errors } if !errors.is_empty()),
        "{refused:?}"
    );
}

/// Every queued message text for `chat`, waiting up to a few seconds for `wanted`.
async fn texts_for(store: &dyn Store, chat: &ChatKey, wanted: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..100 {
        for message in claim_outbox(store).await {
            if &message.chat == chat {
                seen.push(message.body.reply().text.clone());
            }
            store.outbox_delivered(&[message.id]).await.expect("done");
        }
        if seen.iter().any(|text| text.contains(wanted)) {
            return seen;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    panic!("{wanted:?} never came; saw {seen:?}");
}

async fn admin_commands_through_the_runtime_and_a_strangers_ban(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    let settings = settings_with_admin("telegram:7001");
    let conversations = conversations(store.clone(), &settings);
    let desk = Box::new(AdminDesk::from_settings(&settings)).start(conversations.clone());
    let admin_chat = ChatKey::new(Platform::Telegram, "7001");
    let say = |account: &str, text: &str| {
        Incoming::new(
            AccountRef::new(Platform::Telegram, account),
            ChatKey::new(Platform::Telegram, account),
            Event::new(Input::from_text(text)),
        )
    };
    let (ana, ana_account) = person(&*store, Some(onboarded(Locale::En))).await;

    conversations
        .handle(&say("7001", "/stats"), now())
        .await
        .expect("stats");
    let texts = texts_for(&*store, &admin_chat, "People:").await;
    assert!(texts.iter().any(|t| t.contains("People: 2")), "{texts:?}");

    // Someone else's /ban: the unknown-command answer, audited, and nobody banned.
    let stranger_chat = ChatKey::new(Platform::Telegram, "7002");
    conversations
        .handle(
            &say("7002", &format!("/ban telegram:{}", ana_account.user_id)),
            now(),
        )
        .await
        .expect("ban attempt");
    let texts = texts_for(&*store, &stranger_chat, "I don't know the command /ban").await;
    assert!(!texts.iter().any(|t| t.contains("banned")), "{texts:?}");
    let summary = store
        .person_summary(ana, 10)
        .await
        .expect("summary")
        .expect("exists");
    assert!(!summary.profile.banned);
    let mut refused = Vec::new();
    for _ in 0..100 {
        refused = store
            .audit_log(&AuditQuery {
                limit: 10,
                ..AuditQuery::default()
            })
            .await
            .expect("log");
        if refused.iter().any(|e| e.action == "refused") {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    let attempt = refused
        .iter()
        .find(|e| e.action == "refused")
        .expect("the attempt is audited");
    assert_eq!(attempt.actor, "telegram:7002");
    assert_eq!(attempt.details, "/ban");

    // The admin's ban: the person hears the notice, the admin the result, /user shows it.
    conversations
        .handle(
            &say(
                "7001",
                &format!("/ban telegram:{} spam", ana_account.user_id),
            ),
            now(),
        )
        .await
        .expect("ban");
    let texts = texts_for(&*store, &admin_chat, "is banned").await;
    assert!(
        texts.iter().any(|t| t.contains(&ana.to_string())),
        "{texts:?}"
    );
    conversations
        .handle(&say("7001", &format!("/user {ana}")), now())
        .await
        .expect("user");
    let texts = texts_for(&*store, &admin_chat, "Admin actions about them").await;
    let shown = texts.join("\n");
    assert!(
        shown.contains("telegram:7001 ban → ok (telegram:"),
        "{shown}"
    );
    assert!(shown.contains("banned"), "{shown}");
    desk.shutdown().await;
}
