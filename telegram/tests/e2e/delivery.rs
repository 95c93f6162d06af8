//! Delivery under Telegram's limits: a storm of 429s and a person who blocked the bot.
//! Nothing is lost, nothing is sent twice, the limits are never exceeded, and the
//! blocked person is marked unreachable and paused instead of being retried forever.

use bot_core::config::TelegramMode;
use telegram::fake::{CallOutcome, FakeConfig, Fault};

use crate::support::{Backend, Person, TestDb, eventually, fake, profile_of, start};

#[tokio::test]
async fn a_429_storm_and_a_403_lose_nothing_and_never_break_the_limits() {
    let db = TestDb::new(Backend::Sqlite).await.expect("sqlite");
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
    let mut marked = false;
    for _ in 0..100 {
        let profile = profile_of(&conversations, &blocked.user).await;
        if profile.unreachable {
            assert!(profile.matching_paused);
            marked = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(marked, "the blocked person was never marked unreachable");
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
    eventually("the outbox empties", || {
        let store = store.clone();
        async move { store.outbox_stats().await.expect("stats").pending == 0 }
    })
    .await;

    // Unblocking (Telegram sends my_chat_member) makes them reachable again.
    fake.unblock_chat(blocked.chat_id());
    fake.my_chat_member(&blocked.user, false);
    let mut back = false;
    for _ in 0..100 {
        if !profile_of(&conversations, &blocked.user).await.unreachable {
            back = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(back, "unblocking must clear the flag");
    running.shutdown().await;
    conversations.store().close().await;
}

#[tokio::test]
async fn network_failures_are_retried_until_delivered() {
    let db = TestDb::new(Backend::Sqlite).await.expect("sqlite");
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
    let store = conversations.store().clone();
    eventually("the outbox empties", || {
        let store = store.clone();
        async move { store.outbox_stats().await.expect("stats").pending == 0 }
    })
    .await;
    running.shutdown().await;
    conversations.store().close().await;
}
