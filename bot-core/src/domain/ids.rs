//! Identifiers: our own person id, and the platform accounts and chats that lead to a person.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// lexbot's own id for a person. Platform accounts (Telegram, Discord, the terminal)
/// are linked to it; the conversation engine is keyed by it, never by a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(Uuid);

impl PersonId {
    pub fn new_random() -> Self {
        Self(Uuid::new_v4())
    }

    pub fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }

    pub fn parse(input: &str) -> Result<Self, uuid::Error> {
        Uuid::parse_str(input.trim()).map(Self)
    }
}

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// A chat platform lexbot talks through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Telegram,
    Discord,
    /// The terminal chat (`lexbot chat`): a local person, no network.
    Local,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Telegram, Platform::Discord, Platform::Local];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Telegram => "telegram",
            Platform::Discord => "discord",
            Platform::Local => "local",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == input)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person's account on one platform (a Telegram user id, a Discord user id ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountRef {
    pub platform: Platform,
    pub user_id: String,
}

impl AccountRef {
    pub fn new(platform: Platform, user_id: impl Into<String>) -> Self {
        Self {
            platform,
            user_id: user_id.into(),
        }
    }
}

/// One chat on one platform. Each chat a person talks in has its own dialogue slot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChatKey {
    pub platform: Platform,
    pub chat_id: String,
}

impl ChatKey {
    pub fn new(platform: Platform, chat_id: impl Into<String>) -> Self {
        Self {
            platform,
            chat_id: chat_id.into(),
        }
    }
}
