//! The content pack: languages, interests, city aliases, exams and courses, read from
//! `config/content/`.
//!
//! The pack is data people edit by hand, so loading checks everything and reports every
//! problem at once, each naming the file, the entry and the field.

mod courses;
mod exams;
mod load;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_courses;
#[cfg(test)]
mod tests_exams;

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};

pub use courses::{Course, CourseDay, CourseStep, VocabularyItem};
pub use exams::{
    Answer, Exam, ExamKind, LevelScore, PASS_PERCENT, PLACEMENT_MIN_PER_LEVEL,
    PLACEMENT_MIN_QUESTIONS, Placement, Question, QuestionKind, STEP_MIN_QUESTIONS, mix,
    normalise_answer, passes, score_placement,
};

use crate::domain::{InterestId, LanguageCode, Locale, Timezone, fold_name};

/// The pack's file names inside a content directory.
const LANGUAGES_FILE: &str = "languages.toml";
const INTERESTS_FILE: &str = "interests.toml";
const CITIES_FILE: &str = "cities.toml";
/// Directories of one-file-per-item content; every `*.toml` in them is read.
const EXAMS_DIR: &str = "exams";
const COURSES_DIR: &str = "courses";

/// Compiles shipped files in, each with its path for error messages.
macro_rules! shipped {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../../", $path)))),*]
    };
}

/// The shipped exams and courses, in file name order as [`Content::load_dir`] reads them.
/// A file added to config/content/ but not here fails
/// `the_shipped_directory_matches_the_embedded_pack`.
const SHIPPED_EXAMS: &[(&str, &str)] = shipped![
    "config/content/exams/fc-check-de.toml",
    "config/content/exams/fc-check-en.toml",
    "config/content/exams/fc-check-es.toml",
    "config/content/exams/fc-check-ru.toml",
    "config/content/exams/placement-de.toml",
    "config/content/exams/placement-en.toml",
    "config/content/exams/placement-es.toml",
    "config/content/exams/placement-fr.toml",
    "config/content/exams/placement-it.toml",
    "config/content/exams/placement-pt.toml",
    "config/content/exams/placement-ru.toml",
    "config/content/exams/week-check-de.toml",
    "config/content/exams/week-check-en.toml",
    "config/content/exams/week-check-es.toml",
    "config/content/exams/week-check-ru.toml",
];
const SHIPPED_COURSES: &[(&str, &str)] = shipped![
    "config/content/courses/first-conversations.toml",
    "config/content/courses/talk-about-your-week.toml",
];

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
    /// The cities of cities.toml in file order, to offer as buttons.
    city_list: Vec<City>,
    exams: Vec<Exam>,
    courses: Vec<Course>,
}

/// A city of cities.toml: the names people type for it, and its zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct City {
    pub names: Vec<String>,
    pub timezone: Timezone,
}

impl City {
    /// The city's name for a button: the first name written in `locale`'s script
    /// (Cyrillic for Russian), else the first name.
    pub fn name(&self, locale: Locale) -> &str {
        let in_script = |name: &&String| match locale {
            Locale::Ru => name
                .chars()
                .any(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё')),
            Locale::En => name.is_ascii(),
        };
        self.names
            .iter()
            .find(in_script)
            .or_else(|| self.names.first())
            .map_or("", String::as_str)
    }
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
            SHIPPED_EXAMS,
            SHIPPED_COURSES,
        )
    }

    /// Reads `languages.toml`, `interests.toml`, `cities.toml` and every `*.toml` in
    /// `exams/` and `courses/` (in file name order) from `dir`. The two directories must
    /// exist, so that a pack copied without them is not silently left with no placement
    /// tests; they may be empty.
    pub fn load_dir(dir: &Path) -> Result<Content, ContentErrors> {
        let mut errors = Vec::new();
        let languages = read_file(&dir.join(LANGUAGES_FILE), &mut errors);
        let interests = read_file(&dir.join(INTERESTS_FILE), &mut errors);
        let cities = read_file(&dir.join(CITIES_FILE), &mut errors);
        let exams = read_toml_files(&dir.join(EXAMS_DIR), &mut errors);
        let courses = read_toml_files(&dir.join(COURSES_DIR), &mut errors);
        fn borrow(source: &(String, String)) -> (&str, &str) {
            (source.0.as_str(), source.1.as_str())
        }
        Self::build(
            Sources {
                languages: languages.as_ref().map(borrow),
                interests: interests.as_ref().map(borrow),
                cities: cities.as_ref().map(borrow),
                exams: exams.iter().map(borrow).collect(),
                courses: courses.iter().map(borrow).collect(),
            },
            errors,
        )
    }

    /// Builds a pack from TOML texts; each pair is (file name for messages, text). An
    /// exam's or course's id must match its file name without directories and `.toml`.
    pub fn from_sources(
        languages: (&str, &str),
        interests: (&str, &str),
        cities: (&str, &str),
        exams: &[(&str, &str)],
        courses: &[(&str, &str)],
    ) -> Result<Content, ContentErrors> {
        Self::build(
            Sources {
                languages: Some(languages),
                interests: Some(interests),
                cities: Some(cities),
                exams: exams.to_vec(),
                courses: courses.to_vec(),
            },
            Vec::new(),
        )
    }

    /// A missing source has already been reported in `errors`; the others are still
    /// checked so that one run shows every problem.
    fn build(
        sources: Sources<'_>,
        mut errors: Vec<ContentError>,
    ) -> Result<Content, ContentErrors> {
        let (languages, language_names) = sources
            .languages
            .map(|(file, text)| load::languages(file, text, &mut errors))
            .unwrap_or_default();
        let categories = sources
            .interests
            .map(|(file, text)| load::interests(file, text, &mut errors))
            .unwrap_or_default();
        let (cities, city_list) = sources
            .cities
            .map(|(file, text)| load::cities(file, text, &mut errors))
            .unwrap_or_default();
        // Exams name languages, and courses name languages and exams.
        let (exams, exam_files) = exams::exams(&sources.exams, &languages, &mut errors);
        let courses = courses::courses(
            &sources.courses,
            &courses::Known {
                languages: &languages,
                exams: &exams,
                exam_files: &exam_files,
            },
            &mut errors,
        );
        if errors.is_empty() {
            Ok(Content {
                languages,
                categories,
                language_names,
                cities,
                city_list,
                exams,
                courses,
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

    /// A language's name in `locale` as menus and the profile card show it; the code for
    /// a language the pack no longer has.
    pub fn language_name(&self, code: LanguageCode, locale: Locale) -> String {
        self.language(code)
            .map_or_else(|| code.to_string(), |l| l.names.get(locale).to_owned())
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

    /// Up to `max` cities, one per zone, whose clocks are `offset_seconds` east of UTC
    /// at `now`: zones that change their clocks for daylight saving time first (they
    /// are the ones a fixed offset gets wrong), then the others, each in file order.
    pub fn cities_at_offset(
        &self,
        offset_seconds: i32,
        now: DateTime<Utc>,
        max: usize,
    ) -> Vec<&City> {
        let mut zones = Vec::new();
        let mut matching: Vec<&City> = self
            .city_list
            .iter()
            .filter(|city| city.timezone.offset_seconds_at(now) == offset_seconds)
            .filter(|city| {
                let new_zone = !zones.contains(&city.timezone);
                zones.push(city.timezone);
                new_zone
            })
            .collect();
        // A stable sort keeps file order within each group.
        matching.sort_by_key(|city| !city.timezone.observes_daylight_saving(now));
        matching.truncate(max);
        matching
    }

    /// Whether `timezone` is the zone of a city in cities.toml (a city button's check).
    pub fn is_city_timezone(&self, timezone: Timezone) -> bool {
        self.city_list.iter().any(|city| city.timezone == timezone)
    }

    /// Placement and step exams, in file order.
    pub fn exams(&self) -> &[Exam] {
        &self.exams
    }

    pub fn exam(&self, id: &str) -> Option<&Exam> {
        self.exams.iter().find(|exam| exam.id == id)
    }

    /// The placement test for `language`; loading allows at most one per language.
    pub fn placement_exam(&self, language: LanguageCode) -> Option<&Exam> {
        self.exams
            .iter()
            .find(|exam| exam.kind == ExamKind::Placement && exam.language == language)
    }

    /// Courses, in file order.
    pub fn courses(&self) -> &[Course] {
        &self.courses
    }

    pub fn course(&self, id: &str) -> Option<&Course> {
        self.courses.iter().find(|course| course.id == id)
    }
}

/// The pack's sources as (file name for messages, text); `None` for a file that could
/// not be read (already reported).
struct Sources<'a> {
    languages: Option<(&'a str, &'a str)>,
    interests: Option<(&'a str, &'a str)>,
    cities: Option<(&'a str, &'a str)>,
    exams: Vec<(&'a str, &'a str)>,
    courses: Vec<(&'a str, &'a str)>,
}

/// (file name for messages, text), or `None` after reporting why it cannot be read.
fn read_file(path: &Path, errors: &mut Vec<ContentError>) -> Option<(String, String)> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Some((name, text)),
        Err(err) => {
            errors.push(file_error(name, format!("cannot read the file: {err}")));
            None
        }
    }
}

/// Every `*.toml` file in `dir`, sorted by name so that the pack's order does not depend
/// on the file system.
fn read_toml_files(dir: &Path, errors: &mut Vec<ContentError>) -> Vec<(String, String)> {
    let name = dir.display().to_string();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            errors.push(file_error(
                name,
                format!("cannot read the directory: {err}"),
            ));
            return Vec::new();
        }
    };
    let mut paths = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if path
                    .extension()
                    .is_some_and(|extension| extension == "toml")
                {
                    paths.push(path);
                }
            }
            Err(err) => errors.push(file_error(
                name.clone(),
                format!("cannot list the directory: {err}"),
            )),
        }
    }
    paths.sort();
    paths
        .iter()
        .filter_map(|path| read_file(path, errors))
        .collect()
}

fn file_error(file: String, reason: String) -> ContentError {
    ContentError {
        file,
        entry: String::new(),
        field: String::new(),
        reason,
    }
}

/// `[a-z0-9_]{1,20}`: what fits in button data next to a prefix.
fn is_valid_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
