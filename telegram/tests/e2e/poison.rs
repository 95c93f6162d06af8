//! Poison updates: a step that panics costs its person one answer, never the bot. The
//! person hears that something went wrong, the update is quarantined and never stepped
//! again, and everyone else's updates (in the same getUpdates batch and later) go on.

use std::sync::Arc;

use bot_core::app::Application;
use bot_core::domain::Platform;
use bot_core::engine::Input;
use bot_core::runtime::{Conversations, PANICKED};
use telegram::TelegramMode;
use telegram_fake_api::{FakeBotApi, FakeConfig};

use crate::support::{
    Person, TestDb, backends, builder, eventually, fake, inbox_len, start, start_with,
};

/// What the person reads when their step failed (en.ftl `error-internal`).
const SOMETHING_WENT_WRONG: &str = "Something went wrong on my side";

/// The text whose step panics.
const POISON: &str = "boom \u{202e}€";

/// The application on `db`, whose steps panic on [`POISON`].
async fn poisoned(fake: &FakeBotApi, db: &TestDb) -> (Application, Conversations) {
    let builder = builder(db).await;
    builder.conversations().before_each_step(Arc::new(|event| {
        if matches!(&event.input, Input::Text(text) if text == POISON) {
            panic!("a step panicked on purpose");
        }
    }));
    start_with(fake, builder, TelegramMode::Polling).await
}

#[tokio::test]
async fn a_panicking_step_answers_its_person_and_everyone_else_goes_on() {
    for (backend, db) in backends().await {
        let context = format!("{backend:?}");
        let fake = fake(FakeConfig::default()).await;
        let mut ana = Person::new(&fake, 4101, "en");
        let mut ben = Person::new(&fake, 4102, "en");
        // Waiting before the adapter starts: the first getUpdates takes all three.
        fake.text(&ana.user, "/start");
        let poison = fake.text(&ana.user, POISON);
        fake.text(&ben.user, "/start");

        let (running, conversations) = poisoned(&fake, &db).await;
        ana.wait_for(SOMETHING_WENT_WRONG).await;
        ben.wait_for("Step 1 of 9").await;
        // Ana's dialogue was left as it was before the poison: still at step 1.
        ana.press("English", "Step 2 of 9").await;

        let store = conversations.store().clone();
        let quarantined = store.quarantined(10).await.expect("quarantined");
        assert_eq!(quarantined.len(), 1, "{context}: {quarantined:?}");
        assert_eq!(quarantined[0].key.platform, Platform::Telegram);
        assert_eq!(quarantined[0].key.id, poison.to_string(), "{context}");
        assert_eq!(quarantined[0].reason, PANICKED, "{context}");
        let payload = quarantined[0].payload.as_deref().unwrap_or_default();
        assert!(
            payload.contains("update_id"),
            "{context}: kept as received: {payload}"
        );
        assert!(
            inbox_len(&db).await == 0,
            "{context}: nothing waits to be stepped again"
        );

        // A restart steps nothing again: the poison is not replayed.
        running.shutdown().await;
        store.close().await;
        let (running, conversations) = poisoned(&fake, &db).await;
        ben.press("English", "Step 2 of 9").await;
        assert_eq!(
            ana.sends_containing(SOMETHING_WENT_WRONG),
            1,
            "{context}: told exactly once\n{}",
            ana.transcript()
        );
        running.shutdown().await;
        conversations.store().close().await;
    }
}

#[tokio::test]
async fn an_update_that_keeps_failing_is_given_up_after_its_replays() {
    for (backend, db) in backends().await {
        let context = format!("{backend:?}");
        let fake = fake(FakeConfig::default()).await;
        let mut ana = Person::new(&fake, 4201, "en");
        let mut ben = Person::new(&fake, 4202, "en");
        // An update that took the process down on every replay so far (a panic the
        // runtime cannot catch, an abort): the inbox holds it, with its attempts.
        let update_id = 987_654;
        let payload = serde_json::json!({
            "update_id": update_id,
            "message": {
                "message_id": 1,
                "date": 1_700_000_000,
                "chat": {"id": ana.user.id, "type": "private", "first_name": "Test"},
                "from": {"id": ana.user.id, "is_bot": false, "first_name": "Test",
                         "language_code": "en"},
                "text": "/start"
            }
        });
        {
            let store = bot_core::storage::open(db.url()).await.expect("store");
            store
                .inbox_put(
                    Platform::Telegram,
                    &[bot_core::storage::InboxUpdate {
                        id: update_id.to_string(),
                        payload: payload.to_string(),
                    }],
                    chrono::Utc::now(),
                )
                .await
                .expect("kept");
            for _ in 0..telegram::MAX_UPDATE_ATTEMPTS {
                store
                    .inbox_replay(Platform::Telegram, 10)
                    .await
                    .expect("replayed");
            }
            store.close().await;
        }

        let (running, conversations) = start(&fake, &db, TelegramMode::Polling).await;
        ana.wait_for(SOMETHING_WENT_WRONG).await;
        assert_eq!(
            ana.sends_containing("Step 1 of 9"),
            0,
            "{context}: not stepped"
        );
        let store = conversations.store().clone();
        eventually("the update leaves the inbox", || async {
            inbox_len(&db).await == 0
        })
        .await;
        let quarantined = store.quarantined(10).await.expect("quarantined");
        assert_eq!(quarantined.len(), 1, "{context}");
        assert_eq!(quarantined[0].key.id, update_id.to_string());
        assert_eq!(
            quarantined[0].attempts,
            telegram::MAX_UPDATE_ATTEMPTS + 1,
            "{context}"
        );
        // Others are served as ever, and so is Ana's next message.
        ben.say("/start", "Step 1 of 9").await;
        ana.say("/start", "Step 1 of 9").await;
        running.shutdown().await;
        store.close().await;
    }
}
