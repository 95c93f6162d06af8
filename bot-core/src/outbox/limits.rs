//! Rate limits as token buckets: a bucket holds up to `capacity` tokens, refills at
//! `per_second`, and a message may go only when it can take one.

use std::time::{Duration, Instant};

/// A platform's limits: per chat, over all chats, and per group chat.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimits {
    pub per_chat: TokenBucketSpec,
    pub global: TokenBucketSpec,
    pub per_group: TokenBucketSpec,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenBucketSpec {
    pub capacity: f64,
    pub per_second: f64,
}

impl RateLimits {
    /// No limits at all (benchmarks against a fake server).
    pub fn unlimited() -> Self {
        let open = TokenBucketSpec {
            capacity: f64::INFINITY,
            per_second: f64::INFINITY,
        };
        Self {
            per_chat: open,
            global: open,
            per_group: open,
        }
    }
}

impl TokenBucketSpec {
    /// The same rate with a burst a tenth smaller: at least one token less, and never
    /// below one.
    ///
    /// Many messages are in flight at once over all chats, and they reach the platform
    /// with jitter: sent exactly at the edge of the burst, a few would arrive too close
    /// together and count as flooding. The headroom absorbs that jitter and costs
    /// nothing at a steady rate.
    pub fn with_headroom(self) -> Self {
        if !self.capacity.is_finite() || self.capacity <= 1.0 {
            return self;
        }
        let headroom = (self.capacity / 10.0).ceil();
        Self {
            capacity: (self.capacity - headroom).max(1.0),
            ..self
        }
    }
}

#[derive(Debug, Clone)]
pub struct TokenBucket {
    spec: TokenBucketSpec,
    tokens: f64,
    at: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(spec: TokenBucketSpec, now: Instant) -> Self {
        Self {
            spec,
            tokens: spec.capacity,
            at: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        if self.spec.per_second.is_infinite() {
            self.tokens = self.spec.capacity;
        } else {
            let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
            self.tokens = (self.tokens + elapsed * self.spec.per_second).min(self.spec.capacity);
        }
        self.at = now;
    }

    /// How long until a token is available; zero if one is now.
    pub fn wait(&mut self, now: Instant) -> Duration {
        self.refill(now);
        if self.tokens >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - self.tokens) / self.spec.per_second)
        }
    }

    /// Takes a token; call only after [`TokenBucket::wait`] returned zero.
    pub fn take(&mut self, now: Instant) {
        self.refill(now);
        self.tokens -= 1.0;
    }

    /// Full again, so the bucket can be forgotten without loosening the limit.
    pub fn is_full(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens >= self.spec.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(
            TokenBucketSpec {
                capacity: 3.0,
                per_second: 1.0,
            },
            start,
        );
        for _ in 0..3 {
            assert_eq!(bucket.wait(start), Duration::ZERO);
            bucket.take(start);
        }
        let wait = bucket.wait(start);
        assert!(wait > Duration::from_millis(990) && wait <= Duration::from_secs(1));
        let later = start + Duration::from_millis(500);
        assert!(bucket.wait(later) > Duration::from_millis(490));
        assert_eq!(bucket.wait(start + Duration::from_secs(1)), Duration::ZERO);
        assert!(!bucket.is_full(start + Duration::from_secs(1)));
        assert!(bucket.is_full(start + Duration::from_secs(3)));
    }

    #[test]
    fn headroom_trims_the_burst_and_keeps_the_rate() {
        let global = TokenBucketSpec {
            capacity: 30.0,
            per_second: 30.0,
        }
        .with_headroom();
        assert_eq!(global.capacity, 27.0);
        assert_eq!(global.per_second, 30.0);
        let small = TokenBucketSpec {
            capacity: 3.0,
            per_second: 1.0,
        };
        assert_eq!(small.with_headroom().capacity, 2.0);
        let single = TokenBucketSpec {
            capacity: 1.0,
            per_second: 1.0,
        };
        assert_eq!(single.with_headroom(), single);
        let open = RateLimits::unlimited().global;
        assert_eq!(open.with_headroom(), open);
    }

    #[test]
    fn an_unlimited_bucket_never_waits() {
        let now = Instant::now();
        let mut bucket = TokenBucket::new(RateLimits::unlimited().global, now);
        for _ in 0..10_000 {
            assert_eq!(bucket.wait(now), Duration::ZERO);
            bucket.take(now);
        }
    }
}
