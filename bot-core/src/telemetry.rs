//! The metrics lexbot records, through the `metrics` facade: their names, what each
//! means ([`describe`]), and the few handles the hot paths keep so a step costs one
//! atomic add rather than a registry lookup. Without an installed recorder (tests,
//! benchmarks, `lexbot chat`) every call is a no-op; `lexbot run` installs the
//! Prometheus one and serves it at `/metrics`.

use metrics::{Counter, Histogram, Unit};

use crate::domain::Platform;

/// Updates an adapter took in (stored in the inbox, or stepped at once by a webhook).
pub const UPDATES_RECEIVED: &str = "lexbot_updates_received_total";
/// Platform updates stepped by the runtime (each once, redeliveries aside).
pub const UPDATES_STEPPED: &str = "lexbot_updates_stepped_total";
/// How long one engine step took (pure computation, no I/O).
pub const STEP_DURATION: &str = "lexbot_step_duration_seconds";
/// People committed together in one group commit.
pub const COMMIT_BATCH_SIZE: &str = "lexbot_commit_batch_size";
/// Messages written to the outbox by committed steps.
pub const OUTBOX_QUEUED: &str = "lexbot_outbox_queued_total";
/// Messages a platform accepted.
pub const OUTBOX_SENT: &str = "lexbot_outbox_sent_total";
/// Failed deliveries that will be tried again.
pub const OUTBOX_RETRIED: &str = "lexbot_outbox_retried_total";
/// Messages parked as dead.
pub const OUTBOX_DEAD: &str = "lexbot_outbox_dead_total";
/// "Too many requests" answers (429) from a platform.
pub const OUTBOX_RATE_LIMITED: &str = "lexbot_outbox_rate_limited_total";
/// From when a message could first be sent to when its send started.
pub const DISPATCHER_LAG: &str = "lexbot_dispatcher_lag_seconds";
/// Due timers a scheduler worker claimed to fire.
pub const TIMERS_DUE: &str = "lexbot_timers_due_total";
/// Timers whose step committed.
pub const TIMERS_FIRED: &str = "lexbot_timers_fired_total";
/// From a fired timer's due time to its step's commit.
pub const TIMER_DELAY: &str = "lexbot_timer_delay_seconds";
/// One matcher wave, from reading the queue to the offers committed.
pub const WAVE_DURATION: &str = "lexbot_matcher_wave_duration_seconds";
/// Pairs the matcher proposed.
pub const WAVE_PAIRS: &str = "lexbot_matcher_pairs_total";
/// People left unpaired by the last wave (of those who could be paired at all).
pub const WAVE_UNPAIRED: &str = "lexbot_matcher_unpaired";
/// Updates received and not yet stepped, per platform.
pub const INBOX_DEPTH: &str = "lexbot_inbox_depth";
/// People by where they stand, read from the store when `/metrics` is scraped.
pub const PEOPLE: &str = "lexbot_people";
/// Outbox messages by state (pending, dead), read from the store when scraped.
pub const OUTBOX_MESSAGES: &str = "lexbot_outbox_messages";

/// Buckets for durations in seconds: a step takes microseconds, a wave seconds.
pub const SECONDS_BUCKETS: &[f64] = &[
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

/// Buckets for the group commit's size (people).
pub const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// Describes every metric to the installed recorder (call once, after installing it).
pub fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(UPDATES_RECEIVED, "Platform updates taken in by an adapter");
    describe_counter!(UPDATES_STEPPED, "Platform updates stepped by the runtime");
    describe_histogram!(STEP_DURATION, Unit::Seconds, "Time one engine step took");
    describe_histogram!(
        COMMIT_BATCH_SIZE,
        Unit::Count,
        "People committed in one group commit"
    );
    describe_counter!(OUTBOX_QUEUED, "Messages queued in the outbox");
    describe_counter!(OUTBOX_SENT, "Messages a platform accepted");
    describe_counter!(OUTBOX_RETRIED, "Failed deliveries to be tried again");
    describe_counter!(OUTBOX_DEAD, "Messages parked as dead");
    describe_counter!(OUTBOX_RATE_LIMITED, "429 answers from a platform");
    describe_histogram!(
        DISPATCHER_LAG,
        Unit::Seconds,
        "From when a message could be sent to when its send started"
    );
    describe_counter!(TIMERS_DUE, "Due timers claimed for firing");
    describe_counter!(TIMERS_FIRED, "Timers whose step committed");
    describe_histogram!(
        TIMER_DELAY,
        Unit::Seconds,
        "From a timer's due time to its step's commit"
    );
    describe_histogram!(
        WAVE_DURATION,
        Unit::Seconds,
        "One matcher wave, queue read to offers committed"
    );
    describe_counter!(WAVE_PAIRS, "Pairs proposed by the matcher");
    describe_gauge!(
        WAVE_UNPAIRED,
        "People the last wave could have paired but did not"
    );
    describe_gauge!(INBOX_DEPTH, "Updates received and not yet stepped");
    describe_gauge!(PEOPLE, "People by state");
    describe_gauge!(OUTBOX_MESSAGES, "Outbox messages by state");
}

/// The runtime's handles, taken once when it starts (from the recorder installed then).
#[derive(Clone)]
pub(crate) struct RuntimeMetrics {
    pub step_duration: Histogram,
    pub commit_batch_size: Histogram,
}

impl RuntimeMetrics {
    pub fn new() -> Self {
        Self {
            step_duration: metrics::histogram!(STEP_DURATION),
            commit_batch_size: metrics::histogram!(COMMIT_BATCH_SIZE),
        }
    }
}

/// A per-platform counter (`platform` label).
pub fn platform_counter(name: &'static str, platform: Platform) -> Counter {
    metrics::counter!(name, "platform" => platform.as_str())
}
