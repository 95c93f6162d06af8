//! The durable scheduler: claims due timers from the store and fires each as a step of
//! its person through the runtime ([`Conversations::fire_timers`]).
//!
//! A claim is a lease, not a deletion: the timer is deleted by the commit of the step it
//! caused, together with that step's replies, state and next timers. A worker that dies
//! mid-batch leaves its timers to be claimed again when the lease runs out, and a timer
//! fired twice (a lease that ran out while its step was still committing) acts once: the
//! second commit finds it gone and is dropped. Several workers, in one process or many,
//! share the table safely (SKIP LOCKED on PostgreSQL, the single writer on SQLite).
//!
//! A failed firing (the store was unreachable, a kind from a newer build) is released
//! with a backoff and tried again; nothing is ever dropped by the scheduler itself.

mod stats;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::engine::{FiredTimer, TimerKind};
use crate::runtime::{Conversations, RuntimeError, TimerEvent};
use crate::storage::{DueTimer, TimerLease};

pub use stats::{DELAY_BUCKETS_MS, SchedulerStats, StatsSnapshot};

/// Where the scheduler reads the time; tests and benchmarks pass their own.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulerConfig {
    /// This instance's name on its leases, unique per process by default
    pub owner: String,
    /// The most timers claimed (and committed) together.
    pub batch_size: i64,
    /// How long an idle worker waits before looking again (less when a timer is due sooner).
    pub poll_interval: Duration,
    /// How long a claimed timer stays with this instance before others may take it.
    pub lease: Duration,
    /// Workers in this process, each claiming its own batches.
    pub workers: usize,
    /// A failed timer waits `base_backoff` × 2^attempts, at most `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        Self {
            owner: crate::config::process_instance().to_owned(),
            batch_size: 512,
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            workers: 2,
            base_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(3600),
        }
    }
}

/// What one claim-and-fire round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tick {
    pub claimed: usize,
    /// Committed: their steps acted.
    pub fired: usize,
    /// Already fired, moved or cancelled by the time their step committed.
    pub duplicates: usize,
    /// Released to be tried again later.
    pub failed: usize,
}

#[derive(Clone)]
pub struct Scheduler {
    conversations: Conversations,
    config: Arc<SchedulerConfig>,
    clock: Clock,
    stats: Arc<SchedulerStats>,
}

impl Scheduler {
    pub fn new(conversations: Conversations, config: SchedulerConfig) -> Self {
        Self {
            conversations,
            config: Arc::new(config),
            clock: Arc::new(Utc::now),
            stats: Arc::new(SchedulerStats::default()),
        }
    }

    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn stats(&self) -> Arc<SchedulerStats> {
        self.stats.clone()
    }

    /// Claims one batch of timers due now and fires them.
    pub async fn tick(&self) -> Result<Tick, RuntimeError> {
        self.tick_at((self.clock)()).await
    }

    /// Claims one batch of timers due at `now` and fires them with `now` as their time.
    pub async fn tick_at(&self, now: DateTime<Utc>) -> Result<Tick, RuntimeError> {
        let store = self.conversations.store();
        let lease = TimerLease {
            owner: self.config.owner.clone(),
            until: now + chrono_duration(self.config.lease),
        };
        let claimed = store
            .claim_timers(&lease, now, self.config.batch_size)
            .await?;
        let mut tick = Tick {
            claimed: claimed.len(),
            ..Tick::default()
        };
        if !claimed.is_empty() {
            metrics::counter!(crate::telemetry::TIMERS_DUE).increment(claimed.len() as u64);
        }
        let mut firing = Vec::with_capacity(claimed.len());
        let mut events = Vec::with_capacity(claimed.len());
        for timer in claimed {
            match event_for(&timer) {
                Ok(event) => {
                    events.push(event);
                    firing.push(timer);
                }
                Err(reason) => {
                    tracing::error!(timer = timer.id, kind = %timer.kind, %reason, "cannot fire timer");
                    // Perhaps a newer replica knows it: keep it, and look again much later.
                    self.retry_later(&timer, &reason, now, self.config.max_backoff)
                        .await;
                    tick.failed += 1;
                }
            }
        }
        if events.is_empty() {
            self.stats.add(&tick);
            return Ok(tick);
        }
        let results = self.conversations.fire_timers(events, now).await;
        let done_at = (self.clock)();
        let delays = metrics::histogram!(crate::telemetry::TIMER_DELAY);
        for (timer, result) in firing.iter().zip(results) {
            match result {
                Ok(handled) if handled.duplicate => tick.duplicates += 1,
                Ok(_) => {
                    tick.fired += 1;
                    let delay = done_at.signed_duration_since(timer.due_at);
                    self.stats.record_delay(delay);
                    delays.record(delay.to_std().unwrap_or_default().as_secs_f64());
                }
                Err(error) => {
                    tracing::error!(timer = timer.id, kind = %timer.kind, person = %timer.person, %error, "timer step failed");
                    let backoff = self.backoff(timer.attempts);
                    self.retry_later(timer, &error.to_string(), now, backoff)
                        .await;
                    tick.failed += 1;
                }
            }
        }
        self.stats.add(&tick);
        if tick.fired > 0 {
            metrics::counter!(crate::telemetry::TIMERS_FIRED).increment(tick.fired as u64);
        }
        Ok(tick)
    }

    async fn retry_later(
        &self,
        timer: &DueTimer,
        reason: &str,
        now: DateTime<Utc>,
        wait: Duration,
    ) {
        let attempts = timer.attempts.saturating_add(1);
        let not_before = now + chrono_duration(wait);
        if let Err(error) = self
            .conversations
            .store()
            .timer_retry_later(timer.fired_ref(), attempts, not_before, reason)
            .await
        {
            // The lease runs out on its own; the timer is tried again then.
            tracing::error!(timer = timer.id, %error, "could not release a failed timer");
        }
    }

    fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.min(20));
        self.config
            .base_backoff
            .saturating_mul(factor)
            .min(self.config.max_backoff)
    }

    /// Runs `config.workers` workers until the handle is shut down.
    pub fn spawn(self) -> SchedulerHandle {
        let (stop, stopped) = watch::channel(false);
        let tasks = (0..self.config.workers.max(1))
            .map(|_| tokio::spawn(self.clone().work(stopped.clone())))
            .collect();
        SchedulerHandle {
            scheduler: self,
            stop,
            tasks,
        }
    }

    async fn work(self, mut stopped: watch::Receiver<bool>) {
        let peer_messages = self.conversations.peer_messages_written();
        while !*stopped.borrow() {
            let pause = match self.tick().await {
                // A full batch: more are probably due.
                Ok(tick) if tick.claimed as i64 >= self.config.batch_size => Duration::ZERO,
                Ok(_) => self.idle_pause().await,
                Err(error) => {
                    tracing::error!(%error, "scheduler round failed");
                    self.config.poll_interval
                }
            };
            if pause.is_zero() {
                continue;
            }
            tokio::select! {
                _ = stopped.changed() => {}
                () = tokio::time::sleep(pause) => {}
                // A step of this process told someone something: deliver it now.
                () = peer_messages.notified() => {}
            }
        }
    }

    /// Until the next timer is due, at most the poll interval (timers scheduled
    /// meanwhile by other processes are seen within it). A timer already due that this
    /// round did not get is held by another worker or waits after a failure: no reason
    /// to look again before the poll interval.
    async fn idle_pause(&self) -> Duration {
        let poll = self.config.poll_interval;
        match self.conversations.store().next_timer_due().await {
            Ok(Some(due)) => due
                .signed_duration_since((self.clock)())
                .to_std()
                .ok()
                .filter(|until| !until.is_zero())
                .map_or(poll, |until| until.min(poll)),
            Ok(None) => poll,
            Err(error) => {
                tracing::error!(%error, "cannot read the next timer");
                poll
            }
        }
    }
}

/// The running workers of a [`Scheduler`].
pub struct SchedulerHandle {
    scheduler: Scheduler,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl SchedulerHandle {
    pub fn stats(&self) -> Arc<SchedulerStats> {
        self.scheduler.stats()
    }

    /// Stops at once, as a killed process would: its leases run out on their own.
    pub fn abort(self) {
        for task in self.tasks {
            task.abort();
        }
    }

    /// Lets the batches in flight finish, then hands this instance's leases back.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(error) = task.await {
                tracing::error!(%error, "scheduler worker ended abnormally");
            }
        }
        let owner = &self.scheduler.config.owner;
        if let Err(error) = self
            .scheduler
            .conversations
            .store()
            .release_timer_leases(owner)
            .await
        {
            tracing::error!(%error, "could not release the scheduler's leases");
        }
    }
}

/// The event a stored timer becomes, or why it cannot be fired by this build.
fn event_for(timer: &DueTimer) -> Result<TimerEvent, String> {
    let kind = TimerKind::parse(&timer.kind)
        .ok_or_else(|| format!("unknown timer kind `{}`", timer.kind))?;
    let payload = serde_json::from_str(&timer.payload)
        .map_err(|error| format!("payload is not JSON: {error}"))?;
    Ok(TimerEvent {
        person: timer.person,
        chat: timer.chat.clone(),
        timer: FiredTimer {
            kind,
            key: timer.key.clone(),
            due_at: timer.due_at,
            payload,
        },
        fired: timer.fired_ref(),
    })
}

fn chrono_duration(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}
