//! Operations endpoints, open to whoever reaches the server (they reveal no person):
//! `/healthz` (the process answers), `/readyz` (database, adapters and registered
//! dependencies usable now; 503 with the reasons otherwise) and `/metrics` (Prometheus
//! text, with the store's figures read at most every [`STORE_FIGURES_TTL`]).

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bot_core::app::Readiness;
use bot_core::storage::Store;
use bot_core::telemetry;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde::Serialize;
use tokio::sync::Mutex;

/// The store's people and outbox figures are read at most this often: a scrape every
/// few seconds must not read every practice record each time.
pub const STORE_FIGURES_TTL: Duration = Duration::from_secs(15);

/// Installs the Prometheus recorder as the process's metrics recorder, once; later
/// calls return the same handle. Histograms get fixed buckets, so they render as
/// Prometheus histograms (summable across replicas).
pub fn install_recorder() -> Result<PrometheusHandle, String> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets(telemetry::SECONDS_BUCKETS)
                .and_then(|builder| {
                    builder.set_buckets_for_metric(
                        metrics_exporter_prometheus::Matcher::Full(
                            telemetry::COMMIT_BATCH_SIZE.to_owned(),
                        ),
                        telemetry::BATCH_BUCKETS,
                    )
                })
                .map_err(|error| error.to_string())?;
            let handle = builder
                .install_recorder()
                .map_err(|error| error.to_string())?;
            telemetry::describe();
            // Upkeep keeps the histograms' memory bounded; nothing else runs it without
            // the exporter's own listener.
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                })
                .map_err(|error| error.to_string())?;
            Ok(handle)
        })
        .clone()
}

/// What the operations routes need.
#[derive(Clone)]
pub struct Ops {
    readiness: Readiness,
    metrics: Option<PrometheusHandle>,
    store: Arc<dyn Store>,
    figures_read: Arc<Mutex<Option<Instant>>>,
}

impl Ops {
    /// `metrics`: the installed recorder's handle; `None` serves no `/metrics`.
    pub fn new(
        readiness: Readiness,
        store: Arc<dyn Store>,
        metrics: Option<PrometheusHandle>,
    ) -> Self {
        Self {
            readiness,
            metrics,
            store,
            figures_read: Arc::new(Mutex::new(None)),
        }
    }

    /// `/healthz`, `/readyz` and (with a recorder) `/metrics`.
    pub fn routes(self) -> axum::Router {
        let mut router = axum::Router::new()
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz));
        if self.metrics.is_some() {
            router = router.route("/metrics", get(render_metrics));
        }
        router.with_state(self)
    }

    /// Sets the gauges read from the store, unless they were set within the TTL.
    async fn refresh_store_figures(&self) {
        let mut read = self.figures_read.lock().await;
        if read.is_some_and(|at| at.elapsed() < STORE_FIGURES_TTL) {
            return;
        }
        match self.store.partnering_stats().await {
            Ok(stats) => {
                for (state, count) in [
                    ("waiting", stats.waiting),
                    ("proposed", stats.proposed),
                    ("partnered", stats.partnered),
                ] {
                    metrics::gauge!(telemetry::PEOPLE, "state" => state).set(count as f64);
                }
            }
            Err(error) => tracing::warn!(%error, "metrics: cannot read people by state"),
        }
        match self.store.outbox_stats().await {
            Ok(stats) => {
                metrics::gauge!(telemetry::OUTBOX_MESSAGES, "state" => "pending")
                    .set(stats.pending as f64);
                metrics::gauge!(telemetry::OUTBOX_MESSAGES, "state" => "dead")
                    .set(stats.dead as f64);
            }
            Err(error) => tracing::warn!(%error, "metrics: cannot read the outbox figures"),
        }
        *read = Some(Instant::now());
    }
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

async fn healthz() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

#[derive(Serialize)]
struct ReadyCheck {
    name: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

#[derive(Serialize)]
struct Ready {
    status: &'static str,
    checks: Vec<ReadyCheck>,
}

async fn readyz(State(ops): State<Ops>) -> Response {
    let outcomes = ops.readiness.check().await;
    let ready = outcomes.iter().all(|outcome| outcome.failure.is_none());
    let body = Ready {
        status: if ready { "ready" } else { "not_ready" },
        checks: outcomes
            .into_iter()
            .map(|outcome| ReadyCheck {
                name: outcome.name,
                ok: outcome.failure.is_none(),
                reason: outcome.failure,
            })
            .collect(),
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

async fn render_metrics(State(ops): State<Ops>) -> Response {
    let Some(handle) = ops.metrics.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    ops.refresh_store_figures().await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}
