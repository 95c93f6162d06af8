//! Webhook mode: the same onboarding posted to lexbot's webhook server, and requests
//! without the right secret refused.

use telegram::TelegramMode;
use telegram_fake_api::{FakeBotApi, FakeConfig};
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::{Bot, Requester};
use tokio::sync::watch;

use crate::support::{
    Backend, ONBOARDING, Person, TestDb, WEBHOOK_SECRET, fake, options, play, profile_of, start,
};

/// Plays Telegram's part of a webhook: takes the updates queued at the fake and posts
/// each to lexbot, retrying what was not answered 200 (as Telegram does).
async fn relay_updates(fake: FakeBotApi, webhook: String, mut stop: watch::Receiver<bool>) {
    let bot = Bot::new(fake.token()).set_api_url(fake.api_url());
    let client = teloxide::net::default_reqwest_settings()
        .build()
        .expect("HTTP client");
    let mut offset = 0;
    while !*stop.borrow() {
        let updates = tokio::select! {
            _ = stop.changed() => break,
            updates = bot.get_updates().offset(offset).timeout(1) => updates.expect("getUpdates"),
        };
        for update in updates {
            let body = serde_json::to_vec(&update).expect("update JSON");
            loop {
                let response = client
                    .post(&webhook)
                    .header("content-type", "application/json")
                    .header("x-telegram-bot-api-secret-token", WEBHOOK_SECRET)
                    .body(body.clone())
                    .send()
                    .await
                    .expect("webhook reachable");
                if response.status().is_success() {
                    break;
                }
            }
            offset = update.id.0 as i32 + 1;
        }
    }
}

#[tokio::test]
async fn a_person_onboards_through_the_webhook() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let fake = fake(FakeConfig::default()).await;
    let (running, conversations) = start(&fake, &db, TelegramMode::Webhook).await;
    let addr = running.http_addr().expect("webhook address");
    let (stop, stopped) = watch::channel(false);
    let relay = tokio::spawn(relay_updates(
        fake.clone(),
        format!("http://{addr}/telegram/webhook"),
        stopped,
    ));

    let mut person = Person::new(&fake, 3003, "en");
    play(&mut person, ONBOARDING).await;
    crate::support::assert_each_answer_once(&person, "webhook");
    assert!(profile_of(&conversations, &person.user).await.completed);
    // No getUpdates from lexbot itself in webhook mode: the relay is the only poller.
    let _ = stop.send(true);
    let _ = relay.await;
    running.shutdown().await;
    conversations.store().close().await;
}

#[tokio::test]
async fn the_webhook_refuses_requests_without_the_secret() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let fake = fake(FakeConfig::default()).await;
    let (running, conversations) = start(&fake, &db, TelegramMode::Webhook).await;
    let url = format!(
        "http://{}/telegram/webhook",
        running.http_addr().expect("address")
    );
    let client = teloxide::net::default_reqwest_settings()
        .build()
        .expect("HTTP client");
    let update = serde_json::json!({"update_id": 1, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 9, "type": "private", "first_name": "Eve"},
        "from": {"id": 9, "is_bot": false, "first_name": "Eve"}, "text": "/start"}});
    let missing = client
        .post(&url)
        .json(&update)
        .send()
        .await
        .expect("reachable");
    assert_eq!(missing.status().as_u16(), 401);
    let wrong = client
        .post(&url)
        .header("x-telegram-bot-api-secret-token", "guess")
        .json(&update)
        .send()
        .await
        .expect("reachable");
    assert_eq!(wrong.status().as_u16(), 401);
    let almost = client
        .post(&url)
        .header(
            "x-telegram-bot-api-secret-token",
            format!("{WEBHOOK_SECRET}x"),
        )
        .json(&update)
        .send()
        .await
        .expect("reachable");
    assert_eq!(almost.status().as_u16(), 401);
    let garbage = client
        .post(&url)
        .header("x-telegram-bot-api-secret-token", WEBHOOK_SECRET)
        .body("not json")
        .send()
        .await
        .expect("reachable");
    assert_eq!(garbage.status().as_u16(), 400);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        fake.messages_to(9).is_empty(),
        "refused updates must not act"
    );
    running.shutdown().await;
    conversations.store().close().await;

    // And without a secret configured, webhook mode does not start at all.
    let mut no_secret = options(&fake, TelegramMode::Webhook);
    no_secret.webhook_secret = None;
    let refused = crate::support::builder(&db)
        .await
        .adapter(Box::new(telegram::TelegramAdapter::new(no_secret)))
        .start()
        .await;
    let error = refused
        .err()
        .expect("webhook mode must refuse to start without a secret");
    assert!(
        matches!(
            error.downcast_ref::<telegram::TelegramError>(),
            Some(telegram::TelegramError::Webhook(
                telegram::WebhookError::MissingSecret
            ))
        ),
        "refused for the missing secret: {error:#}"
    );
}
