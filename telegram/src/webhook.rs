//! Webhook mode: Telegram posts each update to us. The secret token Telegram echoes in
//! `X-Telegram-Bot-Api-Secret-Token` is required and compared in constant time; the
//! answer is 200 only after the update's effects committed, so Telegram retries
//! anything we could not save (and a retried update is recognised by its id).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use bot_core::config::Secret;
use bot_core::ingest::Ingest;
use subtle::ConstantTimeEq;
use teloxide::types::Update;

use crate::polling::TelegramSource;

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
    ingest: Ingest<TelegramSource>,
    secret: Secret,
}

/// The webhook route at `path`; what it receives goes through `ingest`, whose consumer
/// steps again what failed.
pub fn router(ingest: Ingest<TelegramSource>, secret: Secret, path: &str) -> Router {
    let state = WebhookState { ingest, secret };
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
    let payload = String::from_utf8_lossy(&body).into_owned();
    let received = state.ingest.source().received(&update, Some(payload));
    // An update whose step failed is kept in the inbox and stepped again from there,
    // with a backoff and given up past a limit (Telegram's own retries would step it
    // again and again); only if even that fails does Telegram keep it and retry.
    if state.ingest.step_now(received).await {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
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
