//! Engine and storage throughput: `cargo bench -p bot-core --bench engine`.
//!
//! Prints (1) pure engine transitions per second over complete onboardings, and
//! (2) onboarding steps per second through the runtime (load, step, atomic commit) with
//! the SQLite store and, when `LEXBOT_TEST_POSTGRES_URL` names a server, a fresh
//! PostgreSQL database on it. People onboard concurrently; each person's steps are
//! sequential, as they are in a chat.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bot_core::content::Content;
use bot_core::domain::{AccountRef, ChatKey, Locale, PersonId, Platform, Practice, Profile};
use bot_core::engine::{
    self, Context, DialogueState, Effect, Event, Input, Limits, PersonView, TrainingRules,
};
use bot_core::i18n::Texts;
use bot_core::runtime::{Conversations, Incoming};
use bot_core::storage;
use chrono::Utc;
use lexbot_test_kit::{Backend, TestDb};

/// One complete onboarding, as a person taps and types it.
fn onboarding() -> Vec<Input> {
    let button = |data: &str| Input::Button(data.to_owned());
    let text = |text: &str| Input::Text(text.to_owned());
    vec![
        Input::Command {
            name: "start".into(),
            args: String::new(),
        },
        button("ui:en"),
        button("nat:es"),
        button("nat:done"),
        text("en, de"),
        button("lvl:en:B2"),
        button("lvl:de:test"),
        button("int:music"),
        button("int:travel"),
        button("int:done"),
        text("Madrid"),
        button("av:wd-evening"),
        button("av:we-morning"),
        button("av:done"),
        button("sty:text"),
        button("sty:done"),
        text("I teach maths in Valencia and love hiking."),
        button("sum:confirm"),
    ]
}

fn context() -> Context {
    Context {
        texts: Texts::embedded().expect("texts"),
        content: Content::embedded().expect("content"),
        limits: Limits::default(),
        training: TrainingRules::default(),
        partnering: bot_core::engine::PartneringRules::default(),
        admins: bot_core::engine::AdminAccounts::default(),
    }
}

fn bench_engine(cx: &Context) {
    let script = onboarding();
    let accounts = [AccountRef::new(Platform::Local, "bench")];
    let practice = Practice::default();
    let now = Utc::now();
    let rounds = 4_000;
    let started = Instant::now();
    let mut transitions = 0usize;
    for _ in 0..rounds {
        let mut profile = Profile::new(Locale::En);
        let mut state = DialogueState::Idle;
        for input in &script {
            let view = PersonView {
                id: PersonId::new_random(),
                created_at: now,
                profile: &profile,
                accounts: &accounts,
                practice: &practice,
            };
            let transition = engine::step(cx, state, &view, &Event::new(input.clone()), now);
            state = transition.state;
            for effect in transition.effects {
                if let Effect::SaveProfile(saved) = effect {
                    profile = saved;
                }
            }
            transitions += 1;
        }
        assert!(
            profile.completed,
            "the bench script must complete an onboarding"
        );
    }
    let elapsed = started.elapsed();
    println!(
        "engine (pure): {transitions} transitions in {:.2?} = {:.0} transitions/s, {:.1} µs each",
        elapsed,
        transitions as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / transitions as f64
    );
}

async fn bench_store(label: &str, url: &str, people: usize) {
    let store = storage::open(url).await.expect("store opens");
    let conversations = Arc::new(Conversations::new(store, Arc::new(context())));
    let script = Arc::new(onboarding());
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(people);
    for n in 0..people {
        let conversations = conversations.clone();
        let script = script.clone();
        tasks.push(tokio::spawn(async move {
            let user = format!("bench-{n}");
            let mut latencies = Vec::with_capacity(script.len());
            for input in script.iter() {
                let incoming = Incoming::new(
                    AccountRef::new(Platform::Local, user.clone()),
                    ChatKey::new(Platform::Local, user.clone()),
                    Event::new(input.clone()),
                );
                let step_started = Instant::now();
                conversations
                    .handle(&incoming, Utc::now())
                    .await
                    .expect("step commits");
                latencies.push(step_started.elapsed());
            }
            latencies
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("task"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "{label}: {people} people × {} steps = {} steps in {:.2?} = {:.0} steps/s ({:.0} onboardings/s); step latency p50 {:.2?}, p99 {:.2?}",
        script.len(),
        latencies.len(),
        elapsed,
        latencies.len() as f64 / elapsed.as_secs_f64(),
        people as f64 / elapsed.as_secs_f64(),
        percentile(0.50),
        percentile(0.99),
    );
    conversations.store().close().await;
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this once quickly.
    let quick = !std::env::args().any(|a| a == "--bench");
    let cx = context();
    if quick {
        println!("(quick run: use `cargo bench -p bot-core --bench engine` for the figures)");
    } else {
        bench_engine(&cx);
    }
    let people = if quick { 20 } else { 500 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        bench_store("sqlite (file, WAL)", &url, people).await;
        match TestDb::create(Backend::Postgres).await {
            Some(database) => {
                bench_store("postgres", database.url(), people).await;
                database.close().await;
            }
            None => println!("postgres: skipped (set LEXBOT_TEST_POSTGRES_URL)"),
        }
    });
}
