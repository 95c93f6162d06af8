//! Delivery under Telegram's limits: a storm of 429s and a person who blocked the bot.
//! Nothing is lost, nothing is sent twice, the limits are never exceeded, and the
//! blocked person is marked unreachable and paused instead of being retried forever.

use telegram::TelegramMode;
use telegram_fake_api::{CallOutcome, FakeConfig, Fault};

use crate::support::{
    Backend, Person, TestDb, eventually, fake, outbox_drained, profile_of, start,
};

#[tokio::test]
async fn a_429_storm_and_a_403_lose_nothing_and_never_break_the_limits() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let fake = fake(FakeConfig {
        enforce_limits: true,
        ..FakeConfig::default()
    })
    .await;
    let (running, conversations) = start(&fake, &db, TelegramMode::Polling).await;
    // Three 429s in a row, each asking the whole bot to wait a second.
    fake.fail_next(
        "sendMessage",
        Fault::TooManyRequests {
            retry_after_secs: 1,
        },
        3,
    );
    let blocked = Person::new(&fake, 4000, "en");
    fake.block_chat(blocked.chat_id());
    fake.text(&blocked.user, "/start");

    // 40 people write at once: more than the global burst of 30 messages.
    let mut people: Vec<Person> = (0..40)
        .map(|n| Person::new(&fake, 4100 + n, "en"))
        .collect();
    for person in &people {
        fake.text(&person.user, "/start");
    }
    for person in &mut people {
        person.wait_for("Step 1 of 9").await;
    }
    for person in &people {
        assert_eq!(
            person.sends_containing("Step 1 of 9"),
            1,
            "{}",
            person.transcript()
        );
        assert_eq!(
            person.sends_containing("Welcome"),
            1,
            "{}",
            person.transcript()
        );
    }
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
    // The injected 429s, and at most a 429 for each send that was already on its way
    // when the first one came back: none of them was lost (checked above).
    assert!(fake.too_many_requests_sent() >= 3);

    // The blocked person's message was refused with 403, not retried, and they are
    // now unreachable and out of matching.
    let store = conversations.store().clone();
    eventually("the blocked person is marked unreachable", || async {
        profile_of(&conversations, &blocked.user).await.unreachable
    })
    .await;
    assert!(
        profile_of(&conversations, &blocked.user)
            .await
            .matching_paused
    );
    // Tried until Telegram said "blocked" (an injected 429 may come first), never after.
    let tries: Vec<CallOutcome> = fake
        .calls_of("sendmessage")
        .into_iter()
        .filter(|call| call.body["chat_id"] == blocked.chat_id())
        .map(|call| call.outcome)
        .collect();
    let forbidden = |outcome: &CallOutcome| {
        matches!(
            outcome,
            CallOutcome::Failed {
                error_code: 403,
                ..
            }
        )
    };
    assert_eq!(
        tries.iter().filter(|o| forbidden(o)).count(),
        1,
        "{tries:?}"
    );
    assert!(tries.last().is_some_and(forbidden), "{tries:?}");
    let dead = store.dead_letters(10).await.expect("dead letters");
    assert!(
        dead.iter().any(
            |letter| letter.message.chat.chat_id == blocked.chat_id().to_string()
                && letter.last_error.contains("blocked")
        ),
        "{dead:?}"
    );
    outbox_drained(&conversations).await;

    // Unblocking (Telegram sends my_chat_member) makes them reachable again.
    fake.unblock_chat(blocked.chat_id());
    fake.my_chat_member(&blocked.user, false);
    eventually("unblocking clears the flag", || async {
        !profile_of(&conversations, &blocked.user).await.unreachable
    })
    .await;
    running.shutdown().await;
    conversations.store().close().await;
}

#[tokio::test]
async fn network_failures_are_retried_until_delivered() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let fake = fake(FakeConfig::default()).await;
    let (running, conversations) = start(&fake, &db, TelegramMode::Polling).await;
    // Telegram answers "Bad Gateway"-like garbage twice: a transient failure.
    fake.fail_next(
        "sendMessage",
        Fault::BadRequest("Service Unavailable".into()),
        2,
    );
    let mut person = Person::new(&fake, 5005, "en");
    person.say("/start", "Step 1 of 9").await;
    assert_eq!(person.sends_containing("Step 1 of 9"), 1);
    assert_eq!(
        fake.calls_of("sendmessage").len(),
        2 + 2,
        "two failures, two messages"
    );
    outbox_drained(&conversations).await;
    running.shutdown().await;
    conversations.store().close().await;
}
