//! Admins, as the engine sees them: who is one ([`AdminAccounts`]), what an admin's step
//! asks the admin desk to do beyond the admin's own record ([`AdminRequest`], carried out
//! by `crate::admin` with I/O), what the desk answers (an [`AdminOutcome`], stepped by the
//! admin again so every word they read is rendered here, localised), and the orders an
//! admin gives about a person ([`Moderation`]), carried out by that person's own step.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{AccountRef, LanguageCode, Locale, PersonId, Profile, ReportReason};

/// The platform accounts allowed to run admin commands, from `[admin] accounts`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminAccounts(Vec<AccountRef>);

impl AdminAccounts {
    pub fn new(accounts: Vec<AccountRef>) -> Self {
        Self(accounts)
    }

    /// Whether any of a person's accounts is an admin's.
    pub fn includes_any(&self, accounts: &[AccountRef]) -> bool {
        accounts.iter().any(|account| self.0.contains(account))
    }

    pub fn accounts(&self) -> &[AccountRef] {
        &self.0
    }
}

/// Who did something, as the audit log names them: a platform account
/// (`telegram:123`) or an API token's name (`token:NAME`).
pub fn actor_of_account(account: &AccountRef) -> String {
    format!("{}:{}", account.platform, account.user_id)
}

/// What an admin's step asks the admin desk to do. Every request is written to the
/// audit log with its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum AdminRequest {
    Stats,
    /// `target`: a person id, `platform:account id`, or `@handle`.
    ShowUser {
        target: String,
    },
    Ban {
        target: String,
        reason: String,
    },
    Unban {
        target: String,
    },
    /// The open reports, oldest first.
    Reports,
    CloseReport {
        report: i64,
        resolution: Resolution,
    },
    /// How many people a broadcast would reach.
    PreviewBroadcast {
        text: String,
        audience: Audience,
    },
    SendBroadcast {
        text: String,
        audience: Audience,
    },
    MatchNow,
    ReloadContent,
    DeadLetters,
    RetryDeadLetters,
    /// Someone who is not an admin sent an admin command: logged and audited, nothing else.
    Refused {
        command: String,
    },
}

impl AdminRequest {
    /// The action's name in the audit log.
    pub fn action(&self) -> &'static str {
        match self {
            AdminRequest::Stats => "stats",
            AdminRequest::ShowUser { .. } => "user",
            AdminRequest::Ban { .. } => "ban",
            AdminRequest::Unban { .. } => "unban",
            AdminRequest::Reports => "reports",
            AdminRequest::CloseReport { .. } => "close_report",
            AdminRequest::PreviewBroadcast { .. } => "broadcast_preview",
            AdminRequest::SendBroadcast { .. } => "broadcast",
            AdminRequest::MatchNow => "match_now",
            AdminRequest::ReloadContent => "reload_content",
            AdminRequest::DeadLetters => "deadletters",
            AdminRequest::RetryDeadLetters => "deadletters_retry",
            AdminRequest::Refused { .. } => "refused",
        }
    }
}

/// How an admin closes a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Acted on (outside the bot, or by talking to the person).
    Resolved,
    /// Nothing to do.
    Dismissed,
    /// The person reported is banned.
    Banned,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Resolved => "resolved",
            Resolution::Dismissed => "dismissed",
            Resolution::Banned => "banned",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Self::Resolved, Self::Dismissed, Self::Banned]
            .into_iter()
            .find(|resolution| resolution.as_str() == input)
    }
}

/// Whom a broadcast goes to: people who finished onboarding, can be reached and are
/// not banned, optionally only those with one interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "audience", rename_all = "snake_case")]
pub enum Audience {
    Everyone,
    Locale { locale: Locale },
}

/// The admin desk's answer to one request, stepped by the admin who asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AdminOutcome {
    Stats {
        stats: Box<AdminStats>,
    },
    User {
        summary: Box<PersonSummary>,
    },
    NoSuchPerson {
        target: String,
    },
    /// The order went to the person's own step; `changed` = false when they already
    /// were (or were not) banned.
    Moderated {
        person: PersonId,
        ban: bool,
        changed: bool,
    },
    Reports {
        open: u64,
        page: Vec<ReportView>,
    },
    ReportClosed {
        report: i64,
        resolution: Resolution,
        /// False when no open report had that id.
        found: bool,
    },
    BroadcastPreview {
        text: String,
        audience: Audience,
        count: u64,
    },
    BroadcastQueued {
        broadcast: i64,
        queued: u64,
    },
    BroadcastProgress {
        progress: BroadcastProgress,
    },
    MatchRequested {
        waiting: u64,
    },
    ContentReloaded {
        languages: usize,
        courses: usize,
        exams: usize,
    },
    ContentRefused {
        errors: String,
    },
    DeadLetters {
        count: u64,
        sample: Vec<DeadLetterView>,
    },
    DeadLettersRetried {
        count: u64,
    },
    /// The desk could not do it (logged with the reason).
    Failed,
}

impl AdminOutcome {
    /// The outcome's name in the audit log.
    pub fn audit_word(&self) -> &'static str {
        match self {
            AdminOutcome::NoSuchPerson { .. } => "not_found",
            AdminOutcome::Moderated { changed: false, .. } => "unchanged",
            AdminOutcome::ReportClosed { found: false, .. } => "not_found",
            AdminOutcome::ContentRefused { .. } => "refused",
            AdminOutcome::Failed => "failed",
            _ => "ok",
        }
    }
}

/// An admin's order about a person, carried out by that person's own step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "order", rename_all = "snake_case")]
pub enum Moderation {
    /// Never matched again; their proposal or partnership ends; they hear one notice,
    /// and the same notice answers everything they send.
    Ban,
    Unban,
}

/// What reaches a person's step from the admin side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "admin", rename_all = "snake_case")]
pub enum AdminInput {
    /// The desk's answer to this admin's request.
    Outcome { outcome: AdminOutcome },
    /// An admin's order about this person.
    Order { order: Moderation },
}

/// The figures of /stats.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminStats {
    pub people: u64,
    /// People who have not finished onboarding.
    pub onboarding: u64,
    pub onboarded: u64,
    pub paused: u64,
    pub unreachable: u64,
    pub banned: u64,
    /// People who arrived in the last day / week and have finished onboarding.
    pub onboarded_today: u64,
    pub onboarded_week: u64,
    pub waiting: u64,
    /// People holding a proposal / an active partnership (two per partnership).
    pub proposed: u64,
    pub partnered: u64,
    /// Most common (native, learning) pairs among onboarded people, most common first.
    pub top_pairs: Vec<LanguagePairCount>,
    pub waves_last_day: u64,
    pub pairs_last_day: u64,
    pub outbox_queued: u64,
    pub outbox_dead: u64,
    /// Timers due over a minute ago that have not fired.
    pub timers_late: u64,
    pub open_reports: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguagePairCount {
    pub native: LanguageCode,
    pub learning: LanguageCode,
    pub people: u64,
}

/// Where a person stands with matching, for /user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchingStatus {
    Idle,
    Waiting,
    Proposed,
    Partnered,
}

/// A person as /user shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSummary {
    pub id: PersonId,
    pub created_at: DateTime<Utc>,
    pub accounts: Vec<AccountRef>,
    pub profile: Profile,
    pub matching: MatchingStatus,
    pub reports_about: u64,
    pub reports_filed: u64,
    /// The audit log's entries about them, newest first.
    pub audit: Vec<AuditEntry>,
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `telegram:123`, `token:NAME`.
    pub actor: String,
    pub action: String,
    pub target: Option<PersonId>,
    /// What the action was given (a reason, a report id, an audience), never a secret.
    pub details: String,
    /// `ok`, `not_found`, `unchanged`, `refused`, `failed`.
    pub outcome: String,
}

/// An open report, as /reports lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub id: i64,
    pub reporter: PersonId,
    pub about: PersonId,
    pub reason: ReportReason,
    pub details: String,
    pub created_at: DateTime<Utc>,
}

/// How far a broadcast got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastProgress {
    pub broadcast: i64,
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
}

impl BroadcastProgress {
    /// Every message was sent or given up on.
    pub fn finished(&self) -> bool {
        self.sent + self.failed >= self.queued
    }
}

/// A dead message, as /deadletters samples it (never its text: it may quote people).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetterView {
    pub id: i64,
    pub chat: String,
    pub attempts: u32,
    pub last_error: String,
}
