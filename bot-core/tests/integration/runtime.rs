//! The runtime over a real store: a half-finished onboarding survives a restart, two
//! replicas racing on one person lose no answer, and /delete_me leaves no trace.

use std::sync::Arc;

use bot_core::domain::{AccountRef, ChatKey, Platform};
use bot_core::engine::{Event, Input, Reply};
use bot_core::runtime::{Conversations, Incoming};
use bot_core::storage::Store;

use crate::scheduler::conversations;
use lexbot_test_kit::{TestDb, claim_outbox, now};

on_both_backends!(
    onboarding_resumes_after_a_restart,
    racing_replicas_lose_no_answer,
    delete_me_erases_every_row,
);

fn incoming(user: &str, input: Input) -> Incoming {
    Incoming::new(
        AccountRef::new(Platform::Telegram, user),
        ChatKey::new(Platform::Telegram, user),
        Event::new(input),
    )
}

fn button(data: &str) -> Input {
    Input::Button(data.to_owned())
}

async fn say(conversations: &Conversations, user: &str, input: Input) -> String {
    let replies: Vec<Reply> = conversations
        .handle(&incoming(user, input), now())
        .await
        .expect("step commits");
    replies
        .iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn unique_user() -> String {
    format!("person-{}", uuid::Uuid::new_v4().simple())
}

async fn onboarding_resumes_after_a_restart(store: Arc<dyn Store>, db: &TestDb) {
    let user = unique_user();
    let first = conversations(store.clone());
    say(&first, &user, Input::from_text("/start")).await;
    say(&first, &user, button("ui:en")).await;
    say(&first, &user, button("nat:es")).await;
    say(&first, &user, button("nat:done")).await;
    let asked = say(&first, &user, Input::Text("de".into())).await;
    assert!(asked.contains("What is your level in German?"), "{asked}");
    store.close().await;
    drop(first);

    let reopened = conversations(db.open().await);
    let resumed = say(&reopened, &user, Input::Resume).await;
    assert!(
        resumed.contains("What is your level in German?"),
        "{resumed}"
    );
    let next = say(&reopened, &user, button("lvl:de:B1")).await;
    assert!(next.contains("Step 5 of 9"), "{next}");
    reopened.store().close().await;
}

async fn racing_replicas_lose_no_answer(store: Arc<dyn Store>, _db: &TestDb) {
    // Two replicas share the database but not their in-process locks: only the version
    // check stands between them and a lost update.
    let replica_a = Arc::new(conversations(store.clone()));
    let replica_b = Arc::new(conversations(store.clone()));
    let user = unique_user();
    for input in [
        Input::from_text("/start"),
        button("ui:en"),
        Input::Text("es".into()),
        Input::Text("de".into()),
    ] {
        say(&replica_a, &user, input).await;
    }
    say(&replica_a, &user, button("lvl:de:B1")).await;
    let interests = ["music", "travel", "books", "sport", "science"];
    let mut tasks = Vec::new();
    for (n, interest) in interests.iter().enumerate() {
        let replica = if n % 2 == 0 {
            replica_a.clone()
        } else {
            replica_b.clone()
        };
        let user = user.clone();
        let data = format!("int:{interest}");
        tasks.push(tokio::spawn(async move {
            say(&replica, &user, button(&data)).await
        }));
    }
    for task in tasks {
        task.await.expect("no panic");
    }
    let export = replica_b
        .handle(&incoming(&user, Input::from_text("/export")), now())
        .await
        .expect("export");
    let json: serde_json::Value =
        serde_json::from_str(&export[0].attachment.as_ref().expect("a file").content)
            .expect("JSON");
    let mut chosen: Vec<String> = json["conversation"]["draft"]["interests"]
        .as_array()
        .expect("interests in the draft")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    chosen.sort();
    let mut expected: Vec<String> = interests.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(chosen, expected, "every concurrent toggle must survive");
}

async fn delete_me_erases_every_row(store: Arc<dyn Store>, db: &TestDb) {
    let conversations = conversations(store.clone());
    let user = unique_user();
    let keeper = unique_user();
    say(&conversations, &keeper, Input::from_text("/start")).await;
    for input in [
        Input::from_text("/start"),
        button("ui:en"),
        Input::Text("es".into()),
    ] {
        say(&conversations, &user, input).await;
    }
    let export = conversations
        .handle(&incoming(&user, Input::from_text("/export")), now())
        .await
        .expect("export");
    let json: serde_json::Value =
        serde_json::from_str(&export[0].attachment.as_ref().expect("file").content).expect("JSON");
    let person_id = json["person_id"].as_str().expect("id").to_owned();
    assert!(
        !db.columns_mentioning(&person_id).await.is_empty(),
        "the person is stored before deletion"
    );

    say(&conversations, &user, Input::from_text("/delete_me")).await;
    let done = say(&conversations, &user, button("del:yes")).await;
    assert!(done.contains("Your data is erased"), "{done}");
    assert_eq!(
        db.columns_mentioning(&person_id).await,
        Vec::<String>::new()
    );
    // The goodbye waits in the outbox, about nobody, until it is delivered; the export
    // and every other queued message of theirs went with them.
    assert_eq!(db.columns_mentioning(&user).await, vec!["outbox.chat_id"]);
    let queued = claim_outbox(&*store).await;
    let goodbye: Vec<_> = queued.iter().filter(|m| m.chat.chat_id == user).collect();
    assert_eq!(goodbye.len(), 1, "{goodbye:?}");
    assert_eq!(goodbye[0].person, None);
    assert!(goodbye[0].body.reply().text.contains("Your data is erased"));
    let ids: Vec<i64> = queued.iter().map(|m| m.id).collect();
    store.outbox_delivered(&ids).await.expect("delivered");
    assert_eq!(db.columns_mentioning(&user).await, Vec::<String>::new());
    assert!(
        !db.columns_mentioning(&keeper).await.is_empty(),
        "other people are untouched"
    );

    // Writing again after the erasure is a new first contact, not a resurrection.
    let again = say(&conversations, &user, Input::Text("hello?".into())).await;
    assert!(again.contains("Send /start"), "{again}");
    assert!(db.columns_mentioning(&person_id).await.is_empty());
    conversations.store().close().await;
}
