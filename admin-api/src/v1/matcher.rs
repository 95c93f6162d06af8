//! The matcher: who waits, the last waves, and a wave now.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::outbox::Limit;
use super::{ApiState, page_limit};
use crate::error::{ApiError, ErrorBody, Json, Query};

/// Someone in the matcher queue.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Waiting {
    #[schema(format = Uuid)]
    pub person: String,
    /// Since when they wait (missing if their record no longer says they do).
    pub since: Option<DateTime<Utc>>,
    /// Languages they speak and learn (ISO 639-1).
    pub native: Vec<String>,
    pub learning: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Queue {
    /// Everyone waiting.
    pub total: u64,
    /// The longest waiting first, at most `limit`.
    pub items: Vec<Waiting>,
}

#[utoipa::path(
    get,
    path = "/matcher/queue",
    tag = "matcher",
    summary = "Who waits for a partner, longest waiting first",
    params(Limit),
    responses(
        (status = 200, body = Queue),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
    )
)]
pub async fn queue(
    State(api): State<ApiState>,
    Query(query): Query<Limit>,
) -> Result<Json<Queue>, ApiError> {
    let limit = usize::try_from(page_limit(query.limit)?).unwrap_or(usize::MAX);
    let pool = api.conversations.store().waiting_pool().await?;
    Ok(Json(Queue {
        total: pool.len() as u64,
        items: pool
            .into_iter()
            .take(limit)
            .map(|entry| Waiting {
                person: entry.person.to_string(),
                since: entry.practice.partnering.waiting_since(),
                native: entry
                    .profile
                    .native
                    .iter()
                    .map(|language| language.to_string())
                    .collect(),
                learning: entry
                    .profile
                    .targets
                    .iter()
                    .map(|target| target.language.to_string())
                    .collect(),
            })
            .collect(),
    }))
}

/// One matcher wave.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Wave {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub waiting: u64,
    pub eligible: u64,
    pub pairs: u64,
    pub total_weight: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Waves {
    pub items: Vec<Wave>,
}

#[utoipa::path(
    get,
    path = "/matcher/waves",
    tag = "matcher",
    summary = "The latest matcher waves, newest first",
    params(Limit),
    responses(
        (status = 200, body = Waves),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
    )
)]
pub async fn waves(
    State(api): State<ApiState>,
    Query(query): Query<Limit>,
) -> Result<Json<Waves>, ApiError> {
    let limit = page_limit(query.limit)?;
    let waves = api.conversations.store().recent_waves(limit).await?;
    Ok(Json(Waves {
        items: waves
            .into_iter()
            .map(|wave| Wave {
                started_at: wave.started_at,
                finished_at: wave.finished_at,
                waiting: wave.waiting,
                eligible: wave.eligible,
                pairs: wave.pairs,
                total_weight: wave.total_weight,
            })
            .collect(),
    }))
}

/// What "run now" did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunNow {
    /// `requested`: this process leads the matcher and runs a wave within a second;
    /// `ran`: this process took the lead and ran one wave (its figures follow).
    pub status: String,
    pub pairs: Option<u64>,
    pub waiting: Option<u64>,
}

#[utoipa::path(
    post,
    path = "/matcher/run",
    tag = "matcher",
    summary = "Run a matching wave now",
    responses(
        (status = 202, description = "The leader runs a wave now", body = RunNow),
        (status = 200, description = "A wave ran in this request", body = RunNow),
        (status = 401, body = ErrorBody),
        (status = 409, description = "Another process leads the matcher", body = ErrorBody),
    )
)]
pub async fn run_now(State(api): State<ApiState>) -> Result<Response, ApiError> {
    let trigger = &api.matcher.run_now;
    if trigger.leading() {
        // The same request /match_now makes: the leading worker runs a wave at once.
        api.conversations.request_wave();
        tracing::info!(actor = %api.actor, "matcher wave requested through the admin API");
        let body = RunNow {
            status: "requested".into(),
            pairs: None,
            waiting: None,
        };
        return Ok((StatusCode::ACCEPTED, Json(body)).into_response());
    }
    let store = api.conversations.store();
    let worker = ::matcher::worker::MatcherWorker::with_config(
        api.conversations.clone(),
        api.matcher.clone(),
    );
    let Some(lead) = store
        .try_lead(
            ::matcher::worker::LEADER_ROLE,
            &api.matcher.owner,
            api.matcher.lead_ttl,
        )
        .await?
    else {
        return Err(ApiError::conflict(
            "matcher_busy",
            "another process leads the matcher; it runs waves on its own schedule",
        ));
    };
    let outcome = worker.run_wave(Utc::now()).await;
    if let Err(error) = lead.release().await {
        tracing::warn!(%error, "could not release the matcher lead after an admin wave");
    }
    let outcome = outcome.map_err(ApiError::internal)?;
    tracing::info!(actor = %api.actor, pairs = outcome.pairs, "matcher wave run through the admin API");
    Ok(Json(RunNow {
        status: "ran".into(),
        pairs: Some(outcome.pairs),
        waiting: Some(outcome.waiting),
    })
    .into_response())
}
