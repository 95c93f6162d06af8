//! Killed after the inbox write and before the commit: Telegram has been told the update
//! arrived (it will never send it again), and only lexbot's inbox holds it. A restarted
//! adapter steps it from the inbox, and every reply arrives exactly once.

use std::time::Duration;

use telegram::TelegramMode;
use telegram_fake_api::FakeConfig;

use crate::support::{
    ONBOARDING, PATIENCE, Person, assert_each_answer_once, backends, eventually, fake, inbox_len,
    play, start,
};

#[tokio::test]
async fn an_update_only_the_inbox_holds_is_answered_once_after_a_restart() {
    for (backend, db) in backends().await {
        let context = format!("{backend:?}");
        let fake = fake(FakeConfig::default()).await;
        let mut person = Person::new(&fake, 3003, "en");
        let (running, conversations) = start(&fake, &db, TelegramMode::Polling).await;
        play(&mut person, &ONBOARDING[..5]).await;

        // From here no step can commit (every commit bumps the person's version).
        db.refuse_commits().await;
        let (message_id, data) = person.button("B2");
        let update_id = fake.callback(&person.user, message_id, &data);
        // Stored, and confirmed to Telegram with the next getUpdates ...
        assert!(
            fake.wait_until(PATIENCE, |f| f.confirmed_offset() > update_id)
                .await,
            "{context}: the update was never confirmed"
        );
        eventually("the update waits in the inbox", || async {
            inbox_len(&db).await == 1
        })
        .await;
        // ... but not stepped.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            person.sends_containing("What is your level in German?"),
            0,
            "{context}"
        );
        running.kill();
        conversations.store().close().await;
        db.allow_commits().await;

        let (running, conversations) = start(&fake, &db, TelegramMode::Polling).await;
        person.wait_for("What is your level in German?").await;
        play(&mut person, &ONBOARDING[6..]).await;

        assert_each_answer_once(&person, &context);
        eventually("the inbox empties", || async { inbox_len(&db).await == 0 }).await;
        running.shutdown().await;
        conversations.store().close().await;
    }
}
