//! Matching end to end through Telegram: two people onboard, ask for a partner, the
//! matcher's wave proposes them to each other, both accept, talk through the anonymous
//! relay, reveal their handles and end the partnership; a decline, a block and a report.

use bot_core::domain::PartnerStatus;
use bot_core::runtime::Conversations;
use telegram::TelegramMode;
use telegram_fake_api::{FakeBotApi, FakeConfig};

use crate::support::{Act, ONBOARDING, Person, backends, eventually, fake, loaded, play, start};

/// An English speaker learning Spanish: Ana's (the shared onboarding's) match.
pub const BEN_ONBOARDING: &[Act] = &[
    Act::Say("/start", "Step 1 of 9"),
    Act::Press("English", "Step 2 of 9"),
    Act::Toggle("English"),
    Act::Press("Done", "Step 3 of 9"),
    Act::Say("es", "What is your level in Spanish?"),
    Act::Press("B1", "Step 5 of 9"),
    Act::Toggle("Music"),
    Act::Press("Done", "Step 6 of 9"),
    Act::Say("London", "Step 7 of 9"),
    Act::Toggle("Weekday evenings"),
    Act::Press("Done", "Step 8 of 9"),
    Act::Toggle("Text chat"),
    Act::Press("Done", "Step 9 of 9"),
    Act::Say("Guitarist from Leeds.", "Almost done"),
    Act::Press("Confirm", "All set!"),
];

/// One matcher wave over whoever waits, as the worker runs it.
pub async fn wave(conversations: &Conversations) -> u64 {
    let settings = bot_core::config::Settings::load(None).expect("default settings");
    let worker = matcher::worker::MatcherWorker::new(conversations.clone(), &settings)
        .expect("worker settings");
    worker
        .run_wave(chrono::Utc::now())
        .await
        .expect("the wave runs")
        .pairs
}

pub async fn status_of(conversations: &Conversations, person: &Person) -> PartnerStatus {
    loaded(conversations, &person.user)
        .await
        .practice
        .partnering
        .status
}

async fn two_people(fake: &FakeBotApi) -> (Person, Person) {
    let mut ana = Person::new(fake, 2001, "en");
    let mut ben = Person::new(fake, 2002, "en");
    play(&mut ana, ONBOARDING).await;
    play(&mut ben, BEN_ONBOARDING).await;
    ana.say("/find", "You're in the queue").await;
    ben.say("/find", "You're in the queue").await;
    (ana, ben)
}

#[tokio::test]
async fn two_people_are_matched_talk_reveal_and_part_on_every_backend() {
    for (backend, db) in backends().await {
        let fake = fake(FakeConfig::default()).await;
        let (running, conversations) = start(&fake, &db, TelegramMode::Polling).await;
        let (mut ana, mut ben) = two_people(&fake).await;

        assert_eq!(wave(&conversations).await, 1, "{backend:?}");
        let card = ana.wait_for("Would you like to practise together?").await;
        assert!(card.contains("Native: English"), "{backend:?}: {card}");
        assert!(
            card.contains("Guitarist from Leeds."),
            "{backend:?}: {card}"
        );
        ben.wait_for("Would you like to practise together?").await;

        ana.press("Accept", "You accepted").await;
        ben.wait_for("Your proposed partner accepted!").await;
        ben.press("Accept", "You're practice partners now!").await;
        ana.wait_for("You're practice partners now!").await;

        // The relay, both ways; what people type is escaped for Telegram's HTML.
        ana.say_quietly("¿Practicamos el martes? <3 & más");
        ben.wait_for("Partner: ¿Practicamos el martes? &lt;3 &amp; más")
            .await;
        ben.say_quietly("Sure, Tuesday at 7!");
        ana.wait_for("Partner: Sure, Tuesday at 7!").await;

        // Handles only when both asked.
        ana.say("/reveal", "I asked your partner").await;
        ben.wait_for("would like to exchange handles").await;
        ben.say("/reveal", "Handles exchanged").await;
        let revealed = ana.wait_for("Handles exchanged").await;
        assert!(
            revealed.contains("tg://user?id=2002"),
            "{backend:?}: {revealed}"
        );

        ana.say("/end", "End your partnership?").await;
        ana.press("⭐⭐⭐⭐⭐", "Your partnership has ended").await;
        ben.wait_for("Your partner ended the partnership").await;
        eventually("both are free again", || async {
            status_of(&conversations, &ana).await == PartnerStatus::Idle
                && status_of(&conversations, &ben).await == PartnerStatus::Idle
        })
        .await;
        // Every message arrived once.
        assert_eq!(ben.sends_containing("Partner: ¿Practicamos"), 1);
        assert_eq!(ana.sends_containing("practice partners now"), 1);

        // Former partners are never proposed again.
        ana.say("/find", "You're in the queue").await;
        ben.say("/find", "You're in the queue").await;
        assert_eq!(wave(&conversations).await, 0, "{backend:?}");

        running.shutdown().await;
    }
}

#[tokio::test]
async fn a_decline_a_report_and_a_block_through_telegram() {
    for (backend, db) in backends().await {
        let fake = fake(FakeConfig::default()).await;
        let (running, conversations) = start(&fake, &db, TelegramMode::Polling).await;
        let (mut ana, mut ben) = two_people(&fake).await;

        assert_eq!(wave(&conversations).await, 1, "{backend:?}");
        ana.wait_for("Would you like to practise together?").await;
        ben.wait_for("Would you like to practise together?").await;
        ben.press("Decline", "OK, declined").await;
        ana.wait_for("couldn't make it this time").await;
        assert!(
            matches!(
                status_of(&conversations, &ana).await,
                PartnerStatus::Waiting { .. }
            ),
            "{backend:?}"
        );

        // The declined person can still report and block them.
        ana.say("/report", "What's wrong?").await;
        ana.press("Spam", "Tell the admins what happened").await;
        ana.say(
            "Sent me ads for a paid course.",
            "the admins will look into it",
        )
        .await;
        let reports = conversations.store().reports(10).await.expect("reports");
        assert_eq!(reports.len(), 1, "{backend:?}");
        assert_eq!(reports[0].details, "Sent me ads for a paid course.");
        ana.say("/block", "Block this person?").await;
        ana.press("Yes, block", "Blocked").await;
        assert_eq!(wave(&conversations).await, 0, "{backend:?}: blocked");

        running.shutdown().await;
    }
}
