//! What a person did, as the engine sees it: platform-neutral input events.

use serde::{Deserialize, Serialize};

/// One thing a person sent, already stripped of everything platform-specific.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub input: Input,
    /// The language the person's client reports (`"ru"`, `"en-US"`), if any; used to
    /// guess the interface language on first contact.
    pub client_language: Option<String>,
    /// Where it was said: lexbot converses in private chats only.
    #[serde(default)]
    pub chat: ChatKind,
    /// How others can find the person on the platform (`@alice on Telegram`), shown to
    /// a partner only when both asked to reveal handles.
    #[serde(default)]
    pub handle: Option<String>,
}

/// The kind of chat an event came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatKind {
    #[default]
    Private,
    /// A group or server channel; `private_link` opens a private chat with the bot.
    Group { private_link: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Input {
    /// `/name args`; the name is lowercase and has no bot mention.
    Command { name: String, args: String },
    /// Free text.
    Text(String),
    /// A pressed button: its callback data, as the platform returned it (unverified).
    Button(String),
    /// A sticker, photo, voice note ... where lexbot only understands text and buttons.
    Unsupported,
    /// The person reopened the chat client (e.g. the terminal chat started again):
    /// show where the conversation stands.
    Resume,
    /// The person blocked the bot (or the platform refused a message as blocked):
    /// nothing can reach them until they unblock it.
    ChatBlocked,
    /// The person unblocked the bot.
    ChatUnblocked,
    /// A timer the person's steps scheduled is due (sent by the scheduler, not the person).
    Timer(super::FiredTimer),
    /// Another person's step (or the matcher) told this person something.
    Peer(super::PeerMessage),
    /// From the admin side: the desk's answer to this admin, or an admin's order about
    /// this person.
    Admin(super::AdminInput),
}

impl Event {
    pub fn new(input: Input) -> Self {
        Self {
            input,
            client_language: None,
            chat: ChatKind::Private,
            handle: None,
        }
    }
}

impl Input {
    /// What kind of input this is, for logs: never the person's words.
    pub fn kind(&self) -> &'static str {
        match self {
            Input::Command { .. } => "command",
            Input::Text(_) => "text",
            Input::Button(_) => "button",
            Input::Unsupported => "unsupported",
            Input::Resume => "resume",
            Input::ChatBlocked => "chat_blocked",
            Input::ChatUnblocked => "chat_unblocked",
            Input::Timer(_) => "timer",
            Input::Peer(_) => "peer",
            Input::Admin(_) => "admin",
        }
    }

    /// What a person typed: a command if it reads as one, else free text. NUL characters
    /// are dropped: no client sends them on purpose, and PostgreSQL refuses them in text
    /// and JSON, so one would make every write of the person's profile fail.
    pub fn from_text(text: &str) -> Self {
        let text = if text.contains('\0') {
            std::borrow::Cow::Owned(text.replace('\0', ""))
        } else {
            std::borrow::Cow::Borrowed(text)
        };
        let trimmed = text.trim();
        if let Some(rest) = trimmed.strip_prefix('/') {
            let (word, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let name = word.split('@').next().unwrap_or_default();
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Input::Command {
                    name: name.to_ascii_lowercase(),
                    args: args.trim().to_owned(),
                };
            }
        }
        Input::Text(text.into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_recognised_with_mentions_and_arguments() {
        assert_eq!(
            Input::from_text(" /Start@lexbot_bot  ref-42 "),
            Input::Command {
                name: "start".into(),
                args: "ref-42".into()
            }
        );
        assert_eq!(
            Input::from_text("/help"),
            Input::Command {
                name: "help".into(),
                args: String::new()
            }
        );
        assert_eq!(Input::from_text("/ hi"), Input::Text("/ hi".into()));
        assert_eq!(Input::from_text("/привет"), Input::Text("/привет".into()));
        assert_eq!(Input::from_text("hello"), Input::Text("hello".into()));
    }

    #[test]
    fn nul_characters_never_reach_a_flow() {
        assert_eq!(Input::from_text("a\0b\0"), Input::Text("ab".into()));
        assert_eq!(
            Input::from_text("/help\0"),
            Input::Command {
                name: "help".into(),
                args: String::new()
            }
        );
    }
}
