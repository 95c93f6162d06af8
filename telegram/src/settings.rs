//! The `[telegram]` config section and the adapter's environment: bot-core keeps the
//! section as it was written and knows none of its fields; this module reads and checks
//! them, with errors naming `telegram.<field>`.

use bot_core::config::{ConfigError, Secret, Settings};
use bot_core::outbox::{RateLimits, TokenBucketSpec};
use serde::{Deserialize, Serialize};

/// `TELEGRAM_BOT_TOKEN`: the Telegram adapter runs when it is set.
pub const TOKEN_VAR: &str = "TELEGRAM_BOT_TOKEN";
/// `TELEGRAM_WEBHOOK_SECRET`: required in webhook mode (1-256 of A-Z a-z 0-9 _ -).
pub const WEBHOOK_SECRET_VAR: &str = "TELEGRAM_WEBHOOK_SECRET";
/// `TELEGRAM_API_URL`: a self-hosted Bot API server (or a test's fake). Not secret, but
/// read beside the token it belongs with.
pub const API_URL_VAR: &str = "TELEGRAM_API_URL";

/// How lexbot receives Telegram updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TelegramMode {
    Polling,
    Webhook,
}

/// `[telegram]`, as config/default.toml documents it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramSettings {
    pub mode: TelegramMode,
    /// getUpdates long-poll timeout.
    pub poll_timeout_seconds: u32,
    /// Any Bot API request taking longer counts as a network failure.
    pub request_timeout_seconds: u64,
    /// The path on the HTTP server (`http.listen`) Telegram posts to.
    pub webhook_path: String,
    /// Whether the dispatcher keeps to the limits below (false: a self-hosted test
    /// server that has none).
    pub rate_limits: bool,
    /// Over all chats: Telegram's free tier allows about 30; paid broadcasts up to 1000.
    pub messages_per_second: f64,
    /// Per private chat: about one a second ...
    pub chat_messages_per_second: f64,
    /// ... with short bursts.
    pub chat_burst: f64,
    /// Per group chat.
    pub group_messages_per_minute: f64,
}

impl TelegramSettings {
    /// The section from the settings, checked.
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let section = toml::Value::Table(settings.telegram.clone());
        let telegram: Self = section.try_into().map_err(|error: toml::de::Error| {
            ConfigError::Invalid(format!("[telegram]: {error}"))
        })?;
        telegram.check()?;
        Ok(telegram)
    }

    fn check(&self) -> Result<(), ConfigError> {
        within(
            "telegram.poll_timeout_seconds",
            f64::from(self.poll_timeout_seconds),
            0.0,
            50.0,
        )?;
        // The HTTP client must outlast a long poll, or every quiet poll fails.
        let least = u64::from(self.poll_timeout_seconds) + 5;
        if !(least..=600).contains(&self.request_timeout_seconds) {
            return Err(ConfigError::Value {
                key: "telegram.request_timeout_seconds",
                reason: format!(
                    "{} is not within {least}..=600 (poll_timeout_seconds + 5 at least)",
                    self.request_timeout_seconds
                ),
            });
        }
        if !self.webhook_path.starts_with('/') {
            return Err(ConfigError::Value {
                key: "telegram.webhook_path",
                reason: "must start with /".into(),
            });
        }
        within(
            "telegram.messages_per_second",
            self.messages_per_second,
            1.0,
            1000.0,
        )?;
        within(
            "telegram.chat_messages_per_second",
            self.chat_messages_per_second,
            0.01,
            100.0,
        )?;
        within("telegram.chat_burst", self.chat_burst, 1.0, 1000.0)?;
        within(
            "telegram.group_messages_per_minute",
            self.group_messages_per_minute,
            1.0,
            6000.0,
        )?;
        Ok(())
    }

    /// The limits the dispatcher keeps to for Telegram.
    pub fn limits(&self) -> RateLimits {
        if !self.rate_limits {
            return RateLimits::unlimited();
        }
        RateLimits {
            per_chat: TokenBucketSpec {
                capacity: self.chat_burst,
                per_second: self.chat_messages_per_second,
            },
            global: TokenBucketSpec {
                capacity: self.messages_per_second,
                per_second: self.messages_per_second,
            },
            per_group: TokenBucketSpec {
                capacity: self.group_messages_per_minute,
                per_second: self.group_messages_per_minute / 60.0,
            },
        }
    }
}

fn within(key: &'static str, value: f64, low: f64, high: f64) -> Result<(), ConfigError> {
    if value.is_finite() && (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::Value {
            key,
            reason: format!("{value} is not within {low}..={high}"),
        })
    }
}

/// Telegram's published limits for a bot without paid broadcasts: about one message a
/// second per private chat (short bursts tolerated), 30 a second over all chats, 20 a
/// minute per group. The `[telegram]` defaults.
pub fn free_tier_limits() -> RateLimits {
    RateLimits {
        per_chat: TokenBucketSpec {
            capacity: 3.0,
            per_second: 1.0,
        },
        global: TokenBucketSpec {
            capacity: 30.0,
            per_second: 30.0,
        },
        per_group: TokenBucketSpec {
            capacity: 20.0,
            per_second: 20.0 / 60.0,
        },
    }
}

/// The adapter's environment: its token, webhook secret and API URL. Read here, not by
/// bot-core: secrets come from the environment only, and these are Telegram's.
#[derive(Debug, Clone, Default)]
pub struct TelegramEnv {
    pub token: Option<Secret>,
    pub webhook_secret: Option<Secret>,
    pub api_url: Option<String>,
}

impl TelegramEnv {
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let value = |name: &str| lookup(name).filter(|value| !value.is_empty());
        Self {
            token: value(TOKEN_VAR).map(Secret::new),
            webhook_secret: value(WEBHOOK_SECRET_VAR).map(Secret::new),
            api_url: value(API_URL_VAR),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_with(overrides: &str) -> Result<TelegramSettings, ConfigError> {
        let mut settings = Settings::load(None).expect("defaults");
        let table: toml::Table = toml::from_str(overrides).expect("toml");
        settings.telegram.extend(table);
        TelegramSettings::from_settings(&settings)
    }

    #[test]
    fn the_defaults_are_telegrams_free_tier() {
        let telegram = settings_with("").expect("defaults are valid");
        assert_eq!(telegram.limits(), free_tier_limits());
        assert_eq!(telegram.mode, TelegramMode::Polling);
    }

    #[test]
    fn limits_can_be_raised_or_switched_off() {
        let paid = settings_with("messages_per_second = 1000.0").expect("paid broadcasts");
        assert_eq!(paid.limits().global.per_second, 1000.0);
        let off = settings_with("rate_limits = false").expect("a test server");
        assert_eq!(off.limits(), RateLimits::unlimited());
    }

    #[test]
    fn bad_values_name_their_field() {
        let error = settings_with("messages_per_second = 5000.0").expect_err("too many");
        assert!(
            error.to_string().contains("telegram.messages_per_second"),
            "{error}"
        );
        let error = settings_with("webhook_path = \"hook\"").expect_err("no slash");
        assert!(
            error.to_string().contains("telegram.webhook_path"),
            "{error}"
        );
        let error = settings_with("modus = \"polling\"").expect_err("unknown field");
        assert!(error.to_string().contains("modus"), "{error}");
    }

    #[test]
    fn the_environment_gives_token_secret_and_url() {
        let env = TelegramEnv::from_lookup(|name| match name {
            TOKEN_VAR => Some("123:abc".into()),
            WEBHOOK_SECRET_VAR => Some(String::new()),
            API_URL_VAR => Some("http://127.0.0.1:9".into()),
            _ => None,
        });
        assert_eq!(env.token.as_ref().map(Secret::expose), Some("123:abc"));
        assert!(env.webhook_secret.is_none(), "empty counts as unset");
        assert_eq!(env.api_url.as_deref(), Some("http://127.0.0.1:9"));
    }
}
