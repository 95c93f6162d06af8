//! Long polling with exactly-once effects: a batch of updates is committed (state,
//! profile, outgoing messages, update ids) before the next getUpdates confirms it, so a
//! crash at any point makes Telegram send the batch again, and the update ids already
//! committed are recognised and skipped.

use std::time::Duration;

use bot_core::runtime::{Conversations, RuntimeError};
use chrono::Utc;
use teloxide::RequestError;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::{Bot, Requester};
use teloxide::types::AllowedUpdate;
use tokio::sync::watch;

use crate::callbacks::answer_callbacks;
use crate::convert::convert;

/// Telegram's maximum per getUpdates.
const BATCH: u8 = 100;

pub struct Poller {
    pub bot: Bot,
    pub conversations: Conversations,
    pub bot_username: String,
    pub timeout_seconds: u32,
}

impl Poller {
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
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
                Ok(updates) => {
                    failures = 0;
                    updates
                }
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
                continue;
            };
            let mut batch = Vec::with_capacity(updates.len());
            let mut callbacks = Vec::new();
            for update in &updates {
                let converted = convert(update, &self.bot_username);
                callbacks.extend(converted.callback);
                batch.extend(converted.incoming);
            }
            let results = self.conversations.handle_batch(batch, Utc::now()).await;
            let unsaved = results
                .iter()
                .filter(|result| {
                    matches!(result, Err(RuntimeError::Store(_) | RuntimeError::Stopped))
                })
                .count();
            for result in &results {
                if let Err(error) = result {
                    tracing::error!(%error, "update not handled");
                }
            }
            answer_callbacks(&self.bot, callbacks);
            if unsaved > 0 {
                // Not confirmed: Telegram sends the batch again, and what did commit is
                // recognised by its update id.
                failures = failures.saturating_add(1);
                tokio::time::sleep(backoff(failures)).await;
                continue;
            }
            offset = Some(i32::try_from(last).unwrap_or(i32::MAX).saturating_add(1));
        }
    }
}

/// 1 s, 2 s, 4 s ... up to 30 s.
fn backoff(failures: u32) -> Duration {
    Duration::from_secs(1u64 << failures.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}
