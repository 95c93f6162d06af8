//! `GET /stats`: the community at a glance.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::ApiState;
use crate::error::{ApiError, ErrorBody, Json};

/// Where people stand with matching.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct PeopleFigures {
    pub waiting: u64,
    pub proposed: u64,
    pub partnered: u64,
}

/// The outbox queue.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct OutboxFigures {
    /// Messages waiting to be sent.
    pub pending: u64,
    /// Messages parked after failing for good.
    pub dead: u64,
}

/// Matcher waves of the last 24 hours.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct WaveFigures {
    pub waves: u64,
    pub pairs: u64,
}

/// Re-engagement nudges.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ReengagementFigures {
    pub nudges_sent: u64,
    pub returned_within_48h: u64,
}

#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct Stats {
    pub people: PeopleFigures,
    /// People in the matcher queue.
    pub queue_length: u64,
    /// Active partnerships (each counts two partnered people).
    pub active_partnerships: u64,
    pub outbox: OutboxFigures,
    pub waves_last_day: WaveFigures,
    pub reengagement: ReengagementFigures,
    pub generated_at: DateTime<Utc>,
}

/// How many waves back the last day's figures look at most.
const WAVES_LOOKED_AT: i64 = 2_000;

#[utoipa::path(
    get,
    path = "/stats",
    tag = "stats",
    summary = "The community at a glance",
    responses(
        (status = 200, description = "Figures now", body = Stats),
        (status = 401, description = "No valid token", body = ErrorBody),
    )
)]
pub async fn stats(State(api): State<ApiState>) -> Result<Json<Stats>, ApiError> {
    let store = api.conversations.store();
    let now = Utc::now();
    let partnering = store.partnering_stats().await?;
    let queue_length = store.queue_len().await?;
    let outbox = store.outbox_stats().await?;
    let reengagement = store.reengagement_stats().await?;
    let day_ago = now - chrono::Duration::days(1);
    let recent: Vec<_> = store
        .recent_waves(WAVES_LOOKED_AT)
        .await?
        .into_iter()
        .filter(|wave| wave.started_at >= day_ago)
        .collect();
    Ok(Json(Stats {
        people: PeopleFigures {
            waiting: partnering.waiting,
            proposed: partnering.proposed,
            partnered: partnering.partnered,
        },
        queue_length,
        active_partnerships: partnering.partnered / 2,
        outbox: OutboxFigures {
            pending: outbox.pending,
            dead: outbox.dead,
        },
        waves_last_day: WaveFigures {
            waves: recent.len() as u64,
            pairs: recent.iter().map(|wave| wave.pairs).sum(),
        },
        reengagement: ReengagementFigures {
            nudges_sent: reengagement.nudges_sent,
            returned_within_48h: reengagement.returned_within_48h,
        },
        generated_at: now,
    }))
}
