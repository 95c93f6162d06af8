//! Poison updates and failing commits: replays count their attempts, a given-up update
//! leaves the inbox for `quarantined_updates` (and its person is told), and one person's
//! commit that the database refuses fails only that person's steps in a group commit.

use std::sync::Arc;

use bot_core::domain::{AccountRef, ChatKey, Locale, Platform};
use bot_core::engine::{Event, Input, Reply};
use bot_core::outbox::{NewOutboxMessage, OutboxBody};
use bot_core::runtime::{Incoming, PANICKED};
use bot_core::storage::{InboxUpdate, Quarantine, Store, UpdateKey};

use crate::scheduler::conversations;
use lexbot_test_kit::{PeopleStoreExt, TestDb, now};

on_both_backends!(
    replays_count_attempts_and_a_given_up_update_leaves_the_inbox,
    a_commit_the_database_refuses_fails_only_its_person,
    a_panicking_step_is_quarantined_and_erased_with_its_person,
);

fn received(id: u32) -> InboxUpdate {
    InboxUpdate {
        id: id.to_string(),
        payload: format!(r#"{{"update_id":{id},"message":{{"text":"«{id}»"}}}}"#),
    }
}

fn key(id: u32) -> UpdateKey {
    UpdateKey {
        platform: Platform::Telegram,
        id: id.to_string(),
    }
}

async fn replays_count_attempts_and_a_given_up_update_leaves_the_inbox(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    store
        .inbox_put(Platform::Telegram, &[received(12), received(7)], now())
        .await
        .expect("put");
    let first = store
        .inbox_replay(Platform::Telegram, 10)
        .await
        .expect("replay");
    let ids: Vec<(&str, u32)> = first
        .iter()
        .map(|row| (row.update.id.as_str(), row.attempts))
        .collect();
    assert_eq!(
        ids,
        vec![("7", 1), ("12", 1)],
        "oldest first, one attempt each"
    );
    assert_eq!(first[0].update, received(7), "the payload as received");
    // A replay of one takes only the oldest.
    let second = store
        .inbox_replay(Platform::Telegram, 1)
        .await
        .expect("replay");
    assert_eq!(second.len(), 1);
    assert_eq!((second[0].update.id.as_str(), second[0].attempts), ("7", 2));

    let chat = ChatKey::new(Platform::Telegram, "4242");
    let notice = NewOutboxMessage {
        chat: chat.clone(),
        person: None,
        body: OutboxBody::Send {
            reply: Reply::text("Something went wrong"),
        },
    };
    store
        .quarantine_updates(
            &[Quarantine {
                key: key(7),
                person: None,
                attempts: 2,
                reason: "failed 2 replays".into(),
            }],
            &[notice],
            now(),
        )
        .await
        .expect("quarantine");

    let pending: Vec<String> = store
        .inbox_pending(Platform::Telegram, 10)
        .await
        .expect("pending")
        .into_iter()
        .map(|update| update.id)
        .collect();
    assert_eq!(pending, vec!["12".to_owned()], "only the other one waits");
    let quarantined = store.quarantined(10).await.expect("quarantined");
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].key, key(7));
    assert_eq!(quarantined[0].attempts, 2);
    assert_eq!(quarantined[0].reason, "failed 2 replays");
    assert_eq!(quarantined[0].payload, Some(received(7).payload));
    // It counts as handled: a redelivery is recognised and not taken in again.
    assert!(
        store
            .processed_updates(&[key(7)])
            .await
            .expect("processed")
            .contains(&key(7))
    );
    store
        .inbox_put(Platform::Telegram, &[received(7)], now())
        .await
        .expect("put again");
    assert_eq!(
        store
            .inbox_pending(Platform::Telegram, 10)
            .await
            .expect("pending")
            .len(),
        1
    );
    // The person is told, through the outbox.
    assert_eq!(store.outbox_stats().await.expect("stats").pending, 1);

    // Quarantining one the inbox no longer holds (a webhook update) keeps no payload.
    store
        .quarantine_updates(
            &[Quarantine {
                key: key(99),
                person: None,
                attempts: 1,
                reason: "step panicked".into(),
            }],
            &[],
            now(),
        )
        .await
        .expect("quarantine without payload");
    let quarantined = store.quarantined(10).await.expect("quarantined");
    assert_eq!(quarantined.len(), 2);
    let webhook = quarantined
        .iter()
        .find(|update| update.key == key(99))
        .expect("recorded");
    assert_eq!(webhook.payload, None);
}

/// The person behind a Telegram user of these tests.
async fn person_of(store: &dyn Store, user: &str) -> bot_core::domain::PersonId {
    store
        .person_for_account(
            &AccountRef::new(Platform::Telegram, user),
            Locale::En,
            now(),
        )
        .await
        .expect("person")
}

fn incoming(user: &str, text: &str) -> Incoming {
    Incoming::new(
        AccountRef::new(Platform::Telegram, user),
        ChatKey::new(Platform::Telegram, user),
        Event::new(Input::from_text(text)),
    )
}

async fn a_commit_the_database_refuses_fails_only_its_person(store: Arc<dyn Store>, db: &TestDb) {
    let conversations = conversations(store.clone());
    for user in ["ana", "ben", "cai"] {
        conversations
            .handle(&incoming(user, "/start"), now())
            .await
            .expect("first step commits");
    }
    let ana = person_of(&*store, "ana").await;
    // Every commit bumps the person's version: refuse Ana's, and only hers.
    db.refuse_commits_of(ana).await;

    let results = conversations
        .handle_batch(
            vec![
                incoming("ben", "/help"),
                incoming("ana", "/help"),
                incoming("cai", "/help"),
            ],
            now(),
        )
        .await;
    assert!(results[0].is_ok(), "ben: {:?}", results[0]);
    assert!(results[1].is_err(), "ana's commit was refused");
    assert!(results[2].is_ok(), "cai: {:?}", results[2]);
    for result in [&results[0], &results[2]] {
        let replies = &result.as_ref().expect("committed").replies;
        assert!(!replies.is_empty(), "answered");
    }

    // Once the database takes her commits again, Ana's steps go through as ever.
    db.accept_commits_again().await;
    conversations
        .handle(&incoming("ana", "/help"), now())
        .await
        .expect("ana's step commits again");
}

async fn a_panicking_step_is_quarantined_and_erased_with_its_person(
    store: Arc<dyn Store>,
    db: &TestDb,
) {
    let conversations = conversations(store.clone());
    conversations.before_each_step(Arc::new(|event| {
        if matches!(&event.input, Input::Text(text) if text == "boom") {
            panic!("a step panicked on purpose");
        }
    }));
    let with_update = |user: &str, text: &str, id: u32| {
        let mut event = incoming(user, text);
        event.update = Some(key(id));
        event
    };
    let results = conversations
        .handle_batch(
            vec![
                incoming("ana", "/start"),
                with_update("ana", "boom", 501),
                incoming("ben", "/start"),
                incoming("ana", "/help"),
            ],
            now(),
        )
        .await;
    let texts: Vec<String> = results
        .iter()
        .map(|result| {
            let handled = result.as_ref().expect("every step commits");
            handled
                .replies
                .iter()
                .map(|reply| reply.text.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    assert!(texts[1].contains("Something went wrong"), "{texts:?}");
    assert!(texts[2].contains("Step 1 of 9"), "ben goes on: {texts:?}");
    assert!(!texts[3].is_empty(), "ana's next step goes on: {texts:?}");

    let quarantined = store.quarantined(10).await.expect("quarantined");
    assert_eq!(quarantined.len(), 1, "{quarantined:?}");
    assert_eq!(quarantined[0].key, key(501));
    assert_eq!(quarantined[0].reason, PANICKED);
    // Redelivered, it is recognised and not stepped again.
    let again = conversations
        .handle_batch(vec![with_update("ana", "boom", 501)], now())
        .await;
    assert!(again[0].as_ref().expect("handled").duplicate);

    // Ana's /delete_me takes the record of her update with her.
    let ana = person_of(&*store, "ana").await.to_string();
    assert!(
        db.columns_mentioning(&ana)
            .await
            .contains(&"quarantined_updates.person_id".to_owned())
    );
    for step in [
        Input::Button("ui:en".into()),
        Input::from_text("/delete_me"),
        Input::Button("del:yes".into()),
    ] {
        let event = Incoming::new(
            AccountRef::new(Platform::Telegram, "ana"),
            ChatKey::new(Platform::Telegram, "ana"),
            Event::new(step),
        );
        conversations.handle(&event, now()).await.expect("step");
    }
    assert!(store.quarantined(10).await.expect("read").is_empty());
    assert!(db.columns_mentioning(&ana).await.is_empty());
}
