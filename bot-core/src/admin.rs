//! The admin desk: carries out what admins ask, with the I/O the engine cannot do, and
//! writes every action to the audit log (who, on which account or token, what, about
//! whom, when, and how it ended).
//!
//! A bot command reaches it as an [`AdminTask`] the runtime hands over once the admin's
//! step has committed; the answer goes back as a step of the admin
//! ([`AdminInput::Outcome`]), where the engine renders it in the admin's language. The
//! admin HTTP API calls [`execute`] directly. An order about a person (a ban) is
//! delivered as a step of that person ([`AdminInput::Order`]): their record is written
//! by their own step only. A broadcast is queued straight into the outbox and watched
//! until every message is sent or dead, and the admin is told the figures.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::{mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::app::{RunningService, Service};
use crate::config::Settings;
use crate::domain::{ChatKey, PersonId};
use crate::engine::{AdminInput, AdminOutcome, AdminRequest, Audience, Moderation, Resolution};
use crate::runtime::{AdminTask, Conversations, RuntimeError};
use crate::storage::{NewAuditEntry, NewBroadcast, PersonLookup, StoreError};

/// Why a request could not be carried out (logged; the admin hears it failed).
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the person's step failed: {0}")]
    Step(#[from] RuntimeError),
}

/// How many open reports /reports shows, and dead letters /deadletters samples.
const REPORTS_PAGE: i64 = 5;
const DEAD_LETTER_SAMPLE: i64 = 5;
/// Audit entries /user shows.
const USER_AUDIT: i64 = 10;

/// How the desk works.
#[derive(Debug, Clone)]
pub struct DeskOptions {
    /// Where /reload_content reads the content pack from (the content dir and limits
    /// of these settings); `None`: /reload_content is refused.
    pub settings: Option<Settings>,
    /// How often a broadcast's progress is looked at.
    pub progress_every: Duration,
    /// A broadcast whose figures have not moved for this long is reported as it stands
    /// (its remaining messages may wait for a platform this process does not serve).
    pub give_up_watching_after: Duration,
}

impl Default for DeskOptions {
    fn default() -> Self {
        Self {
            settings: None,
            progress_every: Duration::from_secs(1),
            give_up_watching_after: Duration::from_secs(600),
        }
    }
}

/// The admin desk as a service of the application.
pub struct AdminDesk(pub DeskOptions);

impl AdminDesk {
    pub fn from_settings(settings: &Settings) -> Self {
        Self(DeskOptions {
            settings: Some(settings.clone()),
            ..DeskOptions::default()
        })
    }
}

impl Service for AdminDesk {
    fn start(self: Box<Self>, conversations: Conversations) -> Box<dyn RunningService> {
        let (tasks, received) = mpsc::unbounded_channel();
        conversations.attach_admin_desk(tasks);
        let (stop, stopped) = watch::channel(false);
        let options = Arc::new(self.0);
        let task = tokio::spawn(serve(options, conversations, received, stopped));
        Box::new(DeskHandle { stop, task })
    }
}

/// The running desk.
pub struct DeskHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

#[async_trait]
impl RunningService for DeskHandle {
    async fn shutdown(self: Box<Self>) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::error!(%error, "the admin desk ended abnormally");
        }
    }

    fn abort(self: Box<Self>) {
        self.task.abort();
    }
}

async fn serve(
    options: Arc<DeskOptions>,
    conversations: Conversations,
    mut tasks: mpsc::UnboundedReceiver<AdminTask>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut running = JoinSet::new();
    loop {
        tokio::select! {
            task = tasks.recv() => match task {
                Some(task) => {
                    running.spawn(handle(options.clone(), conversations.clone(), task));
                }
                None => break,
            },
            _ = stopped.changed() => break,
            Some(joined) = running.join_next(), if !running.is_empty() => {
                if let Err(error) = joined {
                    tracing::error!(%error, "an admin task failed");
                }
            }
        }
    }
    // Requests in flight finish; broadcast watchers stop (their messages stay queued).
    running.abort_all();
    while running.join_next().await.is_some() {}
}

/// One bot command's request: carried out, audited, answered.
async fn handle(options: Arc<DeskOptions>, conversations: Conversations, task: AdminTask) {
    let outcome = execute(&conversations, &options, &task.actor, &task.request).await;
    if matches!(task.request, AdminRequest::Refused { .. }) {
        return;
    }
    let watch = match &outcome {
        AdminOutcome::BroadcastQueued { broadcast, queued } if *queued > 0 => Some(*broadcast),
        _ => None,
    };
    answer(&conversations, &task, outcome).await;
    if let Some(broadcast) = watch {
        let progress = watch_broadcast(&conversations, &options, broadcast).await;
        if let Some(progress) = progress {
            answer(
                &conversations,
                &task,
                AdminOutcome::BroadcastProgress { progress },
            )
            .await;
        }
    }
}

async fn answer(conversations: &Conversations, task: &AdminTask, outcome: AdminOutcome) {
    let input = AdminInput::Outcome { outcome };
    if let Err(error) = conversations
        .admin_input(task.admin, task.chat.clone(), input, Utc::now())
        .await
    {
        tracing::error!(admin = %task.admin, %error, "could not answer an admin");
    }
}

/// Waits until every message of the broadcast is sent or dead (or its figures stop
/// moving), and returns where it got.
async fn watch_broadcast(
    conversations: &Conversations,
    options: &DeskOptions,
    broadcast: i64,
) -> Option<crate::engine::BroadcastProgress> {
    let store = conversations.store().clone();
    let mut last = None;
    let mut unchanged_since = tokio::time::Instant::now();
    loop {
        tokio::time::sleep(options.progress_every).await;
        let progress = match store.broadcast_progress(broadcast).await {
            Ok(Some(progress)) => progress,
            Ok(None) => return None,
            Err(error) => {
                tracing::error!(broadcast, %error, "cannot read a broadcast's progress");
                continue;
            }
        };
        if progress.finished() {
            return Some(progress);
        }
        if last != Some(progress) {
            last = Some(progress);
            unchanged_since = tokio::time::Instant::now();
        } else if unchanged_since.elapsed() >= options.give_up_watching_after {
            return Some(progress);
        }
    }
}

/// Carries out one admin request for `actor` (`telegram:123`, `token:NAME`) and writes
/// it to the audit log; internal failures are logged and come back as
/// [`AdminOutcome::Failed`].
pub async fn execute(
    conversations: &Conversations,
    options: &DeskOptions,
    actor: &str,
    request: &AdminRequest,
) -> AdminOutcome {
    let (outcome, target) = match carry_out(conversations, options, actor, request).await {
        Ok(done) => done,
        Err(error) => {
            tracing::error!(%actor, action = request.action(), %error, "admin request failed");
            (AdminOutcome::Failed, None)
        }
    };
    let entry = NewAuditEntry {
        at: Utc::now(),
        actor: actor.to_owned(),
        action: request.action().to_owned(),
        target,
        details: details_of(request, &outcome),
        outcome: outcome.audit_word().to_owned(),
    };
    if let Err(error) = conversations.store().audit(&entry).await {
        tracing::error!(%actor, action = request.action(), %error,
            "could not write the audit log");
    }
    outcome
}

/// What the audit log keeps of a request besides its action: its arguments, never a
/// broadcast's text (only its length and audience).
fn details_of(request: &AdminRequest, outcome: &AdminOutcome) -> String {
    let mut details = match request {
        AdminRequest::ShowUser { target } | AdminRequest::Unban { target } => target.clone(),
        AdminRequest::Ban { target, reason } if reason.is_empty() => target.clone(),
        AdminRequest::Ban { target, reason } => format!("{target}: {reason}"),
        AdminRequest::CloseReport { report, resolution } => {
            format!("report {report}: {}", resolution.as_str())
        }
        AdminRequest::PreviewBroadcast { text, audience }
        | AdminRequest::SendBroadcast { text, audience } => format!(
            "{}, {} characters",
            audience_words(*audience),
            text.chars().count()
        ),
        AdminRequest::Refused { command } => format!("/{command}"),
        AdminRequest::Stats
        | AdminRequest::Reports
        | AdminRequest::MatchNow
        | AdminRequest::ReloadContent
        | AdminRequest::DeadLetters
        | AdminRequest::RetryDeadLetters => String::new(),
    };
    let figures = match outcome {
        AdminOutcome::BroadcastQueued { broadcast, queued } => {
            format!("broadcast {broadcast}: {queued} queued")
        }
        AdminOutcome::DeadLettersRetried { count } => format!("{count} queued again"),
        _ => String::new(),
    };
    if !figures.is_empty() {
        if !details.is_empty() {
            details.push_str("; ");
        }
        details.push_str(&figures);
    }
    details
}

fn audience_words(audience: Audience) -> String {
    match audience {
        Audience::Everyone => "everyone".to_owned(),
        Audience::Locale { locale } => format!("interface {}", locale.as_str()),
    }
}

/// The request's outcome and the person it concerned, if any.
async fn carry_out(
    conversations: &Conversations,
    options: &DeskOptions,
    actor: &str,
    request: &AdminRequest,
) -> Result<(AdminOutcome, Option<PersonId>), DeskError> {
    let store = conversations.store();
    let now = Utc::now();
    Ok(match request {
        AdminRequest::Stats => (
            AdminOutcome::Stats {
                stats: Box::new(store.stats(now).await?),
            },
            None,
        ),
        AdminRequest::ShowUser { target } => match resolve(conversations, target).await? {
            None => not_found(target),
            Some(person) => match store.person_summary(person, USER_AUDIT).await? {
                Some(summary) => (
                    AdminOutcome::User {
                        summary: Box::new(summary),
                    },
                    Some(person),
                ),
                None => not_found(target),
            },
        },
        AdminRequest::Ban { target, .. } | AdminRequest::Unban { target } => {
            let ban = matches!(request, AdminRequest::Ban { .. });
            match resolve(conversations, target).await? {
                None => not_found(target),
                Some(person) => (moderate(conversations, person, ban).await?, Some(person)),
            }
        }
        AdminRequest::Reports => {
            let (open, page) = store.reports_page(REPORTS_PAGE).await?;
            (AdminOutcome::Reports { open, page }, None)
        }
        AdminRequest::CloseReport { report, resolution } => {
            let Some(open) = store.open_report(*report).await? else {
                return Ok((
                    AdminOutcome::ReportClosed {
                        report: *report,
                        resolution: *resolution,
                        found: false,
                    },
                    None,
                ));
            };
            if *resolution == Resolution::Banned {
                moderate(conversations, open.about, true).await?;
            }
            let found = store.close_report(*report, *resolution, actor, now).await?;
            (
                AdminOutcome::ReportClosed {
                    report: *report,
                    resolution: *resolution,
                    found,
                },
                Some(open.about),
            )
        }
        AdminRequest::PreviewBroadcast { text, audience } => (
            AdminOutcome::BroadcastPreview {
                text: text.clone(),
                audience: *audience,
                count: store.broadcast_audience(*audience).await?,
            },
            None,
        ),
        AdminRequest::SendBroadcast { text, audience } => {
            let queued = store
                .broadcast_create(&NewBroadcast {
                    at: now,
                    actor: actor.to_owned(),
                    text: text.clone(),
                    audience: *audience,
                })
                .await?;
            // The dispatcher finds them at its next claim; no need to wait for it.
            (
                AdminOutcome::BroadcastQueued {
                    broadcast: queued.id,
                    queued: queued.queued,
                },
                None,
            )
        }
        AdminRequest::MatchNow => {
            conversations.request_wave();
            (
                AdminOutcome::MatchRequested {
                    waiting: store.queue_len().await?,
                },
                None,
            )
        }
        AdminRequest::ReloadContent => (reload_content(conversations, options), None),
        AdminRequest::DeadLetters => {
            let (count, sample) = store.dead_letter_sample(DEAD_LETTER_SAMPLE).await?;
            (AdminOutcome::DeadLetters { count, sample }, None)
        }
        AdminRequest::RetryDeadLetters => (
            AdminOutcome::DeadLettersRetried {
                count: store.retry_dead_letters(now).await?,
            },
            None,
        ),
        AdminRequest::Refused { .. } => (AdminOutcome::Failed, None),
    })
}

fn not_found(target: &str) -> (AdminOutcome, Option<PersonId>) {
    (
        AdminOutcome::NoSuchPerson {
            target: target.to_owned(),
        },
        None,
    )
}

/// The person an admin names (person id or `platform:account id`), if they exist.
async fn resolve(
    conversations: &Conversations,
    target: &str,
) -> Result<Option<PersonId>, StoreError> {
    match PersonLookup::parse(target) {
        Some(lookup) => conversations.store().find_person(&lookup).await,
        None => Ok(None),
    }
}

/// Bans or unbans `person`: the order is a step of theirs, in their private chat.
pub async fn moderate(
    conversations: &Conversations,
    person: PersonId,
    ban: bool,
) -> Result<AdminOutcome, DeskError> {
    let store = conversations.store();
    let Some(summary) = store.person_summary(person, 0).await? else {
        return Ok(AdminOutcome::NoSuchPerson {
            target: person.to_string(),
        });
    };
    if summary.profile.banned == ban {
        return Ok(AdminOutcome::Moderated {
            person,
            ban,
            changed: false,
        });
    }
    // Their private chat, or (never seen in private) their oldest account's own id.
    let chat = match store.private_chat(person).await? {
        Some(chat) => chat,
        None => match summary.accounts.first() {
            Some(account) => ChatKey::new(account.platform, account.user_id.clone()),
            None => {
                return Ok(AdminOutcome::NoSuchPerson {
                    target: person.to_string(),
                });
            }
        },
    };
    let order = if ban {
        Moderation::Ban
    } else {
        Moderation::Unban
    };
    conversations
        .admin_input(person, chat, AdminInput::Order { order }, Utc::now())
        .await?;
    Ok(AdminOutcome::Moderated {
        person,
        ban,
        changed: true,
    })
}

/// Reads the content pack again; a pack with errors is refused and the one in use stays.
fn reload_content(conversations: &Conversations, options: &DeskOptions) -> AdminOutcome {
    let Some(settings) = &options.settings else {
        return AdminOutcome::ContentRefused {
            errors: "this process was started without its settings".into(),
        };
    };
    match crate::app::load_context(settings) {
        Ok(context) => {
            let outcome = AdminOutcome::ContentReloaded {
                languages: context.content.languages().len(),
                courses: context.content.courses().len(),
                exams: context.content.exams().len(),
            };
            conversations.replace_context(Arc::new(context));
            tracing::info!("content pack reloaded");
            outcome
        }
        Err(error) => AdminOutcome::ContentRefused {
            errors: format!("{error:#}"),
        },
    }
}
