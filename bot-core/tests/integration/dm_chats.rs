//! Each account's private chat is stored, never derived from its id (a Discord DM
//! channel has an id of its own): on first contact, when the runtime sees an account
//! write from a new private chat, in the matcher's waiting pool, and after the migration
//! that introduced it (Telegram's and the terminal's accounts get their user id).

use std::sync::Arc;

use bot_core::domain::{AccountRef, ChatKey, Locale, PartnerStatus, PersonId, Platform, Practice};
use bot_core::engine::{ChatKind, Event, Input};
use bot_core::runtime::Incoming;
use bot_core::storage::{CommitOutcome, DmChat, PersonCommit, PersonWrite, Store};

use crate::scheduler::conversations;
use lexbot_test_kit::{MIGRATIONS_TABLE, PeopleStoreExt, TestDb, now};

on_both_backends!(
    a_first_contact_stores_its_private_chat_and_the_pool_carries_it,
    the_runtime_records_a_new_private_chat_and_ignores_groups,
    existing_telegram_accounts_get_their_user_id_as_private_chat,
);

fn discord(user: &str) -> AccountRef {
    AccountRef::new(Platform::Discord, user)
}

fn dm(account: &AccountRef, chat_id: &str) -> DmChat {
    DmChat {
        account: account.clone(),
        chat: ChatKey::new(account.platform, chat_id),
    }
}

async fn dm_chats(store: &dyn Store, person: PersonId) -> Vec<DmChat> {
    store
        .load_person(person, &ChatKey::new(Platform::Local, "any"))
        .await
        .expect("load")
        .expect("exists")
        .dm_chats
}

async fn put_in_queue(store: &dyn Store, person: PersonId) {
    let chat = ChatKey::new(Platform::Local, "any");
    let loaded = store
        .load_person(person, &chat)
        .await
        .expect("load")
        .expect("exists");
    let mut practice = Practice::default();
    practice.partnering.status = PartnerStatus::Waiting { since: now() };
    let write = PersonWrite::Update {
        profile: None,
        dialogues: Vec::new(),
        practice: Some(Box::new(practice)),
    };
    let outcome = store
        .commit_batch(
            &[PersonCommit::new(person, loaded.version, write, now())],
            None,
        )
        .await
        .expect("commit");
    assert!(matches!(outcome[..], [CommitOutcome::Committed { .. }]));
}

async fn a_first_contact_stores_its_private_chat_and_the_pool_carries_it(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    let ana = discord("480011223344556677");
    let ana_dm = dm(&ana, "1190000000000000042");
    let person = store
        .person_for_hashed_account(&ana, None, Some(&ana_dm.chat), Locale::En, now())
        .await
        .expect("person");
    assert_eq!(dm_chats(&*store, person).await, vec![ana_dm.clone()]);

    // Someone met only in a group has no private chat yet; a chat of another platform
    // is never taken for one.
    let ben = discord("480099999999999999");
    let elsewhere = ChatKey::new(Platform::Telegram, "480099999999999999");
    let ben_person = store
        .person_for_hashed_account(&ben, None, Some(&elsewhere), Locale::En, now())
        .await
        .expect("person");
    assert_eq!(dm_chats(&*store, ben_person).await, Vec::new());
    store
        .record_dm_chat(&DmChat {
            account: ben.clone(),
            chat: elsewhere,
        })
        .await
        .expect("record");
    assert_eq!(dm_chats(&*store, ben_person).await, Vec::new());

    // A later contact keeps what is stored; recording moves it.
    let again = store
        .person_for_hashed_account(&ana, None, Some(&dm(&ana, "other").chat), Locale::En, now())
        .await
        .expect("person");
    assert_eq!(again, person);
    assert_eq!(dm_chats(&*store, person).await, vec![ana_dm]);
    let moved = dm(&ana, "1190000000000000077");
    store.record_dm_chat(&moved).await.expect("record");
    assert_eq!(dm_chats(&*store, person).await, vec![moved.clone()]);

    put_in_queue(&*store, person).await;
    put_in_queue(&*store, ben_person).await;
    let pool = store.waiting_pool().await.expect("pool");
    let chats_of = |who: PersonId| {
        pool.iter()
            .find(|entry| entry.person == who)
            .map(|entry| entry.dm_chats.clone())
    };
    assert_eq!(chats_of(person), Some(vec![moved]));
    assert_eq!(chats_of(ben_person), Some(Vec::new()));
}

fn private(account: &AccountRef, chat_id: &str) -> Incoming {
    Incoming::new(
        account.clone(),
        ChatKey::new(account.platform, chat_id),
        Event::new(Input::from_text("/help")),
    )
}

async fn the_runtime_records_a_new_private_chat_and_ignores_groups(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    let conversations = conversations(store.clone());
    let ana = discord("480011223344556677");
    // First met in a server channel: no private chat is known.
    let mut in_group = private(&ana, "guild-channel-7");
    in_group.event.chat = ChatKind::Group {
        private_link: "https://discord.com/users/480011223344556677".into(),
    };
    conversations.handle(&in_group, now()).await.expect("step");
    let person = store
        .person_for_account(&ana, Locale::En, now())
        .await
        .expect("person");
    assert_eq!(dm_chats(&*store, person).await, Vec::new());

    // Then in private: the DM channel is recorded, and stays through more messages.
    conversations
        .handle(&private(&ana, "1190000000000000042"), now())
        .await
        .expect("step");
    let first = dm(&ana, "1190000000000000042");
    assert_eq!(dm_chats(&*store, person).await, vec![first.clone()]);
    conversations.handle(&in_group, now()).await.expect("step");
    assert_eq!(dm_chats(&*store, person).await, vec![first]);

    // A new DM channel replaces it.
    conversations
        .handle(&private(&ana, "1190000000000000077"), now())
        .await
        .expect("step");
    assert_eq!(
        dm_chats(&*store, person).await,
        vec![dm(&ana, "1190000000000000077")]
    );

    // A first contact in private stores its chat with the new account.
    let ben = discord("480099999999999999");
    conversations
        .handle(&private(&ben, "1190000000000000099"), now())
        .await
        .expect("step");
    let ben_person = store
        .person_for_account(&ben, Locale::En, now())
        .await
        .expect("person");
    assert_eq!(
        dm_chats(&*store, ben_person).await,
        vec![dm(&ben, "1190000000000000099")]
    );
    conversations.store().close().await;
}

async fn existing_telegram_accounts_get_their_user_id_as_private_chat(
    store: Arc<dyn Store>,
    db: &TestDb,
) {
    let telegram = AccountRef::new(Platform::Telegram, "700100200");
    let terminal = AccountRef::new(Platform::Local, "ana");
    let on_discord = discord("480011223344556677");
    let mut people = Vec::new();
    for account in [&telegram, &terminal, &on_discord] {
        people.push(
            store
                .person_for_account(account, Locale::En, now())
                .await
                .expect("person"),
        );
    }
    store.close().await;
    // Back to the schema before the migration, as a database of an earlier release.
    db.execute("ALTER TABLE accounts DROP COLUMN dm_chat_id")
        .await;
    let removed = db
        .execute(&format!(
            "DELETE FROM {MIGRATIONS_TABLE} WHERE description = 'dm chats'"
        ))
        .await;
    assert_eq!(removed, 1, "the migration was recorded under its name");

    let migrated = db.open().await;
    assert_eq!(
        dm_chats(&*migrated, people[0]).await,
        vec![dm(&telegram, "700100200")]
    );
    assert_eq!(
        dm_chats(&*migrated, people[1]).await,
        vec![dm(&terminal, "ana")]
    );
    assert_eq!(dm_chats(&*migrated, people[2]).await, Vec::new());
    migrated.close().await;
}
