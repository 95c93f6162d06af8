//! Kill and restart in the middle: a new adapter (poller and dispatcher) on the same
//! database finishes the conversation with no reply lost and none repeated.

use std::time::Duration;

use telegram::TelegramMode;
use telegram_fake_api::FakeConfig;

use crate::support::{
    ONBOARDING, PATIENCE, Person, assert_each_answer_once, backends, fake, outbox_drained, play,
    start,
};

#[tokio::test]
async fn a_killed_adapter_restarts_without_losing_or_repeating_a_reply() {
    for (backend, db) in backends().await {
        let fake = fake(FakeConfig::default()).await;
        let mut person = Person::new(&fake, 2002, "en");
        let (running, conversations) = start(&fake, &db, TelegramMode::Polling).await;
        play(&mut person, &ONBOARDING[..5]).await;

        // Kill right after Telegram handed over the next update: the adapter has it, but
        // whether its step committed is a matter of microseconds.
        let (message_id, data) = person.button("B2");
        fake.callback(&person.user, message_id, &data);
        assert!(
            fake.wait_until(PATIENCE, |f| f.pending_updates() == 0)
                .await
        );
        running.kill();
        conversations.store().close().await;

        let (running, conversations) = start(&fake, &db, TelegramMode::Polling).await;
        person.wait_for("What is your level in German?").await;

        // A second kill, once the replies so far are delivered and acknowledged. (Between
        // Telegram accepting a message and lexbot recording that, a kill would send it
        // again on restart: the Bot API has no idempotency key. That window is the
        // milliseconds of one delete.)
        play(&mut person, &ONBOARDING[6..10]).await;
        outbox_drained(&conversations).await;
        running.kill();
        conversations.store().close().await;
        tokio::time::sleep(Duration::from_millis(50)).await;

        let (running, conversations) = start(&fake, &db, TelegramMode::Polling).await;
        play(&mut person, &ONBOARDING[10..]).await;

        assert_each_answer_once(&person, &format!("{backend:?}"));
        running.shutdown().await;
        conversations.store().close().await;
    }
}
