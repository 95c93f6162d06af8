//! Full waves over synthetic waiting pools: `cargo bench -p matcher --bench pool`.
//!
//! For each pool size it generates a realistic pool (`matcher::synthetic`), prepares
//! it, finds everyone's best 20 candidates, runs the exact matching, and compares a
//! greedy matching of the same graph. Printed per size: candidate-generation time
//! (pool preparation and search) and matching time, each as wall clock and as the
//! process's CPU time (the machine may be shared), edges, exact pairs and total weight,
//! greedy weight and pairs as a percentage of exact, and per eligible person how many
//! reciprocal candidates they have (what scoring every pair would score), how many
//! index cells the search bounded and opened, how many people it looked at and how
//! many it scored exactly.
//!
//! `MATCHER_POOL_SIZES=10000,100000` picks the sizes (default 10000,100000,300000),
//! `MATCHER_POOL_SEED` the seed, `MATCHER_POOL_TOP_K` K (default 20) and
//! `MATCHER_POOL_THREADS` the search threads (default: one per core).

use bot_core::content::Content;
use bot_core::domain::InterestId;
use matcher::report::synthetic_wave;
use matcher::synthetic::reference_now;
use matcher::{SearchConfig, WaveConfig};

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}

fn main() {
    let sizes: Vec<usize> = std::env::var("MATCHER_POOL_SIZES")
        .ok()
        .map(|list| {
            list.split(',')
                .filter_map(|size| size.trim().parse().ok())
                .collect()
        })
        .unwrap_or_else(|| vec![10_000, 100_000, 300_000]);
    let seed = env_number("MATCHER_POOL_SEED").unwrap_or(1);
    let config = WaveConfig {
        search: SearchConfig {
            top_k: env_number("MATCHER_POOL_TOP_K").map_or(20, |k| k as usize),
            threads: env_number("MATCHER_POOL_THREADS").map_or(0, |t| t as usize),
        },
        ..WaveConfig::default()
    };
    let interests: Vec<InterestId> = match Content::embedded() {
        Ok(content) => content
            .interests()
            .map(|interest| interest.id.clone())
            .collect(),
        Err(error) => {
            eprintln!("the embedded content pack does not load: {error}");
            std::process::exit(1);
        }
    };

    println!(
        "seed {seed}, K = {}, now = {}, {} search threads",
        config.search.top_k,
        reference_now(),
        if config.search.threads == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            config.search.threads
        }
    );
    println!(
        "{:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>11} {:>8} {:>8} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "people",
        "eligible",
        "cand s",
        "cand cpu",
        "match s",
        "mtch cpu",
        "edges",
        "pairs",
        "weight",
        "grdy wt%",
        "grdy pr%",
        "recipr",
        "cells",
        "opened",
        "looked",
        "scored"
    );
    for people in sizes {
        let (_, figures) = match synthetic_wave(people, seed, reference_now(), &interests, &config)
        {
            Ok(result) => result,
            Err(error) => {
                eprintln!("{people} people: {error}");
                continue;
            }
        };
        let cpu = |cpu: Option<std::time::Duration>| {
            cpu.map_or("-".to_owned(), |cpu| format!("{:.2}", cpu.as_secs_f64()))
        };
        let per_person = |count: u64| count as f64 / figures.eligible.max(1) as f64;
        eprint!("{}", figures.describe());
        println!(
            "{:>7} {:>7} {:>8.3} {:>8} {:>8.3} {:>8} {:>8} {:>7} {:>11} {:>8.2} {:>8.2} {:>6.0} {:>6.0} {:>6.0} {:>6.0} {:>6.0}",
            figures.people,
            figures.eligible,
            figures.candidates.wall.as_secs_f64(),
            cpu(figures.candidates.cpu),
            figures.matching.wall.as_secs_f64(),
            cpu(figures.matching.cpu),
            figures.edges,
            figures.pairs,
            figures.weight,
            figures.greedy_weight_percent(),
            figures.greedy_pairs_percent(),
            per_person(figures.stats.reciprocal_candidates),
            per_person(figures.stats.cells_bounded),
            per_person(figures.stats.cells_opened),
            per_person(figures.stats.people_looked_at),
            per_person(figures.stats.pairs_scored),
        );
    }
}
