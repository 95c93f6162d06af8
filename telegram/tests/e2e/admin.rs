//! Admins end to end through Telegram: a stranger's /ban does nothing but the
//! unknown-command answer; an admin's /ban ends the banned person's partnership (the
//! partner told), answers them with the ban notice alone and keeps them out of the next
//! wave; a broadcast to 500 people goes out within Telegram's limits with no 429 and the
//! admin hears the right figures.

use std::time::{Duration, Instant};

use bot_core::admin::AdminDesk;
use bot_core::app::Application;
use bot_core::config::{Secrets, Settings};
use bot_core::domain::{
    AccountRef, ChatKey, LanguageCode, LevelChoice, Locale, PartnerStatus, Platform, Profile,
    TargetLanguage,
};
use bot_core::runtime::Conversations;
use bot_core::storage::{CommitOutcome, PersonCommit, PersonWrite};
use telegram::TelegramMode;
use telegram_fake_api::{FakeBotApi, FakeConfig};

use crate::matching::{BEN_ONBOARDING, status_of, wave};
use crate::support::{
    Act, ONBOARDING, Person, TestDb, backends, eventually, fake, loaded, play, settings, start_with,
};

const ADMIN: i64 = 3000;

/// The application with `telegram:3000` as its admin and the admin desk running.
async fn start_admin(fake: &FakeBotApi, db: &TestDb) -> (Application, Conversations, Settings) {
    let mut settings = settings(db);
    settings.admin.accounts = vec![format!("telegram:{ADMIN}")];
    let builder = Application::builder(&settings, &Secrets::default())
        .await
        .expect("store")
        .service(Box::new(AdminDesk::from_settings(&settings)));
    let (application, conversations) = start_with(fake, builder, TelegramMode::Polling).await;
    (application, conversations, settings)
}

/// Carol: a Spanish speaker learning English, like Ana (a match for Ben).
const CAROL_ONBOARDING: &[Act] = ONBOARDING;

#[tokio::test]
async fn a_ban_ends_the_partnership_and_stops_matching_and_a_strangers_ban_does_nothing() {
    for (backend, db) in backends().await {
        let fake = fake(FakeConfig::default()).await;
        let (running, conversations, _) = start_admin(&fake, &db).await;
        let mut ana = Person::new(&fake, 2001, "en");
        let mut ben = Person::new(&fake, 2002, "en");
        let mut carol = Person::new(&fake, 2003, "en");
        let mut admin = Person::new(&fake, ADMIN, "en");
        play(&mut ana, ONBOARDING).await;
        play(&mut ben, BEN_ONBOARDING).await;
        ana.say("/find", "You're in the queue").await;
        ben.say("/find", "You're in the queue").await;
        assert_eq!(wave(&conversations).await, 1, "{backend:?}");
        ana.wait_for("Would you like to practise together?").await;
        ana.press("Accept", "You accepted").await;
        ben.wait_for("Would you like to practise together?").await;
        ben.press("Accept", "You're practice partners now!").await;
        ana.wait_for("You're practice partners now!").await;

        // A stranger's /ban: the unknown-command answer, nothing else.
        play(&mut carol, CAROL_ONBOARDING).await;
        let answer = carol
            .say("/ban telegram:2001 spam", "I don't know the command /ban")
            .await;
        assert!(!answer.contains("banned"), "{backend:?}: {answer}");
        assert!(
            matches!(
                status_of(&conversations, &ana).await,
                PartnerStatus::Partnered(_)
            ),
            "{backend:?}: the stranger's /ban changed nothing"
        );
        assert!(!loaded(&conversations, &ana.user).await.profile.banned);

        // The admin's /ban.
        let answer = admin
            .say("/ban telegram:2001 harassment", "is banned")
            .await;
        assert!(
            answer.contains("their partnership (if any) ended"),
            "{answer}"
        );
        ana.wait_for("An admin has suspended your lexbot account")
            .await;
        ben.wait_for("Your partner has left lexbot").await;
        eventually("the partnership ended on both sides", || async {
            status_of(&conversations, &ana).await == PartnerStatus::Idle
                && status_of(&conversations, &ben).await == PartnerStatus::Idle
        })
        .await;
        assert!(loaded(&conversations, &ana.user).await.profile.banned);

        // Whatever Ana sends gets the notice alone; Ben's words no longer reach her.
        ana.say("/find", "An admin has suspended your lexbot account")
            .await;
        assert_eq!(
            status_of(&conversations, &ana).await,
            PartnerStatus::Idle,
            "{backend:?}"
        );
        ben.say("/find", "You're in the queue").await;
        carol.say("/find", "You're in the queue").await;
        assert_eq!(wave(&conversations).await, 1, "{backend:?}: Ben and Carol");
        carol.wait_for("Would you like to practise together?").await;
        assert_eq!(
            ana.sends_containing("Would you like to practise together?"),
            1,
            "{backend:?}: Ana is never proposed again\n{}",
            ana.transcript()
        );

        // /user shows the ban in the audit log; /unban lets her back.
        let shown = admin
            .say("/user telegram:2001", "Admin actions about them")
            .await;
        assert!(
            shown.contains(&format!("telegram:{ADMIN} ban → ok")),
            "{backend:?}: {shown}"
        );
        admin
            .say("/unban telegram:2001", "is no longer banned")
            .await;
        ana.wait_for("Your lexbot account is active again").await;
        ana.say("/find", "You're in the queue").await;

        running.shutdown().await;
    }
}

/// `count` onboarded people with known private chats, written straight to the store:
/// onboarding 500 people through the fake would test onboarding, not broadcasts.
async fn crowd(conversations: &Conversations, first_id: i64, count: i64) {
    let store = conversations.store();
    let now = chrono::Utc::now();
    let mut commits = Vec::new();
    for id in first_id..first_id + count {
        let account = AccountRef::new(Platform::Telegram, id.to_string());
        let chat = ChatKey::new(Platform::Telegram, id.to_string());
        let person = store
            .person_for_hashed_account(&account, None, Some(&chat), Locale::En, now)
            .await
            .expect("person");
        let mut profile = Profile::new(Locale::En);
        profile.native = vec![LanguageCode::parse("en").expect("code")];
        profile.targets = vec![TargetLanguage {
            language: LanguageCode::parse("es").expect("code"),
            level: Some(LevelChoice::PlacementTest),
        }];
        profile.completed = true;
        commits.push(PersonCommit::new(
            person,
            0,
            PersonWrite::Update {
                profile: Some(profile),
                dialogues: Vec::new(),
                practice: None,
            },
            now,
        ));
    }
    for chunk in commits.chunks(100) {
        let outcomes = store.commit_batch(chunk, None).await.expect("commit");
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, CommitOutcome::Committed { .. }))
        );
    }
}

#[tokio::test]
async fn a_broadcast_to_500_people_goes_out_within_the_limits_with_a_correct_report() {
    const PEOPLE: i64 = 500;
    const FIRST: i64 = 100_000;
    for (backend, db) in backends().await {
        let fake = fake(FakeConfig {
            enforce_limits: true,
            ..FakeConfig::default()
        })
        .await;
        let (running, conversations, _) = start_admin(&fake, &db).await;
        crowd(&conversations, FIRST, PEOPLE).await;
        let mut admin = Person::new(&fake, ADMIN, "en");

        admin
            .say(
                "/broadcast Hello from lexbot!",
                "Recipients: 500 (everyone)",
            )
            .await;
        let started = Instant::now();
        admin.press("Send", "Queuing the broadcast for 500").await;
        admin.wait_for("500 messages queued").await;
        let done = fake
            .wait_until(Duration::from_secs(120), |fake| {
                fake.delivered_to(ADMIN)
                    .iter()
                    .any(|d| d.text.contains("finished"))
            })
            .await;
        let elapsed = started.elapsed();
        assert!(done, "{backend:?}: no report\n{}", admin.transcript());
        let report = admin.wait_for("finished").await;
        assert!(
            report.contains("finished: 500 queued, 500 sent, 0 failed"),
            "{backend:?}: {report}"
        );
        for id in FIRST..FIRST + PEOPLE {
            let got: Vec<_> = fake
                .delivered_to(id)
                .into_iter()
                .filter(|d| d.text == "Hello from lexbot!")
                .collect();
            assert_eq!(got.len(), 1, "{backend:?}: chat {id} got {}", got.len());
        }
        assert_eq!(fake.too_many_requests_sent(), 0, "{backend:?}: 429s");
        assert!(fake.violations().is_empty(), "{:?}", fake.violations());
        // 30 messages a second after a burst of 30: at least (500 - 30) / 30 s.
        let minimum = Duration::from_secs_f64((PEOPLE as f64 - 30.0) / 30.0);
        assert!(
            elapsed >= minimum,
            "{backend:?}: faster than the limit allows"
        );
        println!(
            "{backend:?}: broadcast to {PEOPLE} people: {:.1} s (the limit's minimum {:.1} s), \
             0 × 429, 0 lost",
            elapsed.as_secs_f64(),
            minimum.as_secs_f64()
        );
        running.shutdown().await;
    }
}
