//! ISO 639-1 language codes and the interface locales lexbot ships texts for.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A syntactically valid ISO 639-1 code: two lowercase ASCII letters.
/// Whether lexbot knows the language is the content pack's business
/// (`Content::language`), so a code read from storage never fails to load.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LanguageCode([u8; 2]);

impl LanguageCode {
    /// Parses `"es"`, `" ES "`; refuses anything that is not two ASCII letters.
    pub fn parse(input: &str) -> Option<Self> {
        let letter = |c: char| {
            c.is_ascii_alphabetic()
                .then(|| u8::try_from(c.to_ascii_lowercase()).ok())
                .flatten()
        };
        let mut chars = input.trim().chars();
        match (chars.next(), chars.next(), chars.next()) {
            (Some(first), Some(second), None) => Some(Self([letter(first)?, letter(second)?])),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Debug for LanguageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LanguageCode({})", self.as_str())
    }
}

impl fmt::Display for LanguageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for LanguageCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for LanguageCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        LanguageCode::parse(&raw).ok_or_else(|| {
            serde::de::Error::custom(format!("`{raw}` is not a two-letter ISO 639-1 code"))
        })
    }
}

/// An interface language lexbot has a complete set of texts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    En,
    Ru,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ru];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ru => "ru",
        }
    }

    /// The locale's own name for itself, shown on the language picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Ru => "Русский",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim();
        Self::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(input))
    }

    /// Guesses the interface language from what a client reports (`"ru"`, `"en-US"`,
    /// `"pt_BR"`): its primary subtag if we ship it, otherwise English.
    pub fn from_client_language(tag: Option<&str>) -> Self {
        tag.and_then(|tag| tag.split(['-', '_']).next())
            .and_then(Self::parse)
            .unwrap_or(Locale::En)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_are_two_ascii_letters() {
        assert_eq!(
            LanguageCode::parse(" ES ").map(|c| c.to_string()),
            Some("es".into())
        );
        // `é` is two bytes but one character; `e\u{301}` two characters, one a mark.
        for bad in [
            "",
            "e",
            "eng",
            "e1",
            "éé",
            "é",
            "e\u{301}",
            "\u{200F}es",
            "🇪🇸",
            "e s",
        ] {
            assert_eq!(LanguageCode::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn client_language_picks_a_shipped_locale_or_english() {
        assert_eq!(Locale::from_client_language(Some("ru-RU")), Locale::Ru);
        assert_eq!(Locale::from_client_language(Some("en_GB")), Locale::En);
        assert_eq!(Locale::from_client_language(Some("pt-BR")), Locale::En);
        assert_eq!(Locale::from_client_language(None), Locale::En);
    }
}
