//! Whether the application can do its work now, for `/readyz`: the database answers,
//! every adapter connected and its intake still runs, and whatever else was registered
//! (a shared cache, when one is configured) answers too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use crate::storage::Store;

/// How long a dependency may take to answer before it counts as unreachable.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Something the application needs besides the database and its adapters.
#[async_trait]
pub trait ReadinessCheck: Send + Sync + 'static {
    /// Its name in `/readyz` ("redis").
    fn name(&self) -> &'static str;
    /// `Err(reason)` when it cannot be used now.
    async fn check(&self) -> Result<(), String>;
}

/// One line of the readiness report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutcome {
    pub name: String,
    /// `None` = fine; otherwise why not.
    pub failure: Option<String>,
}

/// The application's readiness; clones share it. The application marks adapters
/// connected and their intake stopped; `/readyz` asks [`Readiness::check`].
#[derive(Clone)]
pub struct Readiness {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    /// Set once every adapter connected and the intakes started.
    started: AtomicBool,
    /// Each adapter's name and whether its intake still runs.
    adapters: Mutex<Vec<(&'static str, Arc<AtomicBool>)>>,
    checks: Mutex<Vec<Arc<dyn ReadinessCheck>>>,
}

impl Readiness {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                started: AtomicBool::new(false),
                adapters: Mutex::new(Vec::new()),
                checks: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Adds a dependency to check on every `/readyz`.
    pub fn add_check(&self, check: Arc<dyn ReadinessCheck>) {
        self.inner
            .checks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(check);
    }

    /// An adapter connected; its intake runs while the flag is true.
    pub(super) fn adapter_running(&self, name: &'static str) -> Arc<AtomicBool> {
        let running = Arc::new(AtomicBool::new(true));
        self.inner
            .adapters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((name, running.clone()));
        running
    }

    /// Everything started.
    pub(super) fn mark_started(&self) {
        self.inner.started.store(true, Ordering::Release);
    }

    /// Checks everything now; ready when no outcome has a failure.
    pub async fn check(&self) -> Vec<CheckOutcome> {
        let mut outcomes = Vec::new();
        let database = match tokio::time::timeout(CHECK_TIMEOUT, self.inner.store.ping()).await {
            Ok(Ok(())) => None,
            Ok(Err(error)) => Some(format!("unreachable: {error}")),
            Err(_) => Some(format!(
                "no answer within {} s",
                CHECK_TIMEOUT.as_secs_f64()
            )),
        };
        outcomes.push(CheckOutcome {
            name: "database".into(),
            failure: database,
        });
        if !self.inner.started.load(Ordering::Acquire) {
            outcomes.push(CheckOutcome {
                name: "application".into(),
                failure: Some("still starting".into()),
            });
        }
        let adapters = self
            .inner
            .adapters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for (name, running) in adapters {
            outcomes.push(CheckOutcome {
                name: format!("adapter:{name}"),
                failure: (!running.load(Ordering::Acquire))
                    .then(|| "its intake stopped".to_owned()),
            });
        }
        let checks = self
            .inner
            .checks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for check in checks {
            let failure = match tokio::time::timeout(CHECK_TIMEOUT, check.check()).await {
                Ok(Ok(())) => None,
                Ok(Err(reason)) => Some(reason),
                Err(_) => Some(format!(
                    "no answer within {} s",
                    CHECK_TIMEOUT.as_secs_f64()
                )),
            };
            outcomes.push(CheckOutcome {
                name: check.name().to_owned(),
                failure,
            });
        }
        outcomes
    }
}
