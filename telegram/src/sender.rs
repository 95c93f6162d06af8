//! Sends outbox messages through the Bot API and reports what Telegram made of them in
//! the dispatcher's terms (sent, wait, retry, give up, blocked).

use async_trait::async_trait;
use bot_core::domain::{ChatKey, Platform};
use bot_core::engine::Reply;
use bot_core::outbox::{Delivery, OutboxBody, OutboxMessage, PlatformSender, RateLimits};
use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::payloads::{EditMessageTextSetters, SendDocumentSetters, SendMessageSetters};
use teloxide::prelude::{Bot, Requester};
use teloxide::types::{ChatId, InputFile, MessageId, ParseMode};

use crate::render::{escape_html, keyboard};

/// Telegram's limit for a document caption, in characters.
const MAX_CAPTION: usize = 1024;

pub struct TelegramSender {
    bot: Bot,
    limits: RateLimits,
}

impl TelegramSender {
    pub fn new(bot: Bot, limits: RateLimits) -> Self {
        Self { bot, limits }
    }

    async fn send(&self, chat: ChatId, reply: &Reply) -> Result<(), RequestError> {
        let text = escape_html(&reply.text);
        if let Some(file) = &reply.attachment {
            let document = InputFile::memory(file.content.clone().into_bytes())
                .file_name(file.file_name.clone());
            let request = self.bot.send_document(chat, document);
            if reply.text.chars().count() <= MAX_CAPTION {
                request.caption(text).parse_mode(ParseMode::Html).await?;
            } else {
                self.bot
                    .send_message(chat, text)
                    .parse_mode(ParseMode::Html)
                    .await?;
                request.await?;
            }
            return Ok(());
        }
        let request = self
            .bot
            .send_message(chat, text)
            .parse_mode(ParseMode::Html);
        match &reply.keyboard {
            Some(buttons) => request.reply_markup(keyboard(buttons)).await?,
            None => request.await?,
        };
        Ok(())
    }

    async fn edit(&self, chat: ChatId, message_id: i32, reply: &Reply) -> Result<(), RequestError> {
        let request = self
            .bot
            .edit_message_text(chat, MessageId(message_id), escape_html(&reply.text))
            .parse_mode(ParseMode::Html);
        let sent = match &reply.keyboard {
            Some(buttons) => request.reply_markup(keyboard(buttons)).await,
            None => request.await,
        };
        match sent {
            // A double tap can ask for the state the message already shows.
            Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
            // Too old, deleted, or not ours to edit: say it as a new message instead.
            Err(RequestError::Api(
                ApiError::MessageToEditNotFound | ApiError::MessageCantBeEdited,
            )) => self.send(chat, reply).await,
            other => other.map(|_| ()),
        }
    }
}

#[async_trait]
impl PlatformSender for TelegramSender {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    fn limits(&self) -> RateLimits {
        self.limits
    }

    fn is_group(&self, chat: &ChatKey) -> bool {
        // Telegram gives groups, supergroups and channels negative ids.
        chat.chat_id.starts_with('-')
    }

    async fn deliver(&self, message: &OutboxMessage) -> Delivery {
        let Ok(chat) = message.chat.chat_id.parse::<i64>().map(ChatId) else {
            return Delivery::Permanent(format!(
                "`{}` is not a Telegram chat id",
                message.chat.chat_id
            ));
        };
        let result = match &message.body {
            OutboxBody::Send { reply } => self.send(chat, reply).await,
            OutboxBody::Edit { message_id, reply } => match message_id.parse::<i32>() {
                Ok(id) => self.edit(chat, id, reply).await,
                Err(_) => self.send(chat, reply).await,
            },
        };
        match result {
            Ok(()) => Delivery::Sent,
            Err(error) => classify(error),
        }
    }
}

/// The dispatcher's view of a Bot API error.
fn classify(error: RequestError) -> Delivery {
    match error {
        RequestError::RetryAfter(wait) => Delivery::RetryAfter(wait.duration()),
        RequestError::Api(
            api @ (ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::ChatNotFound
            | ApiError::CantInitiateConversation
            | ApiError::CantTalkWithBots),
        ) => Delivery::Blocked(api.to_string()),
        // Descriptions teloxide does not know: Telegram's own errors say what they are;
        // anything else (a gateway's "Bad Gateway", "Internal Server Error") is passing.
        RequestError::Api(ApiError::Unknown(description)) => {
            if description.starts_with("Forbidden") {
                Delivery::Blocked(description)
            } else if description.starts_with("Bad Request")
                || description.starts_with("Unauthorized")
            {
                Delivery::Permanent(description)
            } else {
                Delivery::Transient(description)
            }
        }
        RequestError::Api(api) => Delivery::Permanent(api.to_string()),
        RequestError::MigrateToChatId(id) => {
            Delivery::Permanent(format!("the group moved to chat {id}"))
        }
        error @ (RequestError::Network(_)
        | RequestError::Io(_)
        | RequestError::InvalidJson { .. }) => Delivery::Transient(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::types::Seconds;

    #[test]
    fn errors_map_to_what_the_dispatcher_should_do() {
        assert_eq!(
            classify(RequestError::RetryAfter(Seconds::from_seconds(3))),
            Delivery::RetryAfter(std::time::Duration::from_secs(3))
        );
        assert!(matches!(
            classify(RequestError::Api(ApiError::BotBlocked)),
            Delivery::Blocked(_)
        ));
        assert!(matches!(
            classify(RequestError::Api(ApiError::Unknown("Bad Gateway".into()))),
            Delivery::Transient(_)
        ));
        assert!(matches!(
            classify(RequestError::Api(ApiError::Unknown(
                "Bad Request: can't parse entities".into()
            ))),
            Delivery::Permanent(_)
        ));
        assert!(matches!(
            classify(RequestError::Api(ApiError::Unknown(
                "Forbidden: bot can't send messages".into()
            ))),
            Delivery::Blocked(_)
        ));
    }
}
