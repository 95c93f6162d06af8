//! `/api/v1`: the admin API. Every route is registered through utoipa's router, so the
//! OpenAPI document (`/api/v1/openapi.json`) is generated from the handlers themselves
//! and cannot leave one out.

mod matcher;
mod outbox;
mod reports;
mod stats;

use axum::http::StatusCode;
use bot_core::config::Secret;
use bot_core::runtime::Conversations;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use ::matcher::worker as matcher_worker;

use crate::auth::{TokenCheck, require_token};
use crate::error::ApiError;

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

/// What the handlers share.
#[derive(Clone)]
pub struct ApiState {
    pub(crate) conversations: Conversations,
    pub(crate) matcher: matcher_worker::WorkerConfig,
    /// Who acts, in the audit log: the token's name.
    pub(crate) actor: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "lexbot admin API",
        description = "Run a lexbot community: figures, people, partnerships, reports, \
                       the matcher, the outbox, broadcasts, content and the audit log. \
                       Every route needs `Authorization: Bearer <LEXBOT_ADMIN_TOKEN>`. \
                       Errors are `{\"error\", \"message\", \"details\"}`."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every route with its documentation, relative to [`PREFIX`].
fn documented() -> OpenApiRouter<ApiState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(stats::stats))
        .routes(routes!(outbox::outbox_stats))
        .routes(routes!(outbox::dead_letters))
        .routes(routes!(matcher::queue))
        .routes(routes!(matcher::waves))
        .routes(routes!(matcher::run_now))
        .routes(routes!(reports::list))
}

/// The OpenAPI document, with paths under [`PREFIX`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    OpenApiRouter::<ApiState>::new()
        .nest(PREFIX, documented())
        .into_openapi()
}

/// The API's routes under [`PREFIX`], behind `token`; `/api/v1/openapi.json` needs the
/// token too (it describes what the token opens).
pub fn routes(
    conversations: Conversations,
    matcher: matcher_worker::WorkerConfig,
    token: &Secret,
) -> axum::Router {
    let check = TokenCheck::new(token);
    let state = ApiState {
        conversations,
        matcher,
        actor: check.actor(),
    };
    let (router, _) = documented().split_for_parts();
    let document = std::sync::Arc::new(openapi());
    let api = router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let document = document.clone();
                async move { axum::Json(document.as_ref().clone()) }
            }),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(check, require_token))
        .with_state(state);
    axum::Router::new().nest(PREFIX, api)
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint; see /api/v1/openapi.json",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method; see /api/v1/openapi.json",
    )
}

/// A page size: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when not given.
pub(crate) fn page_limit(limit: Option<u32>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(limit) if (1..=MAX_LIMIT as u32).contains(&limit) => Ok(i64::from(limit)),
        Some(limit) => Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        )
        .with_details(serde_json::json!({ "limit": limit }))),
    }
}

pub(crate) const DEFAULT_LIMIT: i64 = 50;
pub(crate) const MAX_LIMIT: i64 = 500;
