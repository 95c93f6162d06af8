//! Settings: config/default.toml, overridden by a `--config` file and by `LEXBOT_...`
//! environment variables. Secrets come only from the environment and never print.

use std::fmt;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::{Deserialize, Serialize};

use crate::engine::Limits;

/// The shipped defaults, printed by `lexbot config default`.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// `LEXBOT_` environment variables that are not config keys: secrets ([`Secrets`]),
/// and the log format, which `lexbot` reads
/// before any settings so that even a refused config file is reported in it.
const SECRET_VARIABLES: &[&str] = &[
    "database_password",
    "privacy_key",
    "admin_token",
    "log_format",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub limits: LimitSettings,
    pub content: ContentSettings,
    pub log: LogSettings,
    pub outbox: OutboxSettings,
    pub http: HttpSettings,
    /// `[telegram]`, kept as written: the Telegram adapter reads and checks its fields
    /// (bot-core knows none of them).
    #[serde(default)]
    pub telegram: toml::Table,
    pub scheduler: SchedulerSettings,
    pub training: TrainingSettings,
    pub matching: MatchingSettings,
    #[serde(default)]
    pub admin: AdminSettings,
}

/// `[admin]`: who may run the admin commands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminSettings {
    /// Platform accounts, as `platform:account id` (`telegram:123456`, `local:ana`).
    #[serde(default)]
    pub accounts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingSettings {
    /// Whether `lexbot run` runs the matcher worker itself (the embedded setup); with
    /// false, run `lexbot matcher` as its own process.
    pub embedded: bool,
    /// A wave runs this often ...
    pub wave_interval_seconds: u64,
    /// ... or as soon as this many people wait.
    pub wave_min_waiting: usize,
    /// Each person's best candidates kept for the exact matching.
    pub top_k: usize,
    pub proposal_ttl_hours: i64,
    pub follow_up_days: i64,
    pub max_no_shows: u32,
    pub relay_per_minute: u32,
    pub relay_max_chars: usize,
    /// Edge weight parts (integers, so the matching is exactly optimal).
    pub weights: MatchingWeights,
}

/// The matcher's integer weights (see `matcher::weight` for the formula).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingWeights {
    pub base: u32,
    pub level_same: u32,
    pub level_step: u32,
    pub level_unknown: u32,
    pub per_shared_interest: u32,
    pub max_shared_interests: u32,
    pub availability_cap_minutes: u32,
    pub minutes_per_availability_point: u32,
    /// Points by the number of practice styles both accept (0, 1, 2, 3).
    pub style_points: [u32; 4],
    pub wait_minutes_per_point: u32,
    pub wait_cap_points: u32,
    pub per_missed_wave: u32,
    pub missed_wave_cap: u32,
    /// Fairness points lost per proposal the person let expire unanswered.
    pub per_missed_proposal: u32,
    /// Fairness points lost per partner who said the person did not show up.
    pub per_no_show: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSettings {
    /// `22:00-08:00`, or empty for none: the quiet hours of people who chose none.
    pub quiet_hours: String,
    pub max_reminders: usize,
    /// An exam with no answer for this long is closed without a result.
    pub exam_idle_minutes: i64,
    /// Days without activity after which a nudge is sent, one each; [] = no nudges.
    pub reengagement_days: Vec<i64>,
}

/// This process's name on the leases it holds (outbox messages, timers) when the config
/// names none: host, process id and a random suffix, so two replicas, or a process and
/// its restarted successor, never take each other for the holder of a lease.
pub fn process_instance() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|host| host.trim().to_owned())
            .filter(|host| !host.is_empty())
            .unwrap_or_else(|| "lexbot".to_owned());
        let random = uuid::Uuid::new_v4().simple().to_string();
        let suffix: String = random.chars().take(8).collect();
        format!("{host}-{}-{suffix}", std::process::id())
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerSettings {
    /// Whether this process fires timers; any number of processes may.
    pub enabled: bool,
    /// This process's name on timer leases; unset = [`process_instance`], unique per
    /// process. Set only with a name no other running process uses.
    #[serde(default)]
    pub instance: Option<String>,
    pub workers: usize,
    pub batch_size: i64,
    pub poll_interval_ms: u64,
    pub lease_seconds: u64,
    pub base_backoff_seconds: u64,
    pub max_backoff_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxSettings {
    /// This process's name in outbox leases; unset = [`process_instance`], unique per
    /// process. Set only with a name no other running process uses.
    #[serde(default)]
    pub instance: Option<String>,
    pub max_attempts: u32,
    pub base_backoff_ms: u64,
    pub max_backoff_seconds: u64,
    /// How often to look for messages other processes queued or a dead one left.
    pub claim_interval_ms: u64,
}

/// The one HTTP server: adapters mount their routes on it (the Telegram webhook), and
/// `lexbot run` its health, metrics and admin API routes; it runs when any route exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// Where it listens, like 0.0.0.0:8443 (port 0: any free port).
    pub listen: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    pub max_native_languages: usize,
    pub max_target_languages: usize,
    pub max_interests: usize,
    pub bio_max_chars: usize,
    pub dialogue_timeout_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentSettings {
    pub dir: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub filter: String,
}

/// A secret value: shown as `[redacted]` by Debug and Display alike.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The environment variable holding the admin API's bearer token.
pub const ADMIN_TOKEN_VAR: &str = "LEXBOT_ADMIN_TOKEN";

/// Secrets, read from the environment only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    /// `LEXBOT_DATABASE_PASSWORD`: put into the database URL when connecting.
    pub database_password: Option<Secret>,
    /// `LEXBOT_PRIVACY_KEY`: the key of the hashes that keep blocks, former partners and
    /// reports across /delete_me ([`crate::privacy`]); without it they do not survive.
    pub privacy_key: Option<Secret>,
    /// `LEXBOT_ADMIN_TOKEN`: the bearer token of the admin HTTP API; without it the API
    /// is not served at all (there is no default token).
    pub admin_token: Option<Secret>,
}

impl Secrets {
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let secret = |name: &str| lookup(name).filter(|v| !v.is_empty()).map(Secret);
        Self {
            database_password: secret("LEXBOT_DATABASE_PASSWORD"),
            privacy_key: secret(crate::privacy::PRIVACY_KEY_VAR),
            admin_token: secret(ADMIN_TOKEN_VAR),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A key that does not parse, is unknown, or is missing; figment names the key and source.
    #[error("{0}")]
    Invalid(String),
    #[error("{key}: {reason}")]
    Value { key: &'static str, reason: String },
    #[error("config file {0}: not found")]
    MissingFile(PathBuf),
}

impl Settings {
    /// Defaults, then `file` (if given), then `LEXBOT_*` variables from the process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with_env(file, Env::prefixed("LEXBOT_"))
    }

    /// As [`Settings::load`], with the environment provider given (tests pass a controlled one).
    pub fn load_with_env(file: Option<&Path>, env: Env) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(ConfigError::MissingFile(file.to_owned()));
            }
            figment = figment.merge(Toml::file(file));
        }
        let env = env
            .filter(|key| {
                let key = key.as_str().to_ascii_lowercase();
                !SECRET_VARIABLES.contains(&key.as_str())
                    && !key.starts_with("test_")
                    && !key.starts_with("bench_")
            })
            .split("__");
        figment = figment.merge(env);
        let settings: Settings = figment.extract().map_err(|error| {
            ConfigError::Invalid(
                error
                    .into_iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        if let Some(file) = file.filter(|_| url_has_password(&settings.database.url)) {
            let from_file = figment
                .find_metadata("database.url")
                .and_then(|meta| meta.source.as_ref())
                .is_some_and(|source| source.file_path().is_some());
            if from_file {
                return Err(ConfigError::Value {
                    key: "database.url",
                    reason: format!(
                        "{} puts a password in the URL; set LEXBOT_DATABASE_PASSWORD instead",
                        file.display()
                    ),
                });
            }
        }
        settings.validate()?;
        Ok(settings)
    }

    /// The admins' accounts (`[admin] accounts`).
    pub fn admin_accounts(&self) -> Result<crate::engine::AdminAccounts, ConfigError> {
        let mut accounts = Vec::with_capacity(self.admin.accounts.len());
        for entry in &self.admin.accounts {
            let parsed = entry.trim().split_once(':').and_then(|(platform, id)| {
                let id = id.trim();
                let platform = crate::domain::Platform::parse(platform.trim())?;
                (!id.is_empty()).then(|| crate::domain::AccountRef::new(platform, id))
            });
            match parsed {
                Some(account) => accounts.push(account),
                None => {
                    return Err(ConfigError::Value {
                        key: "admin.accounts",
                        reason: format!(
                            "`{entry}` is not platform:account id (telegram:123456, discord:..., local:NAME)"
                        ),
                    });
                }
            }
        }
        Ok(crate::engine::AdminAccounts::new(accounts))
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.admin_accounts()?;
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Value {
                key: "database.url",
                reason: format!(
                    "`{}` is neither sqlite://PATH nor postgres://...",
                    crate::storage::redact_url(url)
                ),
            });
        }
        let limits = &self.limits;
        check_range(
            "limits.max_native_languages",
            limits.max_native_languages,
            1,
            10,
        )?;
        check_range(
            "limits.max_target_languages",
            limits.max_target_languages,
            1,
            10,
        )?;
        check_range("limits.max_interests", limits.max_interests, 1, 30)?;
        check_range("limits.bio_max_chars", limits.bio_max_chars, 20, 2000)?;
        check_range(
            "limits.dialogue_timeout_minutes",
            limits.dialogue_timeout_minutes,
            1,
            60 * 24 * 90,
        )?;
        let outbox = &self.outbox;
        if outbox
            .instance
            .as_deref()
            .is_some_and(|name| name.trim().is_empty())
        {
            return Err(ConfigError::Value {
                key: "outbox.instance",
                reason: "must not be empty".into(),
            });
        }
        check_range("outbox.max_attempts", outbox.max_attempts, 1, 100)?;
        check_range("outbox.base_backoff_ms", outbox.base_backoff_ms, 1, 600_000)?;
        check_range(
            "outbox.claim_interval_ms",
            outbox.claim_interval_ms,
            10,
            600_000,
        )?;
        check_range(
            "outbox.max_backoff_seconds",
            outbox.max_backoff_seconds,
            1,
            86_400,
        )?;
        let scheduler = &self.scheduler;
        if scheduler
            .instance
            .as_deref()
            .is_some_and(|name| name.trim().is_empty())
        {
            return Err(ConfigError::Value {
                key: "scheduler.instance",
                reason: "must not be empty".into(),
            });
        }
        check_range("scheduler.workers", scheduler.workers, 1, 64)?;
        check_range("scheduler.batch_size", scheduler.batch_size, 1, 10_000)?;
        check_range(
            "scheduler.poll_interval_ms",
            scheduler.poll_interval_ms,
            10,
            60_000,
        )?;
        check_range("scheduler.lease_seconds", scheduler.lease_seconds, 5, 3_600)?;
        check_range(
            "scheduler.base_backoff_seconds",
            scheduler.base_backoff_seconds,
            1,
            3_600,
        )?;
        check_range(
            "scheduler.max_backoff_seconds",
            scheduler.max_backoff_seconds,
            scheduler.base_backoff_seconds,
            86_400,
        )?;
        self.training()?;
        self.partnering()?;
        let matching = &self.matching;
        check_range(
            "matching.wave_interval_seconds",
            matching.wave_interval_seconds,
            1,
            86_400,
        )?;
        check_range(
            "matching.wave_min_waiting",
            matching.wave_min_waiting,
            2,
            10_000_000,
        )?;
        check_range("matching.top_k", matching.top_k, 1, 1_000)?;
        let weights = &matching.weights;
        check_range(
            "matching.weights.minutes_per_availability_point",
            weights.minutes_per_availability_point,
            1,
            10_080,
        )?;
        check_range(
            "matching.weights.wait_minutes_per_point",
            weights.wait_minutes_per_point,
            1,
            10_080,
        )?;
        // In 128 bits: products and sums of any 32-bit weights fit, so a file with huge
        // weights is refused rather than overflowing here.
        let most = u128::from(weights.base)
            + u128::from(weights.level_same.max(weights.level_unknown))
            + u128::from(weights.per_shared_interest) * u128::from(weights.max_shared_interests)
            + u128::from(weights.availability_cap_minutes / weights.minutes_per_availability_point)
            + u128::from(weights.style_points.iter().copied().max().unwrap_or(0))
            + 2 * (u128::from(weights.wait_cap_points)
                + u128::from(weights.per_missed_wave) * u128::from(weights.missed_wave_cap));
        // The matcher keeps scores in 32 bits and its tie-break scales them up.
        check_range("matching.weights (largest pair weight)", most, 1, 1 << 30)?;
        self.http_listen()?;
        Ok(())
    }

    /// Where the HTTP server listens.
    pub fn http_listen(&self) -> Result<std::net::SocketAddr, ConfigError> {
        self.http.listen.parse().map_err(|_| ConfigError::Value {
            key: "http.listen",
            reason: format!("`{}` is not an address like 0.0.0.0:8443", self.http.listen),
        })
    }

    /// The outbox dispatcher's settings.
    pub fn dispatcher(&self) -> crate::outbox::DispatcherConfig {
        crate::outbox::DispatcherConfig {
            owner: self
                .outbox
                .instance
                .clone()
                .unwrap_or_else(|| process_instance().to_owned()),
            max_attempts: self.outbox.max_attempts,
            base_backoff: std::time::Duration::from_millis(self.outbox.base_backoff_ms),
            max_backoff: std::time::Duration::from_secs(self.outbox.max_backoff_seconds),
            claim_interval: std::time::Duration::from_millis(self.outbox.claim_interval_ms),
            ..crate::outbox::DispatcherConfig::default()
        }
    }

    /// The timer scheduler's settings.
    pub fn scheduler(&self) -> crate::scheduler::SchedulerConfig {
        let scheduler = &self.scheduler;
        crate::scheduler::SchedulerConfig {
            owner: scheduler
                .instance
                .clone()
                .unwrap_or_else(|| process_instance().to_owned()),
            batch_size: scheduler.batch_size,
            poll_interval: std::time::Duration::from_millis(scheduler.poll_interval_ms),
            lease: std::time::Duration::from_secs(scheduler.lease_seconds),
            workers: scheduler.workers,
            base_backoff: std::time::Duration::from_secs(scheduler.base_backoff_seconds),
            max_backoff: std::time::Duration::from_secs(scheduler.max_backoff_seconds),
        }
    }

    /// The proposal and partnership rules the engine applies.
    pub fn partnering(&self) -> Result<crate::engine::PartneringRules, ConfigError> {
        let matching = &self.matching;
        check_range(
            "matching.proposal_ttl_hours",
            matching.proposal_ttl_hours,
            1,
            24 * 14,
        )?;
        check_range("matching.follow_up_days", matching.follow_up_days, 1, 90)?;
        check_range("matching.max_no_shows", matching.max_no_shows, 1, 100)?;
        check_range(
            "matching.relay_per_minute",
            matching.relay_per_minute,
            1,
            600,
        )?;
        check_range(
            "matching.relay_max_chars",
            matching.relay_max_chars,
            10,
            4_000,
        )?;
        Ok(crate::engine::PartneringRules {
            proposal_ttl: chrono::Duration::hours(matching.proposal_ttl_hours),
            follow_up_after: chrono::Duration::days(matching.follow_up_days),
            max_no_shows: matching.max_no_shows,
            relay_per_minute: matching.relay_per_minute,
            relay_max_chars: matching.relay_max_chars,
        })
    }

    /// The training rules the engine applies.
    pub fn training(&self) -> Result<crate::engine::TrainingRules, ConfigError> {
        let training = &self.training;
        let default_quiet_hours =
            match training.quiet_hours.trim() {
                "" => None,
                text => Some(crate::domain::QuietHours::parse(text).ok_or_else(|| {
                    ConfigError::Value {
                        key: "training.quiet_hours",
                        reason: format!(
                            "`{text}` is not a range like 22:00-08:00 (or empty for none)"
                        ),
                    }
                })?),
            };
        check_range("training.max_reminders", training.max_reminders, 1, 20)?;
        check_range(
            "training.exam_idle_minutes",
            training.exam_idle_minutes,
            1,
            24 * 60,
        )?;
        if training.reengagement_days.len() > 8
            || training
                .reengagement_days
                .windows(2)
                .any(|pair| pair[0] >= pair[1])
            || training
                .reengagement_days
                .iter()
                .any(|days| !(1..=365).contains(days))
        {
            return Err(ConfigError::Value {
                key: "training.reengagement_days",
                reason: format!(
                    "{:?} must be at most 8 growing numbers of days from 1 to 365",
                    training.reengagement_days
                ),
            });
        }
        Ok(crate::engine::TrainingRules {
            default_quiet_hours,
            max_reminders: training.max_reminders,
            exam_idle: chrono::Duration::minutes(training.exam_idle_minutes),
            reengagement: training
                .reengagement_days
                .iter()
                .map(|days| chrono::Duration::days(*days))
                .collect(),
        })
    }

    pub fn limits(&self) -> Limits {
        Limits {
            max_native_languages: self.limits.max_native_languages,
            max_target_languages: self.limits.max_target_languages,
            max_interests: self.limits.max_interests,
            bio_max_chars: self.limits.bio_max_chars,
            dialogue_timeout: chrono::Duration::minutes(self.limits.dialogue_timeout_minutes),
        }
    }

    /// The content directory, or `None` for the built-in pack.
    pub fn content_dir(&self) -> Option<&Path> {
        (!self.content.dir.as_os_str().is_empty()).then_some(self.content.dir.as_path())
    }

    /// The URL to connect with: the configured one plus the password from the environment.
    pub fn database_url(&self, secrets: &Secrets) -> Secret {
        match &secrets.database_password {
            Some(password) => Secret(with_password(&self.database.url, password.expose())),
            None => Secret(self.database.url.clone()),
        }
    }

    /// The effective settings as TOML, for `lexbot config show` (no secrets in it).
    pub fn to_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database.url = crate::storage::redact_url(&shown.database.url);
        toml::to_string(&shown).unwrap_or_default()
    }
}

fn check_range<T: PartialOrd + fmt::Display + Copy>(
    key: &'static str,
    value: T,
    min: T,
    max: T,
) -> Result<(), ConfigError> {
    if value < min || value > max {
        return Err(ConfigError::Value {
            key,
            reason: format!("must be between {min} and {max}, got {value}"),
        });
    }
    Ok(())
}

fn url_has_password(url: &str) -> bool {
    crate::storage::redact_url(url) != url
}

/// `url` with `password` (percent-encoded) as its password; a URL without a user name
/// gets PostgreSQL's conventional superuser name.
fn with_password(url: &str, password: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_owned();
    };
    if parsed.username().is_empty() && parsed.set_username("postgres").is_err() {
        return url.to_owned();
    }
    match parsed.set_password(Some(password)) {
        Ok(()) => parsed.to_string(),
        Err(()) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env() -> Env {
        Env::prefixed("LEXBOT_UNIT_TEST_NOTHING_")
    }

    fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
        let path = dir.path().join("lexbot.toml");
        std::fs::write(&path, text).expect("temp file");
        path
    }

    #[test]
    fn defaults_load_and_are_valid() {
        let settings = Settings::load_with_env(None, no_env()).expect("defaults");
        assert_eq!(settings.database.url, "sqlite://lexbot.db");
        assert_eq!(settings.limits().max_interests, 5);
        assert_eq!(settings.content_dir(), None);
    }

    #[test]
    fn a_file_overrides_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = write(&dir, "[limits]\nmax_interests = 7\n");
        let settings = Settings::load_with_env(Some(&file), no_env()).expect("valid");
        assert_eq!(settings.limits.max_interests, 7);
        assert_eq!(settings.limits.bio_max_chars, 300);
    }

    #[test]
    fn bad_values_name_the_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cases = [
            ("[limits]\nmax_interests = \"many\"\n", "max_interests"),
            (
                "[limits]\nmax_interests = 0\n",
                "limits.max_interests: must be between 1 and 30, got 0",
            ),
            ("[limits]\nmax_intrests = 3\n", "max_intrests"),
            ("[database]\nurl = \"mysql://db\"\n", "database.url"),
            (
                "[database]\nurl = \"postgres://lex:hunter2@db/lexbot\"\n",
                "LEXBOT_DATABASE_PASSWORD",
            ),
            ("telegram_bot_token = \"123:abc\"\n", "telegram_bot_token"),
            (
                "[training]\nreengagement_days = [7, 3]\n",
                "training.reengagement_days",
            ),
            (
                "[training]\nquiet_hours = \"late\"\n",
                "training.quiet_hours: `late` is not a range",
            ),
            (
                "[scheduler]\nlease_seconds = 1\n",
                "scheduler.lease_seconds: must be between 5 and 3600, got 1",
            ),
            (
                "[scheduler]\nbase_backoff_seconds = 60\nmax_backoff_seconds = 30\n",
                "scheduler.max_backoff_seconds",
            ),
            // The largest pair weight of these overflowed 64 bits while being checked.
            (
                "[matching.weights]\nper_shared_interest = 4294967295\n\
                 max_shared_interests = 4294967295\nper_missed_wave = 4294967295\n\
                 missed_wave_cap = 4294967295\n",
                "matching.weights (largest pair weight): must be between 1 and 1073741824",
            ),
        ];
        for (text, expected) in cases {
            let file = write(&dir, text);
            let error = Settings::load_with_env(Some(&file), no_env())
                .expect_err(text)
                .to_string();
            assert!(error.contains(expected), "{text:?} gave {error:?}");
            assert!(!error.contains("hunter2"), "the password leaked: {error}");
        }
    }

    #[test]
    fn a_missing_file_is_reported() {
        let error = Settings::load_with_env(Some(Path::new("/nonexistent/lexbot.toml")), no_env())
            .expect_err("missing");
        assert!(error.to_string().contains("/nonexistent/lexbot.toml"));
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail dictates the closure's error type.
    fn environment_overrides_files() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("LEXBOT_LIMITS__BIO_MAX_CHARS", "120");
            jail.set_env("LEXBOT_DATABASE_PASSWORD", "hunter2");
            // A secret, not a config key: an unknown key would be refused.
            jail.set_env("LEXBOT_PRIVACY_KEY", "a-privacy-key-of-thirty-two-bytes");
            jail.set_env("LEXBOT_TEST_POSTGRES_URL", "postgres://elsewhere/test");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(settings.limits.bio_max_chars, 120);
            Ok(())
        });
    }

    #[test]
    fn secrets_never_print() {
        let secrets = Secrets::from_lookup(|name| match name {
            "LEXBOT_DATABASE_PASSWORD" => Some("hunter2".to_owned()),
            "LEXBOT_PRIVACY_KEY" => Some("privacy-hunter2".to_owned()),
            _ => None,
        });
        assert!(secrets.privacy_key.is_some());
        assert!(!format!("{secrets:?}").contains("hunter2"));
        let mut settings = Settings::load_with_env(None, no_env()).expect("defaults");
        settings.database.url = "postgres://lex@db:5432/lexbot".into();
        let url = settings.database_url(&secrets);
        assert_eq!(url.expose(), "postgres://lex:hunter2@db:5432/lexbot");
        assert!(!format!("{url:?} {url}").contains("hunter2"));
        assert!(!settings.to_toml().contains("hunter2"));
    }

    #[test]
    fn passwords_are_percent_encoded() {
        assert_eq!(
            with_password("postgres://lex@db/x", "p@ss:w/rd"),
            "postgres://lex:p%40ss%3Aw%2Frd@db/x"
        );
        assert_eq!(
            with_password("postgres://db", "pw"),
            "postgres://postgres:pw@db"
        );
    }
}
