//! The harness: a fake Bot API, a fresh database, and the adapter started the way
//! `lexbot run` starts it; plus a scripted person who waits for the bot's answers.

use std::time::Duration;

use bot_core::app::{Application, ApplicationBuilder};
use bot_core::config::{Secret, Secrets, Settings};
use bot_core::domain::{AccountRef, ChatKey, Locale, Platform, Profile};
use bot_core::outbox::DispatcherConfig;
use bot_core::runtime::Conversations;
use bot_core::storage::LoadedPerson;
use lexbot_test_kit::PeopleStoreExt;
pub use lexbot_test_kit::{Backend, TestDb, backends};
use telegram::TelegramMode;
use telegram::{TelegramAdapter, TelegramOptions};
use telegram_fake_api::{BotMessage, FakeBotApi, FakeConfig, FakeUser};

/// Long enough for a slow CI machine, short enough to fail a hang quickly.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub const WEBHOOK_SECRET: &str = "test_secret-42";

/// How many updates wait in the inbox, read through a store of its own.
pub async fn inbox_len(db: &TestDb) -> usize {
    let store = bot_core::storage::open(db.url()).await.expect("store");
    let pending = store
        .inbox_pending(bot_core::domain::Platform::Telegram, 1_000)
        .await
        .expect("inbox");
    store.close().await;
    pending.len()
}

pub async fn fake(config: FakeConfig) -> FakeBotApi {
    FakeBotApi::start(config).await.expect("fake Bot API")
}

/// The options `lexbot run` would build, pointed at the fake.
pub fn options(fake: &FakeBotApi, mode: TelegramMode) -> TelegramOptions {
    TelegramOptions {
        token: Secret::new(fake.token()),
        api_url: Some(fake.api_url()),
        mode,
        poll_timeout_seconds: 1,
        request_timeout: Duration::from_secs(5),
        webhook_path: "/telegram/webhook".into(),
        webhook_secret: Some(Secret::new(WEBHOOK_SECRET)),
        limits: telegram::free_tier_limits(),
    }
}

/// Quick retries, so fault tests finish in seconds.
pub fn dispatcher() -> DispatcherConfig {
    DispatcherConfig {
        owner: "e2e".into(),
        base_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(500),
        claim_interval: Duration::from_millis(200),
        ..DispatcherConfig::default()
    }
}

/// The settings `lexbot run` would load, on `db`, with the HTTP server on any free port
/// and a scheduler that polls often.
pub fn settings(db: &TestDb) -> Settings {
    let mut settings = Settings::load(None).expect("default settings");
    settings.database.url = db.url().to_owned();
    settings.http.listen = "127.0.0.1:0".into();
    settings.scheduler.poll_interval_ms = 200;
    settings
}

/// The application on `db`, not started yet: a test may prepare its runtime first.
pub async fn builder(db: &TestDb) -> ApplicationBuilder {
    Application::builder(&settings(db), &Secrets::default())
        .await
        .expect("store")
}

/// `builder` started with the Telegram adapter pointed at the fake.
pub async fn start_with(
    fake: &FakeBotApi,
    builder: ApplicationBuilder,
    mode: TelegramMode,
) -> (Application, Conversations) {
    let application = builder
        .dispatcher(dispatcher())
        .adapter(Box::new(TelegramAdapter::new(options(fake, mode))))
        .start()
        .await
        .expect("adapter starts");
    let conversations = application.conversations().clone();
    (application, conversations)
}

/// The whole application on `db`, as `lexbot run` starts it.
pub async fn start(
    fake: &FakeBotApi,
    db: &TestDb,
    mode: TelegramMode,
) -> (Application, Conversations) {
    start_with(fake, builder(db).await, mode).await
}

/// The person behind a Telegram user, as stored (their private chat's dialogue).
pub async fn loaded(conversations: &Conversations, user: &FakeUser) -> LoadedPerson {
    let account = AccountRef::new(Platform::Telegram, user.id.to_string());
    let chat = ChatKey::new(Platform::Telegram, user.id.to_string());
    let store = conversations.store();
    let person = store
        .person_for_account(&account, Locale::En, chrono::Utc::now())
        .await
        .expect("person");
    store
        .load_person(person, &chat)
        .await
        .expect("load")
        .expect("exists")
}

/// The person's stored profile.
pub async fn profile_of(conversations: &Conversations, user: &FakeUser) -> Profile {
    loaded(conversations, user).await.profile
}

/// A person in their private chat with the bot, who acts and then waits for the answer.
pub struct Person {
    pub fake: FakeBotApi,
    pub user: FakeUser,
    /// Bot messages (sends and edits) already looked at.
    seen: usize,
}

impl Person {
    pub fn new(fake: &FakeBotApi, id: i64, language: &str) -> Self {
        Self {
            fake: fake.clone(),
            user: FakeUser::new(id, "Test").with_language(language),
            seen: 0,
        }
    }

    pub fn chat_id(&self) -> i64 {
        self.user.id
    }

    /// Sends `text` and waits for a bot message containing `expect`; returns the texts
    /// of everything the bot sent meanwhile, joined.
    pub async fn say(&mut self, text: &str, expect: &str) -> String {
        self.fake.text(&self.user, text);
        self.wait_for(expect).await
    }

    /// Sends `text` without waiting for an answer (relayed text gets none).
    pub fn say_quietly(&mut self, text: &str) {
        self.fake.text(&self.user, text);
    }

    /// Presses the button labelled `label` (toggle marks aside) on the newest message
    /// that has buttons, and waits for `expect`.
    pub async fn press(&mut self, label: &str, expect: &str) -> String {
        let (message_id, data) = self.button(label);
        self.fake.callback(&self.user, message_id, &data);
        self.wait_for(expect).await
    }

    /// Presses a multi-select option and waits until the same message shows it ticked.
    pub async fn toggle(&mut self, label: &str) {
        let (message_id, data) = self.button(label);
        self.fake.callback(&self.user, message_id, &data);
        let chat = self.chat_id();
        let ticked = "✅ ";
        let label_json = serde_json::to_string(label).unwrap_or_default();
        let label_json = label_json.trim_matches('"').to_owned();
        let shown = self
            .fake
            .wait_until(PATIENCE, |fake| {
                fake.messages_to(chat).iter().any(|m| {
                    m.message_id == message_id
                        && m.reply_markup.as_ref().is_some_and(|markup| {
                            markup.to_string().split("\"text\":\"").any(|button| {
                                button.starts_with(ticked) && button.contains(&label_json)
                            })
                        })
                })
            })
            .await;
        assert!(
            shown,
            "{label} never showed as ticked:\n{}",
            self.transcript()
        );
        self.seen = self.fake.delivered_to(chat).len();
    }

    /// The (message id, callback data) of a button on the newest message with buttons.
    pub fn button(&self, label: &str) -> (i64, String) {
        let messages = self.fake.messages_to(self.chat_id());
        let message: &BotMessage = messages
            .iter()
            .rev()
            .find(|m| m.reply_markup.is_some())
            .unwrap_or_else(|| panic!("no message with buttons:\n{}", self.transcript()));
        let data = self
            .fake
            .button_data(self.chat_id(), message.message_id)
            .into_iter()
            .find(|(text, _)| {
                text.trim_start_matches(['✅', '▫', '\u{fe0f}', ' '])
                    .contains(label)
            })
            .map(|(_, data)| data)
            .unwrap_or_else(|| panic!("no button {label:?}:\n{}", self.transcript()));
        (message.message_id, data)
    }

    /// Waits for a new bot message containing `expect`. Expect text from the LAST message
    /// of a reply: messages to one chat arrive in order, so everything before it is in.
    pub async fn wait_for(&mut self, expect: &str) -> String {
        let chat = self.chat_id();
        let from = self.seen;
        let arrived = self
            .fake
            .wait_until(PATIENCE, |fake| {
                fake.delivered_to(chat)
                    .iter()
                    .skip(from)
                    .any(|d| d.text.contains(expect))
            })
            .await;
        assert!(arrived, "never got {expect:?}:\n{}", self.transcript());
        let delivered = self.fake.delivered_to(chat);
        self.seen = delivered.len();
        delivered[from..]
            .iter()
            .map(|d| d.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Everything the bot sent to this chat, for failure messages.
    pub fn transcript(&self) -> String {
        self.fake
            .delivered_to(self.chat_id())
            .iter()
            .map(|d| format!("[{} #{}] {}", d.method, d.message_id, d.text))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// How many bot messages (sends, not edits) contain `needle`.
    pub fn sends_containing(&self, needle: &str) -> usize {
        self.fake
            .delivered_to(self.chat_id())
            .iter()
            .filter(|d| d.method != "editmessagetext" && d.text.contains(needle))
            .count()
    }
}

/// Waits until `check` holds (polling every 20 ms), or fails after [`PATIENCE`].
pub async fn eventually<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until every queued message was delivered and removed from the outbox.
pub async fn outbox_drained(conversations: &Conversations) {
    let store = conversations.store().clone();
    eventually("the outbox empties", || {
        let store = store.clone();
        async move { store.outbox_stats().await.expect("stats").pending == 0 }
    })
    .await;
}

/// The onboarding of the engine's transcript test, step by step, as `(action, expect)`.
pub enum Act {
    Say(&'static str, &'static str),
    Press(&'static str, &'static str),
    Toggle(&'static str),
}

pub const ONBOARDING: &[Act] = &[
    Act::Say("/start", "Step 1 of 9"),
    Act::Press("English", "Step 2 of 9"),
    Act::Toggle("Spanish"),
    Act::Press("Done", "Step 3 of 9"),
    Act::Say("en, German", "What is your level in English?"),
    Act::Press("B2", "What is your level in German?"),
    Act::Press("A2", "Step 5 of 9"),
    Act::Toggle("Music"),
    Act::Toggle("Travel"),
    Act::Press("Done", "Step 6 of 9"),
    Act::Say("Madrid", "Step 7 of 9"),
    Act::Toggle("Weekday evenings"),
    Act::Toggle("Weekend mornings"),
    Act::Press("Done", "Step 8 of 9"),
    Act::Toggle("Text chat"),
    Act::Toggle("Video calls"),
    Act::Press("Done", "Step 9 of 9"),
    Act::Say("I teach maths in Valencia & love <hiking>.", "Almost done"),
    Act::Press("Confirm", "All set!"),
];

/// Plays `acts` as `person`.
pub async fn play(person: &mut Person, acts: &[Act]) {
    for act in acts {
        match act {
            Act::Say(text, expect) => {
                person.say(text, expect).await;
            }
            Act::Press(label, expect) => {
                person.press(label, expect).await;
            }
            Act::Toggle(label) => person.toggle(label).await,
        }
    }
}

/// Each answer the onboarding waits for arrived exactly once: nothing lost, nothing
/// repeated.
pub fn assert_each_answer_once(person: &Person, context: &str) {
    let transcript = person.transcript();
    for expect in ONBOARDING.iter().filter_map(|act| match act {
        Act::Say(_, expect) | Act::Press(_, expect) => Some(*expect),
        Act::Toggle(_) => None,
    }) {
        assert_eq!(
            person.sends_containing(expect),
            1,
            "{context}: {expect:?} must arrive exactly once\n{transcript}"
        );
    }
}
