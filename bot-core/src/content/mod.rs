//! The content pack: languages, interests and city aliases, read from `config/content/*.toml`.
//!
//! The pack is data people edit by hand, so loading checks everything and reports every
//! problem at once, each naming the file, the entry and the field.

mod load;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;

use crate::domain::{InterestId, LanguageCode, Locale, Timezone, fold_name};

/// The pack's file names inside a content directory.
const LANGUAGES_FILE: &str = "languages.toml";
const INTERESTS_FILE: &str = "interests.toml";
const CITIES_FILE: &str = "cities.toml";

/// Interest and category ids travel in button data, which platforms cap at 64 bytes.
const MAX_ID_LEN: usize = 20;

/// A loaded, validated content pack.
#[derive(Debug, Clone)]
pub struct Content {
    languages: Vec<Language>,
    categories: Vec<InterestCategory>,
    /// Folded language name (any locale) to index in `languages`.
    language_names: HashMap<String, usize>,
    /// Folded city alias to its zone.
    cities: HashMap<String, Timezone>,
}

/// A language people can name as native or learn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    pub code: LanguageCode,
    /// Offered as a button rather than only found by typing.
    pub popular: bool,
    pub names: LocalisedText,
}

/// One text per interface locale; loading guarantees none is missing or empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalisedText([String; Locale::ALL.len()]);

impl LocalisedText {
    pub fn get(&self, locale: Locale) -> &str {
        &self.0[slot(locale)]
    }
}

/// Where a locale's text lives in a [`LocalisedText`]. A match rather than a search of
/// `Locale::ALL` so that adding a locale fails to compile until it has a slot.
fn slot(locale: Locale) -> usize {
    match locale {
        Locale::En => 0,
        Locale::Ru => 1,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterestCategory {
    pub id: String,
    pub names: LocalisedText,
    pub interests: Vec<Interest>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interest {
    pub id: InterestId,
    pub names: LocalisedText,
}

/// One problem in the content pack. `entry` and `field` are empty when the problem is
/// about the whole file (it cannot be read, or is not TOML).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {reason}", location(.entry, .field))]
pub struct ContentError {
    pub file: String,
    pub entry: String,
    pub field: String,
    pub reason: String,
}

fn location(entry: &str, field: &str) -> String {
    match (entry.is_empty(), field.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!(": {entry}"),
        (true, false) => format!(": field `{field}`"),
        (false, false) => format!(": {entry}, field `{field}`"),
    }
}

/// Every problem found while loading a pack, in file order.
#[derive(Debug, thiserror::Error)]
#[error("{}", lines(.0))]
pub struct ContentErrors(pub Vec<ContentError>);

fn lines(errors: &[ContentError]) -> String {
    errors
        .iter()
        .map(ContentError::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Content {
    /// The pack compiled into the binary, so lexbot runs without a config directory.
    pub fn embedded() -> Result<Content, ContentErrors> {
        Self::from_sources(
            (
                "config/content/languages.toml",
                include_str!("../../../config/content/languages.toml"),
            ),
            (
                "config/content/interests.toml",
                include_str!("../../../config/content/interests.toml"),
            ),
            (
                "config/content/cities.toml",
                include_str!("../../../config/content/cities.toml"),
            ),
        )
    }

    /// Reads `languages.toml`, `interests.toml` and `cities.toml` from `dir`.
    pub fn load_dir(dir: &Path) -> Result<Content, ContentErrors> {
        let mut errors = Vec::new();
        let mut read = |file: &str| {
            let path = dir.join(file);
            let name = path.display().to_string();
            match std::fs::read_to_string(&path) {
                Ok(text) => Some((name, text)),
                Err(err) => {
                    errors.push(ContentError {
                        file: name,
                        entry: String::new(),
                        field: String::new(),
                        reason: format!("cannot read the file: {err}"),
                    });
                    None
                }
            }
        };
        let languages = read(LANGUAGES_FILE);
        let interests = read(INTERESTS_FILE);
        let cities = read(CITIES_FILE);
        fn borrow(source: &Option<(String, String)>) -> Option<(&str, &str)> {
            source
                .as_ref()
                .map(|(name, text)| (name.as_str(), text.as_str()))
        }
        Self::build(
            borrow(&languages),
            borrow(&interests),
            borrow(&cities),
            errors,
        )
    }

    /// Builds a pack from TOML texts; each pair is (file name for messages, text).
    pub fn from_sources(
        languages: (&str, &str),
        interests: (&str, &str),
        cities: (&str, &str),
    ) -> Result<Content, ContentErrors> {
        Self::build(Some(languages), Some(interests), Some(cities), Vec::new())
    }

    /// A missing source has already been reported in `errors`; the others are still
    /// checked so that one run shows every problem.
    fn build(
        languages: Option<(&str, &str)>,
        interests: Option<(&str, &str)>,
        cities: Option<(&str, &str)>,
        mut errors: Vec<ContentError>,
    ) -> Result<Content, ContentErrors> {
        let (languages, language_names) = languages
            .map(|(file, text)| load::languages(file, text, &mut errors))
            .unwrap_or_default();
        let categories = interests
            .map(|(file, text)| load::interests(file, text, &mut errors))
            .unwrap_or_default();
        let cities = cities
            .map(|(file, text)| load::cities(file, text, &mut errors))
            .unwrap_or_default();
        if errors.is_empty() {
            Ok(Content {
                languages,
                categories,
                language_names,
                cities,
            })
        } else {
            Err(ContentErrors(errors))
        }
    }

    /// All languages, in file order.
    pub fn languages(&self) -> &[Language] {
        &self.languages
    }

    pub fn language(&self, code: LanguageCode) -> Option<&Language> {
        self.languages.iter().find(|language| language.code == code)
    }

    /// A code ("es", " ES"), or a language name in any locale, case-insensitive ("spanish", "Испанский", "испанский").
    pub fn find_language(&self, input: &str) -> Option<&Language> {
        LanguageCode::parse(input)
            .and_then(|code| self.language(code))
            .or_else(|| {
                self.language_names
                    .get(&fold_name(input))
                    .and_then(|index| self.languages.get(*index))
            })
    }

    /// Interest categories, in file order.
    pub fn categories(&self) -> &[InterestCategory] {
        &self.categories
    }

    pub fn interest(&self, id: &str) -> Option<&Interest> {
        self.interests().find(|interest| interest.id.0 == id)
    }

    /// All interests, category by category, in file order.
    pub fn interests(&self) -> impl Iterator<Item = &Interest> {
        self.categories
            .iter()
            .flat_map(|category| category.interests.iter())
    }

    /// A city alias from cities.toml, compared as [`fold_name`] folds them.
    pub fn city_timezone(&self, input: &str) -> Option<Timezone> {
        self.cities.get(&fold_name(input)).copied()
    }
}

/// `[a-z0-9_]{1,20}`: what fits in button data next to a prefix.
fn is_valid_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
