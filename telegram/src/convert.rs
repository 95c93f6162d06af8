//! Bot API updates in, core events out: nothing here decides anything, it only
//! translates (and leaves out what lexbot does not listen to).

use bot_core::domain::{AccountRef, ChatKey, Platform};
use bot_core::engine::{ChatKind, Event, Input};
use bot_core::runtime::Incoming;
use bot_core::storage::UpdateKey;
use teloxide::types::{CallbackQueryId, Message, Update, UpdateKind, User};

/// What an update becomes.
#[derive(Debug, Default)]
pub struct Converted {
    /// The event for the engine; `None` for updates lexbot ignores on purpose (channel
    /// posts, edits, group chatter not addressed to it).
    pub incoming: Option<Incoming>,
    /// A pressed button: Telegram shows a spinner until it is answered, whatever the
    /// engine made of it.
    pub callback: Option<CallbackQueryId>,
}

/// The update's key for recognising a redelivery.
pub fn update_key(update: &Update) -> UpdateKey {
    UpdateKey {
        platform: Platform::Telegram,
        id: update.id.0.to_string(),
    }
}

pub fn convert(update: &Update, bot_username: &str) -> Converted {
    let mut converted = match &update.kind {
        UpdateKind::Message(message) => Converted {
            incoming: message_event(message, bot_username),
            callback: None,
        },
        UpdateKind::CallbackQuery(query) => {
            let incoming = query.data.as_ref().and_then(|data| {
                // The message the button is on; a private chat's id is the user's id (a
                // user id no chat id can hold names no chat: nothing to answer in).
                let (chat_id, origin) = match &query.message {
                    Some(message) => (message.chat().id.0, Some(message.id().0.to_string())),
                    None => (i64::try_from(query.from.id.0).ok()?, None),
                };
                let mut incoming = incoming_from(&query.from, chat_id, Input::Button(data.clone()));
                incoming.origin_message = origin;
                Some(incoming)
            });
            Converted {
                incoming,
                callback: Some(query.id.clone()),
            }
        }
        UpdateKind::MyChatMember(member) if member.chat.is_private() => {
            let input = if member.new_chat_member.is_banned() || member.new_chat_member.is_left() {
                Input::ChatBlocked
            } else {
                Input::ChatUnblocked
            };
            Converted {
                incoming: Some(incoming_from(&member.from, member.chat.id.0, input)),
                callback: None,
            }
        }
        _ => Converted::default(),
    };
    if let Some(incoming) = converted.incoming.as_mut() {
        incoming.update = Some(update_key(update));
    }
    converted
}

fn message_event(message: &Message, bot_username: &str) -> Option<Incoming> {
    let from = message.from.as_ref().filter(|user| !user.is_bot)?;
    if message.chat.is_private() {
        let input = match message.text() {
            Some(text) => Input::from_text(text),
            // Stickers, photos, voice notes ...: answered with a hint, not ignored.
            None => Input::Unsupported,
        };
        return Some(incoming_from(from, message.chat.id.0, input));
    }
    if !(message.chat.is_group() || message.chat.is_supergroup()) {
        return None;
    }
    // In a group only a command addressed to lexbot by name gets an answer.
    let text = message.text()?;
    let first = text.split_whitespace().next()?;
    let (_, mention) = first.strip_prefix('/')?.split_once('@')?;
    if !mention.eq_ignore_ascii_case(bot_username) {
        return None;
    }
    let mut incoming = incoming_from(from, message.chat.id.0, Input::from_text(text));
    incoming.event.chat = ChatKind::Group {
        private_link: format!("https://t.me/{bot_username}?start=group"),
    };
    Some(incoming)
}

fn incoming_from(user: &User, chat_id: i64, input: Input) -> Incoming {
    let mut event = Event::new(input);
    event.client_language = user.language_code.clone();
    event.handle = Some(handle_of(user));
    Incoming::new(
        AccountRef::new(Platform::Telegram, user.id.0.to_string()),
        ChatKey::new(Platform::Telegram, chat_id.to_string()),
        event,
    )
}

/// How a partner finds the person on Telegram once both agreed to /reveal: their
/// @username, or, for accounts without one, a link that opens their profile by id.
fn handle_of(user: &User) -> String {
    match &user.username {
        Some(username) => format!("@{username} (Telegram)"),
        None => format!("{} (Telegram: tg://user?id={})", user.first_name, user.id.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handle_is_the_username_or_a_profile_link() {
        let with = update(serde_json::json!({"update_id": 1, "message": {
            "message_id": 1, "date": 0, "chat": {"id": 42, "type": "private", "first_name": "Ana"},
            "from": {"id": 42, "is_bot": false, "first_name": "Ana", "username": "ana_es"},
            "text": "/reveal"}}));
        let incoming = convert(&with, "lexbot_bot").incoming.expect("an event");
        assert_eq!(incoming.event.handle.as_deref(), Some("@ana_es (Telegram)"));
        let without = update(serde_json::json!({"update_id": 2, "message": {
            "message_id": 2, "date": 0, "chat": {"id": 42, "type": "private", "first_name": "Ana"},
            "from": {"id": 42, "is_bot": false, "first_name": "Ana"},
            "text": "/reveal"}}));
        let incoming = convert(&without, "lexbot_bot").incoming.expect("an event");
        assert_eq!(
            incoming.event.handle.as_deref(),
            Some("Ana (Telegram: tg://user?id=42)")
        );
    }

    fn update(json: serde_json::Value) -> Update {
        // from_value would quietly give UpdateKind::Error; teloxide parses from text.
        serde_json::from_str(&json.to_string()).expect("a valid update")
    }

    fn user() -> serde_json::Value {
        serde_json::json!({"id": 42, "is_bot": false, "first_name": "Ana", "language_code": "ru"})
    }

    #[test]
    fn private_text_becomes_an_event_with_the_client_language() {
        let converted = convert(
            &update(serde_json::json!({"update_id": 7, "message": {
                "message_id": 1, "date": 0, "chat": {"id": 42, "type": "private", "first_name": "Ana"},
                "from": user(), "text": "/start"}})),
            "lexbot_bot",
        );
        let incoming = converted.incoming.expect("an event");
        assert_eq!(incoming.account.user_id, "42");
        assert_eq!(incoming.chat.chat_id, "42");
        assert_eq!(incoming.event.client_language.as_deref(), Some("ru"));
        assert!(matches!(incoming.event.input, Input::Command { ref name, .. } if name == "start"));
        assert_eq!(incoming.update.map(|k| k.id), Some("7".to_owned()));
    }

    #[test]
    fn group_messages_count_only_when_addressed_to_lexbot() {
        let group = |text: &str| {
            update(serde_json::json!({"update_id": 8, "message": {
                "message_id": 1, "date": 0, "chat": {"id": -100, "type": "supergroup", "title": "Club"},
                "from": user(), "text": text}}))
        };
        assert!(
            convert(&group("hello all"), "lexbot_bot")
                .incoming
                .is_none()
        );
        assert!(convert(&group("/start"), "lexbot_bot").incoming.is_none());
        assert!(
            convert(&group("/start@other_bot"), "lexbot_bot")
                .incoming
                .is_none()
        );
        let incoming = convert(&group("/start@LexBot_bot"), "lexbot_bot")
            .incoming
            .expect("addressed to us");
        assert_eq!(
            incoming.event.chat,
            ChatKind::Group {
                private_link: "https://t.me/lexbot_bot?start=group".into()
            }
        );
    }

    #[test]
    fn a_button_press_answers_in_its_chat_and_an_impossible_user_id_in_none() {
        let press = |from: serde_json::Value, message: Option<serde_json::Value>| {
            let mut query = serde_json::json!({"id": "q1", "from": from,
                "chat_instance": "c", "data": "ex:0:0:ё"});
            if let Some(message) = message {
                query["message"] = message;
            }
            update(serde_json::json!({"update_id": 10, "callback_query": query}))
        };
        let on_message = serde_json::json!({"message_id": 5, "date": 0,
            "chat": {"id": 42, "type": "private", "first_name": "Ana"}, "text": "question"});
        let converted = convert(&press(user(), Some(on_message)), "lexbot_bot");
        let incoming = converted.incoming.expect("an event");
        assert_eq!(incoming.chat.chat_id, "42");
        assert_eq!(incoming.origin_message.as_deref(), Some("5"));
        assert_eq!(incoming.event.input, Input::Button("ex:0:0:ё".into()));
        // Without the message, the chat is the user's; an id past i64 wrapped to a
        // negative chat id before.
        let converted = convert(&press(user(), None), "lexbot_bot");
        assert_eq!(converted.incoming.expect("an event").chat.chat_id, "42");
        let huge = serde_json::json!({"id": u64::MAX, "is_bot": false, "first_name": "Ana"});
        let converted = convert(&press(huge, None), "lexbot_bot");
        assert!(converted.incoming.is_none());
        assert!(
            converted.callback.is_some(),
            "the spinner is still answered"
        );
    }

    #[test]
    fn blocking_and_unblocking_become_events() {
        let member = |status: &str| {
            update(serde_json::json!({"update_id": 9, "my_chat_member": {
                "chat": {"id": 42, "type": "private", "first_name": "Ana"},
                "from": user(), "date": 0,
                "old_chat_member": {"user": {"id": 1, "is_bot": true, "first_name": "lexbot"}, "status": "member"},
                "new_chat_member": {"user": {"id": 1, "is_bot": true, "first_name": "lexbot"}, "status": status, "until_date": 0}}}))
        };
        let blocked = convert(&member("kicked"), "lexbot_bot")
            .incoming
            .expect("event");
        assert_eq!(blocked.event.input, Input::ChatBlocked);
        let back = convert(&member("member"), "lexbot_bot")
            .incoming
            .expect("event");
        assert_eq!(back.event.input, Input::ChatUnblocked);
    }
}
