//! Outbox leases are scoped to the platforms their holder sends to: a process without a
//! Discord sender neither leases nor claims Discord messages, so they wait for a process
//! that has one instead of being held by one that cannot send them. A holder may also be
//! scoped to single chats: each terminal on one database sends only its own person's.

use std::sync::Arc;

use bot_core::domain::{AccountRef, ChatKey, Locale, Platform};
use bot_core::engine::Reply;
use bot_core::outbox::{NewOutboxMessage, OutboxBody};
use bot_core::storage::{CommitOutcome, OutboxLease, PersonCommit, PersonWrite, Store};

use lexbot_test_kit::{PeopleStoreExt, TestDb, now};

on_both_backends!(
    a_lease_holds_only_the_platforms_its_holder_sends_to,
    a_lease_scoped_to_chats_holds_only_those_chats
);

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
        chats: Vec::new(),
    }
}

fn chats_lease(owner: &str, chats: &[&ChatKey]) -> OutboxLease {
    OutboxLease {
        chats: chats.iter().map(|&chat| chat.clone()).collect(),
        ..lease(owner, &[])
    }
}

/// Commits one step of a new person that queues a message to each of `chats`, with
/// `lease` as the committing process's.
async fn commit_messages(
    store: &Arc<dyn Store>,
    account: &AccountRef,
    chats: &[&ChatKey],
    lease: &OutboxLease,
) {
    let person = store
        .person_for_account(account, Locale::En, now())
        .await
        .expect("person");
    let loaded = store
        .load_person(person, chats[0])
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
    commit.outbox = chats.iter().map(|chat| message(person, chat)).collect();
    let outcome = store
        .commit_batch(&[commit], Some(lease))
        .await
        .expect("commit");
    assert!(matches!(outcome[0], CommitOutcome::Committed { .. }));
}

async fn a_lease_holds_only_the_platforms_its_holder_sends_to(store: Arc<dyn Store>, _db: &TestDb) {
    let telegram = ChatKey::new(Platform::Telegram, "100");
    let discord = ChatKey::new(Platform::Discord, "200");
    let telegram_only = lease("telegram-only", &[Platform::Telegram]);
    commit_messages(
        &store,
        &AccountRef::new(Platform::Telegram, "100"),
        &[&telegram, &discord],
        &telegram_only,
    )
    .await;

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

async fn a_lease_scoped_to_chats_holds_only_those_chats(store: Arc<dyn Store>, _db: &TestDb) {
    let ana = ChatKey::new(Platform::Local, "ana");
    let ben = ChatKey::new(Platform::Local, "ben");
    let cleo = ChatKey::new(Platform::Local, "cleo");
    // Ana's terminal commits a step that writes to Ana and to Ben (a relayed message):
    // it holds Ana's message only.
    let anas_terminal = chats_lease("ana-terminal", &[&ana]);
    commit_messages(
        &store,
        &AccountRef::new(Platform::Local, "ana"),
        &[&ana, &ben],
        &anas_terminal,
    )
    .await;
    let claimed = store
        .claim_outbox(&chats_lease("cleo-terminal", &[&cleo]), now(), 10)
        .await
        .expect("claim");
    assert!(claimed.is_empty(), "Cleo's terminal took {claimed:?}");
    let claimed = store
        .claim_outbox(&chats_lease("ben-terminal", &[&ben]), now(), 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!(claimed[0].chat, ben);

    // A chat of another platform with the same id is not the terminal's either, and a
    // holder of a whole platform and a single chat takes both.
    let telegram_ana = ChatKey::new(Platform::Telegram, "ana");
    commit_messages(
        &store,
        &AccountRef::new(Platform::Telegram, "ana"),
        &[&telegram_ana, &cleo],
        &lease("nobody", &[Platform::Discord]),
    )
    .await;
    assert!(
        store
            .claim_outbox(&chats_lease("ana-terminal-2", &[&ana]), now(), 10)
            .await
            .expect("claim")
            .is_empty(),
        "telegram:ana is not local:ana"
    );
    let both = OutboxLease {
        chats: vec![cleo.clone()],
        ..lease("telegram-and-cleo", &[Platform::Telegram])
    };
    let mut claimed: Vec<ChatKey> = store
        .claim_outbox(&both, now(), 10)
        .await
        .expect("claim")
        .into_iter()
        .map(|message| message.chat)
        .collect();
    claimed.sort_by_key(|chat| (chat.platform.as_str(), chat.chat_id.clone()));
    assert_eq!(claimed, vec![cleo, telegram_ana]);
}
