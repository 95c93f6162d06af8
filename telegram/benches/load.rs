//! Load benchmark: N people onboard at once through the fake Bot API (limits off), with
//! lexbot on SQLite and on PostgreSQL, against a minimal teloxide dialogue bot written
//! like teloxide's own `dialogue.rs` example (InMemStorage, dptree handlers) driven
//! through the same sequence of texts and button presses per person. Then lexbot with
//! Telegram's limits on: delivered messages per second against the configured 30/s, and
//! the 429 count.
//!
//! Every part shares this process's cores with the fake Bot API and the driver. Their
//! share is measured on its own first: a no-op bot (teloxide's raw client, no
//! dispatcher, no state) answers each update with one fixed message, so its CPU per
//! update is what the fake, the driver and the HTTP client cost. Each bot's own CPU per
//! update is its total minus that.
//!
//! `cargo bench -p telegram --bench load` (people: LEXBOT_BENCH_PEOPLE, default 2000;
//! the PostgreSQL part needs LEXBOT_TEST_POSTGRES_URL). A word after `--` runs only the
//! parts whose name contains it: `sqlite`, `postgres`, `teloxide`, `limits` (the no-op
//! baseline runs with every part but `limits`). A part asked for that cannot run makes
//! the bench exit non-zero, after the parts that could.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bot_core::app::Application;
use bot_core::config::{Secret, Secrets, Settings};
use bot_core::outbox::{DispatcherConfig, RateLimits};
use lexbot_test_kit::{Backend, TestDb};
use telegram::TelegramMode;
use telegram::{TelegramAdapter, TelegramOptions};
use telegram_fake_api::{Delivered, FakeBotApi, FakeConfig, FakeUser};
use teloxide::dispatching::dialogue::InMemStorage;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// The allocator `lexbot` itself runs with, for lexbot and the teloxide bot alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One thing a simulated person does.
#[derive(Clone, Debug)]
enum Action {
    Say(&'static str),
    /// Press the button whose label contains this, on the newest message with buttons.
    Press(&'static str),
}

/// The onboarding every simulated person goes through (the engine's transcript test).
const ONBOARDING: &[Action] = &[
    Action::Say("/start"),
    Action::Press("English"),
    Action::Press("Spanish"),
    Action::Press("Done"),
    Action::Say("en, German"),
    Action::Press("B2"),
    Action::Press("Not sure"),
    Action::Press("Music"),
    Action::Press("Travel"),
    Action::Press("Done"),
    Action::Say("Madrid"),
    Action::Press("Weekday evenings"),
    Action::Press("Weekend mornings"),
    Action::Press("Done"),
    Action::Press("Text chat"),
    Action::Press("Video calls"),
    Action::Press("Done"),
    Action::Say("I teach maths in Valencia and love hiking."),
    Action::Press("Confirm"),
];

/// A scripted step as the load driver replays it: what to send and how many bot
/// messages (sends and edits) answer it.
#[derive(Clone, Debug)]
enum Planned {
    Text(String),
    Button(String),
}

struct Plan {
    steps: Vec<(Planned, usize)>,
}

struct Figures {
    label: String,
    people: usize,
    updates: usize,
    seconds: f64,
    p50: Duration,
    p99: Duration,
    /// CPU time of this whole process (bot, fake Bot API and driver) per update.
    cpu_per_update: Option<Duration>,
}

impl Figures {
    fn rate(&self) -> f64 {
        self.updates as f64 / self.seconds
    }

    /// Prints the figures; with `baseline` (the no-op bot's), also the bot's own CPU per
    /// update: its total minus what the fake, the driver and the client cost.
    fn print(&self, baseline: Option<&Figures>) {
        let own = self
            .cpu_per_update
            .zip(baseline.and_then(|b| b.cpu_per_update))
            .map(|(total, shared)| total.as_secs_f64() - shared.as_secs_f64());
        println!(
            "{:<34} {:>6} people {:>7} updates {:>7.2} s {:>9.0} updates/s   p50 {:>7.1} ms   p99 {:>7.1} ms   CPU {}{}",
            self.label,
            self.people,
            self.updates,
            self.seconds,
            self.rate(),
            self.p50.as_secs_f64() * 1000.0,
            self.p99.as_secs_f64() * 1000.0,
            self.cpu_per_update.map_or_else(
                || "unknown".to_owned(),
                |cpu| format!("{:.0} µs/update", cpu.as_secs_f64() * 1e6)
            ),
            own.map_or_else(String::new, |own| format!(" (own {:.0} µs)", own * 1e6))
        );
    }
}

/// CPU time (user and system, all threads) this process has used so far, from
/// `/proc/self/stat`; `None` where that file is missing or unreadable.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; utime and stime are fields 14 and 15.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    // Linux reports them in USER_HZ ticks, 100 per second on every architecture.
    Some(Duration::from_millis((user + system) * 10))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Drives `people` through `plan` at once: each person's next update goes out when the
/// bot's answer to the previous one has fully arrived.
async fn drive(
    fake: &FakeBotApi,
    plan: &Plan,
    people: usize,
    first_id: i64,
    label: &str,
) -> Figures {
    struct PersonState {
        user: FakeUser,
        step: usize,
        waiting: usize,
        keyboard_message: i64,
        sent_at: Instant,
    }
    let mut deliveries = fake.subscribe();
    let mut state: HashMap<i64, PersonState> = HashMap::with_capacity(people);
    let mut latencies = Vec::with_capacity(people * plan.steps.len());
    let started = Instant::now();
    let cpu_at_start = process_cpu();
    for n in 0..people as i64 {
        let user = FakeUser::new(first_id + n, "Load").with_language("en");
        let (first, waiting) = &plan.steps[0];
        if let Planned::Text(text) = first {
            fake.text(&user, text);
        }
        state.insert(
            user.id,
            PersonState {
                user,
                step: 0,
                waiting: *waiting,
                keyboard_message: 0,
                sent_at: Instant::now(),
            },
        );
    }
    let mut finished = 0;
    while finished < people {
        let Some(Delivered {
            chat_id,
            message_id,
            has_keyboard,
            ..
        }) = deliveries.recv().await
        else {
            break;
        };
        let Some(person) = state.get_mut(&chat_id) else {
            continue;
        };
        if has_keyboard {
            person.keyboard_message = message_id;
        }
        person.waiting = person.waiting.saturating_sub(1);
        if person.waiting > 0 {
            continue;
        }
        latencies.push(person.sent_at.elapsed());
        person.step += 1;
        let Some((next, waiting)) = plan.steps.get(person.step) else {
            finished += 1;
            continue;
        };
        person.waiting = *waiting;
        person.sent_at = Instant::now();
        match next {
            Planned::Text(text) => {
                fake.text(&person.user, text);
            }
            Planned::Button(data) => {
                fake.callback(&person.user, person.keyboard_message, data);
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu = process_cpu()
        .zip(cpu_at_start)
        .map(|(end, start)| end.saturating_sub(start));
    latencies.sort_unstable();
    Figures {
        label: label.to_owned(),
        people,
        updates: latencies.len(),
        seconds,
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
        cpu_per_update: cpu.and_then(|cpu| {
            u32::try_from(latencies.len())
                .ok()
                .filter(|&n| n > 0)
                .map(|n| cpu / n)
        }),
    }
}

fn options(fake: &FakeBotApi, limits: RateLimits) -> TelegramOptions {
    TelegramOptions {
        token: Secret::new(fake.token()),
        api_url: Some(fake.api_url()),
        mode: TelegramMode::Polling,
        poll_timeout_seconds: 1,
        request_timeout: Duration::from_secs(30),
        webhook_path: "/telegram/webhook".into(),
        webhook_secret: None,
        limits,
    }
}

async fn lexbot(
    database_url: &str,
    fake: &FakeBotApi,
    limits: RateLimits,
) -> (Application, bot_core::runtime::Conversations) {
    let mut settings = Settings::load(None).expect("settings");
    settings.database.url = database_url.to_owned();
    // Onboarding sets no timers worth firing here; the scheduler would only poll.
    settings.scheduler.enabled = false;
    let dispatcher = DispatcherConfig {
        owner: "bench".into(),
        max_in_flight: 512,
        ..DispatcherConfig::default()
    };
    let application = Application::builder(&settings, &Secrets::default())
        .await
        .expect("store")
        .dispatcher(dispatcher)
        .adapter(Box::new(TelegramAdapter::new(options(fake, limits))))
        .start()
        .await
        .expect("adapter");
    let conversations = application.conversations().clone();
    (application, conversations)
}

/// One person's onboarding, recording how many bot messages answer each step and which
/// button data each press sends (the same for everyone).
async fn calibrate(fake: &FakeBotApi) -> Plan {
    let user = FakeUser::new(1, "Calibration").with_language("en");
    let mut steps = Vec::new();
    let mut seen = 0;
    for action in ONBOARDING {
        let planned = match action {
            Action::Say(text) => {
                fake.text(&user, text);
                Planned::Text((*text).to_owned())
            }
            Action::Press(label) => {
                let messages = fake.messages_to(user.id);
                let message = messages
                    .iter()
                    .rev()
                    .find(|m| m.reply_markup.is_some())
                    .expect("a keyboard");
                let data = fake
                    .button_data(user.id, message.message_id)
                    .into_iter()
                    .find(|(text, _)| text.contains(label))
                    .map(|(_, data)| data)
                    .expect("the button");
                fake.callback(&user, message.message_id, &data);
                Planned::Button(data)
            }
        };
        // Quiet for a while = the whole answer is in.
        let mut count = fake.delivered_to(user.id).len();
        loop {
            tokio::time::sleep(Duration::from_millis(150)).await;
            let now = fake.delivered_to(user.id).len();
            if now == count && now > seen {
                break;
            }
            count = now;
        }
        steps.push((planned, count - seen));
        seen = count;
    }
    Plan { steps }
}

// ---- the teloxide dialogue bot, written like teloxide's examples/dialogue.rs, with the
// buttons handled the way examples/purchase.rs does, so it answers the same mix of text
// and button presses as lexbot's onboarding (every press answered, as Telegram needs) ----

type MyDialogue = Dialogue<State, InMemStorage<State>>;
type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

#[derive(Clone, Default)]
pub enum State {
    #[default]
    Start,
    ReceiveFullName,
    ReceiveAge {
        full_name: String,
    },
    ReceiveLocation {
        full_name: String,
        age: String,
    },
}

fn next_button() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Next", "next")]])
}

/// The dialogue's transition: what to ask next and the state after `answer`.
fn advance(state: State, answer: &str) -> (String, State) {
    match state {
        State::Start => (
            "Let's start! What's your full name?".into(),
            State::ReceiveFullName,
        ),
        State::ReceiveFullName => (
            "How old are you?".into(),
            State::ReceiveAge {
                full_name: answer.into(),
            },
        ),
        State::ReceiveAge { full_name } => (
            "What's your location?".into(),
            State::ReceiveLocation {
                full_name,
                age: answer.into(),
            },
        ),
        // Round again, so a conversation can be as long as lexbot's onboarding.
        State::ReceiveLocation { full_name, age } => (
            format!("Full name: {full_name}\nAge: {age}\nLocation: {answer}"),
            State::ReceiveFullName,
        ),
    }
}

async fn receive_message(
    bot: Bot,
    dialogue: MyDialogue,
    state: State,
    msg: Message,
) -> HandlerResult {
    let Some(text) = msg.text() else {
        bot.send_message(msg.chat.id, "Send me plain text.").await?;
        return Ok(());
    };
    let (question, next) = advance(state, text);
    bot.send_message(msg.chat.id, question)
        .reply_markup(next_button())
        .await?;
    dialogue.update(next).await?;
    Ok(())
}

async fn receive_button(
    bot: Bot,
    dialogue: MyDialogue,
    state: State,
    q: CallbackQuery,
) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).await?;
    let answer = q.data.unwrap_or_default();
    let (question, next) = advance(state, &answer);
    bot.send_message(dialogue.chat_id(), question)
        .reply_markup(next_button())
        .await?;
    dialogue.update(next).await?;
    Ok(())
}

async fn teloxide_dialogue_bot(fake: &FakeBotApi) -> tokio::task::JoinHandle<()> {
    let bot = Bot::new(fake.token()).set_api_url(fake.api_url());
    let handler = dptree::entry()
        .branch(
            Update::filter_message()
                .enter_dialogue::<Message, InMemStorage<State>, State>()
                .endpoint(receive_message),
        )
        .branch(
            Update::filter_callback_query()
                .enter_dialogue::<CallbackQuery, InMemStorage<State>, State>()
                .endpoint(receive_button),
        );
    let mut dispatcher = Dispatcher::builder(bot, handler)
        .dependencies(dptree::deps![InMemStorage::<State>::new()])
        .build();
    tokio::spawn(async move { dispatcher.dispatch().await })
}

/// The floor every bot here stands on: updates read with getUpdates and each answered
/// with one fixed message through teloxide's raw client, concurrently, with no
/// dispatcher, state or storage.
async fn no_op_bot(fake: &FakeBotApi) -> tokio::task::JoinHandle<()> {
    let bot = Bot::new(fake.token()).set_api_url(fake.api_url());
    tokio::spawn(async move {
        let mut offset = 0;
        loop {
            let updates = match bot.get_updates().offset(offset).timeout(1).await {
                Ok(updates) => updates,
                Err(error) => {
                    eprintln!("no-op bot: getUpdates failed: {error}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            for update in updates {
                offset = update.id.as_offset();
                let Some(chat) = update.chat() else { continue };
                let bot = bot.clone();
                let chat = chat.id;
                tokio::spawn(async move {
                    if let Err(error) = bot
                        .send_message(chat, "ok")
                        .reply_markup(next_button())
                        .await
                    {
                        eprintln!("no-op bot: sendMessage failed: {error}");
                    }
                });
            }
        }
    })
}

fn fast_fake() -> FakeConfig {
    FakeConfig {
        enforce_limits: false,
        record_calls: false,
        max_long_poll: Duration::from_millis(100),
        ..FakeConfig::default()
    }
}

#[tokio::main]
async fn main() {
    let people: usize = std::env::var("LEXBOT_BENCH_PEOPLE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    // `cargo bench` passes `--bench`; any other word picks the parts to run.
    let only = std::env::args().skip(1).find(|arg| !arg.starts_with('-'));
    let runs = |part: &str| only.as_deref().is_none_or(|only| part.contains(only));
    let dir = tempfile::tempdir().expect("temp dir");

    // The plan: one calibration person on a throwaway database.
    let plan = {
        let fake = FakeBotApi::start(fast_fake()).await.expect("fake");
        let url = format!("sqlite://{}", dir.path().join("calibration.db").display());
        let (running, conversations) = lexbot(&url, &fake, RateLimits::unlimited()).await;
        let plan = calibrate(&fake).await;
        running.shutdown().await;
        conversations.store().close().await;
        plan
    };
    let per_person = plan.steps.len();
    println!(
        "conversation: {per_person} updates per person ({} bot messages)",
        plan.steps.iter().map(|(_, n)| n).sum::<usize>()
    );

    // The same mix of texts and presses, one message answering each: the no-op bot's
    // and the teloxide bot's plan.
    let one_answer_plan = Plan {
        steps: plan
            .steps
            .iter()
            .enumerate()
            .map(|(n, (planned, _))| {
                let step = match planned {
                    Planned::Text(_) if n == 0 => Planned::Text("Hey".into()),
                    Planned::Text(_) => Planned::Text(format!("answer {n}")),
                    Planned::Button(_) => Planned::Button("next".into()),
                };
                (step, 1)
            })
            .collect(),
    };
    let mut could_not_run: Vec<String> = Vec::new();
    let baseline = if runs("sqlite") || runs("postgres") || runs("teloxide") {
        let fake = FakeBotApi::start(fast_fake()).await.expect("fake");
        let bot = no_op_bot(&fake).await;
        let figures = drive(
            &fake,
            &one_answer_plan,
            people,
            50_000_000,
            "no-op bot (fake + driver + client)",
        )
        .await;
        figures.print(None);
        bot.abort();
        Some(figures)
    } else {
        None
    };
    let baseline = baseline.as_ref();

    let mut results = Vec::new();
    if runs("sqlite") {
        let fake = FakeBotApi::start(fast_fake()).await.expect("fake");
        let url = format!("sqlite://{}", dir.path().join("load.db").display());
        let (running, conversations) = lexbot(&url, &fake, RateLimits::unlimited()).await;
        let figures = drive(&fake, &plan, people, 10_000_000, "lexbot, SQLite (durable)").await;
        figures.print(baseline);
        results.push(figures);
        running.shutdown().await;
        conversations.store().close().await;
    }
    let postgres = if runs("postgres") {
        let database = TestDb::create(Backend::Postgres).await;
        if database.is_none() {
            could_not_run.push(format!(
                "postgres: {} is not set",
                lexbot_test_kit::POSTGRES_URL_VAR
            ));
        }
        database
    } else {
        None
    };
    if let Some(database) = postgres {
        let fake = FakeBotApi::start(fast_fake()).await.expect("fake");
        let (running, conversations) = lexbot(database.url(), &fake, RateLimits::unlimited()).await;
        let figures = drive(
            &fake,
            &plan,
            people,
            20_000_000,
            "lexbot, PostgreSQL (durable)",
        )
        .await;
        figures.print(baseline);
        results.push(figures);
        running.shutdown().await;
        conversations.store().close().await;
        drop(database);
    }
    if runs("teloxide") {
        let fake = FakeBotApi::start(fast_fake()).await.expect("fake");
        let bot = teloxide_dialogue_bot(&fake).await;
        let figures = drive(
            &fake,
            &one_answer_plan,
            people,
            30_000_000,
            "teloxide dialogue, InMemStorage",
        )
        .await;
        figures.print(baseline);
        bot.abort();
        let own = |f: &Figures| {
            f.cpu_per_update
                .zip(baseline.and_then(|b| b.cpu_per_update))
                .map(|(total, shared)| total.as_secs_f64() - shared.as_secs_f64())
        };
        for lexbot in &results {
            let cpu = match (own(lexbot), own(&figures)) {
                (Some(lexbot), Some(teloxide)) if teloxide > 0.0 => {
                    format!("   own CPU per update: {:.2}×", lexbot / teloxide)
                }
                _ => String::new(),
            };
            println!(
                "ratio {:<30} / teloxide InMemStorage: {:.2} updates/s{cpu}",
                lexbot.label,
                lexbot.rate() / figures.rate()
            );
        }
    }
    if runs("limits") {
        limits_on(&plan, &dir).await;
    }
    if !could_not_run.is_empty() {
        for part in &could_not_run {
            eprintln!("could not run {part}");
        }
        std::process::exit(1);
    }
}

/// lexbot with Telegram's limits on, at both ends.
async fn limits_on(plan: &Plan, dir: &tempfile::TempDir) {
    let limited_people = 300;
    let fake = FakeBotApi::start(FakeConfig {
        enforce_limits: true,
        record_calls: false,
        ..FakeConfig::default()
    })
    .await
    .expect("fake");
    let url = format!("sqlite://{}", dir.path().join("limited.db").display());
    let (running, conversations) = lexbot(&url, &fake, telegram::free_tier_limits()).await;
    let start_only = Plan {
        steps: vec![plan.steps[0].clone()],
    };
    let figures = drive(
        &fake,
        &start_only,
        limited_people,
        40_000_000,
        "lexbot, limits on",
    )
    .await;
    let messages = start_only.steps[0].1 * limited_people;
    println!(
        "limits on: {messages} messages to {limited_people} chats in {:.2} s = {:.1} messages/s (configured: 30/s overall, burst 30); 429s: {}; violations: {}",
        figures.seconds,
        messages as f64 / figures.seconds,
        fake.too_many_requests_sent(),
        fake.violations().len()
    );
    for violation in fake.violations() {
        println!("  violation: {violation}");
    }
    running.shutdown().await;
    conversations.store().close().await;
}
