//! The scheduler's counters and its due-to-fired delay histogram, lock-free so workers
//! never wait on them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::Tick;

/// Upper bounds of the delay histogram's buckets, in milliseconds; a last bucket takes
/// everything longer.
pub const DELAY_BUCKETS_MS: [u64; 20] = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 300_000,
    900_000, 3_600_000, 21_600_000, 86_400_000,
];

#[derive(Debug, Default)]
pub struct SchedulerStats {
    claimed: AtomicU64,
    fired: AtomicU64,
    duplicates: AtomicU64,
    failed: AtomicU64,
    delays: [AtomicU64; DELAY_BUCKETS_MS.len() + 1],
}

/// The counters at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsSnapshot {
    pub claimed: u64,
    pub fired: u64,
    pub duplicates: u64,
    pub failed: u64,
    /// Fired timers per delay bucket ([`DELAY_BUCKETS_MS`], then one for longer).
    pub delays: Vec<u64>,
}

impl SchedulerStats {
    pub(super) fn add(&self, tick: &Tick) {
        let add = |counter: &AtomicU64, n: usize| {
            counter.fetch_add(n as u64, Ordering::Relaxed);
        };
        add(&self.claimed, tick.claimed);
        add(&self.fired, tick.fired);
        add(&self.duplicates, tick.duplicates);
        add(&self.failed, tick.failed);
    }

    pub(super) fn record_delay(&self, delay: chrono::Duration) {
        let millis = u64::try_from(delay.num_milliseconds()).unwrap_or(0);
        let bucket = DELAY_BUCKETS_MS
            .iter()
            .position(|bound| millis <= *bound)
            .unwrap_or(DELAY_BUCKETS_MS.len());
        self.delays[bucket].fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        StatsSnapshot {
            claimed: load(&self.claimed),
            fired: load(&self.fired),
            duplicates: load(&self.duplicates),
            failed: load(&self.failed),
            delays: self.delays.iter().map(load).collect(),
        }
    }
}

impl StatsSnapshot {
    /// The upper bound of the bucket holding the `quantile` (0 to 1) of fired timers'
    /// delays; `None` when nothing fired or it lies beyond the last bound.
    pub fn delay_at_most(&self, quantile: f64) -> Option<Duration> {
        let total: u64 = self.delays.iter().sum();
        if total == 0 {
            return None;
        }
        let wanted = ((total as f64) * quantile.clamp(0.0, 1.0)).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (bucket, count) in self.delays.iter().enumerate() {
            seen += count;
            if seen >= wanted {
                return DELAY_BUCKETS_MS
                    .get(bucket)
                    .map(|ms| Duration::from_millis(*ms));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_land_in_their_buckets_and_quantiles_read_back() {
        let stats = SchedulerStats::default();
        for millis in [0, 3, 3, 3, 40, 40, 40, 40, 40, 2_500] {
            stats.record_delay(chrono::Duration::milliseconds(millis));
        }
        // A clock a little behind the due time counts as no delay, not a panic.
        stats.record_delay(chrono::Duration::milliseconds(-5));
        let snapshot = stats.snapshot();
        assert_eq!(snapshot.delays.iter().sum::<u64>(), 11);
        assert_eq!(snapshot.delays[0], 2);
        assert_eq!(snapshot.delay_at_most(0.1), Some(Duration::from_millis(1)));
        assert_eq!(snapshot.delay_at_most(0.5), Some(Duration::from_millis(50)));
        assert_eq!(
            snapshot.delay_at_most(1.0),
            Some(Duration::from_millis(5_000))
        );
        assert_eq!(
            SchedulerStats::default().snapshot().delay_at_most(0.5),
            None
        );
    }
}
