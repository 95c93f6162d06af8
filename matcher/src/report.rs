//! Figures of one wave over a synthetic pool: sizes, times (wall clock and CPU), exact against greedy. Shared by `benches/pool.rs` and `lexbot matcher bench`.
//!
//! The machine the figures come from may be shared, so each phase also reports the CPU
//! time the whole process spent in it (all threads, from `/proc/self/stat`; Linux only,
//! 10 ms ticks): wall time above CPU time means waiting for a core, CPU time above
//! wall time means threads ran in parallel.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bot_core::domain::InterestId;
use chrono::{DateTime, Utc};

use crate::candidates::{SearchStats, candidate_graph};
use crate::greedy::greedy_matching;
use crate::pool::Pool;
use crate::synthetic::synthetic_pool;
use crate::wave::{Wave, WaveConfig, WaveError, match_graph, proposed_pairs};

/// What one wave cost and found.
#[derive(Debug, Clone)]
pub struct WaveFigures {
    pub people: usize,
    pub eligible: usize,
    pub languages: usize,
    /// Generating the synthetic people (not part of a wave).
    pub generation: Duration,
    /// Preparing the pool and finding everyone's best K: the candidate graph.
    pub candidates: Timing,
    /// The part of `candidates` spent preparing the pool (`Pool::build`).
    pub preparation: Timing,
    pub matching: Timing,
    pub edges: usize,
    pub pairs: usize,
    pub weight: i128,
    pub greedy_pairs: usize,
    pub greedy_weight: i128,
    pub stats: SearchStats,
}

/// Wall-clock and process CPU time of one phase.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub wall: Duration,
    pub cpu: Option<Duration>,
}

impl Timing {
    fn measure<T>(run: impl FnOnce() -> T) -> (T, Timing) {
        let cpu_before = process_cpu_time();
        let started = Instant::now();
        let value = run();
        let wall = started.elapsed();
        let cpu = match (cpu_before, process_cpu_time()) {
            (Some(before), Some(after)) => after.checked_sub(before),
            _ => None,
        };
        (value, Timing { wall, cpu })
    }

    /// `1.234 s (cpu 2.10 s)`.
    pub fn describe(&self) -> String {
        match self.cpu {
            Some(cpu) => format!(
                "{:.3} s (cpu {:.2} s)",
                self.wall.as_secs_f64(),
                cpu.as_secs_f64()
            ),
            None => format!("{:.3} s", self.wall.as_secs_f64()),
        }
    }
}

/// Generates `people` synthetic people from `seed`, waiting at `now`, and runs one wave
/// over them, measuring each phase.
pub fn synthetic_wave(
    people: usize,
    seed: u64,
    now: DateTime<Utc>,
    interests: &[InterestId],
    config: &WaveConfig,
) -> Result<(Wave, WaveFigures), WaveError> {
    let started = Instant::now();
    let waiting = synthetic_pool(people, seed, now, interests);
    let generation = started.elapsed();

    let (pool, preparation) =
        Timing::measure(|| Pool::build(&waiting, now, config.weights.clone()));
    let pool = pool?;
    let (graph, search) = Timing::measure(|| candidate_graph(&pool, &config.search));
    let candidates = Timing {
        wall: preparation.wall + search.wall,
        cpu: preparation.cpu.zip(search.cpu).map(|(a, b)| a + b),
    };
    let (matching, matching_timing) = Timing::measure(|| match_graph(&graph));
    let matching = matching?;
    let greedy = greedy_matching(graph.vertex_count, &graph.edges);

    let figures = WaveFigures {
        people,
        eligible: (0..pool.len() as u32)
            .filter(|&index| pool.is_eligible(index))
            .count(),
        languages: pool.language_count(),
        generation,
        candidates,
        preparation,
        matching: matching_timing,
        edges: graph.edges.len(),
        pairs: matching.pair_count(),
        weight: matching.total_weight,
        greedy_pairs: greedy.pair_count(),
        greedy_weight: greedy.total_weight,
        stats: graph.stats,
    };
    let pairs = proposed_pairs(&pool, &graph, &matching);
    Ok((
        Wave {
            pool,
            graph,
            matching,
            pairs,
        },
        figures,
    ))
}

impl WaveFigures {
    /// Greedy's weight as a percentage of the exact optimum.
    pub fn greedy_weight_percent(&self) -> f64 {
        percent(self.greedy_weight as f64, self.weight as f64)
    }

    /// Greedy's pair count as a percentage of the exact matching's.
    pub fn greedy_pairs_percent(&self) -> f64 {
        percent(self.greedy_pairs as f64, self.pairs as f64)
    }

    /// A few lines for a person to read.
    pub fn describe(&self) -> String {
        let mut text = String::new();
        let eligible = self.eligible.max(1) as f64;
        let _ = writeln!(
            text,
            "pool: {} people ({} eligible), {} languages; generated in {:.3} s",
            self.people,
            self.eligible,
            self.languages,
            self.generation.as_secs_f64()
        );
        let _ = writeln!(
            text,
            "candidates: {} edges in {} (pool prepared in {}); per eligible person {:.0} reciprocal candidates, {:.0} cells bounded, {:.0} opened, {:.0} people looked at, {:.0} scored",
            self.edges,
            self.candidates.describe(),
            self.preparation.describe(),
            self.stats.reciprocal_candidates as f64 / eligible,
            self.stats.cells_bounded as f64 / eligible,
            self.stats.cells_opened as f64 / eligible,
            self.stats.people_looked_at as f64 / eligible,
            self.stats.pairs_scored as f64 / eligible,
        );
        let _ = writeln!(
            text,
            "exact matching: {} pairs, total weight {} in {}",
            self.pairs,
            self.weight,
            self.matching.describe()
        );
        let _ = writeln!(
            text,
            "greedy: {} pairs ({:.2}% of exact), total weight {} ({:.2}% of exact)",
            self.greedy_pairs,
            self.greedy_pairs_percent(),
            self.greedy_weight,
            self.greedy_weight_percent()
        );
        text
    }
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole == 0.0 {
        100.0
    } else {
        100.0 * part / whole
    }
}

/// CPU time this process has used so far, all threads (Linux; `None` elsewhere).
pub fn process_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    // After the name: state is field 3, utime 14 and stime 15 (1-based, in clock ticks).
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    // Linux reports in USER_HZ, which is 100 on every architecture it supports.
    Some(Duration::from_millis((user + system) * 10))
}
