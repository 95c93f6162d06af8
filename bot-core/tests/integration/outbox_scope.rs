//! Outbox leases are scoped to the platforms their holder sends to: a process without a
//! Discord sender neither leases nor claims Discord messages, so they wait for a process
//! that has one instead of being held by one that cannot send them.

use std::sync::Arc;

use bot_core::domain::{AccountRef, ChatKey, Locale, Platform};
use bot_core::engine::Reply;
use bot_core::outbox::{NewOutboxMessage, OutboxBody};
use bot_core::storage::{CommitOutcome, OutboxLease, PersonCommit, PersonWrite, Store};

use lexbot_test_kit::{TestDb, now};

on_both_backends!(a_lease_holds_only_the_platforms_its_holder_sends_to);

fn message(person: bot_core::domain::PersonId, chat: &ChatKey) -> NewOutboxMessage {
    NewOutboxMessage {
        chat: chat.clone(),
        person: Some(person),
        body: OutboxBody::Send {
            reply: Reply::text(format!("hello on {}", chat.platform)),
        },
    }
}

fn lease(owner: &str, platforms: &[Platform]) -> OutboxLease {
    OutboxLease {
        owner: owner.to_owned(),
        until: now() + chrono::Duration::hours(1),
        platforms: platforms.to_vec(),
    }
}

async fn a_lease_holds_only_the_platforms_its_holder_sends_to(store: Arc<dyn Store>, _db: &TestDb) {
    let telegram = ChatKey::new(Platform::Telegram, "100");
    let discord = ChatKey::new(Platform::Discord, "200");
    let person = store
        .person_for_account(
            &AccountRef::new(Platform::Telegram, "100"),
            Locale::En,
            now(),
        )
        .await
        .expect("person");
    let loaded = store
        .load_person(person, &telegram)
        .await
        .expect("load")
        .expect("exists");
    let mut commit = PersonCommit::new(
        person,
        loaded.version,
        PersonWrite::Update {
            profile: None,
            dialogues: Vec::new(),
            practice: None,
        },
        now(),
    );
    commit.outbox = vec![message(person, &telegram), message(person, &discord)];
    let telegram_only = lease("telegram-only", &[Platform::Telegram]);
    let outcome = store
        .commit_batch(&[commit], Some(&telegram_only))
        .await
        .expect("commit");
    assert!(matches!(outcome[0], CommitOutcome::Committed { .. }));

    // The Telegram message is held by the process that committed it; the Discord one
    // is free for a process that sends to Discord.
    let another_telegram = lease("another-telegram", &[Platform::Telegram]);
    assert!(
        store
            .claim_outbox(&another_telegram, now(), 10)
            .await
            .expect("claim")
            .is_empty(),
        "the Telegram message is leased, and the Discord one is not Telegram's"
    );
    let discord_only = lease("discord-only", &[Platform::Discord]);
    let claimed = store
        .claim_outbox(&discord_only, now(), 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!(claimed[0].chat, discord);
}
