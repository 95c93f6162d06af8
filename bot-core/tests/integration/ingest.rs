//! The inbox protocol without a platform: a batch is in the inbox before `receive`
//! returns, the inbox is stepped at start, a failed step is stepped again after a
//! backoff (and given up past the limit, its chat told), redeliveries leave the inbox,
//! each person's updates are stepped in order, and a webhook's failed update is kept.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bot_core::domain::{AccountRef, ChatKey, Locale, PersonId, Platform};
use bot_core::engine::{Event, Input};
use bot_core::ingest::{Consumer, Decoded, Ingest, IngestSource, MAX_UPDATE_ATTEMPTS, Received};
use bot_core::runtime::{Conversations, Incoming};
use bot_core::storage::{InboxUpdate, Store, UpdateKey};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::scheduler::{conversations, queued_texts};
use lexbot_test_kit::{PeopleStoreExt, TestDb, now};

on_both_backends!(
    a_batch_is_in_the_inbox_before_receive_returns,
    the_inbox_is_stepped_at_start,
    each_persons_updates_are_stepped_in_order,
    a_redelivery_left_in_the_inbox_is_cleared,
    a_failed_step_is_stepped_again_after_a_backoff_while_others_go_on,
    an_update_that_keeps_failing_is_given_up_and_its_chat_told,
    a_webhook_update_whose_step_fails_is_kept_and_stepped_again,
);

/// A payload is `ID USER TEXT`; the text `(ignored)` is an update with nothing to step.
/// Its ack is the update's id.
struct TextSource {
    acks: Arc<Mutex<Vec<String>>>,
}

const IGNORED: &str = "(ignored)";

impl IngestSource for TextSource {
    type Ack = String;

    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    fn decode(&self, payload: &str) -> Result<Decoded<String>, String> {
        let mut parts = payload.splitn(3, ' ');
        let (Some(id), Some(user), Some(text)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("not ID USER TEXT: {payload}"));
        };
        let incoming = (text != IGNORED).then(|| {
            let mut incoming = Incoming::new(
                AccountRef::new(Platform::Telegram, user),
                ChatKey::new(Platform::Telegram, user),
                Event::new(Input::from_text(text)),
            );
            incoming.update = Some(key(id));
            incoming
        });
        Ok(Decoded {
            incoming,
            ack: Some(id.to_owned()),
        })
    }

    fn acknowledge(&self, acks: Vec<String>) {
        self.acks.lock().expect("acks").extend(acks);
    }
}

fn key(id: &str) -> UpdateKey {
    UpdateKey {
        platform: Platform::Telegram,
        id: id.to_owned(),
    }
}

fn payload(id: u32, user: &str, text: &str) -> String {
    format!("{id} {user} {text}")
}

/// An update as an adapter hands it over.
fn update(id: u32, user: &str, text: &str) -> Received<String> {
    let payload = payload(id, user, text);
    let source = TextSource {
        acks: Arc::default(),
    };
    Received {
        decoded: source.decode(&payload).expect("decodes"),
        payload: Some(payload),
    }
}

fn stored(id: u32, user: &str, text: &str) -> InboxUpdate {
    InboxUpdate {
        id: id.to_string(),
        payload: payload(id, user, text),
    }
}

/// The ingest on a text source, the consumer not yet running, and the acks given.
struct Harness {
    ingest: Ingest<TextSource>,
    consumer: Option<Consumer<TextSource>>,
    acks: Arc<Mutex<Vec<String>>>,
    /// Every text stepped, in the order the steps ran.
    stepped: Arc<Mutex<Vec<String>>>,
    stop: watch::Sender<bool>,
}

impl Harness {
    fn new(conversations: &Conversations) -> Self {
        let acks = Arc::<Mutex<Vec<String>>>::default();
        let stepped = Arc::<Mutex<Vec<String>>>::default();
        let record = stepped.clone();
        conversations.before_each_step(Arc::new(move |event| {
            let text = match &event.input {
                Input::Text(text) => text.clone(),
                Input::Command { name, .. } => format!("/{name}"),
                _ => return,
            };
            record.lock().expect("stepped").push(text);
        }));
        let (ingest, consumer) =
            Ingest::new(TextSource { acks: acks.clone() }, conversations.clone());
        Self {
            ingest,
            consumer: Some(consumer),
            acks,
            stepped,
            stop: watch::channel(false).0,
        }
    }

    fn start(&mut self) -> JoinHandle<()> {
        let consumer = self.consumer.take().expect("started once");
        tokio::spawn(consumer.run(self.stop.subscribe()))
    }

    async fn stop(&self, running: JoinHandle<()>) {
        self.stop.send_replace(true);
        running.await.expect("consumer stops");
    }

    fn acks(&self) -> Vec<String> {
        let mut acks = self.acks.lock().expect("acks").clone();
        acks.sort_by_key(|id| id.parse::<u32>().unwrap_or(u32::MAX));
        acks.dedup();
        acks
    }

    fn stepped(&self) -> Vec<String> {
        self.stepped.lock().expect("stepped").clone()
    }

    fn times_stepped(&self, text: &str) -> usize {
        self.stepped()
            .iter()
            .filter(|stepped| *stepped == text)
            .count()
    }
}

async fn inbox_ids(store: &dyn Store) -> Vec<String> {
    store
        .inbox_pending(Platform::Telegram, 1000)
        .await
        .expect("pending")
        .into_iter()
        .map(|update| update.id)
        .collect()
}

/// Waits up to 20 s for `check` to hold.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..400 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

fn chat(user: &str) -> ChatKey {
    ChatKey::new(Platform::Telegram, user)
}

/// Someone who has talked to the bot before, so the database can refuse their commits.
async fn known(conversations: &Conversations, user: &str) -> PersonId {
    let first = Incoming::new(
        AccountRef::new(Platform::Telegram, user),
        chat(user),
        Event::new(Input::from_text("/start")),
    );
    conversations
        .handle(&first, now())
        .await
        .expect("first step");
    conversations
        .store()
        .person_for_account(
            &AccountRef::new(Platform::Telegram, user),
            Locale::En,
            now(),
        )
        .await
        .expect("person")
}

/// Ana has talked to the bot before, and the consumer runs.
async fn ana_known_and_consumer_running(
    store: Arc<dyn Store>,
) -> (PersonId, Harness, JoinHandle<()>) {
    let conversations = conversations(store);
    let ana = known(&conversations, "ana").await;
    let mut harness = Harness::new(&conversations);
    let running = harness.start();
    (ana, harness, running)
}

async fn a_batch_is_in_the_inbox_before_receive_returns(store: Arc<dyn Store>, _db: &TestDb) {
    let conversations = conversations(store.clone());
    let mut harness = Harness::new(&conversations);
    harness
        .ingest
        .receive(vec![
            update(1, "ana", "/start"),
            update(2, "ben", "/start"),
            update(3, "cai", IGNORED),
        ])
        .await
        .expect("stored");
    // Nothing has been stepped yet, and the batch is durable: the adapter may confirm it.
    assert_eq!(
        inbox_ids(&*store).await,
        vec!["1", "2"],
        "the ignored one is not kept"
    );
    assert!(harness.stepped().is_empty());
    assert_eq!(
        harness.acks(),
        vec!["3"],
        "an ignored update is acknowledged at once"
    );

    let running = harness.start();
    eventually(
        "the inbox is empty and every update acknowledged",
        || async { inbox_ids(&*store).await.is_empty() && harness.acks() == vec!["1", "2", "3"] },
    )
    .await;
    for user in ["ana", "ben"] {
        let texts = queued_texts(&*store, &chat(user), now()).await;
        assert!(!texts.is_empty(), "{user} is answered");
    }
    harness.stop(running).await;
}

async fn the_inbox_is_stepped_at_start(store: Arc<dyn Store>, _db: &TestDb) {
    store
        .inbox_put(
            Platform::Telegram,
            &[
                stored(7, "ana", "/start"),
                stored(8, "ben", IGNORED),
                InboxUpdate {
                    id: "9".into(),
                    payload: "unreadable".into(),
                },
            ],
            now(),
        )
        .await
        .expect("put");
    let conversations = conversations(store.clone());
    let mut harness = Harness::new(&conversations);
    let running = harness.start();
    eventually("what the inbox held is stepped", || async {
        inbox_ids(&*store).await == vec!["9"]
    })
    .await;
    assert_eq!(harness.stepped(), vec!["/start"]);
    assert!(!queued_texts(&*store, &chat("ana"), now()).await.is_empty());
    assert_eq!(harness.acks(), vec!["7", "8"]);
    harness.stop(running).await;
    assert_eq!(
        inbox_ids(&*store).await,
        vec!["9"],
        "what cannot be read waits for a build that can"
    );
}

async fn each_persons_updates_are_stepped_in_order(store: Arc<dyn Store>, _db: &TestDb) {
    let conversations = conversations(store.clone());
    let mut harness = Harness::new(&conversations);
    let running = harness.start();
    let mut id = 0;
    let mut sent = Vec::new();
    for round in 0..12 {
        let mut batch = Vec::new();
        for user in ["ana", "ben", "cai"] {
            id += 1;
            let text = format!("{user} {round}");
            sent.push(text.clone());
            batch.push(update(id, user, &text));
        }
        harness.ingest.receive(batch).await.expect("stored");
    }
    eventually("every update is stepped", || async {
        harness.acks().len() == sent.len() && inbox_ids(&*store).await.is_empty()
    })
    .await;
    let stepped = harness.stepped();
    for user in ["ana", "ben", "cai"] {
        let theirs: Vec<&String> = stepped.iter().filter(|t| t.starts_with(user)).collect();
        let expected: Vec<&String> = sent.iter().filter(|t| t.starts_with(user)).collect();
        assert_eq!(theirs, expected, "{user}'s updates in the order received");
    }
    harness.stop(running).await;
}

async fn a_redelivery_left_in_the_inbox_is_cleared(store: Arc<dyn Store>, db: &TestDb) {
    let conversations = conversations(store.clone());
    let mut harness = Harness::new(&conversations);
    let first = update(5, "ana", "/start")
        .decoded
        .incoming
        .expect("an event");
    conversations
        .handle(&first, now())
        .await
        .expect("committed");
    // Received again while its first delivery committed, so its row outlived the commit.
    db.execute(
        "INSERT INTO inbox (platform, update_id, received_at, payload) \
         VALUES ('telegram', '5', '2024-05-01T00:00:00Z', '5 ana /start')",
    )
    .await;
    let running = harness.start();
    eventually("the redelivery leaves the inbox", || async {
        inbox_ids(&*store).await.is_empty()
    })
    .await;
    assert_eq!(harness.stepped(), vec!["/start"], "not stepped again");
    assert_eq!(harness.acks(), vec!["5"]);
    harness.stop(running).await;
}

async fn a_failed_step_is_stepped_again_after_a_backoff_while_others_go_on(
    store: Arc<dyn Store>,
    db: &TestDb,
) {
    let (ana, harness, running) = ana_known_and_consumer_running(store.clone()).await;
    db.refuse_commits_of(ana).await;
    harness
        .ingest
        .receive(vec![update(10, "ana", "/help")])
        .await
        .expect("stored");
    eventually("a replay took the failed update", || async {
        db.count("SELECT COUNT(*) FROM inbox WHERE attempts > 0")
            .await
            > 0
    })
    .await;
    // Meanwhile everyone else is stepped as ever.
    harness
        .ingest
        .receive(vec![update(11, "ben", "/start")])
        .await
        .expect("stored");
    eventually("ben's update commits", || async {
        inbox_ids(&*store).await == vec!["10"]
    })
    .await;
    assert!(!queued_texts(&*store, &chat("ben"), now()).await.is_empty());

    db.accept_commits_again().await;
    eventually("ana's update commits at last", || async {
        inbox_ids(&*store).await.is_empty()
    })
    .await;
    let helps = harness.times_stepped("/help");
    assert!(helps >= 2, "stepped again after its failure: {helps}");
    assert!(store.quarantined(10).await.expect("read").is_empty());
    harness.stop(running).await;
}

async fn an_update_that_keeps_failing_is_given_up_and_its_chat_told(
    store: Arc<dyn Store>,
    db: &TestDb,
) {
    let conversations = conversations(store.clone());
    let ana = known(&conversations, "ana").await;
    let answers_before = queued_texts(&*store, &chat("ana"), now()).await.len();
    db.refuse_commits_of(ana).await;
    store
        .inbox_put(Platform::Telegram, &[stored(20, "ana", "/help")], now())
        .await
        .expect("put");
    // Replays before this process, each ended by a crash.
    for _ in 1..MAX_UPDATE_ATTEMPTS {
        store
            .inbox_replay(Platform::Telegram, 10)
            .await
            .expect("replay");
    }
    let mut harness = Harness::new(&conversations);
    let running = harness.start();
    eventually("the update is given up", || async {
        !store.quarantined(10).await.expect("read").is_empty()
    })
    .await;
    let quarantined = store.quarantined(10).await.expect("read");
    assert_eq!(quarantined[0].key, key("20"));
    assert_eq!(quarantined[0].attempts, MAX_UPDATE_ATTEMPTS + 1);
    assert!(inbox_ids(&*store).await.is_empty());
    assert_eq!(
        harness.stepped(),
        vec!["/help"],
        "stepped on its last allowed attempt, then not again"
    );
    let texts = queued_texts(&*store, &chat("ana"), now()).await;
    assert_eq!(texts.len(), answers_before + 1, "told once: {texts:?}");
    assert!(
        texts
            .last()
            .is_some_and(|text| text.contains("Something went wrong")),
        "{texts:?}"
    );
    harness.stop(running).await;
}

async fn a_webhook_update_whose_step_fails_is_kept_and_stepped_again(
    store: Arc<dyn Store>,
    db: &TestDb,
) {
    let (ana, harness, running) = ana_known_and_consumer_running(store.clone()).await;

    assert!(harness.ingest.step_now(update(30, "ben", "/start")).await);
    assert!(
        inbox_ids(&*store).await.is_empty(),
        "committed, nothing kept"
    );
    assert!(harness.ingest.step_now(update(31, "ben", IGNORED)).await);
    assert_eq!(harness.acks(), vec!["30", "31"]);

    db.refuse_commits_of(ana).await;
    assert!(
        harness.ingest.step_now(update(32, "ana", "/help")).await,
        "durable: kept in the inbox"
    );
    assert_eq!(inbox_ids(&*store).await, vec!["32"]);
    assert_eq!(harness.acks(), vec!["30", "31", "32"]);
    db.accept_commits_again().await;
    eventually("the consumer steps it from the inbox", || async {
        inbox_ids(&*store).await.is_empty()
    })
    .await;
    let helps = harness.times_stepped("/help");
    assert!(helps >= 2, "failed, then stepped again: {helps}");
    harness.stop(running).await;
}
