//! The dispatcher: sends queued messages through each platform's sender, oldest first
//! per chat and one at a time per chat (so a chat sees its messages in order), within
//! the platform's rate limits.
//!
//! Outcomes: accepted -> deleted from the queue (batched); 429 -> the whole platform
//! waits `retry_after`, the message is not charged an attempt; network error or 5xx ->
//! retried with exponential backoff and jitter, parked as dead after `max_attempts`;
//! blocked by the person (Telegram 403) -> this and the chat's queued messages are dead
//! and [`OnBlocked`] marks the person unreachable; any other refusal -> dead at once.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::OutboxMessage;
use super::limits::{RateLimits, TokenBucket};
use crate::domain::{ChatKey, PersonId, Platform};
use crate::storage::{OutboxLease, Store};

/// What a platform did with one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Too many requests: the platform asks the whole bot to wait.
    RetryAfter(Duration),
    /// Worth trying again later (network error, timeout, 5xx).
    Transient(String),
    /// Trying again cannot help (a malformed request).
    Permanent(String),
    /// The person blocked the bot or left the chat.
    Blocked(String),
}

/// One platform's way of sending an [`OutboxMessage`]; adapters implement it.
#[async_trait]
pub trait PlatformSender: Send + Sync + 'static {
    fn platform(&self) -> Platform;
    fn limits(&self) -> RateLimits;
    /// Group chats have their own, slower limit.
    fn is_group(&self, chat: &ChatKey) -> bool;
    /// The chats of its platform it sends to, when not all of them: a terminal prints
    /// only its own person's messages, and leaves those of other terminals on the same
    /// database to them.
    fn only_chats(&self) -> Option<Vec<ChatKey>> {
        None
    }
    async fn deliver(&self, message: &OutboxMessage) -> Delivery;
}

/// Told when a person turns out to have blocked the bot.
#[async_trait]
pub trait OnBlocked: Send + Sync + 'static {
    async fn blocked(&self, person: PersonId, chat: ChatKey);
}

#[derive(Debug, Clone)]
pub struct DispatcherConfig {
    /// This instance's name in outbox leases, unique per process
    /// ([`crate::config::process_instance`]): only the holder releases its lease.
    pub owner: String,
    pub max_attempts: u32,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// How long a claimed message stays this instance's without renewal.
    pub lease: Duration,
    /// How often to look for messages other processes queued (or a dead instance left).
    pub claim_interval: Duration,
    /// Sends in flight at once, over all chats.
    pub max_in_flight: usize,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        Self {
            owner: crate::config::process_instance().to_owned(),
            max_attempts: 8,
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            lease: Duration::from_secs(60),
            claim_interval: Duration::from_secs(2),
            max_in_flight: 256,
        }
    }
}

/// Hands messages the runtime just committed straight to the dispatcher, leased to it.
#[derive(Clone)]
pub struct OutboxFeed {
    sender: mpsc::UnboundedSender<Vec<OutboxMessage>>,
    lease: Duration,
    /// The chats the dispatcher's senders send to.
    served: Served,
}

impl OutboxFeed {
    /// The lease new messages are written with (those of the chats the dispatcher
    /// sends to).
    pub fn lease(&self, now: chrono::DateTime<Utc>) -> OutboxLease {
        self.served.lease(self.lease, now)
    }

    /// Hands committed messages to the dispatcher; those of chats it has no sender for
    /// are left to a process that has one (they were not leased).
    pub fn push(&self, mut messages: Vec<OutboxMessage>) {
        messages.retain(|message| self.served.0.serves(&message.chat));
        if !messages.is_empty() {
            // A stopped dispatcher finds them by claiming once its successor starts.
            let _ = self.sender.send(messages);
        }
    }
}

/// The running dispatcher task.
pub struct DispatcherHandle {
    task: tokio::task::JoinHandle<()>,
    stop: Option<oneshot::Sender<()>>,
}

impl DispatcherHandle {
    /// Stops at once, like a killed process: in-flight sends are abandoned.
    pub fn abort(self) {
        self.task.abort();
    }

    /// Stops after the sends in flight finished and their results are saved; queued
    /// messages are released for the next instance.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.task.await;
    }
}

pub struct Dispatcher;

impl Dispatcher {
    pub fn spawn(
        store: Arc<dyn Store>,
        senders: Vec<Arc<dyn PlatformSender>>,
        on_blocked: Arc<dyn OnBlocked>,
        config: DispatcherConfig,
    ) -> (DispatcherHandle, OutboxFeed) {
        let (feed_tx, feed_rx) = mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = oneshot::channel();
        let feed = OutboxFeed {
            sender: feed_tx,
            lease: config.lease,
            served: Served::by(&config.owner, &senders),
        };
        let state = State::new(store, senders, on_blocked, config);
        let task = tokio::spawn(state.run(feed_rx, stop_rx));
        (
            DispatcherHandle {
                task,
                stop: Some(stop_tx),
            },
            feed,
        )
    }
}

struct PlatformState {
    sender: Arc<dyn PlatformSender>,
    limits: RateLimits,
    global: TokenBucket,
    /// Set by a 429: nothing goes to this platform before.
    paused_until: Option<Instant>,
    counters: PlatformCounters,
}

/// A platform's delivery counters ([`crate::telemetry`]), taken once.
struct PlatformCounters {
    sent: metrics::Counter,
    retried: metrics::Counter,
    dead: metrics::Counter,
    rate_limited: metrics::Counter,
}

impl PlatformCounters {
    fn new(platform: Platform) -> Self {
        use crate::telemetry::{
            OUTBOX_DEAD, OUTBOX_RATE_LIMITED, OUTBOX_RETRIED, OUTBOX_SENT, platform_counter,
        };
        Self {
            sent: platform_counter(OUTBOX_SENT, platform),
            retried: platform_counter(OUTBOX_RETRIED, platform),
            dead: platform_counter(OUTBOX_DEAD, platform),
            rate_limited: platform_counter(OUTBOX_RATE_LIMITED, platform),
        }
    }
}

struct ChatQueue {
    messages: VecDeque<OutboxMessage>,
    in_flight: bool,
    /// In `ready` or `timers` already.
    scheduled: bool,
    bucket: TokenBucket,
    group_bucket: Option<TokenBucket>,
}

type SendResult = (ChatKey, OutboxMessage, Delivery);

struct State {
    store: Arc<dyn Store>,
    on_blocked: Arc<dyn OnBlocked>,
    config: DispatcherConfig,
    served: Served,
    platforms: HashMap<Platform, PlatformState>,
    queues: HashMap<ChatKey, ChatQueue>,
    /// Every message id in `queues`, so a claim does not add one twice.
    held: HashSet<i64>,
    ready: VecDeque<ChatKey>,
    timers: BinaryHeap<Reverse<(Instant, u64, ChatKey)>>,
    timer_seq: u64,
    in_flight: JoinSet<SendResult>,
    acks: mpsc::UnboundedSender<i64>,
    ack_task: Option<tokio::task::JoinHandle<()>>,
    /// From a message's `not_before` to the start of its send.
    lag: metrics::Histogram,
}

impl State {
    fn new(
        store: Arc<dyn Store>,
        senders: Vec<Arc<dyn PlatformSender>>,
        on_blocked: Arc<dyn OnBlocked>,
        config: DispatcherConfig,
    ) -> Self {
        let now = Instant::now();
        let served = Served::by(&config.owner, &senders);
        let platforms = senders
            .into_iter()
            .map(|sender| {
                let limits = sender.limits();
                (
                    sender.platform(),
                    PlatformState {
                        global: TokenBucket::new(limits.global.with_headroom(), now.into_std()),
                        limits,
                        counters: PlatformCounters::new(sender.platform()),
                        sender,
                        paused_until: None,
                    },
                )
            })
            .collect();
        let (acks, ack_rx) = mpsc::unbounded_channel();
        let ack_task = tokio::spawn(flush_acks(store.clone(), ack_rx));
        Self {
            store,
            on_blocked,
            config,
            served,
            platforms,
            queues: HashMap::new(),
            held: HashSet::new(),
            ready: VecDeque::new(),
            timers: BinaryHeap::new(),
            timer_seq: 0,
            in_flight: JoinSet::new(),
            acks,
            ack_task: Some(ack_task),
            lag: metrics::histogram!(crate::telemetry::DISPATCHER_LAG),
        }
    }

    async fn run(
        mut self,
        mut feed: mpsc::UnboundedReceiver<Vec<OutboxMessage>>,
        mut stop: oneshot::Receiver<()>,
    ) {
        // Messages this instance held before a restart are free to claim again now. Only
        // its own: an owner name is unique per process unless the config names one, and
        // a configured name says "the same replica as before" (and no other running).
        // What a crashed process of another name held is claimed once its lease runs out.
        if let Err(error) = self.store.release_outbox_lease(&self.config.owner).await {
            tracing::warn!(%error, "could not release the previous outbox lease");
        }
        self.claim().await;
        let mut claim_tick = tokio::time::interval(self.config.claim_interval);
        claim_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let renew_every = self.config.lease / 3;
        let mut renew_tick = tokio::time::interval(renew_every.max(Duration::from_millis(100)));
        renew_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let wake = self.schedule();
            tokio::select! {
                biased;
                _ = &mut stop => break,
                Some(done) = self.in_flight.join_next(), if !self.in_flight.is_empty() => {
                    match done {
                        Ok((chat, message, delivery)) => self.finished(chat, message, delivery).await,
                        Err(error) => tracing::error!(%error, "a send task failed"),
                    }
                }
                Some(messages) = feed.recv() => {
                    for message in messages {
                        self.add(message);
                    }
                    // Take everything already waiting before scheduling.
                    while let Ok(messages) = feed.try_recv() {
                        for message in messages {
                            self.add(message);
                        }
                    }
                }
                _ = sleep_until(wake) => {}
                _ = claim_tick.tick() => self.claim().await,
                _ = renew_tick.tick() => self.renew().await,
            }
        }
        // Graceful stop: finish what is in flight, save the outcomes, free the rest.
        while let Some(done) = self.in_flight.join_next().await {
            if let Ok((chat, message, delivery)) = done {
                self.finished(chat, message, delivery).await;
            }
        }
        drop(self.acks);
        if let Some(task) = self.ack_task.take() {
            let _ = task.await;
        }
        if let Err(error) = self.store.release_outbox_lease(&self.config.owner).await {
            tracing::warn!(%error, "could not release the outbox lease");
        }
    }

    fn add(&mut self, message: OutboxMessage) {
        if !self.served.0.serves(&message.chat) || !self.held.insert(message.id) {
            return;
        }
        let now = Instant::now().into_std();
        let chat = message.chat.clone();
        let queue = self.queues.entry(chat.clone()).or_insert_with(|| {
            let platform = &self.platforms[&chat.platform];
            ChatQueue {
                messages: VecDeque::new(),
                in_flight: false,
                scheduled: false,
                bucket: TokenBucket::new(platform.limits.per_chat, now),
                group_bucket: platform
                    .sender
                    .is_group(&chat)
                    .then(|| TokenBucket::new(platform.limits.per_group, now)),
            }
        });
        // Claimed messages may arrive after fresher ones from the feed: keep id order.
        let at = queue
            .messages
            .iter()
            .rposition(|queued| queued.id < message.id)
            .map_or(0, |i| i + 1);
        let at = if queue.in_flight { at.max(1) } else { at };
        queue.messages.insert(at, message);
        if !queue.in_flight && !queue.scheduled {
            queue.scheduled = true;
            self.ready.push_back(chat);
        }
    }

    /// Starts every send that may go now; returns when to look again.
    fn schedule(&mut self) -> Option<Instant> {
        let now = Instant::now();
        while let Some(Reverse((at, _, _))) = self.timers.peek() {
            if *at > now {
                break;
            }
            if let Some(Reverse((_, _, chat))) = self.timers.pop() {
                self.ready.push_back(chat);
            }
        }
        let mut later = Vec::new();
        while self.in_flight.len() < self.config.max_in_flight {
            let Some(chat) = self.ready.pop_front() else {
                break;
            };
            match self.try_start(&chat, now) {
                Start::Started | Start::Idle => {}
                Start::WaitUntil(at) => later.push((at, chat)),
            }
        }
        for (at, chat) in later {
            self.timer_seq += 1;
            self.timers.push(Reverse((at, self.timer_seq, chat)));
        }
        if !self.ready.is_empty() && self.in_flight.len() < self.config.max_in_flight {
            return Some(now);
        }
        self.timers.peek().map(|Reverse((at, _, _))| *at)
    }

    fn try_start(&mut self, chat: &ChatKey, now: Instant) -> Start {
        let std_now = now.into_std();
        let Some(queue) = self.queues.get_mut(chat) else {
            return Start::Idle;
        };
        let Some(head) = queue.messages.front() else {
            queue.scheduled = false;
            return Start::Idle;
        };
        if queue.in_flight {
            queue.scheduled = false;
            return Start::Idle;
        }
        let not_before = instant_of(head.not_before, now);
        if not_before > now {
            return Start::WaitUntil(not_before);
        }
        let Some(platform) = self.platforms.get_mut(&chat.platform) else {
            return Start::Idle;
        };
        if let Some(until) = platform.paused_until {
            if until > now {
                return Start::WaitUntil(until);
            }
            platform.paused_until = None;
        }
        let wait = queue
            .bucket
            .wait(std_now)
            .max(
                queue
                    .group_bucket
                    .as_mut()
                    .map_or(Duration::ZERO, |b| b.wait(std_now)),
            )
            .max(platform.global.wait(std_now));
        if !wait.is_zero() {
            return Start::WaitUntil(now + wait);
        }
        queue.bucket.take(std_now);
        if let Some(bucket) = queue.group_bucket.as_mut() {
            bucket.take(std_now);
        }
        platform.global.take(std_now);
        queue.in_flight = true;
        queue.scheduled = false;
        let lag = (Utc::now() - head.not_before).to_std().unwrap_or_default();
        self.lag.record(lag.as_secs_f64());
        let message = head.clone();
        let sender = platform.sender.clone();
        let chat = chat.clone();
        self.in_flight.spawn(async move {
            let delivery = sender.deliver(&message).await;
            (chat, message, delivery)
        });
        Start::Started
    }

    async fn finished(&mut self, chat: ChatKey, message: OutboxMessage, delivery: Delivery) {
        let now = Instant::now();
        if let Some(platform) = self.platforms.get(&chat.platform) {
            let counters = &platform.counters;
            match &delivery {
                Delivery::Sent => counters.sent.increment(1),
                Delivery::RetryAfter(_) => counters.rate_limited.increment(1),
                Delivery::Transient(_)
                    if message.attempts.saturating_add(1) < self.config.max_attempts =>
                {
                    counters.retried.increment(1);
                }
                Delivery::Blocked(_) => {
                    let queued = self
                        .queues
                        .get(&chat)
                        .map_or(1, |queue| queue.messages.len());
                    counters.dead.increment(queued as u64);
                }
                Delivery::Transient(_) | Delivery::Permanent(_) => counters.dead.increment(1),
            }
        }
        match delivery {
            Delivery::Sent => {
                let _ = self.acks.send(message.id);
                self.pop(&chat, message.id);
            }
            Delivery::RetryAfter(wait) => {
                tracing::warn!(
                    platform = chat.platform.as_str(),
                    ?wait,
                    "rate limited by the platform"
                );
                if let Some(platform) = self.platforms.get_mut(&chat.platform) {
                    let until = now + wait;
                    platform.paused_until =
                        Some(platform.paused_until.map_or(until, |p| p.max(until)));
                }
            }
            Delivery::Transient(reason) => {
                let attempts = message.attempts.saturating_add(1);
                if attempts >= self.config.max_attempts {
                    tracing::error!(id = message.id, %reason, attempts, "message parked as dead");
                    self.dead(&[message.id], &reason).await;
                    self.pop(&chat, message.id);
                } else {
                    let delay = backoff(&self.config, message.id, attempts);
                    let not_before =
                        Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
                    tracing::warn!(id = message.id, %reason, attempts, ?delay, "delivery failed, retrying later");
                    if let Err(error) = self
                        .store
                        .outbox_retry_later(message.id, attempts, not_before, &reason)
                        .await
                    {
                        tracing::error!(%error, "could not save a retry");
                    }
                    if let Some(head) = self
                        .queues
                        .get_mut(&chat)
                        .and_then(|queue| queue.messages.front_mut())
                        .filter(|head| head.id == message.id)
                    {
                        head.attempts = attempts;
                        head.not_before = not_before;
                    }
                }
            }
            Delivery::Permanent(reason) => {
                tracing::error!(id = message.id, %reason, "message refused, parked as dead");
                self.dead(&[message.id], &reason).await;
                self.pop(&chat, message.id);
            }
            Delivery::Blocked(reason) => {
                // Nothing more can reach this chat: park all of it.
                let ids: Vec<i64> = self
                    .queues
                    .get(&chat)
                    .map(|queue| queue.messages.iter().map(|m| m.id).collect())
                    .unwrap_or_default();
                self.dead(&ids, &reason).await;
                for id in &ids {
                    self.held.remove(id);
                }
                if let Some(queue) = self.queues.get_mut(&chat) {
                    queue.messages.clear();
                }
                if let Some(person) = message.person {
                    let on_blocked = self.on_blocked.clone();
                    let chat = chat.clone();
                    tokio::spawn(async move { on_blocked.blocked(person, chat).await });
                }
            }
        }
        if let Some(queue) = self.queues.get_mut(&chat) {
            queue.in_flight = false;
            if queue.messages.is_empty() {
                if queue.bucket.is_full(now.into_std()) && queue.group_bucket.is_none() {
                    self.queues.remove(&chat);
                }
            } else if !queue.scheduled {
                queue.scheduled = true;
                self.ready.push_back(chat);
            }
        }
    }

    fn pop(&mut self, chat: &ChatKey, id: i64) {
        self.held.remove(&id);
        if let Some(queue) = self.queues.get_mut(chat)
            && queue.messages.front().is_some_and(|head| head.id == id)
        {
            queue.messages.pop_front();
        }
    }

    async fn dead(&self, ids: &[i64], reason: &str) {
        if let Err(error) = self.store.outbox_dead(ids, reason).await {
            tracing::error!(%error, "could not park messages as dead");
        }
    }

    async fn claim(&mut self) {
        let now = Utc::now();
        let lease = self.lease(now);
        match self.store.claim_outbox(&lease, now, 1000).await {
            Ok(messages) => {
                for message in messages {
                    self.add(message);
                }
            }
            Err(error) => tracing::warn!(%error, "could not claim outbox messages"),
        }
    }

    async fn renew(&mut self) {
        let lease = self.lease(Utc::now());
        if let Err(error) = self.store.renew_outbox_lease(&lease).await {
            tracing::warn!(%error, "could not renew the outbox lease");
        }
    }

    fn lease(&self, now: chrono::DateTime<Utc>) -> OutboxLease {
        self.served.lease(self.config.lease, now)
    }
}

/// The chats a dispatcher's senders send to, as the lease it holds on their messages
/// (whose `until` is set each time it is taken).
#[derive(Clone)]
struct Served(OutboxLease);

impl Served {
    /// `owner`'s: every chat of a sender's platform, or only the chats it names.
    fn by(owner: &str, senders: &[Arc<dyn PlatformSender>]) -> Self {
        let mut platforms = Vec::new();
        let mut chats = Vec::new();
        for sender in senders {
            match sender.only_chats() {
                None => platforms.push(sender.platform()),
                Some(only) => chats.extend(only),
            }
        }
        Self(OutboxLease {
            owner: owner.to_owned(),
            until: chrono::DateTime::<Utc>::MIN_UTC,
            platforms,
            chats,
        })
    }

    /// The hold from `now` for `length`.
    fn lease(&self, length: Duration, now: chrono::DateTime<Utc>) -> OutboxLease {
        OutboxLease {
            until: now + chrono::Duration::from_std(length).unwrap_or(chrono::Duration::MAX),
            ..self.0.clone()
        }
    }
}

enum Start {
    Started,
    /// Nothing to send (empty or busy): the chat is rescheduled when that changes.
    Idle,
    WaitUntil(Instant),
}

/// Deletes delivered messages in batches: whatever arrived while the last delete ran.
async fn flush_acks(store: Arc<dyn Store>, mut acks: mpsc::UnboundedReceiver<i64>) {
    let mut batch = Vec::new();
    while let Some(id) = acks.recv().await {
        batch.push(id);
        while let Ok(id) = acks.try_recv() {
            batch.push(id);
        }
        if let Err(error) = store.outbox_delivered(&batch).await {
            // They stay leased to us; a restart would send them again, so say so loudly.
            tracing::error!(%error, count = batch.len(), "could not remove delivered messages");
        }
        batch.clear();
    }
}

/// `base * 2^(attempts-1)`, capped, times a jitter in [0.5, 1.5) derived from the message
/// id and attempt, so retries of many messages spread out instead of stampeding.
fn backoff(config: &DispatcherConfig, id: i64, attempts: u32) -> Duration {
    let exponent = attempts.saturating_sub(1).min(20);
    let raw = config
        .base_backoff
        .saturating_mul(1u32 << exponent)
        .min(config.max_backoff);
    let mut x = (id as u64) ^ (u64::from(attempts) << 32) ^ 0x9E37_79B9_7F4A_7C15;
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    let jitter = 0.5 + (x >> 11) as f64 / (1u64 << 53) as f64;
    raw.mul_f64(jitter)
}

fn instant_of(at: chrono::DateTime<Utc>, now: Instant) -> Instant {
    match (at - Utc::now()).to_std() {
        Ok(ahead) => now + ahead,
        Err(_) => now,
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let config = DispatcherConfig::default();
        let first = backoff(&config, 1, 1);
        assert!(first >= Duration::from_millis(500) && first < Duration::from_millis(1500));
        let fifth = backoff(&config, 1, 5);
        assert!(fifth >= Duration::from_secs(8) && fifth < Duration::from_secs(24));
        let late = backoff(&config, 1, 30);
        assert!(late <= config.max_backoff.mul_f64(1.5));
        assert_ne!(backoff(&config, 1, 3), backoff(&config, 2, 3));
    }
}
