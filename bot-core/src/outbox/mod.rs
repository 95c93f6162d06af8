//! The durable outbox: every message lexbot sends is written here first, in the same
//! transaction as the step that produced it, and a [`Dispatcher`] delivers it through a
//! platform's [`PlatformSender`] within that platform's rate limits.
//!
//! Delivery is at least once per message and in order per chat: a message is deleted
//! only after the platform accepted it, so the one window for a repeat is a crash
//! between the platform's answer and that delete (milliseconds, batched).

mod dispatcher;
mod limits;
mod split;

use serde::{Deserialize, Serialize};

use crate::domain::{ChatKey, PersonId};
use crate::engine::Reply;

pub use dispatcher::{
    Delivery, Dispatcher, DispatcherConfig, DispatcherHandle, OnBlocked, OutboxFeed, PlatformSender,
};
pub use limits::{RateLimits, TokenBucket, TokenBucketSpec};

pub use split::split_text;

/// What to do with a message on its platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutboxBody {
    /// Send a new message.
    Send { reply: Reply },
    /// Replace the text and buttons of a message lexbot sent earlier (a multi-select
    /// toggle); if the platform cannot edit it, send it as a new message instead.
    Edit { message_id: String, reply: Reply },
}

impl OutboxBody {
    pub fn reply(&self) -> &Reply {
        match self {
            OutboxBody::Send { reply } | OutboxBody::Edit { reply, .. } => reply,
        }
    }
}

/// A message a step wants sent, before it has an id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutboxMessage {
    pub chat: ChatKey,
    /// Who it is about; `None` when the person is being erased by the same step, or for
    /// the notice about an update given up on (whose person may not be known).
    pub person: Option<PersonId>,
    pub body: OutboxBody,
}

/// A queued message as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: i64,
    pub chat: ChatKey,
    pub person: Option<PersonId>,
    pub body: OutboxBody,
    /// Failed delivery attempts so far (a 429 does not count: it is the bot's, not the
    /// message's fault).
    pub attempts: u32,
    pub not_before: chrono::DateTime<chrono::Utc>,
}

/// Queue figures for /stats and the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxStats {
    pub pending: u64,
    pub dead: u64,
}

/// What one message may carry on a platform, declared by its adapter when it connects
/// ([`crate::app::Connection::limits`]): long texts are split to fit before they are
/// queued, and an adapter whose buttons cannot carry the engine's callback data is
/// refused at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformLimits {
    /// The longest text of one message, in characters.
    pub max_message_chars: usize,
    /// The longest button data (callback data, custom id) the platform takes, in bytes.
    pub max_button_data: usize,
}

impl PlatformLimits {
    /// Used for a platform no adapter of this process declared (a matcher process queues
    /// proposals for chats another process sends): small enough for every platform
    /// lexbot speaks, so the sending process never has to split again.
    pub const UNDECLARED: PlatformLimits = PlatformLimits {
        max_message_chars: 2000,
        max_button_data: crate::engine::MAX_BUTTON_DATA,
    };
}

/// Turns a step's replies into outbox messages for `chat`: long texts are split into
/// several messages of at most `max_chars` characters (buttons and attachments go with
/// the last part), and a reply that updates the message a button was pressed on edits it.
pub fn messages_for(
    chat: &ChatKey,
    person: Option<PersonId>,
    replies: &[Reply],
    origin_message: Option<&str>,
    max_chars: usize,
) -> Vec<NewOutboxMessage> {
    let mut messages = Vec::with_capacity(replies.len());
    for reply in replies {
        let parts = split_text(&reply.text, max_chars);
        let last = parts.len().saturating_sub(1);
        for (index, part) in parts.into_iter().enumerate() {
            let reply = if index == last {
                Reply {
                    text: part,
                    ..reply.clone()
                }
            } else {
                Reply::text(part)
            };
            let body = match origin_message {
                // Only a single-part reply can replace a message in place.
                Some(message_id) if reply.updates_previous && last == 0 => OutboxBody::Edit {
                    message_id: message_id.to_owned(),
                    reply,
                },
                _ => OutboxBody::Send { reply },
            };
            messages.push(NewOutboxMessage {
                chat: chat.clone(),
                person,
                body,
            });
        }
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Platform;
    use crate::engine::{Button, Keyboard};

    fn chat() -> ChatKey {
        ChatKey::new(Platform::Telegram, "42")
    }

    #[test]
    fn a_toggle_edits_the_message_its_button_was_on() {
        let mut toggle = Reply::text("pick");
        toggle.updates_previous = true;
        let messages = messages_for(&chat(), None, &[toggle.clone()], Some("7"), 4096);
        assert_eq!(
            messages[0].body,
            OutboxBody::Edit {
                message_id: "7".into(),
                reply: toggle.clone()
            }
        );
        // Without the message it came from, it is a new message.
        let messages = messages_for(&chat(), None, &[toggle.clone()], None, 4096);
        assert_eq!(messages[0].body, OutboxBody::Send { reply: toggle });
    }

    #[test]
    fn long_replies_become_several_messages_with_the_buttons_on_the_last() {
        let mut reply = Reply::text("word ".repeat(30));
        reply.keyboard = Some(Keyboard::Choice(vec![Button {
            label: "ok".into(),
            data: "ok".into(),
        }]));
        let messages = messages_for(&chat(), None, &[reply], None, 40);
        assert!(messages.len() >= 4, "{messages:?}");
        for message in &messages[..messages.len() - 1] {
            assert!(message.body.reply().keyboard.is_none());
            assert!(message.body.reply().text.chars().count() <= 40);
        }
        assert!(
            messages
                .last()
                .is_some_and(|m| m.body.reply().keyboard.is_some())
        );
    }
}
