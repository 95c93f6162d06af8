//! The outbox: queue figures and dead letters.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::stats::OutboxFigures;
use super::{ApiState, page_limit};
use crate::error::{ApiError, ErrorBody, Json, Query};

#[utoipa::path(
    get,
    path = "/outbox",
    tag = "outbox",
    summary = "Messages waiting and dead",
    responses(
        (status = 200, body = OutboxFigures),
        (status = 401, body = ErrorBody),
    )
)]
pub async fn outbox_stats(State(api): State<ApiState>) -> Result<Json<OutboxFigures>, ApiError> {
    let stats = api.conversations.store().outbox_stats().await?;
    Ok(Json(OutboxFigures {
        pending: stats.pending,
        dead: stats.dead,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Limit {
    /// How many, 1 to 500 (default 50).
    pub limit: Option<u32>,
}

/// A message that could not be delivered. Its text is not shown: it may quote what
/// a person wrote to their partner.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeadLetter {
    pub id: i64,
    pub platform: String,
    pub chat: String,
    /// Whom it was for, when known.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub person: Option<String>,
    pub attempts: u32,
    pub last_error: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeadLetters {
    pub items: Vec<DeadLetter>,
}

#[utoipa::path(
    get,
    path = "/outbox/dead",
    tag = "outbox",
    summary = "Dead letters, newest first",
    params(Limit),
    responses(
        (status = 200, body = DeadLetters),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
    )
)]
pub async fn dead_letters(
    State(api): State<ApiState>,
    Query(query): Query<Limit>,
) -> Result<Json<DeadLetters>, ApiError> {
    let limit = page_limit(query.limit)?;
    let dead = api.conversations.store().dead_letters(limit).await?;
    Ok(Json(DeadLetters {
        items: dead
            .into_iter()
            .map(|letter| DeadLetter {
                id: letter.message.id,
                platform: letter.message.chat.platform.as_str().to_owned(),
                chat: letter.message.chat.chat_id.clone(),
                person: letter.message.person.map(|person| person.to_string()),
                attempts: letter.message.attempts,
                last_error: letter.last_error,
            })
            .collect(),
    }))
}
