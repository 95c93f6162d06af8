//! Matching throughput on pool-shaped graphs: `cargo bench -p matcher`.
//!
//! Each person belongs to a cluster (think "learns Spanish, speaks English"), looks
//! at 60 random people, mostly from their own cluster, scores each pair 1..=1000 and
//! keeps their best 20; the graph is the union of everyone's lists (so average degree
//! up to 40). For each pool size it prints the time to build that graph, the time of
//! the exact matching (wall clock, and CPU time of this thread where Linux reports
//! it: the machine may be shared), pairs and total weight, and a greedy baseline
//! (heaviest edge first) as a percentage of the exact result.
//!
//! Sizes can be chosen with `MATCHER_BENCH_SIZES=10000,100000` (default
//! 10000,100000,300000).

use std::time::{Duration, Instant};

use matcher::synthetic::SplitMix;
use matcher::{Edge, greedy_matching, max_weight_matching};

/// How many candidates each person looks at, and how many they keep.
const LOOKED_AT: usize = 60;
const KEPT: usize = 20;
/// Share of looked-at candidates drawn from the person's own cluster, in percent.
const SAME_CLUSTER_PERCENT: u64 = 85;
/// People per cluster, on average.
const CLUSTER_SIZE: usize = 400;

/// The score of a pair: symmetric, deterministic, 1..=1000.
fn pair_score(seed: u64, a: u32, b: u32) -> i64 {
    let (lo, hi) = (u64::from(a.min(b)), u64::from(a.max(b)));
    1 + (SplitMix::new(seed ^ (lo << 32 | hi)).next_u64() % 1000) as i64
}

/// Builds the union of everyone's best-`KEPT` candidate lists.
fn pool_graph(people: usize, seed: u64) -> Vec<Edge> {
    let mut rng = SplitMix::new(seed);
    let clusters = people.div_ceil(CLUSTER_SIZE).max(1);
    // Uneven cluster sizes: people are assigned by a skewed draw.
    let cluster_of: Vec<u32> = (0..people)
        .map(|_| {
            let a = rng.below(clusters as u64);
            let b = rng.below(clusters as u64);
            a.min(b) as u32
        })
        .collect();
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); clusters];
    for (person, &cluster) in cluster_of.iter().enumerate() {
        members[cluster as usize].push(person as u32);
    }

    let mut pairs: Vec<(u32, u32, i64)> = Vec::with_capacity(people * KEPT);
    let mut candidates: Vec<(i64, u32)> = Vec::with_capacity(LOOKED_AT);
    for person in 0..people as u32 {
        candidates.clear();
        let own = &members[cluster_of[person as usize] as usize];
        for _ in 0..LOOKED_AT {
            let other = if rng.below(100) < SAME_CLUSTER_PERCENT && own.len() > 1 {
                own[rng.below(own.len() as u64) as usize]
            } else {
                rng.below(people as u64) as u32
            };
            if other != person {
                candidates.push((pair_score(seed, person, other), other));
            }
        }
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        candidates.dedup_by_key(|c| c.1);
        for &(score, other) in candidates.iter().take(KEPT) {
            pairs.push((person.min(other), person.max(other), score));
        }
    }
    pairs.sort_unstable();
    pairs.dedup_by_key(|&mut (u, v, _)| (u, v));
    pairs
        .into_iter()
        .map(|(u, v, w)| Edge::new(u, v, w))
        .collect()
}

fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

/// CPU time consumed by this thread so far (Linux), to tell the algorithm's cost
/// apart from waiting for a busy machine.
fn thread_cpu_time() -> Option<Duration> {
    let stats = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stats.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

fn main() {
    let sizes: Vec<usize> = std::env::var("MATCHER_BENCH_SIZES")
        .ok()
        .map(|list| {
            list.split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect()
        })
        .unwrap_or_else(|| vec![10_000, 100_000, 300_000]);

    println!(
        "{:>8} {:>9} {:>8} {:>8} {:>8} {:>9} {:>8} {:>8} {:>12} {:>9} {:>12} {:>10}",
        "people",
        "edges",
        "avg deg",
        "max deg",
        "build s",
        "match s",
        "cpu s",
        "pairs",
        "weight",
        "greedy s",
        "greedy wt %",
        "greedy pr %"
    );
    for people in sizes {
        let started = Instant::now();
        let edges = pool_graph(people, 0x5EED ^ people as u64);
        let build = started.elapsed();

        let mut degree = vec![0u32; people];
        for edge in &edges {
            degree[edge.u as usize] += 1;
            degree[edge.v as usize] += 1;
        }
        let max_degree = degree.iter().copied().max().unwrap_or(0);

        let started = Instant::now();
        let cpu_before = thread_cpu_time();
        let matching = match max_weight_matching(people, &edges) {
            Ok(matching) => matching,
            Err(error) => {
                eprintln!("{people} people: refused: {error}");
                continue;
            }
        };
        let solve = started.elapsed();
        let cpu = match (cpu_before, thread_cpu_time()) {
            (Some(before), Some(after)) => format!("{:.3}", seconds(after - before)),
            _ => "-".to_owned(),
        };

        let started = Instant::now();
        let greedy = greedy_matching(people, &edges);
        let greedy_time = started.elapsed();
        let (greedy_pairs, greedy_weight) = (greedy.pair_count(), greedy.total_weight);

        let exact_pairs = matching.pair_count();
        println!(
            "{:>8} {:>9} {:>8.1} {:>8} {:>8.3} {:>9.3} {:>8} {:>8} {:>12} {:>9.3} {:>12.3} {:>10.2}",
            people,
            edges.len(),
            2.0 * edges.len() as f64 / people as f64,
            max_degree,
            seconds(build),
            seconds(solve),
            cpu,
            exact_pairs,
            matching.total_weight,
            seconds(greedy_time),
            100.0 * greedy_weight as f64 / matching.total_weight as f64,
            100.0 * greedy_pairs as f64 / exact_pairs as f64,
        );
    }
}
