//! A person's profile: what onboarding collects and /profile edits.

use serde::{Deserialize, Serialize};

use super::{Availability, CefrLevel, LanguageCode, Locale, PracticeStyles, Timezone};

/// An interest id from the content pack (`"music"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InterestId(pub String);

/// A person's answer to "what is your level?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelChoice {
    /// Not sure: the placement test will tell.
    PlacementTest,
    /// Stored as the bare level, `"B2"`.
    #[serde(untagged)]
    Known(CefrLevel),
}

/// A language a person learns, with their level or their wish to take the placement test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetLanguage {
    pub language: LanguageCode,
    /// `None` until the person answers.
    pub level: Option<LevelChoice>,
}

impl TargetLanguage {
    pub fn new(language: LanguageCode) -> Self {
        Self {
            language,
            level: None,
        }
    }

    pub fn is_answered(&self) -> bool {
        self.level.is_some()
    }
}

/// A short text about the person, trimmed and length-limited. Empty means skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bio(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BioError {
    #[error("bio is empty")]
    Empty,
    #[error("bio has {length} characters, at most {max} fit")]
    TooLong { length: usize, max: usize },
}

impl Bio {
    /// Trims the text, drops control characters other than newlines, and refuses empty
    /// or over-long bios (`max` counts characters, not bytes).
    pub fn parse(input: &str, max: usize) -> Result<Self, BioError> {
        let cleaned: String = input
            .trim()
            .chars()
            .filter(|c| !c.is_control() || *c == '\n')
            .collect();
        let length = cleaned.chars().count();
        if length == 0 {
            Err(BioError::Empty)
        } else if length > max {
            Err(BioError::TooLong { length, max })
        } else {
            Ok(Self(cleaned))
        }
    }

    /// The person chose not to write one.
    pub fn skipped() -> Self {
        Self(String::new())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_skipped(&self) -> bool {
        self.0.is_empty()
    }
}

/// Everything a person told lexbot about themselves, plus their matching switches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub locale: Locale,
    pub native: Vec<LanguageCode>,
    pub targets: Vec<TargetLanguage>,
    pub interests: Vec<InterestId>,
    pub timezone: Option<Timezone>,
    pub availability: Availability,
    pub styles: PracticeStyles,
    pub bio: Option<Bio>,
    /// Set when the person confirmed the onboarding summary.
    pub completed: bool,
    /// The person asked not to be matched for now (/pause), or blocked the bot.
    pub matching_paused: bool,
    /// The person blocked the bot: messages cannot reach them, so nothing is sent and
    /// nobody is matched with them until they unblock it.
    #[serde(default)]
    pub unreachable: bool,
    /// An admin banned the person: never matched, and everything they send is answered
    /// with the ban notice alone. Set and cleared only by their own step (an admin's
    /// order arrives as one).
    #[serde(default)]
    pub banned: bool,
}

impl Profile {
    pub fn new(locale: Locale) -> Self {
        Self {
            locale,
            native: Vec::new(),
            targets: Vec::new(),
            interests: Vec::new(),
            timezone: None,
            availability: Availability::default(),
            styles: PracticeStyles::default(),
            bio: None,
            completed: false,
            matching_paused: false,
            unreachable: false,
            banned: false,
        }
    }

    /// How many of the profile's fields are answered, out of how many.
    /// The interface language always counts: it is known from the first message on.
    pub fn answered_fields(&self) -> (usize, usize) {
        let answered = [
            true,
            !self.native.is_empty(),
            !self.targets.is_empty() && self.targets.iter().all(TargetLanguage::is_answered),
            !self.interests.is_empty(),
            self.timezone.is_some(),
            !self.availability.is_empty(),
            !self.styles.is_empty(),
            self.bio.is_some(),
        ];
        (answered.iter().filter(|a| **a).count(), answered.len())
    }

    pub fn all_answered(&self) -> bool {
        let (answered, total) = self.answered_fields();
        answered == total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bio_is_trimmed_and_limited_in_characters() {
        assert_eq!(
            Bio::parse("  hi\u{7}  ", 10).map(|b| b.as_str().to_owned()),
            Ok("hi".into())
        );
        assert_eq!(Bio::parse("ёёёёё", 5).map(|b| b.as_str().len()), Ok(10));
        assert_eq!(
            Bio::parse("ёёёёёё", 5),
            Err(BioError::TooLong { length: 6, max: 5 })
        );
        assert_eq!(Bio::parse(" \n ", 5), Err(BioError::Empty));
    }
}
