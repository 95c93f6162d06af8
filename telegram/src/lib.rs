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
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bot_core::config::{Secret, Secrets, Settings, TelegramMode};
use bot_core::domain::Locale;
use bot_core::engine::Context;
use bot_core::flows::command_menu;
use bot_core::outbox::{Dispatcher, DispatcherConfig, DispatcherHandle, RateLimits};
use bot_core::runtime::Conversations;
use teloxide::payloads::SetMyCommandsSetters;
use teloxide::prelude::{Bot, Requester};
use teloxide::types::BotCommand;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use url::Url;

pub use convert::{Converted, convert};
pub use polling::MAX_UPDATE_ATTEMPTS;
pub use render::escape_html;
pub use sender::TelegramSender;
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
    pub webhook_listen: SocketAddr,
    pub webhook_path: String,
    pub webhook_secret: Option<Secret>,
    pub limits: RateLimits,
}

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error("TELEGRAM_API_URL `{0}` is not a URL")]
    InvalidApiUrl(String),
    #[error("telegram.webhook_listen `{0}` is not an address like 0.0.0.0:8443")]
    InvalidListen(String),
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    #[error("building the HTTP client: {0}")]
    Client(String),
    #[error("the Bot API refused getMe (is TELEGRAM_BOT_TOKEN right?): {0}")]
    GetMe(String),
    #[error("listening on {addr}: {error}")]
    Bind {
        addr: SocketAddr,
        error: std::io::Error,
    },
}

impl TelegramOptions {
    /// The adapter's options, or `None` when no `TELEGRAM_BOT_TOKEN` is set.
    pub fn from_settings(
        settings: &Settings,
        secrets: &Secrets,
    ) -> Result<Option<Self>, TelegramError> {
        let Some(token) = secrets.telegram_token.clone() else {
            return Ok(None);
        };
        let api_url = secrets
            .telegram_api_url
            .as_deref()
            .map(|raw| Url::parse(raw).map_err(|_| TelegramError::InvalidApiUrl(raw.to_owned())))
            .transpose()?;
        let telegram = &settings.telegram;
        let webhook_listen = telegram
            .webhook_listen
            .parse()
            .map_err(|_| TelegramError::InvalidListen(telegram.webhook_listen.clone()))?;
        Ok(Some(Self {
            token,
            api_url,
            mode: telegram.mode,
            poll_timeout_seconds: telegram.poll_timeout_seconds,
            request_timeout: Duration::from_secs(telegram.request_timeout_seconds),
            webhook_listen,
            webhook_path: telegram.webhook_path.clone(),
            webhook_secret: secrets.telegram_webhook_secret.clone(),
            limits: RateLimits::telegram(),
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

/// The running adapter: the update receiver (poller or webhook server) and the outbox
/// dispatcher that sends its replies.
pub struct RunningTelegram {
    pub bot_username: String,
    /// Where the webhook server listens (webhook mode).
    pub webhook_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    receiver: JoinHandle<()>,
    dispatcher: DispatcherHandle,
}

impl RunningTelegram {
    /// Stops everything at once, as a killed process would: nothing is flushed.
    pub fn kill(self) {
        self.receiver.abort();
        self.dispatcher.abort();
    }

    /// Stops receiving, lets the messages in flight finish, and frees the rest of the
    /// queue for the next start.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.receiver.await;
        self.dispatcher.shutdown().await;
    }

    /// Waits until the receiver stops (it runs until shut down).
    pub async fn wait(&mut self) {
        let _ = (&mut self.receiver).await;
    }
}

/// Connects (getMe), registers the command menus, starts the dispatcher and the update
/// receiver the options' mode names. Webhook mode refuses to start without a valid
/// secret.
pub async fn start(
    conversations: Conversations,
    options: TelegramOptions,
    dispatcher: DispatcherConfig,
) -> Result<RunningTelegram, TelegramError> {
    let secret = match options.mode {
        TelegramMode::Webhook => Some(check_secret(options.webhook_secret.as_ref())?),
        TelegramMode::Polling => None,
    };
    let bot = options.bot()?;
    let me = bot
        .get_me()
        .await
        .map_err(|error| TelegramError::GetMe(error.to_string()))?;
    let bot_username = me.username().to_owned();
    register_commands(&bot, conversations.context()).await;

    let sender = Arc::new(TelegramSender::new(bot.clone(), options.limits));
    let (dispatcher, feed) = Dispatcher::spawn(
        conversations.store().clone(),
        vec![sender],
        Arc::new(conversations.clone()),
        dispatcher,
    );
    conversations.attach_outbox(feed);

    let (stop, stopped) = watch::channel(false);
    let (receiver, webhook_addr) = match (options.mode, secret) {
        (TelegramMode::Webhook, Some(secret)) => {
            // Steps what the inbox holds (at start, and updates whose step failed).
            let replay_requested = Arc::new(Notify::new());
            let consumer = polling::Consumer {
                bot: bot.clone(),
                conversations: conversations.clone(),
                bot_username: bot_username.clone(),
                replay_requested: replay_requested.clone(),
            };
            let consumer_stop = stopped.clone();
            let router = webhook_router(
                bot.clone(),
                conversations.clone(),
                &bot_username,
                secret,
                &options.webhook_path,
                replay_requested,
            );
            let listener = tokio::net::TcpListener::bind(options.webhook_listen)
                .await
                .map_err(|error| TelegramError::Bind {
                    addr: options.webhook_listen,
                    error,
                })?;
            let addr = listener.local_addr().map_err(|error| TelegramError::Bind {
                addr: options.webhook_listen,
                error,
            })?;
            let mut stopped = stopped;
            let server = tokio::spawn(async move {
                let shutdown = async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                };
                let consumer = tokio::spawn(consumer.run_inbox_only(consumer_stop));
                if let Err(error) = axum::serve(listener, router)
                    .with_graceful_shutdown(shutdown)
                    .await
                {
                    tracing::error!(%error, "webhook server failed");
                }
                let _ = consumer.await;
            });
            tracing::info!(%addr, path = %options.webhook_path, "Telegram webhook listening");
            (server, Some(addr))
        }
        _ => {
            // getUpdates is refused while a webhook is set.
            if let Err(error) = bot.delete_webhook().await {
                tracing::warn!(%error, "deleteWebhook failed");
            }
            let poller = polling::Poller {
                bot: bot.clone(),
                conversations: conversations.clone(),
                bot_username: bot_username.clone(),
                timeout_seconds: options.poll_timeout_seconds,
            };
            tracing::info!(bot = %bot_username, "Telegram long polling");
            (tokio::spawn(poller.run(stopped)), None)
        }
    };
    Ok(RunningTelegram {
        bot_username,
        webhook_addr,
        stop,
        receiver,
        dispatcher,
    })
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
