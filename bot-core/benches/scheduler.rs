//! Scheduler throughput, delay and memory: `cargo bench -p bot-core --bench scheduler`.
//!
//! For each backend (SQLite in a temp file; PostgreSQL in a fresh database on the server
//! `LEXBOT_TEST_POSTGRES_URL` names, if set), in a process of its own so that its memory
//! high-water mark is its own:
//!
//! 1. setup: `LEXBOT_BENCH_TIMERS` (default 1,000,000) reminder timers spread evenly over
//!    one day, ten per person, each person with a finished profile and the matching
//!    reminders (quiet hours off), written straight into the tables;
//! 2. live: the real scheduler (2 workers, default settings) runs for
//!    `LEXBOT_BENCH_LIVE_SECONDS` (default 60) at the start of that day, on a clock that
//!    runs at real speed: the delay between each timer's due time and the commit of the
//!    step it caused, under the load of a million timers a day;
//! 3. claim only: how fast due timers are fetched (claimed in batches of 512 and leased),
//!    with the whole day due;
//! 4. drain: the clock jumps to the end of the day and the scheduler fires everything
//!    left: claim, engine step (the reminder handler), one commit per batch (timer deleted,
//!    next day's timer written, the reminder queued in the outbox): timers per second;
//! 5. memory: the process's VmHWM from /proc/self/status.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bot_core::content::Content;
use bot_core::domain::{LocalTime, Locale, Practice, Profile, QuietSetting, Timezone, Weekdays};
use bot_core::engine::{Context, Limits, TrainingRules};
use bot_core::i18n::Texts;
use bot_core::runtime::Conversations;
use bot_core::scheduler::{Clock, DELAY_BUCKETS_MS, Scheduler, SchedulerConfig, StatsSnapshot};
use bot_core::storage::{PostgresStore, SqliteStore, Store, TimerLease};
use chrono::{DateTime, SecondsFormat, Utc};
use lexbot_test_kit::{Backend, TestDb, postgres_server};

const REMINDERS_PER_PERSON: usize = 10;
const CHUNK: usize = 10_000;

struct Plan {
    timers: usize,
    live: Duration,
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs a small version quickly.
    let quick = !std::env::args().any(|a| a == "--bench");
    let number = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let plan = Plan {
        timers: number(
            "LEXBOT_BENCH_TIMERS",
            if quick { 20_000 } else { 1_000_000 },
        ) as usize,
        live: Duration::from_secs(number(
            "LEXBOT_BENCH_LIVE_SECONDS",
            if quick { 3 } else { 60 },
        )),
    };
    match std::env::var("LEXBOT_BENCH_BACKEND") {
        Ok(backend) => run_backend(&backend, &plan),
        Err(_) => {
            if quick {
                println!(
                    "(quick run: use `cargo bench -p bot-core --bench scheduler` for the figures)"
                );
            }
            for backend in ["sqlite", "postgres"] {
                if backend == "postgres" && postgres_server().is_none() {
                    println!("postgres: skipped (set LEXBOT_TEST_POSTGRES_URL)");
                    continue;
                }
                // A process per backend, so each memory figure is that backend's alone.
                let status = std::env::current_exe()
                    .and_then(|exe| {
                        std::process::Command::new(exe)
                            .args(std::env::args().skip(1))
                            .env("LEXBOT_BENCH_BACKEND", backend)
                            .status()
                    })
                    .expect("run the bench for one backend");
                assert!(status.success(), "{backend} bench failed");
            }
        }
    }
}

fn run_backend(backend: &str, plan: &Plan) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        match backend {
            "sqlite" => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("bench.db").display());
                let store = SqliteStore::open(&url).await.expect("sqlite store");
                let setup = Instant::now();
                // The bench's own connections for the setup: the store keeps its pool to itself.
                let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite pool");
                fill_sqlite(&pool, plan.timers).await;
                pool.close().await;
                bench(
                    "sqlite (file, WAL)",
                    Arc::new(store),
                    None,
                    plan,
                    setup.elapsed(),
                )
                .await;
            }
            "postgres" => {
                let server = postgres_server().expect("LEXBOT_TEST_POSTGRES_URL");
                let database = TestDb::create(Backend::Postgres)
                    .await
                    .expect("LEXBOT_TEST_POSTGRES_URL");
                let store = PostgresStore::open(database.url())
                    .await
                    .expect("postgres store");
                let setup = Instant::now();
                // The bench's own connections for the setup and the vacuum: the store keeps
                // its pool to itself.
                let pool = sqlx::PgPool::connect(database.url())
                    .await
                    .expect("postgres pool");
                fill_postgres(&pool, plan.timers).await;
                // A Unix socket (host `%2Fvar%2Frun%2Fpostgresql`) skips the TCP stack.
                let label = if server.contains("%2F") {
                    "postgres (unix socket)"
                } else {
                    "postgres (tcp)"
                };
                bench(label, Arc::new(store), Some(pool), plan, setup.elapsed()).await;
                database.close().await;
            }
            other => panic!("unknown backend {other}"),
        }
    });
}

/// The day the timers are spread over.
fn day_start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T00:00:00Z")
        .expect("instant")
        .with_timezone(&Utc)
}

/// Timer number `n` of `total`, spread evenly over the day; consecutive timers belong to
/// different people (person `n % people`).
fn due(n: usize, total: usize) -> DateTime<Utc> {
    let micros = (n as i128 * 86_400_000_000i128 / total as i128) as i64;
    day_start() + chrono::Duration::microseconds(micros)
}

fn person_id(person: usize) -> uuid::Uuid {
    uuid::Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0000 | person as u128)
}

fn profile_json() -> String {
    let mut profile = Profile::new(Locale::En);
    profile.timezone = Some(Timezone::parse("UTC").expect("zone"));
    profile.completed = true;
    serde_json::to_string(&profile).expect("profile serialises")
}

/// Person `person`'s practice record: their ten reminders at their timers' times.
fn practice_json(person: usize, people: usize, total: usize) -> String {
    let mut practice = Practice {
        quiet_hours: QuietSetting::Off,
        ..Practice::default()
    };
    for slot in 0..REMINDERS_PER_PERSON {
        let at = due(slot * people + person, total);
        practice.add_reminder(LocalTime::of(chrono_tz::UTC, at), Weekdays::EVERY_DAY);
    }
    serde_json::to_string(&practice).expect("practice serialises")
}

fn time_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

async fn fill_sqlite(pool: &sqlx::SqlitePool, total: usize) {
    let people = total.div_ceil(REMINDERS_PER_PERSON);
    let profile = profile_json();
    let created = time_text(day_start());
    for chunk in (0..people).collect::<Vec<_>>().chunks(CHUNK) {
        let persons: Vec<serde_json::Value> = chunk
            .iter()
            .map(|p| {
                serde_json::json!([person_id(*p).to_string(), practice_json(*p, people, total)])
            })
            .collect();
        let persons = serde_json::Value::Array(persons).to_string();
        sqlx::query(
            "INSERT INTO persons (id, version, profile, created_at, updated_at) \
             SELECT json_extract(value, '$[0]'), 0, ?1, ?2, ?2 FROM json_each(?3)",
        )
        .bind(&profile)
        .bind(&created)
        .bind(&persons)
        .execute(pool)
        .await
        .expect("persons");
        sqlx::query(
            "INSERT INTO practice (person_id, data, updated_at) \
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), ?1 FROM json_each(?2)",
        )
        .bind(&created)
        .bind(&persons)
        .execute(pool)
        .await
        .expect("practice");
    }
    for chunk in (0..total).collect::<Vec<_>>().chunks(CHUNK) {
        let timers: Vec<serde_json::Value> = chunk
            .iter()
            .map(|n| {
                let person = n % people;
                let slot = n / people;
                serde_json::json!([
                    person_id(person).to_string(),
                    slot.to_string(),
                    time_text(due(*n, total)),
                    person.to_string()
                ])
            })
            .collect();
        sqlx::query(
            "INSERT INTO timers (person_id, kind, key, due_at, platform, chat_id, payload, revision, attempts, created_at) \
             SELECT json_extract(value, '$[0]'), 'reminder', json_extract(value, '$[1]'), json_extract(value, '$[2]'), \
                    'telegram', json_extract(value, '$[3]'), 'null', 0, 0, ?1 FROM json_each(?2)",
        )
        .bind(&created)
        .bind(serde_json::Value::Array(timers).to_string())
        .execute(pool)
        .await
        .expect("timers");
    }
    // The setup's writes are flushed before anything is measured.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await
        .expect("checkpoint");
}

async fn fill_postgres(pool: &sqlx::PgPool, total: usize) {
    let people = total.div_ceil(REMINDERS_PER_PERSON);
    let profile = profile_json();
    for chunk in (0..people).collect::<Vec<_>>().chunks(CHUNK) {
        let ids: Vec<uuid::Uuid> = chunk.iter().map(|p| person_id(*p)).collect();
        let practices: Vec<String> = chunk
            .iter()
            .map(|p| practice_json(*p, people, total))
            .collect();
        sqlx::query(
            "INSERT INTO persons (id, version, profile, created_at, updated_at) \
             SELECT u.id, 0, $1::jsonb, $2, $2 FROM UNNEST($3::uuid[]) AS u(id)",
        )
        .bind(&profile)
        .bind(day_start())
        .bind(&ids)
        .execute(pool)
        .await
        .expect("persons");
        sqlx::query(
            "INSERT INTO practice (person_id, data, updated_at) \
             SELECT u.id, u.data::jsonb, $1 FROM UNNEST($2::uuid[], $3::text[]) AS u(id, data)",
        )
        .bind(day_start())
        .bind(&ids)
        .bind(&practices)
        .execute(pool)
        .await
        .expect("practice");
    }
    for chunk in (0..total).collect::<Vec<_>>().chunks(CHUNK) {
        let mut persons = Vec::with_capacity(chunk.len());
        let mut keys = Vec::with_capacity(chunk.len());
        let mut dues = Vec::with_capacity(chunk.len());
        let mut chats = Vec::with_capacity(chunk.len());
        for n in chunk {
            let person = n % people;
            persons.push(person_id(person));
            keys.push((n / people).to_string());
            dues.push(due(*n, total));
            chats.push(person.to_string());
        }
        sqlx::query(
            "INSERT INTO timers (person_id, kind, key, due_at, platform, chat_id, payload, revision, attempts, created_at) \
             SELECT u.person_id, 'reminder', u.key, u.due_at, 'telegram', u.chat_id, 'null', 0, 0, $1 \
             FROM UNNEST($2::uuid[], $3::text[], $4::timestamptz[], $5::text[]) AS u(person_id, key, due_at, chat_id)",
        )
        .bind(day_start())
        .bind(&persons)
        .bind(&keys)
        .bind(&dues)
        .bind(&chats)
        .execute(pool)
        .await
        .expect("timers");
    }
    sqlx::query("ANALYZE").execute(pool).await.expect("analyze");
    // The setup's writes are flushed before anything is measured (needs a superuser;
    // without one the live figures may include the setup's checkpoint).
    if let Err(error) = sqlx::query("CHECKPOINT").execute(pool).await {
        println!("  (no CHECKPOINT after the setup: {error})");
    }
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

/// `postgres`: the pool, to vacuum away the claim-only phase's two million row versions
/// before the drain (SQLite keeps no old versions).
async fn bench(
    label: &str,
    store: Arc<dyn Store>,
    postgres: Option<sqlx::PgPool>,
    plan: &Plan,
    setup: Duration,
) {
    let people = plan.timers.div_ceil(REMINDERS_PER_PERSON);
    println!(
        "{label}: {} timers over one day for {people} people; setup {:.1?}",
        plan.timers, setup
    );
    let conversations = Conversations::new(store.clone(), Arc::new(context()));

    // Live: a clock at real speed from the start of the day.
    let started = Instant::now();
    let live_clock: Clock = Arc::new(move || {
        day_start() + chrono::Duration::from_std(started.elapsed()).unwrap_or_default()
    });
    let live = Scheduler::new(conversations.clone(), SchedulerConfig::default())
        .with_clock(live_clock)
        .spawn();
    tokio::time::sleep(plan.live).await;
    let stats = live.stats();
    live.shutdown().await;
    let stats = stats.snapshot();
    println!(
        "  live at real speed for {:.0?} (the day's first {:.0?}: ~{:.1} timers/s due): fired {}, \
         delay due -> committed p50 <= {}, p99 <= {}, max <= {}",
        plan.live,
        plan.live,
        plan.timers as f64 / 86_400.0,
        stats.fired,
        bound(&stats, 0.50),
        bound(&stats, 0.99),
        bound(&stats, 1.0),
    );
    let histogram: Vec<String> = DELAY_BUCKETS_MS
        .iter()
        .zip(&stats.delays)
        .filter(|(_, count)| **count > 0)
        .map(|(ms, count)| format!("<={ms}ms: {count}"))
        .collect();
    println!("    delays: {}", histogram.join(", "));

    // Claim only, with the whole day due.
    let end_of_day = day_start() + chrono::Duration::days(1) + chrono::Duration::minutes(1);
    let lease = TimerLease {
        owner: "claim-bench".into(),
        until: end_of_day + chrono::Duration::days(1),
    };
    let claim_started = Instant::now();
    let mut claimed = 0usize;
    loop {
        let batch = store
            .claim_timers(&lease, end_of_day, 512)
            .await
            .expect("claim");
        if batch.is_empty() {
            break;
        }
        claimed += batch.len();
    }
    let claim_time = claim_started.elapsed();
    store
        .release_timer_leases("claim-bench")
        .await
        .expect("release");
    println!(
        "  claim only (batches of 512): {claimed} timers in {claim_time:.1?} = {:.0} timers/s",
        claimed as f64 / claim_time.as_secs_f64()
    );
    if let Some(pool) = &postgres {
        sqlx::query("VACUUM (ANALYZE) timers")
            .execute(pool)
            .await
            .expect("vacuum");
    }

    // Drain: the rest of the day fired as fast as it goes.
    let drain_clock: Clock = Arc::new(move || end_of_day);
    let drain_started = Instant::now();
    let drain = Scheduler::new(conversations.clone(), SchedulerConfig::default())
        .with_clock(drain_clock)
        .spawn();
    while store
        .next_timer_due()
        .await
        .expect("next due")
        .is_some_and(|due| due <= end_of_day)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stats = drain.stats();
    drain.shutdown().await;
    let drain_time = drain_started.elapsed();
    let stats = stats.snapshot();
    println!(
        "  drain (claim + engine step + commit: timer deleted, next day's written, reminder queued in the outbox): \
         {} timers in {drain_time:.1?} = {:.0} timers/s; duplicates {}, failed {}",
        stats.fired,
        stats.fired as f64 / drain_time.as_secs_f64(),
        stats.duplicates,
        stats.failed
    );
    println!("  memory: VmHWM {}", high_water_mark());
    store.close().await;
}

/// The bucket bound holding the `quantile` of delays, as text.
fn bound(stats: &StatsSnapshot, quantile: f64) -> String {
    match stats.delay_at_most(quantile) {
        Some(delay) => format!("{delay:?}"),
        None if stats.fired == 0 => "-".to_owned(),
        None => "> 1 day".to_owned(),
    }
}

fn high_water_mark() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .map(|line| line.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown (no /proc/self/status)".to_owned())
}
