//! The inbox through the store: received updates are kept, oldest first, until their
//! step's commit or `inbox_done` removes them; a commit that does not happen removes
//! nothing, and an update handled before is not taken in again.

use std::sync::Arc;

use bot_core::domain::{AccountRef, ChatKey, Locale, Platform};
use bot_core::storage::{CommitOutcome, InboxUpdate, PersonCommit, Store, UpdateKey};

use lexbot_test_kit::{PeopleStoreExt, TestDb, now};

on_both_backends!(
    updates_wait_in_the_inbox_oldest_first_until_done,
    a_commit_takes_its_updates_out_of_the_inbox_and_only_then,
);

fn received(id: u32) -> InboxUpdate {
    InboxUpdate {
        id: id.to_string(),
        // Quotes, a backslash and non-ASCII text, as real updates carry them.
        payload: format!(r#"{{"update_id":{id},"message":{{"text":"«привет» \"{id}\" \\ 🎸"}}}}"#),
    }
}

fn key(id: u32) -> UpdateKey {
    UpdateKey {
        platform: Platform::Telegram,
        id: id.to_string(),
    }
}

async fn pending_ids(store: &dyn Store, platform: Platform) -> Vec<String> {
    store
        .inbox_pending(platform, 100)
        .await
        .expect("pending")
        .into_iter()
        .map(|update| update.id)
        .collect()
}

async fn updates_wait_in_the_inbox_oldest_first_until_done(store: Arc<dyn Store>, _db: &TestDb) {
    store
        .inbox_put(
            Platform::Telegram,
            &[received(100), received(9), received(11), received(10)],
            now(),
        )
        .await
        .expect("put");
    // Ids order numerically, not as text.
    let pending = store
        .inbox_pending(Platform::Telegram, 100)
        .await
        .expect("pending");
    assert_eq!(
        pending,
        vec![received(9), received(10), received(11), received(100)]
    );
    let first_two = store
        .inbox_pending(Platform::Telegram, 2)
        .await
        .expect("pending");
    assert_eq!(first_two, vec![received(9), received(10)]);
    assert!(pending_ids(&*store, Platform::Discord).await.is_empty());

    // Received again (Telegram redelivers what was not confirmed): kept once, unchanged.
    let mut changed = received(10);
    changed.payload = r#"{"update_id":10}"#.into();
    store
        .inbox_put(Platform::Telegram, &[changed, received(12)], now())
        .await
        .expect("put again");
    assert_eq!(
        store
            .inbox_pending(Platform::Telegram, 100)
            .await
            .expect("pending"),
        vec![
            received(9),
            received(10),
            received(11),
            received(12),
            received(100)
        ]
    );

    store
        .inbox_done(&[key(10), key(100), key(404)])
        .await
        .expect("done");
    store.inbox_done(&[]).await.expect("nothing done");
    assert_eq!(
        pending_ids(&*store, Platform::Telegram).await,
        ["9", "11", "12"]
    );
}

async fn a_commit_takes_its_updates_out_of_the_inbox_and_only_then(
    store: Arc<dyn Store>,
    _db: &TestDb,
) {
    let user = format!("inbox-{}", uuid::Uuid::new_v4().simple());
    let chat = ChatKey::new(Platform::Telegram, user.clone());
    let person = store
        .person_for_account(
            &AccountRef::new(Platform::Telegram, user),
            Locale::En,
            now(),
        )
        .await
        .expect("person");
    store
        .inbox_put(
            Platform::Telegram,
            &[received(1), received(2), received(3)],
            now(),
        )
        .await
        .expect("put");
    let commit = |version: i64, processed: Vec<UpdateKey>| PersonCommit {
        processed,
        ..crate::timers::commit(person, version, &chat, "idle", Vec::new(), Vec::new())
    };

    // A stale step commits nothing, so its update stays to be stepped again.
    let outcomes = store
        .commit_batch(&[commit(7, vec![key(1)])], None)
        .await
        .expect("stale batch");
    assert_eq!(outcomes, vec![CommitOutcome::Conflict]);
    assert_eq!(
        pending_ids(&*store, Platform::Telegram).await,
        ["1", "2", "3"]
    );

    let outcomes = store
        .commit_batch(&[commit(0, vec![key(1), key(2)])], None)
        .await
        .expect("batch");
    assert!(
        matches!(outcomes[..], [CommitOutcome::Committed { .. }]),
        "{outcomes:?}"
    );
    assert_eq!(pending_ids(&*store, Platform::Telegram).await, ["3"]);

    // Telegram delivering a handled update again does not bring it back.
    store
        .inbox_put(Platform::Telegram, &[received(1), received(3)], now())
        .await
        .expect("redelivery");
    assert_eq!(pending_ids(&*store, Platform::Telegram).await, ["3"]);
}
