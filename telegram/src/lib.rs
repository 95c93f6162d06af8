//! lexbot's Telegram adapter: Bot API updates in (long polling or webhook), core events
//! to the runtime, core replies out through the outbox and [`TelegramSender`].
//!
//! It translates and nothing else: what to answer is bot-core's business. Private
//! chats get the whole bot; in groups only commands addressed to the bot by name are
//! answered, with a pointer to the private chat.

mod callbacks;
mod convert;
mod polling;
mod render;
mod sender;
mod settings;
mod webhook;

use std::sync::Arc;
use std::time::Duration;

use bot_core::app::{Adapter, Connection, PlatformLimits};
use bot_core::config::{ConfigError, Secret, Settings};
use bot_core::domain::Locale;
use bot_core::engine::Context;
use bot_core::flows::command_menu;
use bot_core::ingest::{Consumer, Ingest};
use bot_core::outbox::RateLimits;
use bot_core::runtime::Conversations;
use teloxide::payloads::SetMyCommandsSetters;
use teloxide::prelude::{Bot, Requester};
use teloxide::types::BotCommand;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

/// A Bot API message carries at most 4,096 characters of text, and a button at most 64
/// bytes of callback_data.
pub const TELEGRAM_LIMITS: PlatformLimits = PlatformLimits {
    max_message_chars: 4096,
    max_button_data: 64,
};

pub use bot_core::ingest::MAX_UPDATE_ATTEMPTS;
pub use convert::{Converted, convert};
pub use polling::TelegramSource;
pub use render::escape_html;
pub use sender::TelegramSender;
pub use settings::{TelegramEnv, TelegramMode, TelegramSettings, free_tier_limits};
pub use webhook::{WebhookError, check_secret, router as webhook_router};

/// Everything the adapter needs, from settings and the environment.
#[derive(Debug, Clone)]
pub struct TelegramOptions {
    pub token: Secret,
    /// A self-hosted Bot API server (or a test's fake); Telegram's own when `None`.
    pub api_url: Option<Url>,
    pub mode: TelegramMode,
    pub poll_timeout_seconds: u32,
    pub request_timeout: Duration,
    pub webhook_path: String,
    pub webhook_secret: Option<Secret>,
    pub limits: RateLimits,
}

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error("TELEGRAM_API_URL `{0}` is not a URL")]
    InvalidApiUrl(String),
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    #[error("building the HTTP client: {0}")]
    Client(String),
    #[error("the Bot API refused getMe (is TELEGRAM_BOT_TOKEN right?): {0}")]
    GetMe(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl TelegramOptions {
    /// The adapter's options from `[telegram]` and its environment, or `None` when no
    /// `TELEGRAM_BOT_TOKEN` is set.
    pub fn from_settings(
        settings: &Settings,
        env: &TelegramEnv,
    ) -> Result<Option<Self>, TelegramError> {
        let telegram = TelegramSettings::from_settings(settings)?;
        let Some(token) = env.token.clone() else {
            return Ok(None);
        };
        let api_url = env
            .api_url
            .as_deref()
            .map(|raw| Url::parse(raw).map_err(|_| TelegramError::InvalidApiUrl(raw.to_owned())))
            .transpose()?;
        Ok(Some(Self {
            token,
            api_url,
            mode: telegram.mode,
            poll_timeout_seconds: telegram.poll_timeout_seconds,
            request_timeout: Duration::from_secs(telegram.request_timeout_seconds),
            webhook_path: telegram.webhook_path.clone(),
            webhook_secret: env.webhook_secret.clone(),
            limits: telegram.limits(),
        }))
    }

    /// The teloxide client these options describe.
    pub fn bot(&self) -> Result<Bot, TelegramError> {
        let client = teloxide::net::default_reqwest_settings()
            .timeout(self.request_timeout)
            .build()
            .map_err(|error| TelegramError::Client(error.to_string()))?;
        let bot = Bot::with_client(self.token.expose(), client);
        Ok(match &self.api_url {
            Some(url) => bot.set_api_url(url.clone()),
            None => bot,
        })
    }
}

/// The Telegram adapter, plugged into [`bot_core::app::Application`]: getMe and the
/// command menus at connect, the sender for the one dispatcher, the webhook route (webhook
/// mode), and the intake: the poller, or (webhook mode) the consumer that steps what the
/// inbox holds.
pub struct TelegramAdapter {
    options: TelegramOptions,
    connected: Option<Connected>,
}

/// What `connect` learned and built, for the intake.
struct Connected {
    bot: Bot,
    bot_username: String,
    /// Webhook mode: steps what the inbox holds, the updates the webhook kept included.
    inbox_consumer: Option<Consumer<TelegramSource>>,
}

impl TelegramAdapter {
    pub fn new(options: TelegramOptions) -> Self {
        Self {
            options,
            connected: None,
        }
    }
}

#[async_trait::async_trait]
impl Adapter for TelegramAdapter {
    fn name(&self) -> &'static str {
        "telegram"
    }

    async fn connect(&mut self, conversations: &Conversations) -> anyhow::Result<Connection> {
        let options = &self.options;
        let secret = match options.mode {
            TelegramMode::Webhook => {
                Some(check_secret(options.webhook_secret.as_ref()).map_err(TelegramError::from)?)
            }
            TelegramMode::Polling => None,
        };
        let bot = options.bot()?;
        let me = bot
            .get_me()
            .await
            .map_err(|error| TelegramError::GetMe(error.to_string()))?;
        let bot_username = me.username().to_owned();
        register_commands(&bot, &conversations.context()).await;
        let sender = Arc::new(TelegramSender::new(bot.clone(), options.limits));
        let (routes, inbox_consumer) = match secret {
            Some(secret) => {
                let source = TelegramSource {
                    bot: bot.clone(),
                    bot_username: bot_username.clone(),
                };
                let (ingest, consumer) = Ingest::new(source, conversations.clone());
                let router = webhook_router(ingest, secret, &options.webhook_path);
                tracing::info!(path = %options.webhook_path, "Telegram webhook route mounted");
                (Some(router), Some(consumer))
            }
            None => {
                // getUpdates is refused while a webhook is set.
                if let Err(error) = bot.delete_webhook().await {
                    tracing::warn!(%error, "deleteWebhook failed");
                }
                (None, None)
            }
        };
        let identity = format!("@{bot_username}");
        self.connected = Some(Connected {
            bot,
            bot_username,
            inbox_consumer,
        });
        Ok(Connection {
            sender,
            routes,
            identity,
            limits: TELEGRAM_LIMITS,
        })
    }

    fn start_intake(
        self: Box<Self>,
        conversations: Conversations,
        stop: watch::Receiver<bool>,
    ) -> JoinHandle<()> {
        let Some(connected) = self.connected else {
            tracing::error!("the Telegram adapter was started without connecting");
            return tokio::spawn(async {});
        };
        match connected.inbox_consumer {
            // Webhook mode: the webhook steps new updates; this steps what the inbox
            // holds (at start, and updates whose step failed).
            Some(consumer) => tokio::spawn(consumer.run(stop)),
            None => {
                let poller = polling::Poller {
                    bot: connected.bot,
                    conversations,
                    bot_username: connected.bot_username.clone(),
                    timeout_seconds: self.options.poll_timeout_seconds,
                };
                tracing::info!(bot = %connected.bot_username, "Telegram long polling");
                tokio::spawn(poller.run(stop))
            }
        }
    }
}

/// The command menu in every interface language (English is also the default for
/// clients in other languages). A failure is logged: the bot works without a menu.
async fn register_commands(bot: &Bot, context: &Context) {
    for locale in Locale::ALL {
        let commands: Vec<BotCommand> = command_menu(context, locale)
            .into_iter()
            .map(|(command, description)| BotCommand::new(command, description))
            .collect();
        let mut request = bot.set_my_commands(commands.clone());
        if locale != Locale::En {
            request = request.language_code(locale.as_str());
        }
        if let Err(error) = request.await {
            tracing::warn!(%error, ?locale, "setMyCommands failed");
        }
    }
}
