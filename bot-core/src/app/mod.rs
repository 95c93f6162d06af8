//! Wiring: settings in, a ready [`Conversations`] (texts, content, store) out, and the
//! [`Application`] that runs it with its adapters.

mod application;
mod readiness;

pub use crate::outbox::PlatformLimits;
pub use application::{
    Adapter, Application, ApplicationBuilder, Connection, RunningService, Service,
};
pub use readiness::{CHECK_TIMEOUT, CheckOutcome, Readiness, ReadinessCheck};

use std::sync::Arc;

use anyhow::Context as _;

use crate::config::{Secrets, Settings};
use crate::content::Content;
use crate::engine::Context;
use crate::i18n::Texts;
use crate::privacy::{MIN_KEY_BYTES, PRIVACY_KEY_VAR, PrivacyKey};
use crate::runtime::Conversations;
use crate::scheduler::{Scheduler, SchedulerHandle};
use crate::storage;

/// Loads texts and content and opens (and migrates) the store the settings name.
pub async fn build(settings: &Settings, secrets: &Secrets) -> anyhow::Result<Conversations> {
    let context = load_context(settings)?;
    let url = settings.database_url(secrets);
    let store = storage::open(url.expose()).await.with_context(|| {
        format!(
            "opening database {}",
            storage::redact_url(&settings.database.url)
        )
    })?;
    tracing::info!(database = %storage::redact_url(&settings.database.url), "store ready");
    let privacy = privacy_key(secrets)?;
    Ok(Conversations::with_privacy_key(
        store,
        Arc::new(context),
        privacy,
    ))
}

/// The privacy key, if one is configured; a key too short to keep account ids secret is
/// refused, and running without one is warned about, since erasure then keeps nothing.
pub fn privacy_key(secrets: &Secrets) -> anyhow::Result<Option<PrivacyKey>> {
    match &secrets.privacy_key {
        Some(secret) => Ok(Some(PrivacyKey::new(secret)?)),
        None => {
            tracing::warn!(
                "{PRIVACY_KEY_VAR} is not set: blocks and former-partner rules do not \
                 survive /delete_me, so someone who deletes their data and comes back is a \
                 stranger again and escapes them all. Set it to a random secret of at least \
                 {MIN_KEY_BYTES} bytes (e.g. `openssl rand -hex 32`) and never change it."
            );
            Ok(None)
        }
    }
}

/// Texts, content and limits; every content error is reported with file and field.
pub fn load_context(settings: &Settings) -> anyhow::Result<Context> {
    let texts = Texts::embedded().context("loading texts")?;
    let content = match settings.content_dir() {
        Some(dir) => Content::load_dir(dir),
        None => Content::embedded(),
    }
    .map_err(|errors| anyhow::anyhow!("content pack is invalid:\n{errors}"))?;
    Ok(Context {
        texts,
        content,
        limits: settings.limits(),
        training: settings.training()?,
        partnering: settings.partnering()?,
        admins: settings.admin_accounts()?,
    })
}

/// Starts the timer scheduler on `conversations` if the settings enable it; shut the
/// handle down before closing the store.
pub fn start_scheduler(
    conversations: &Conversations,
    settings: &Settings,
) -> Option<SchedulerHandle> {
    if !settings.scheduler.enabled {
        tracing::info!("scheduler disabled in this process");
        return None;
    }
    let config = settings.scheduler();
    tracing::info!(instance = %config.owner, workers = config.workers, "scheduler running");
    Some(Scheduler::new(conversations.clone(), config).spawn())
}
