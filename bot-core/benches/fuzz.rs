//! The long fuzz: `cargo bench -p bot-core --bench fuzz` sends 1,000,000 events of
//! arbitrary text and mangled, stale or forged button data to every screen the flows
//! reach (`bot_core::fuzzing`, the same generator as the property test), catching panics.
//!
//! `LEXBOT_FUZZ_EVENTS` sets the number of events, `LEXBOT_FUZZ_SEED` the seed (the run
//! is the same for the same seed). Prints events per second, the panics and other
//! failures (an input without an answer, a state that does not survive a save) with
//! the first few inputs that caused them, and exits non-zero if there was any.

use std::backtrace::Backtrace;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use bot_core::fuzzing;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// How many distinct panics (by where they happened) and failures are printed.
const SHOWN: usize = 5;

thread_local! {
    /// Where and why the last panic happened, kept by the panic hook instead of printed.
    static LAST_PANIC: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value.trim().replace('_', "").parse().unwrap_or_else(|_| {
            eprintln!("{name}={value:?} is not a number; using {default}");
            default
        }),
        Err(_) => default,
    }
}

/// A panic: why, on which screen, after which inputs (the last one panicked).
struct Found {
    count: u64,
    message: String,
    screen: String,
    inputs: Vec<bot_core::engine::Input>,
}

fn main() {
    let events = env_number("LEXBOT_FUZZ_EVENTS", 1_000_000);
    let seed = env_number("LEXBOT_FUZZ_SEED", 0x1e7b_0f22);
    panic::set_hook(Box::new(|info| {
        // A byte index inside a character panics in `core::str`, wherever it was cut:
        // the place that matters is the first frame of lexbot's own code.
        let trace = Backtrace::force_capture().to_string();
        let at = trace
            .lines()
            .filter_map(|line| line.trim().strip_prefix("at "))
            .find(|place| {
                !place.starts_with("/rustc/")
                    && !place.contains("/.cargo/")
                    && !place.contains("benches/fuzz.rs")
            })
            .map(str::to_owned)
            .or_else(|| info.location().map(ToString::to_string))
            .unwrap_or_else(|| "somewhere".to_owned());
        let why = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        LAST_PANIC.with(|last| *last.borrow_mut() = Some((at, why)));
    }));

    let started = Instant::now();
    let screens = fuzzing::screens();
    println!(
        "fuzz: {} screens reached in {:.1} s; {events} events, seed {seed:#x}",
        screens.len(),
        started.elapsed().as_secs_f64()
    );

    let mut seed_bytes = [0u8; 32];
    for chunk in seed_bytes.chunks_mut(8) {
        chunk.copy_from_slice(&seed.to_le_bytes());
    }
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = fuzzing::case();
    let mut sent = 0u64;
    let mut panics = 0u64;
    let mut by_place: BTreeMap<String, Found> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut failure_count = 0u64;
    let fuzzing_started = Instant::now();
    while sent < events {
        let case = match strategy.new_tree(&mut runner) {
            Ok(tree) => tree.current(),
            Err(why) => {
                eprintln!("fuzz: the generator failed: {why}");
                std::process::exit(2);
            }
        };
        let mut trace = Vec::new();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| fuzzing::run(&case, &mut trace)));
        sent += trace.len() as u64;
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(violation)) => {
                failure_count += 1;
                if failures.len() < SHOWN {
                    failures.push(violation);
                }
            }
            Err(_) => {
                panics += 1;
                let (at, why) = LAST_PANIC
                    .with(|last| last.borrow_mut().take())
                    .unwrap_or_default();
                by_place
                    .entry(at)
                    .and_modify(|found| found.count += 1)
                    .or_insert_with(|| Found {
                        count: 1,
                        message: why,
                        screen: case.screen.get(screens).name.clone(),
                        inputs: trace,
                    });
            }
        }
    }
    let seconds = fuzzing_started.elapsed().as_secs_f64();
    println!(
        "fuzz: {sent} events in {seconds:.1} s ({:.0} events/s)",
        sent as f64 / seconds.max(f64::EPSILON)
    );
    println!(
        "fuzz: {panics} panics at {} places; {failure_count} other failures",
        by_place.len()
    );
    for (at, found) in by_place.iter().take(SHOWN) {
        println!(
            "\npanic ×{} at {at}: {}\n  screen: {}\n  inputs: {:?}",
            found.count, found.message, found.screen, found.inputs
        );
    }
    for violation in &failures {
        println!(
            "\nfailure: {}\n  screen: {}\n  input: {:?}",
            violation.what, violation.screen, violation.input
        );
    }
    if panics > 0 || failure_count > 0 {
        std::process::exit(1);
    }
}
