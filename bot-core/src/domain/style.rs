//! How a person prefers to practise: text, voice, video.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PracticeStyle {
    Text,
    Voice,
    Video,
}

impl PracticeStyle {
    pub const ALL: [PracticeStyle; 3] = [
        PracticeStyle::Text,
        PracticeStyle::Voice,
        PracticeStyle::Video,
    ];

    pub fn token(self) -> &'static str {
        match self {
            PracticeStyle::Text => "text",
            PracticeStyle::Voice => "voice",
            PracticeStyle::Video => "video",
        }
    }

    pub fn from_token(token: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|style| style.token() == token)
    }
}

/// The set of styles a person accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PracticeStyles(Vec<PracticeStyle>);

impl PracticeStyles {
    pub fn contains(&self, style: PracticeStyle) -> bool {
        self.0.contains(&style)
    }

    pub fn toggled(&self, style: PracticeStyle) -> Self {
        let mut styles: Vec<_> = PracticeStyle::ALL
            .into_iter()
            .filter(|s| self.contains(*s) != (*s == style))
            .collect();
        styles.dedup();
        Self(styles)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = PracticeStyle> + '_ {
        self.0.iter().copied()
    }
}
