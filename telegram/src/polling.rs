//! Long polling through the durable inbox, with exactly-once effects.
//!
//! The poller stores each getUpdates batch in the inbox (`Store::inbox_put`) and only
//! then asks for the next offset, which confirms the batch to Telegram for good: from
//! then on the inbox, not Telegram, keeps the updates. It hands the converted batch to
//! the consumer and polls again at once, so receiving, stepping and committing overlap
//! instead of taking turns.
//!
//! The consumer queues the batches for the runtime in offset order (the committer steps
//! them in that order, so each person's updates stay in update_id order) with several in
//! flight, which fills the committer's group commits. A committed step deletes its
//! update from the inbox in its own transaction; the consumer deletes redeliveries that
//! committed nothing. Updates whose step failed stay in the inbox: at start, and after a
//! failed commit once everything in flight has finished, the consumer steps whatever the
//! inbox holds, oldest first, and recognises what already committed by its update id.
//!
//! Memory is bounded: past [`MAX_UNSTEPPED`] updates received and not yet stepped, the
//! poller waits before asking Telegram for more.

use std::sync::Arc;
use std::time::Duration;

use bot_core::domain::Platform;
use bot_core::runtime::{Conversations, Incoming, QueuedBatch};
use bot_core::storage::{InboxUpdate, UpdateKey};
use chrono::Utc;
use teloxide::RequestError;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::{Bot, Requester};
use teloxide::types::{AllowedUpdate, CallbackQueryId, Update};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until};

use crate::callbacks::answer_callbacks;
use crate::convert::convert;

/// Telegram's maximum per getUpdates.
const BATCH: u8 = 100;

/// Updates received and not yet stepped, at most; past this the poller stops asking
/// Telegram for more until steps finish.
const MAX_UNSTEPPED: usize = 2_000;

/// The most inbox rows stepped by one replay; the rest wait for the next.
const REPLAY_LIMIT: i64 = 10_000;

/// Replays an update may take before it is given up and quarantined: a step that fails
/// every time (or takes the process down) must not be stepped forever.
pub const MAX_UPDATE_ATTEMPTS: u32 = 5;

pub struct Poller {
    pub bot: Bot,
    pub conversations: Conversations,
    pub bot_username: String,
    pub timeout_seconds: u32,
}

/// Updates for the runtime, with what to do once they are stepped.
struct StepBatch {
    incoming: Vec<Incoming>,
    /// Pressed buttons to answer after the step, whatever became of it.
    callbacks: Vec<CallbackQueryId>,
    /// Holds this batch's share of [`MAX_UNSTEPPED`] until it is stepped.
    unstepped: Option<OwnedSemaphorePermit>,
}

/// A batch queued for the runtime: what [`Consumer::settle`] needs once it is stepped.
struct Queued {
    results: QueuedBatch,
    /// Each event's update, in queued order.
    updates: Vec<Option<UpdateKey>>,
    callbacks: Vec<CallbackQueryId>,
    _unstepped: Option<OwnedSemaphorePermit>,
}

/// What a getUpdates batch becomes.
#[derive(Default)]
struct Received {
    /// The updates lexbot acts on, to keep in the inbox.
    inbox: Vec<InboxUpdate>,
    to_step: Vec<Incoming>,
    callbacks: Vec<CallbackQueryId>,
    /// Pressed buttons that start no step (no data): answered at once.
    callbacks_without_step: Vec<CallbackQueryId>,
}

impl Received {
    fn new(updates: &[Update], bot_username: &str) -> Self {
        let mut received = Self::default();
        for update in updates {
            let converted = convert(update, bot_username);
            let Some(incoming) = converted.incoming else {
                // Ignored on purpose (group chatter, edits ...): nothing to keep.
                received.callbacks_without_step.extend(converted.callback);
                continue;
            };
            received.callbacks.extend(converted.callback);
            match serde_json::to_string(update) {
                Ok(payload) => received.inbox.push(InboxUpdate {
                    id: update.id.0.to_string(),
                    payload,
                }),
                // Parsed from JSON a moment ago, so this does not happen; if it did, the
                // update would still be stepped, only not replayed after a crash.
                Err(error) => tracing::error!(%error, "an update does not serialise"),
            }
            received.to_step.push(incoming);
        }
        received
    }
}

impl Poller {
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let unstepped = Arc::new(Semaphore::new(MAX_UNSTEPPED));
        let (batches, to_consume) = mpsc::unbounded_channel();
        // Dropping the set (this task killed) stops the consumer with it.
        let mut consumer = JoinSet::new();
        consumer.spawn(
            Consumer {
                bot: self.bot.clone(),
                conversations: self.conversations.clone(),
                bot_username: self.bot_username.clone(),
                replay_requested: Arc::new(Notify::new()),
            }
            .run(to_consume, stop.clone()),
        );
        let store = self.conversations.store().clone();
        let mut offset: Option<i32> = None;
        let mut failures: u32 = 0;
        loop {
            if *stop.borrow() {
                break;
            }
            let mut request = self
                .bot
                .get_updates()
                .timeout(self.timeout_seconds)
                .limit(BATCH)
                .allowed_updates([
                    AllowedUpdate::Message,
                    AllowedUpdate::CallbackQuery,
                    AllowedUpdate::MyChatMember,
                ]);
            if let Some(offset) = offset {
                request = request.offset(offset);
            }
            let updates = tokio::select! {
                _ = stop.changed() => break,
                updates = request => updates,
            };
            let updates = match updates {
                Ok(updates) => updates,
                Err(RequestError::RetryAfter(wait)) => {
                    tokio::time::sleep(wait.duration()).await;
                    continue;
                }
                Err(error) => {
                    failures = failures.saturating_add(1);
                    let wait = backoff(failures);
                    tracing::warn!(%error, ?wait, "getUpdates failed");
                    tokio::time::sleep(wait).await;
                    continue;
                }
            };
            let Some(last) = updates.last().map(|update| update.id.0) else {
                failures = 0;
                continue;
            };
            let received = Received::new(&updates, &self.bot_username);
            // Backpressure: wait here, before confirming more updates to Telegram.
            let count = u32::try_from(received.to_step.len()).unwrap_or(u32::MAX);
            let permit = tokio::select! {
                _ = stop.changed() => break,
                permit = unstepped.clone().acquire_many_owned(count) => permit.ok(),
            };
            if let Err(error) = store
                .inbox_put(Platform::Telegram, &received.inbox, Utc::now())
                .await
            {
                // Not stored, so not confirmed: the next getUpdates gets them again.
                failures = failures.saturating_add(1);
                let wait = backoff(failures);
                tracing::warn!(%error, ?wait, "could not store received updates");
                tokio::time::sleep(wait).await;
                continue;
            }
            failures = 0;
            answer_callbacks(&self.bot, received.callbacks_without_step);
            if !received.to_step.is_empty() {
                let batch = StepBatch {
                    incoming: received.to_step,
                    callbacks: received.callbacks,
                    unstepped: permit,
                };
                if batches.send(batch).is_err() {
                    // The consumer is gone (shutting down): the inbox keeps the batch.
                    break;
                }
            }
            offset = Some(i32::try_from(last).unwrap_or(i32::MAX).saturating_add(1));
        }
        drop(batches);
        while consumer.join_next().await.is_some() {}
    }
}

/// Steps what the poller received, and what the inbox still holds at start and after a
/// failure.
pub(crate) struct Consumer {
    pub bot: Bot,
    pub conversations: Conversations,
    pub bot_username: String,
    /// Signalled (by the webhook) when an update was left in the inbox to step again.
    pub replay_requested: Arc<Notify>,
}

impl Consumer {
    /// Steps only what the inbox holds: at start, and whenever `replay_requested` says
    /// (the webhook steps new updates itself and leaves the failed ones here).
    pub(crate) async fn run_inbox_only(self, stop: watch::Receiver<bool>) {
        // Never sends: held open until the consumer stops.
        let (_no_batches, batches) = mpsc::unbounded_channel();
        self.run(batches, stop).await;
    }

    /// Steps the poller's batches in order, and the inbox at start and after failures.
    async fn run(
        self,
        mut batches: mpsc::UnboundedReceiver<StepBatch>,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut in_flight: JoinSet<bool> = JoinSet::new();
        // A replay steps the inbox; it starts once nothing else is in flight, so no
        // update is ever stepped by two batches at once, and the poller's batches
        // resume after it (they are then mostly recognised as committed). After a
        // failure it waits out a backoff, while new updates go on being stepped: one
        // person's failing update never holds up anyone else's.
        let mut replay_at = Some(Instant::now());
        let mut failures: u32 = 0;
        loop {
            let replay_due = replay_at.is_some_and(|at| at <= Instant::now());
            if replay_due && in_flight.is_empty() {
                if self.replay().await {
                    failures = 0;
                    replay_at = None;
                } else {
                    failures = failures.saturating_add(1);
                    replay_at = Some(Instant::now() + backoff(failures));
                }
                continue;
            }
            tokio::select! {
                _ = stop.changed() => break,
                Some(finished) = in_flight.join_next(), if !in_flight.is_empty() => {
                    // A step that could not be saved stays in the inbox: go again, from
                    // the inbox, after a backoff and once nothing is in flight.
                    if !finished.unwrap_or(false) {
                        failures = failures.saturating_add(1);
                        replay_at.get_or_insert_with(|| Instant::now() + backoff(failures));
                    }
                }
                _ = sleep_until(replay_at.unwrap_or_else(Instant::now)), if replay_at.is_some() && !replay_due => {}
                _ = self.replay_requested.notified() => {
                    replay_at.get_or_insert_with(Instant::now);
                }
                batch = batches.recv(), if !replay_due => {
                    let Some(batch) = batch else { break };
                    // Queued here, in offset order, not in the spawned task.
                    in_flight.spawn(self.settle(self.queue(batch)));
                }
            }
        }
        // What is in flight finishes; what was not queued yet waits in the inbox.
        while in_flight.join_next().await.is_some() {}
    }

    /// Steps what the inbox holds, oldest first; `false` if a step could not be saved.
    async fn replay(&self) -> bool {
        let store = self.conversations.store();
        let stored = match store.inbox_replay(Platform::Telegram, REPLAY_LIMIT).await {
            Ok(stored) => stored,
            Err(error) => {
                tracing::warn!(%error, "could not read the inbox");
                return false;
            }
        };
        if stored.is_empty() {
            return true;
        }
        tracing::info!(count = stored.len(), "stepping updates left in the inbox");
        let mut incoming = Vec::with_capacity(stored.len());
        let mut callbacks = Vec::new();
        let mut nothing_to_do = Vec::new();
        let mut given_up = Vec::new();
        for row in &stored {
            let update: Update = match serde_json::from_str(&row.update.payload) {
                Ok(update) => update,
                Err(error) => {
                    // Left in place for a build that can read it.
                    tracing::error!(id = %row.update.id, %error, "an update in the inbox does not parse");
                    continue;
                }
            };
            let converted = convert(&update, &self.bot_username);
            callbacks.extend(converted.callback);
            match converted.incoming {
                // Stepped (and failed, or took the process down) too often already.
                Some(event) if row.attempts > MAX_UPDATE_ATTEMPTS => {
                    given_up.push((event, row.attempts));
                }
                Some(event) => incoming.push(event),
                None => nothing_to_do.push(UpdateKey {
                    platform: Platform::Telegram,
                    id: row.update.id.clone(),
                }),
            }
        }
        if let Err(error) = store.inbox_done(&nothing_to_do).await {
            tracing::warn!(%error, "could not clear ignored updates from the inbox");
        }
        if !given_up.is_empty() {
            let reason = format!("failed {MAX_UPDATE_ATTEMPTS} replays");
            if let Err(error) = self
                .conversations
                .give_up(&given_up, &reason, Utc::now())
                .await
            {
                tracing::warn!(%error, "could not quarantine updates that keep failing");
                return false;
            }
        }
        // Queued in order and all in flight at once, like the poller's batches.
        let mut settling = JoinSet::new();
        let mut callbacks = Some(callbacks);
        while !incoming.is_empty() {
            let rest = incoming.split_off(incoming.len().min(usize::from(BATCH)));
            let batch = StepBatch {
                incoming: std::mem::replace(&mut incoming, rest),
                callbacks: callbacks.take().unwrap_or_default(),
                unstepped: None,
            };
            settling.spawn(self.settle(self.queue(batch)));
        }
        let mut saved = true;
        while let Some(finished) = settling.join_next().await {
            saved &= finished.unwrap_or(false);
        }
        saved
    }

    /// Queues a batch for the runtime now: the order of these calls is the order the
    /// committer steps the batches in.
    fn queue(&self, batch: StepBatch) -> Queued {
        let updates = batch
            .incoming
            .iter()
            .map(|incoming| incoming.update.clone())
            .collect();
        Queued {
            results: self.conversations.queue_batch(batch.incoming, Utc::now()),
            updates,
            callbacks: batch.callbacks,
            _unstepped: batch.unstepped,
        }
    }

    /// Waits for a queued batch's results; answers its buttons and clears from the inbox
    /// what committed nothing. `false` if a step could not be saved (it stays in the inbox).
    fn settle(&self, queued: Queued) -> impl Future<Output = bool> + Send + 'static {
        let bot = self.bot.clone();
        let store = self.conversations.store().clone();
        async move {
            let results = queued.results.results().await;
            answer_callbacks(&bot, queued.callbacks);
            let mut saved = true;
            let mut redelivered = Vec::new();
            for (result, update) in results.iter().zip(queued.updates) {
                match result {
                    // Committed before: nothing else removes it from the inbox.
                    Ok(handled) if handled.duplicate => redelivered.extend(update),
                    // Its commit removed it from the inbox.
                    Ok(_) => {}
                    // It stays in the inbox, to be stepped again from there (a replay
                    // counts its attempts and gives it up past a limit).
                    Err(error) => {
                        tracing::error!(%error, "update not handled; it stays in the inbox");
                        saved = false;
                    }
                }
            }
            if let Err(error) = store.inbox_done(&redelivered).await {
                tracing::warn!(%error, "could not clear redelivered updates from the inbox");
            }
            saved
        }
    }
}

/// 1 s, 2 s, 4 s ... up to 30 s.
fn backoff(failures: u32) -> Duration {
    Duration::from_secs(1u64 << failures.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}
