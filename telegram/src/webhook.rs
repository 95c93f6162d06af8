//! Webhook mode: Telegram posts each update to us. The secret token Telegram echoes in
//! `X-Telegram-Bot-Api-Secret-Token` is required and compared in constant time; the
//! answer is 200 only after the update's effects committed, so Telegram retries
//! anything we could not save (and a retried update is recognised by its id).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use bot_core::config::Secret;
use bot_core::domain::Platform;
use bot_core::runtime::Conversations;
use bot_core::storage::InboxUpdate;
use chrono::Utc;
use subtle::ConstantTimeEq;
use teloxide::prelude::Bot;
use teloxide::types::Update;
use tokio::sync::Notify;

use crate::callbacks::answer_callbacks;
use crate::convert::convert;

const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Why a webhook cannot start.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WebhookError {
    #[error(
        "webhook mode needs TELEGRAM_WEBHOOK_SECRET (1-256 characters of A-Z, a-z, 0-9, _ and -), \
         so that only Telegram can post updates"
    )]
    MissingSecret,
    #[error("TELEGRAM_WEBHOOK_SECRET may hold only 1-256 characters of A-Z, a-z, 0-9, _ and -")]
    InvalidSecret,
}

/// Checks the secret the way Telegram's setWebhook does.
pub fn check_secret(secret: Option<&Secret>) -> Result<Secret, WebhookError> {
    let secret = secret.ok_or(WebhookError::MissingSecret)?;
    let value = secret.expose();
    let valid = (1..=256).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(secret.clone())
    } else {
        Err(WebhookError::InvalidSecret)
    }
}

#[derive(Clone)]
struct WebhookState {
    bot: Bot,
    conversations: Conversations,
    bot_username: Arc<str>,
    secret: Secret,
    /// Wakes the inbox consumer after an update was left in the inbox to step again.
    replay_requested: Arc<Notify>,
}

/// The webhook route at `path`.
pub fn router(
    bot: Bot,
    conversations: Conversations,
    bot_username: &str,
    secret: Secret,
    path: &str,
    replay_requested: Arc<Notify>,
) -> Router {
    let state = WebhookState {
        bot,
        conversations,
        bot_username: Arc::from(bot_username),
        secret,
        replay_requested,
    };
    Router::new().route(path, post(receive)).with_state(state)
}

async fn receive(State(state): State<WebhookState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|value| value.as_bytes())
        .unwrap_or_default();
    if !bool::from(given.ct_eq(state.secret.expose().as_bytes())) {
        return StatusCode::UNAUTHORIZED;
    }
    let update: Update = match serde_json::from_slice(&body) {
        Ok(update) => update,
        Err(error) => {
            tracing::warn!(%error, "webhook body is not an update");
            return StatusCode::BAD_REQUEST;
        }
    };
    let converted = convert(&update, &state.bot_username);
    let Some(incoming) = converted.incoming else {
        answer_callbacks(&state.bot, converted.callback.into_iter().collect());
        return StatusCode::OK;
    };
    let result = state
        .conversations
        .handle_batch(vec![incoming], Utc::now())
        .await
        .pop();
    answer_callbacks(&state.bot, converted.callback.into_iter().collect());
    match result {
        Some(Ok(_)) => StatusCode::OK,
        Some(Err(error)) => {
            tracing::error!(%error, "update not handled; keeping it in the inbox");
            keep_for_replay(&state, &update, &body).await
        }
        None => keep_for_replay(&state, &update, &body).await,
    }
}

/// An update whose step failed goes to the inbox, where the consumer steps it again
/// with a backoff and gives it up past a limit (Telegram's own retries would step it
/// again and again). Only once it is stored is it confirmed; if even that fails,
/// Telegram keeps it and retries.
async fn keep_for_replay(state: &WebhookState, update: &Update, body: &Bytes) -> StatusCode {
    let kept = InboxUpdate {
        id: update.id.0.to_string(),
        payload: String::from_utf8_lossy(body).into_owned(),
    };
    match state
        .conversations
        .store()
        .inbox_put(Platform::Telegram, &[kept], Utc::now())
        .await
    {
        Ok(()) => {
            state.replay_requested.notify_one();
            StatusCode::OK
        }
        Err(error) => {
            tracing::error!(%error, "could not keep a failed update; Telegram will retry it");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_follow_telegrams_rules() {
        assert_eq!(check_secret(None), Err(WebhookError::MissingSecret));
        assert_eq!(
            check_secret(Some(&Secret::new("has space"))),
            Err(WebhookError::InvalidSecret)
        );
        assert_eq!(
            check_secret(Some(&Secret::new(""))),
            Err(WebhookError::InvalidSecret)
        );
        assert_eq!(
            check_secret(Some(&Secret::new("x".repeat(257)))),
            Err(WebhookError::InvalidSecret)
        );
        assert!(check_secret(Some(&Secret::new("Good_secret-123"))).is_ok());
    }
}
