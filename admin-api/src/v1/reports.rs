//! Reports people filed about others.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::outbox::Limit;
use super::{ApiState, page_limit};
use crate::error::{ApiError, ErrorBody, Json, Query};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Report {
    pub id: i64,
    #[schema(format = Uuid)]
    pub reporter: String,
    #[schema(format = Uuid)]
    pub about: String,
    /// spam, harassment, inappropriate, no_show or other.
    pub reason: String,
    pub details: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Reports {
    pub items: Vec<Report>,
}

#[utoipa::path(
    get,
    path = "/reports",
    tag = "reports",
    summary = "Reports, newest first",
    params(Limit),
    responses(
        (status = 200, body = Reports),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
    )
)]
pub async fn list(
    State(api): State<ApiState>,
    Query(query): Query<Limit>,
) -> Result<Json<Reports>, ApiError> {
    let limit = page_limit(query.limit)?;
    let reports = api.conversations.store().reports(limit).await?;
    Ok(Json(Reports {
        items: reports
            .into_iter()
            .map(|report| Report {
                id: report.id,
                reporter: report.reporter.to_string(),
                about: report.about.to_string(),
                reason: report.reason.as_str().to_owned(),
                details: report.details,
                created_at: report.created_at,
            })
            .collect(),
    }))
}
