//! The durable inbox protocol every platform adapter receives updates through.
//!
//! An adapter hands each batch it receives to [`Ingest::receive`], which stores it in
//! the inbox (`Store::inbox_put`) before it returns: only then may the adapter confirm
//! the batch to the platform (Telegram's next getUpdates offset), since from then on the
//! inbox, not the platform, keeps the updates. The batch is then queued for the runtime
//! and the adapter may receive again at once, so receiving, stepping and committing
//! overlap instead of taking turns.
//!
//! The [`Consumer`] queues the batches for the runtime in the order they were received
//! (the committer steps them in that order, so each person's updates stay in order) with
//! several in flight, which fills the committer's group commits. A committed step
//! deletes its update from the inbox in its own transaction; the consumer deletes
//! redeliveries that committed nothing. Updates whose step failed stay in the inbox: at
//! start, after a failed commit (after a backoff, once everything in flight has
//! finished), and on request, the consumer steps whatever the inbox holds, oldest first,
//! and recognises what already committed by its update id. Each replay counts an attempt
//! on every row it takes; past [`MAX_UPDATE_ATTEMPTS`] the update is given up
//! (`Conversations::give_up`: quarantined, its chat told once).
//!
//! A webhook steps each update itself ([`Ingest::step_now`]) and answers the platform
//! once it is durable: committed, or kept in the inbox for the consumer after a failure.
//!
//! Memory is bounded: past [`MAX_UNSTEPPED`] updates received and not yet stepped,
//! [`Ingest::receive`] waits before storing more, so the adapter stops asking for more.
//!
//! What is platform-specific stays with the adapter, behind [`IngestSource`]: turning a
//! stored payload back into an event, and acknowledging an update once it is stepped
//! (Telegram: answering a pressed button's callback query).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until};

use crate::domain::Platform;
use crate::runtime::{Conversations, Incoming, QueuedBatch};
use crate::storage::{InboxUpdate, StoreError, UpdateKey};

/// Updates received and not yet stepped, at most; past this [`Ingest::receive`] waits
/// until steps finish.
pub const MAX_UNSTEPPED: usize = 2_000;

/// The most inbox rows stepped by one replay; the rest wait for the next.
pub const REPLAY_LIMIT: i64 = 10_000;

/// Replays an update may take before it is given up and quarantined: a step that fails
/// every time (or takes the process down) must not be stepped forever.
pub const MAX_UPDATE_ATTEMPTS: u32 = 5;

/// The most updates of a replay queued as one batch.
const REPLAY_BATCH: usize = 100;

/// What a platform adapter tells the ingest about its updates.
pub trait IngestSource: Send + Sync + 'static {
    /// Given once an update is stepped, whatever became of it (Telegram: a callback
    /// query to answer, so the pressed button stops spinning).
    type Ack: Send + 'static;

    /// The platform whose inbox rows this source reads.
    fn platform(&self) -> Platform;

    /// A stored payload back into its event and ack. `Err` when it cannot be read: the
    /// row is left in the inbox for a build that can.
    fn decode(&self, payload: &str) -> Result<Decoded<Self::Ack>, String>;

    /// Called once the updates these acks belong to are stepped (or need no step).
    fn acknowledge(&self, acks: Vec<Self::Ack>);
}

/// What one update means to lexbot.
#[derive(Debug)]
pub struct Decoded<A> {
    /// The event to step, its update key in `update`; `None` for an update ignored on
    /// purpose (edits, group chatter): nothing is kept or stepped, only its ack given.
    pub incoming: Option<Incoming>,
    pub ack: Option<A>,
}

/// One update as an adapter received it.
#[derive(Debug)]
pub struct Received<A> {
    pub decoded: Decoded<A>,
    /// The update as the platform sent it, kept in the inbox until its step commits and
    /// decoded again on replay. `None` if it could not be had: the update is still
    /// stepped, only not replayed after a failure.
    pub payload: Option<String>,
}

impl<A> Received<A> {
    /// Its inbox row: only an update that is stepped, has a key and a payload is kept.
    fn inbox_row(&self) -> Option<InboxUpdate> {
        let key = self.decoded.incoming.as_ref()?.update.as_ref()?;
        Some(InboxUpdate {
            id: key.id.clone(),
            payload: self.payload.clone()?,
        })
    }
}

/// Why [`Ingest::receive`] did not take a batch.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// Not stored, so it must not be confirmed: the platform delivers it again.
    #[error("could not store received updates: {0}")]
    NotStored(#[from] StoreError),
    /// The consumer has stopped (shutting down); the inbox keeps what was stored.
    #[error("the inbox consumer has stopped")]
    Stopped,
}

/// Updates for the runtime, with what to do once they are stepped.
struct StepBatch<A> {
    incoming: Vec<Incoming>,
    acks: Vec<A>,
    /// Holds this batch's share of [`MAX_UNSTEPPED`] until it is stepped.
    unstepped: Option<OwnedSemaphorePermit>,
}

/// A batch queued for the runtime: what [`Shared::settle`] needs once it is stepped.
struct Queued<A> {
    results: QueuedBatch,
    /// Each event's update, in queued order.
    updates: Vec<Option<UpdateKey>>,
    acks: Vec<A>,
    _unstepped: Option<OwnedSemaphorePermit>,
}

/// What the receiving side and the consumer share.
struct Shared<S> {
    source: S,
    conversations: Conversations,
    unstepped: Arc<Semaphore>,
    /// Signalled when an update was left in the inbox to step again.
    replay_requested: Notify,
}

/// The receiving side: clones share one consumer.
pub struct Ingest<S: IngestSource> {
    shared: Arc<Shared<S>>,
    batches: mpsc::UnboundedSender<StepBatch<S::Ack>>,
}

impl<S: IngestSource> Clone for Ingest<S> {
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
            batches: self.batches.clone(),
        }
    }
}

/// Steps what the adapter received, and what the inbox holds at start, after a failure
/// and on request. Runs until stopped or until every [`Ingest`] is dropped.
pub struct Consumer<S: IngestSource> {
    shared: Arc<Shared<S>>,
    batches: mpsc::UnboundedReceiver<StepBatch<S::Ack>>,
}

impl<S: IngestSource> Ingest<S> {
    /// The receiving side and the consumer that steps what it receives; run the
    /// consumer ([`Consumer::run`]) for anything to be stepped.
    pub fn new(source: S, conversations: Conversations) -> (Self, Consumer<S>) {
        let shared = Arc::new(Shared {
            source,
            conversations,
            unstepped: Arc::new(Semaphore::new(MAX_UNSTEPPED)),
            replay_requested: Notify::new(),
        });
        let (batches, to_consume) = mpsc::unbounded_channel();
        let ingest = Self {
            shared: shared.clone(),
            batches,
        };
        (
            ingest,
            Consumer {
                shared,
                batches: to_consume,
            },
        )
    }

    /// The adapter's side of the protocol.
    pub fn source(&self) -> &S {
        &self.shared.source
    }

    /// Keeps a received batch in the inbox and queues it for the consumer. Once this
    /// returns `Ok` the batch is durable, and only then may the adapter confirm it to
    /// the platform. Waits first while [`MAX_UNSTEPPED`] updates are unstepped.
    ///
    /// Dropping the future part way (shutting down) is safe: the batch is then either
    /// not stored (and must not be confirmed) or in the inbox for the next replay.
    pub async fn receive(&self, batch: Vec<Received<S::Ack>>) -> Result<(), ReceiveError> {
        let shared = &self.shared;
        let to_step = batch
            .iter()
            .filter(|received| received.decoded.incoming.is_some())
            .count();
        // Backpressure: wait here, before storing (and the adapter confirming) more.
        let unstepped = shared
            .unstepped
            .clone()
            .acquire_many_owned(u32::try_from(to_step).unwrap_or(u32::MAX))
            .await
            .ok();
        let rows: Vec<InboxUpdate> = batch.iter().filter_map(Received::inbox_row).collect();
        shared
            .conversations
            .store()
            .inbox_put(shared.source.platform(), &rows, Utc::now())
            .await?;
        let mut step = StepBatch {
            incoming: Vec::with_capacity(to_step),
            acks: Vec::new(),
            unstepped,
        };
        let mut ack_now = Vec::new();
        for received in batch {
            let Decoded { incoming, ack } = received.decoded;
            match incoming {
                Some(incoming) => {
                    step.incoming.push(incoming);
                    step.acks.extend(ack);
                }
                None => ack_now.extend(ack),
            }
        }
        shared.source.acknowledge(ack_now);
        if step.incoming.is_empty() {
            return Ok(());
        }
        crate::telemetry::platform_counter(
            crate::telemetry::UPDATES_RECEIVED,
            shared.source.platform(),
        )
        .increment(step.incoming.len() as u64);
        self.batches.send(step).map_err(|_| ReceiveError::Stopped)
    }

    /// Steps one update now, for a webhook that answers the platform only once the
    /// update is durable; its ack is given after the step. If its step fails it is kept
    /// in the inbox, where the consumer steps it again (with a backoff, and gives it up
    /// past [`MAX_UPDATE_ATTEMPTS`]) rather than the platform redelivering it again and
    /// again. `true` when the update is durable (committed, needing nothing, or kept);
    /// `false` when it could not even be kept: the platform must deliver it again.
    pub async fn step_now(&self, received: Received<S::Ack>) -> bool {
        let shared = &self.shared;
        let row = received.inbox_row();
        let Decoded { incoming, ack } = received.decoded;
        let Some(incoming) = incoming else {
            shared.source.acknowledge(ack.into_iter().collect());
            return true;
        };
        crate::telemetry::platform_counter(
            crate::telemetry::UPDATES_RECEIVED,
            shared.source.platform(),
        )
        .increment(1);
        let batch = StepBatch {
            incoming: vec![incoming],
            acks: ack.into_iter().collect(),
            unstepped: None,
        };
        if shared.settle(shared.queue(batch)).await {
            return true;
        }
        let Some(row) = row else {
            tracing::error!("a failed update has no payload to keep; the platform will retry it");
            return false;
        };
        match shared
            .conversations
            .store()
            .inbox_put(shared.source.platform(), &[row], Utc::now())
            .await
        {
            Ok(()) => {
                shared.replay_requested.notify_one();
                true
            }
            Err(error) => {
                tracing::error!(%error, "could not keep a failed update; the platform will retry it");
                false
            }
        }
    }
}

impl<S: IngestSource> Consumer<S> {
    /// Steps the received batches in order, and the inbox at start, after failures and
    /// when [`Ingest::step_now`] kept an update; returns once `stop` turns true (or every
    /// [`Ingest`] is gone) and what is in flight has finished.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let shared = self.shared.clone();
        let mut in_flight: JoinSet<bool> = JoinSet::new();
        // A replay steps the inbox; it starts once nothing else is in flight, so no
        // update is ever stepped by two batches at once, and received batches resume
        // after it (they are then mostly recognised as committed). After a failure it
        // waits out a backoff, while new updates go on being stepped: one person's
        // failing update never holds up anyone else's.
        let mut replay_at = Some(Instant::now());
        let mut failures: u32 = 0;
        let mut receiving = true;
        loop {
            if *stop.borrow() {
                break;
            }
            let replay_due = replay_at.is_some_and(|at| at <= Instant::now());
            if replay_due && in_flight.is_empty() {
                if shared.replay().await {
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
                _ = shared.replay_requested.notified() => {
                    replay_at.get_or_insert_with(Instant::now);
                }
                batch = self.batches.recv(), if receiving && !replay_due => {
                    match batch {
                        // Queued here, in received order, not in the spawned task.
                        Some(batch) => {
                            in_flight.spawn(shared.settle(shared.queue(batch)));
                        }
                        // Nothing more will be received; the inbox (webhook updates kept
                        // by `step_now`) is still served until stopped.
                        None => receiving = false,
                    }
                }
            }
        }
        // What is in flight finishes; what was not queued yet waits in the inbox.
        while in_flight.join_next().await.is_some() {}
    }
}

impl<S: IngestSource> Shared<S> {
    /// Steps what the inbox holds, oldest first; `false` if a step could not be saved.
    async fn replay(self: &Arc<Self>) -> bool {
        let store = self.conversations.store();
        let platform = self.source.platform();
        let stored = match store.inbox_replay(platform, REPLAY_LIMIT).await {
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
        let mut to_step = Vec::with_capacity(stored.len());
        let mut ack_now = Vec::new();
        let mut nothing_to_do = Vec::new();
        let mut given_up = Vec::new();
        for row in &stored {
            let Decoded { incoming, ack } = match self.source.decode(&row.update.payload) {
                Ok(decoded) => decoded,
                Err(error) => {
                    // Left in place for a build that can read it.
                    tracing::error!(id = %row.update.id, %error, "an update in the inbox does not parse");
                    continue;
                }
            };
            match incoming {
                // Stepped (and failed, or took the process down) too often already.
                Some(event) if row.attempts > MAX_UPDATE_ATTEMPTS => {
                    given_up.push((event, row.attempts));
                    ack_now.extend(ack);
                }
                Some(event) => to_step.push((event, ack)),
                None => {
                    nothing_to_do.push(UpdateKey {
                        platform,
                        id: row.update.id.clone(),
                    });
                    ack_now.extend(ack);
                }
            }
        }
        self.source.acknowledge(ack_now);
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
        // Queued in order and all in flight at once, like received batches.
        let mut settling = JoinSet::new();
        let mut to_step = to_step.into_iter().peekable();
        while to_step.peek().is_some() {
            let (incoming, acks): (Vec<Incoming>, Vec<Option<S::Ack>>) =
                to_step.by_ref().take(REPLAY_BATCH).unzip();
            let batch = StepBatch {
                incoming,
                acks: acks.into_iter().flatten().collect(),
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

    /// Updates of this platform queued and not yet settled.
    fn inbox_depth(&self) -> metrics::Gauge {
        metrics::gauge!(crate::telemetry::INBOX_DEPTH, "platform" => self.source.platform().as_str())
    }

    /// Queues a batch for the runtime now: the order of these calls is the order the
    /// committer steps the batches in.
    fn queue(&self, batch: StepBatch<S::Ack>) -> Queued<S::Ack> {
        let updates = batch
            .incoming
            .iter()
            .map(|incoming| incoming.update.clone())
            .collect::<Vec<_>>();
        // Counted out again once the batch settled.
        self.inbox_depth().increment(updates.len() as f64);
        Queued {
            results: self.conversations.queue_batch(batch.incoming, Utc::now()),
            updates,
            acks: batch.acks,
            _unstepped: batch.unstepped,
        }
    }

    /// Waits for a queued batch's results; gives its acks and clears from the inbox what
    /// committed nothing. `false` if a step could not be saved (it is stepped again from
    /// the inbox).
    fn settle(
        self: &Arc<Self>,
        queued: Queued<S::Ack>,
    ) -> impl Future<Output = bool> + Send + 'static {
        let shared = self.clone();
        async move {
            let results = queued.results.results().await;
            shared.inbox_depth().decrement(queued.updates.len() as f64);
            shared.source.acknowledge(queued.acks);
            let mut saved = true;
            let mut redelivered = Vec::new();
            for (result, update) in results.iter().zip(queued.updates) {
                match result {
                    // Committed before: nothing else removes it from the inbox.
                    Ok(handled) if handled.duplicate => redelivered.extend(update),
                    // Its commit removed it from the inbox.
                    Ok(_) => {}
                    // Stepped again from the inbox (a replay counts its attempts and
                    // gives it up past a limit).
                    Err(error) => {
                        tracing::error!(%error, "update not handled; it is stepped again from the inbox");
                        saved = false;
                    }
                }
            }
            if let Err(error) = shared.conversations.store().inbox_done(&redelivered).await {
                tracing::warn!(%error, "could not clear redelivered updates from the inbox");
            }
            saved
        }
    }
}

/// 1 s, 2 s, 4 s ... up to 30 s; adapters back off the same way when the platform fails.
pub fn backoff(failures: u32) -> Duration {
    Duration::from_secs(1u64 << failures.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_second_up_to_half_a_minute() {
        let waits: Vec<u64> = (0..9).map(|failures| backoff(failures).as_secs()).collect();
        assert_eq!(waits, vec![1, 1, 2, 4, 8, 16, 30, 30, 30]);
    }
}
