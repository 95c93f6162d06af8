//! Long polling: getUpdates into the durable inbox, and the Telegram side of the inbox
//! protocol ([`TelegramSource`]).
//!
//! The poller hands each getUpdates batch to [`Ingest::receive`], which returns once the
//! batch is stored in the inbox; only then does the poller ask for the next offset,
//! which confirms the batch to Telegram for good. It polls again at once while the
//! ingest's consumer steps what it received (`bot_core::ingest` has the protocol: order,
//! replays, attempts, backpressure).

use bot_core::domain::Platform;
use bot_core::ingest::{Decoded, Ingest, IngestSource, ReceiveError, Received, backoff};
use bot_core::runtime::Conversations;
use teloxide::RequestError;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::{Bot, Requester};
use teloxide::types::{AllowedUpdate, CallbackQueryId, Update};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::callbacks::answer_callbacks;
use crate::convert::{Converted, convert};

/// Telegram's maximum per getUpdates.
const BATCH: u8 = 100;

/// Telegram's side of the inbox protocol: a stored update is the JSON of teloxide's
/// `Update`, and a pressed button is answered once its step is done.
pub struct TelegramSource {
    pub bot: Bot,
    pub bot_username: String,
}

impl TelegramSource {
    /// What an update becomes, kept in the inbox as `payload`.
    pub fn received(&self, update: &Update, payload: Option<String>) -> Received<CallbackQueryId> {
        Received {
            decoded: decoded(convert(update, &self.bot_username)),
            payload,
        }
    }
}

fn decoded(converted: Converted) -> Decoded<CallbackQueryId> {
    Decoded {
        incoming: converted.incoming,
        ack: converted.callback,
    }
}

impl IngestSource for TelegramSource {
    type Ack = CallbackQueryId;

    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    fn decode(&self, payload: &str) -> Result<Decoded<CallbackQueryId>, String> {
        let update: Update = serde_json::from_str(payload).map_err(|error| error.to_string())?;
        Ok(decoded(convert(&update, &self.bot_username)))
    }

    fn acknowledge(&self, acks: Vec<CallbackQueryId>) {
        answer_callbacks(&self.bot, acks);
    }
}

pub struct Poller {
    pub bot: Bot,
    pub conversations: Conversations,
    pub bot_username: String,
    pub timeout_seconds: u32,
}

impl Poller {
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let source = TelegramSource {
            bot: self.bot.clone(),
            bot_username: self.bot_username.clone(),
        };
        let (ingest, consumer) = Ingest::new(source, self.conversations.clone());
        // Dropping the set (this task killed) stops the consumer with it.
        let mut consuming = JoinSet::new();
        consuming.spawn(consumer.run(stop.clone()));
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
            let batch = updates
                .iter()
                .map(|update| {
                    let mut received = ingest.source().received(update, None);
                    // Only what is stepped is kept.
                    if received.decoded.incoming.is_some() {
                        received.payload = payload(update);
                    }
                    received
                })
                .collect();
            // Waits while too many updates are unstepped, before confirming more.
            let received = tokio::select! {
                _ = stop.changed() => break,
                received = ingest.receive(batch) => received,
            };
            match received {
                Ok(()) => failures = 0,
                // Not stored, so not confirmed: the next getUpdates gets them again.
                Err(ReceiveError::NotStored(error)) => {
                    failures = failures.saturating_add(1);
                    let wait = backoff(failures);
                    tracing::warn!(%error, ?wait, "could not store received updates");
                    tokio::time::sleep(wait).await;
                    continue;
                }
                // The consumer is gone (shutting down): the inbox keeps the batch.
                Err(ReceiveError::Stopped) => break,
            }
            offset = Some(i32::try_from(last).unwrap_or(i32::MAX).saturating_add(1));
        }
        drop(ingest);
        while consuming.join_next().await.is_some() {}
    }
}

/// The update as kept in the inbox.
fn payload(update: &Update) -> Option<String> {
    serde_json::to_string(update)
        // Parsed from JSON a moment ago, so this does not happen; if it did, the update
        // would still be stepped, only not replayed after a failure.
        .inspect_err(|error| tracing::error!(%error, "an update does not serialise"))
        .ok()
}
