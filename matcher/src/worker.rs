//! The matcher worker, the only module of this crate that does I/O: it leads (one
//! instance at a time), reads the queue from the store, runs a wave and proposes its
//! pairs through the runtime.
//!
//! A wave is [`crate::wave::run_wave`] over everyone in the queue, then one offer to each
//! side of every pair, delivered as peer messages in one [`Conversations::tell`] call: the
//! recipients' steps write their proposals and the messages showing them the other's
//! card together. The worker never writes anyone's record itself.
//!
//! Leadership: `store.try_lead("matcher", ..)` (an advisory lock on PostgreSQL, a lease
//! row on SQLite). An instance that does not lead retries every few seconds; a leader
//! confirms its lead before every wave and renews it while it waits and while a wave
//! runs, so at most one instance proposes at a time.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bot_core::app::{RunningService, Service};
use bot_core::config::{ConfigError, Settings};
use bot_core::domain::{ChatKey, PersonId, ProposalId};
use bot_core::engine::{PeerKind, PeerMessage};
use bot_core::runtime::Conversations;
use bot_core::storage::{Leadership, StoreError, WaitingEntry, WaveRecord};
use chrono::{DateTime, Utc};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::candidates::SearchConfig;
use crate::export::write_export;
use crate::pool::{MatchingFacts, WaitingPerson};
use crate::wave::{ProposedPair, Wave, WaveConfig, WaveError, run_wave};
use crate::weight::Weights;

/// The leader role the store arbitrates.
pub const LEADER_ROLE: &str = "matcher";

/// How the worker paces itself and scores.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Names this process among the matcher instances (unique per process).
    pub owner: String,
    /// A wave runs at least this often while anyone waits ...
    pub wave_interval: Duration,
    /// ... and as soon as this many people wait.
    pub wave_min_waiting: u64,
    /// How often the queue length is looked at.
    pub poll_interval: Duration,
    /// How often an instance that does not lead tries to.
    pub lead_retry: Duration,
    /// How long a SQLite lead lasts without renewal (a dead leader is replaced after it).
    pub lead_ttl: Duration,
    pub wave: WaveConfig,
    /// How long both sides have to accept a proposal.
    pub proposal_ttl: chrono::Duration,
    /// Whether this worker leads now, for an admin's "run now" (clones share it); the
    /// request itself goes through `Conversations::request_wave`.
    pub run_now: WaveTrigger,
}

/// Whether a worker of this process leads the matcher (only a leader acts on an admin's
/// "run a wave now").
#[derive(Debug, Clone, Default)]
pub struct WaveTrigger {
    inner: Arc<TriggerInner>,
}

#[derive(Debug, Default)]
struct TriggerInner {
    leading: std::sync::atomic::AtomicBool,
}

impl WaveTrigger {
    /// Whether the worker holding this trigger leads the matcher now.
    pub fn leading(&self) -> bool {
        self.inner
            .leading
            .load(std::sync::atomic::Ordering::Acquire)
    }

    fn set_leading(&self, leading: bool) {
        self.inner
            .leading
            .store(leading, std::sync::atomic::Ordering::Release);
    }
}

impl WorkerConfig {
    /// From `[matching]`, with a lease name unique to this worker: this process's
    /// ([`bot_core::config::process_instance`], or `scheduler.instance` with the process
    /// id) and a random part, so two workers never share a lead (containers all run as
    /// pid 1).
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let matching = &settings.matching;
        // Random per worker too: two workers of one process never share a lead either.
        let random: String = uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .chars()
            .take(8)
            .collect();
        let owner = match &settings.scheduler.instance {
            Some(name) => format!("{name}/{}/{random}", std::process::id()),
            None => format!("{}/{random}", bot_core::config::process_instance()),
        };
        Ok(Self {
            owner,
            wave_interval: Duration::from_secs(matching.wave_interval_seconds),
            wave_min_waiting: u64::try_from(matching.wave_min_waiting).unwrap_or(u64::MAX),
            poll_interval: Duration::from_secs(1),
            lead_retry: Duration::from_secs(5),
            lead_ttl: Duration::from_secs(60),
            wave: WaveConfig {
                weights: Weights::from_settings(&matching.weights),
                search: SearchConfig {
                    top_k: matching.top_k,
                    threads: 0,
                },
            },
            proposal_ttl: settings.partnering()?.proposal_ttl,
            run_now: WaveTrigger::default(),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("wave: {0}")]
    Wave(#[from] WaveError),
    #[error("the wave's computation stopped abnormally: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("writing the export to {dir}: {source}")]
    Export { dir: String, source: std::io::Error },
}

/// What one wave did (the figures of its [`WaveRecord`], and more).
#[derive(Debug, Clone, PartialEq)]
pub struct WaveOutcome {
    pub started_at: DateTime<Utc>,
    /// People in the queue, and those of them the wave could pair at all.
    pub waiting: u64,
    pub eligible: u64,
    pub edges: u64,
    /// How many pairs were proposed (`proposed.len()`).
    pub pairs: u64,
    pub proposed: Vec<ProposedPair>,
    pub total_weight: i64,
    /// Offers whose recipient's step committed, and those that failed (logged).
    pub offers_delivered: u64,
    pub offers_failed: u64,
    pub elapsed: Duration,
}

impl WaveOutcome {
    fn new(started_at: DateTime<Utc>, waiting: usize, wave: Wave, elapsed: Duration) -> Self {
        Self {
            started_at,
            waiting: waiting as u64,
            eligible: (0..wave.pool.len() as u32)
                .filter(|index| wave.pool.is_eligible(*index))
                .count() as u64,
            edges: wave.graph.edges.len() as u64,
            pairs: wave.pairs.len() as u64,
            total_weight: wave.pairs.iter().map(|pair| pair.weight).sum(),
            proposed: wave.pairs,
            offers_delivered: 0,
            offers_failed: 0,
            elapsed,
        }
    }
}

/// A wave computed over the current queue, nothing proposed yet.
struct Computed {
    entries: Vec<WaitingEntry>,
    wave: Wave,
}

/// Runs waves over the store behind `conversations`.
#[derive(Clone)]
pub struct MatcherWorker {
    conversations: Conversations,
    config: WorkerConfig,
}

impl MatcherWorker {
    /// A worker configured by `[matching]` (see [`WorkerConfig::from_settings`]).
    pub fn new(conversations: Conversations, settings: &Settings) -> Result<Self, ConfigError> {
        Ok(Self::with_config(
            conversations,
            WorkerConfig::from_settings(settings)?,
        ))
    }

    pub fn with_config(conversations: Conversations, config: WorkerConfig) -> Self {
        Self {
            conversations,
            config,
        }
    }

    pub fn config(&self) -> &WorkerConfig {
        &self.config
    }

    /// One wave at `now`: pairs the queue and offers each side the other. The caller
    /// must hold the lead (two instances proposing at once would offer one person twice).
    pub async fn run_wave(&self, now: DateTime<Utc>) -> Result<WaveOutcome, WorkerError> {
        let clock = Instant::now();
        let Computed { entries, wave } = self.compute(now).await?;
        let chats: std::collections::HashMap<PersonId, (ChatKey, &WaitingEntry)> = entries
            .iter()
            .filter_map(|entry| Some((entry.person, (private_chat(entry)?, entry))))
            .collect();
        let expires_at = now
            .checked_add_signed(self.config.proposal_ttl)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut offers = Vec::with_capacity(wave.pairs.len() * 2);
        for pair in &wave.pairs {
            // Only people with a private chat are in the pool (see `compute`).
            let (Some((first_chat, first)), Some((second_chat, second))) =
                (chats.get(&pair.first), chats.get(&pair.second))
            else {
                continue;
            };
            let about = ProposalId::new_random();
            let offer = |from: &WaitingEntry, from_chat: &ChatKey| PeerMessage {
                from: from.person,
                reply_to: Some(from_chat.clone()),
                about,
                kind: PeerKind::Offer {
                    partner_chat: from_chat.clone(),
                    partner_profile: Box::new(from.profile.clone()),
                    expires_at,
                },
            };
            offers.push((first.person, first_chat.clone(), offer(second, second_chat)));
            offers.push((second.person, second_chat.clone(), offer(first, first_chat)));
        }
        let recipients: Vec<PersonId> = offers.iter().map(|(person, _, _)| *person).collect();
        let (mut offers_delivered, mut offers_failed) = (0, 0);
        if !offers.is_empty() {
            // One call: the committer takes the offers as one job, so every proposal and
            // its notification commit together.
            let results = self.conversations.tell(offers, now).await;
            for (person, result) in recipients.iter().zip(results) {
                match result {
                    Ok(_) => offers_delivered += 1,
                    Err(error) => {
                        offers_failed += 1;
                        tracing::error!(%person, %error, "a matcher offer was not delivered");
                    }
                }
            }
        }
        let waiting = entries.len();
        let mut outcome = WaveOutcome::new(now, waiting, wave, clock.elapsed());
        outcome.offers_delivered = offers_delivered;
        outcome.offers_failed = offers_failed;
        let finished_at = now
            .checked_add_signed(chrono::Duration::from_std(outcome.elapsed).unwrap_or_default())
            .unwrap_or(now);
        self.conversations
            .store()
            .record_wave(&WaveRecord {
                started_at: now,
                finished_at,
                waiting: outcome.waiting,
                eligible: outcome.eligible,
                edges: outcome.edges,
                pairs: outcome.pairs,
                total_weight: outcome.total_weight,
            })
            .await?;
        tracing::info!(
            waiting = outcome.waiting,
            eligible = outcome.eligible,
            edges = outcome.edges,
            pairs = outcome.pairs,
            total_weight = outcome.total_weight,
            offers_delivered,
            offers_failed,
            elapsed_ms = outcome.elapsed.as_millis() as u64,
            "matcher wave"
        );
        metrics::histogram!(bot_core::telemetry::WAVE_DURATION)
            .record(outcome.elapsed.as_secs_f64());
        metrics::counter!(bot_core::telemetry::WAVE_PAIRS).increment(outcome.pairs);
        metrics::gauge!(bot_core::telemetry::WAVE_UNPAIRED).set(
            outcome
                .eligible
                .saturating_sub(outcome.pairs.saturating_mul(2)) as f64,
        );
        Ok(outcome)
    }

    /// Computes a wave over the current queue at `now` without proposing anything or
    /// recording it, and writes `dir/graph.txt` and `dir/matching.txt` (the format of
    /// [`crate::export`]). Needs no lead: it only reads.
    pub async fn export_wave(
        &self,
        dir: &Path,
        now: DateTime<Utc>,
    ) -> Result<WaveOutcome, WorkerError> {
        let clock = Instant::now();
        let Computed { entries, wave } = self.compute(now).await?;
        write_export(
            dir,
            wave.graph.vertex_count,
            &wave.graph.edges,
            &wave.matching,
        )
        .map_err(|source| WorkerError::Export {
            dir: dir.display().to_string(),
            source,
        })?;
        Ok(WaveOutcome::new(now, entries.len(), wave, clock.elapsed()))
    }

    /// The queue and the wave over it. People without a known private chat (nowhere to
    /// propose) or whose record no longer says they wait are left out.
    async fn compute(&self, now: DateTime<Utc>) -> Result<Computed, WorkerError> {
        let store = self.conversations.store();
        let mut entries = store.waiting_pool().await?;
        entries.retain(|entry| {
            let usable = private_chat(entry).is_some()
                && entry.practice.partnering.waiting_since().is_some();
            if !usable {
                tracing::warn!(person = %entry.person, "in the queue without a private chat or a wait: skipped");
            }
            usable
        });
        // Missed waves are only worth points up to the cap, and the waves after
        // someone's `since` are the newest ones: the newest `cap` waves count each
        // person's missed waves exactly as far as the weights can tell.
        let cap = self.config.wave.weights.missed_wave_cap;
        let recent: Vec<DateTime<Utc>> = if cap == 0 || entries.is_empty() {
            Vec::new()
        } else {
            store
                .recent_waves(i64::from(cap))
                .await?
                .into_iter()
                .map(|wave| wave.started_at)
                .collect()
        };
        let people: Vec<WaitingPerson> = entries
            .iter()
            .filter_map(|entry| waiting_person(entry, &recent))
            .collect();
        let config = self.config.wave.clone();
        // The search and the matching are CPU work for seconds at scale: off the
        // async workers.
        let wave = tokio::task::spawn_blocking(move || run_wave(&people, now, &config)).await??;
        Ok(Computed { entries, wave })
    }

    /// Runs the leader loop on its own task until the handle is shut down.
    pub fn spawn(self) -> MatcherHandle {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(self.lead(stopped));
        MatcherHandle { stop, task }
    }

    async fn lead(self, mut stopped: watch::Receiver<bool>) {
        let store = self.conversations.store().clone();
        while !*stopped.borrow() {
            let lead = match store
                .try_lead(LEADER_ROLE, &self.config.owner, self.config.lead_ttl)
                .await
            {
                Ok(Some(lead)) => lead,
                Ok(None) => {
                    tracing::debug!("another matcher instance leads; waiting");
                    pause(&mut stopped, self.config.lead_retry).await;
                    continue;
                }
                Err(error) => {
                    tracing::error!(%error, "cannot ask for the matcher lead");
                    pause(&mut stopped, self.config.lead_retry).await;
                    continue;
                }
            };
            tracing::info!(owner = %self.config.owner, "leading the matcher");
            self.config.run_now.set_leading(true);
            let kept = self.while_leading(lead, &mut stopped).await;
            self.config.run_now.set_leading(false);
            if let Some(lead) = kept {
                if let Err(error) = lead.release().await {
                    tracing::error!(%error, "could not release the matcher lead");
                }
                return;
            }
            tracing::warn!("lost the matcher lead");
        }
    }

    /// Runs waves while the lead holds; gives the lead back (to be released) when told
    /// to stop, `None` once it is lost.
    async fn while_leading(
        &self,
        mut lead: Box<dyn Leadership>,
        stopped: &mut watch::Receiver<bool>,
    ) -> Option<Box<dyn Leadership>> {
        let renew_every = (self.config.lead_ttl / 4).max(Duration::from_millis(100));
        let mut last_wave = Instant::now();
        let mut last_renewal = Instant::now();
        // An admin's /match_now: the next wave is due at once.
        let wave_requests = self.conversations.wave_requests();
        loop {
            if *stopped.borrow() {
                return Some(lead);
            }
            let asked = tokio::select! {
                () = pause(stopped, self.config.poll_interval) => false,
                () = wave_requests.notified() => true,
            };
            if *stopped.borrow() {
                return Some(lead);
            }
            let waiting = match self.conversations.store().queue_len().await {
                Ok(waiting) => waiting,
                Err(error) => {
                    tracing::error!(%error, "cannot read the matcher queue");
                    continue;
                }
            };
            let due = waiting >= 2
                && (asked
                    || waiting >= self.config.wave_min_waiting
                    || last_wave.elapsed() >= self.config.wave_interval);
            if !due && last_renewal.elapsed() < renew_every {
                continue;
            }
            if !confirm(&mut *lead).await {
                return None;
            }
            last_renewal = Instant::now();
            if !due {
                continue;
            }
            last_wave = Instant::now();
            let wave = self.run_wave(Utc::now());
            tokio::pin!(wave);
            // A long wave must not let a SQLite lease run out under it.
            let result = loop {
                tokio::select! {
                    result = &mut wave => break result,
                    () = tokio::time::sleep(renew_every) => {
                        if !confirm(&mut *lead).await {
                            tracing::warn!("the matcher lead was lost during a wave; finishing it");
                        }
                    }
                }
            };
            last_renewal = Instant::now();
            if let Err(error) = result {
                tracing::error!(%error, "matcher wave failed");
            }
        }
    }
}

/// Whether the lead still holds (renewing it); an error counts as lost.
async fn confirm(lead: &mut dyn Leadership) -> bool {
    match lead.still_held().await {
        Ok(held) => held,
        Err(error) => {
            tracing::error!(%error, "cannot confirm the matcher lead");
            false
        }
    }
}

/// Sleeps `duration`, or less if told to stop.
async fn pause(stopped: &mut watch::Receiver<bool>, duration: Duration) {
    tokio::select! {
        _ = stopped.changed() => {}
        () = tokio::time::sleep(duration) => {}
    }
}

/// The running leader loop of [`MatcherWorker::spawn`].
pub struct MatcherHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl MatcherHandle {
    /// Lets a wave in flight finish, then gives the lead up.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::error!(%error, "the matcher worker ended abnormally");
        }
    }
}

/// The matcher worker as a service of the application (`matching.embedded`): one leader
/// across every process, proposing through this process's runtime.
pub struct EmbeddedMatcher(pub WorkerConfig);

impl Service for EmbeddedMatcher {
    fn start(self: Box<Self>, conversations: Conversations) -> Box<dyn RunningService> {
        Box::new(MatcherWorker::with_config(conversations, self.0).spawn())
    }
}

#[async_trait::async_trait]
impl RunningService for MatcherHandle {
    async fn shutdown(self: Box<Self>) {
        MatcherHandle::shutdown(*self).await;
    }

    fn abort(self: Box<Self>) {
        self.task.abort();
    }
}

/// Where a person's proposal goes: the stored private chat of their oldest account that
/// has one (never derived from an account's id: a Discord DM channel has its own id).
pub fn private_chat(entry: &WaitingEntry) -> Option<ChatKey> {
    entry.dm_chats.first().map(|dm_chat| dm_chat.chat.clone())
}

/// A queue entry as the wave sees it; `None` if their record says they do not wait.
/// `recent_waves` are start times (any order) of the newest waves.
pub fn waiting_person(
    entry: &WaitingEntry,
    recent_waves: &[DateTime<Utc>],
) -> Option<WaitingPerson> {
    let partnering = &entry.practice.partnering;
    let since = partnering.waiting_since()?;
    let missed_waves = recent_waves.iter().filter(|at| **at > since).count();
    Some(WaitingPerson {
        id: entry.person,
        profile: entry.profile.clone(),
        facts: MatchingFacts {
            waiting_since: since,
            missed_waves: u32::try_from(missed_waves).unwrap_or(u32::MAX),
            blocked: partnering.blocked.clone(),
            former_partners: partnering.former.clone(),
            // A ban takes the person out of the queue in its own step; this keeps a
            // record written before that from being paired meanwhile.
            banned: entry.profile.banned,
            // They wait, so they hold no proposal.
            open_proposal: false,
            missed_proposals: partnering.missed_proposals,
            no_shows: partnering.no_shows,
        },
    })
}
