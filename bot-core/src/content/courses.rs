//! Courses in the content pack (`courses/<id>.toml`): days of short practice steps that a
//! person gets one day at a time, with vocabulary and step exams per learned language.
//!
//! A file holds one course:
//!
//! ```toml
//! id = "first-conversations"     # the file name without `.toml`; [a-z0-9-], at most 20
//! title = { en = "…", ru = "…" }
//! description = { en = "…", ru = "…" }
//!
//! [[day]]
//! title = { en = "Greetings", ru = "Приветствия" }
//!
//! [[day.step]]
//! id = "greet"                   # unique in the course
//! task = { en = "…", ru = "…" }  # what to do, in the interface language
//! # Optional: words for learners of each language, glossed in every interface language.
//! vocabulary.es = [{ word = "hola", meaning = { en = "hello", ru = "привет" } }]
//! # Optional: the step exam for learners of each language.
//! exam = { en = "fc-check-en", es = "fc-check-es" }
//! ```
//!
//! Step exams test one language, so a step names one per learned language; a person
//! learning a language the step does not list gets no exam for it.

use std::collections::{BTreeMap, HashMap, HashSet};

use toml::{Table, Value};

use super::exams::{Exam, ExamKind, file_id, known_language, short_text, slug};
use super::load::{Entry, Report, label, tables};
use super::{ContentError, Language, LocalisedText};
use crate::domain::LanguageCode;

const MAX_WORD_CHARS: usize = 100;

const TOP_LEVEL: &str = "top level";
const COURSE_FIELDS: &[&str] = &["id", "title", "description", "day"];
const DAY_FIELDS: &[&str] = &["title", "step"];
const STEP_FIELDS: &[&str] = &["id", "task", "vocabulary", "exam"];
const WORD_FIELDS: &[&str] = &["word", "meaning"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Course {
    pub id: String,
    pub title: LocalisedText,
    pub description: LocalisedText,
    /// Day 1 first; there is at least one.
    pub days: Vec<CourseDay>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseDay {
    pub title: LocalisedText,
    /// At least one.
    pub steps: Vec<CourseStep>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseStep {
    /// Unique within the course, so (course id, step id) names a step.
    pub id: String,
    /// The instruction the person follows, in the interface language.
    pub task: LocalisedText,
    /// Words in each learned language; a language may have none.
    pub vocabulary: BTreeMap<LanguageCode, Vec<VocabularyItem>>,
    /// The step exam for each learned language; loading checks each is a step exam of
    /// that language.
    pub exams: BTreeMap<LanguageCode, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabularyItem {
    /// In the learned language.
    pub word: String,
    /// In each interface language.
    pub meaning: LocalisedText,
}

impl Course {
    /// The step with this id and the index (from 0) of its day.
    pub fn step(&self, id: &str) -> Option<(usize, &CourseStep)> {
        self.days.iter().enumerate().find_map(|(day, content)| {
            content
                .steps
                .iter()
                .find(|step| step.id == id)
                .map(|step| (day, step))
        })
    }

    /// Every step, day by day.
    pub fn steps(&self) -> impl Iterator<Item = &CourseStep> {
        self.days.iter().flat_map(|day| day.steps.iter())
    }
}

impl CourseStep {
    /// The words for someone learning `language`; empty when the step has none for it.
    pub fn vocabulary_for(&self, language: LanguageCode) -> &[VocabularyItem] {
        self.vocabulary.get(&language).map_or(&[], Vec::as_slice)
    }

    /// The id of the step exam for someone learning `language`, if the step has one.
    pub fn exam_for(&self, language: LanguageCode) -> Option<&str> {
        self.exams.get(&language).map(String::as_str)
    }
}

/// What course files may refer to, loaded before them.
pub(super) struct Known<'a> {
    pub(super) languages: &'a [Language],
    pub(super) exams: &'a [Exam],
    /// Every exam file's id, valid or not: a reference to a broken exam is not reported
    /// again, since the exam's own errors say what to fix.
    pub(super) exam_files: &'a HashSet<String>,
}

/// Loads every course file, in the order given; returns the valid ones.
pub(super) fn courses(
    sources: &[(&str, &str)],
    known: &Known<'_>,
    errors: &mut Vec<ContentError>,
) -> Vec<Course> {
    let mut courses = Vec::new();
    let mut files: HashMap<String, &str> = HashMap::new();
    for &(file, text) in sources {
        let Some(course) = read_course(file, text, known, errors) else {
            continue;
        };
        if let Some(first) = files.get(&course.id) {
            let mut report = Report { file, errors };
            report.push(
                TOP_LEVEL,
                "id",
                format!("duplicate: `{}` is also in {first}", course.id),
            );
            continue;
        }
        files.insert(course.id.clone(), file);
        courses.push(course);
    }
    courses
}

/// One course file; `None` when it has any error (all of them reported).
fn read_course(
    file: &str,
    text: &str,
    known: &Known<'_>,
    errors: &mut Vec<ContentError>,
) -> Option<Course> {
    let before = errors.len();
    let mut report = Report { file, errors };
    let document = report.document(text)?;
    let mut top = Entry::new(&mut report, TOP_LEVEL.to_owned(), document);
    let id = file_id(&mut top, file);
    let title = top.localised("title");
    let description = top.localised("description");
    let day_tables = top.array_of_tables("day", "[[day]]");
    top.finish(COURSE_FIELDS);

    let mut step_ids: HashMap<String, String> = HashMap::new();
    let mut days = Vec::new();
    for (index, table) in day_tables.into_iter().enumerate() {
        let day_label = label("day", index, None);
        let mut entry = Entry::new(&mut report, day_label.clone(), table);
        let title = entry.localised("title");
        let step_tables = entry.array_of_tables("step", "[[day.step]]");
        entry.finish(DAY_FIELDS);

        let mut steps = Vec::new();
        for (index, table) in step_tables.into_iter().enumerate() {
            let step_label = format!(
                "{day_label}, {}",
                label("step", index, table.get("id").and_then(Value::as_str))
            );
            steps.extend(read_step(
                &mut report,
                step_label,
                table,
                &mut step_ids,
                known,
            ));
        }
        if let Some(title) = title {
            days.push(CourseDay { title, steps });
        }
    }

    if report.errors.len() > before {
        return None;
    }
    Some(Course {
        id: id?,
        title: title?,
        description: description?,
        days,
    })
}

fn read_step(
    report: &mut Report<'_>,
    step_label: String,
    table: Table,
    step_ids: &mut HashMap<String, String>,
    known: &Known<'_>,
) -> Option<CourseStep> {
    let before = report.errors.len();
    let mut entry = Entry::new(report, step_label.clone(), table);
    let id = slug(&mut entry, "id", step_ids);
    let task = entry.localised("task");
    let exams = entry
        .optional("exam")
        .map(|value| step_exams(&mut entry, value, known))
        .unwrap_or_default();
    // Words are tables of their own, read once this entry is finished with the report.
    let word_lists = entry
        .optional("vocabulary")
        .map(|value| word_lists(&mut entry, value, known.languages))
        .unwrap_or_default();
    entry.finish(STEP_FIELDS);

    let mut vocabulary = BTreeMap::new();
    for (code, items) in word_lists {
        let field = format!("vocabulary.{code}");
        let items = tables(report, &step_label, &field, "{ word, meaning }", items);
        let mut words = Vec::new();
        for (index, table) in items.into_iter().enumerate() {
            let word_label = format!(
                "{step_label}, {}",
                label(&field, index, table.get("word").and_then(Value::as_str))
            );
            let mut entry = Entry::new(report, word_label, table);
            let word = short_text(&mut entry, "word", MAX_WORD_CHARS);
            let meaning = entry.localised("meaning");
            entry.finish(WORD_FIELDS);
            if let (Some(word), Some(meaning)) = (word, meaning) {
                words.push(VocabularyItem { word, meaning });
            }
        }
        vocabulary.insert(code, words);
    }

    if report.errors.len() > before {
        return None;
    }
    Some(CourseStep {
        id: id?,
        task: task?,
        vocabulary,
        exams,
    })
}

/// `vocabulary = { es = [...], de = [...] }`: each known language with its (not yet
/// read) non-empty list of words.
fn word_lists(
    entry: &mut Entry<'_, '_>,
    value: Value,
    languages: &[Language],
) -> Vec<(LanguageCode, Value)> {
    let Value::Table(lists) = value else {
        entry.mismatch(
            "vocabulary",
            "a table of language codes to words, like vocabulary.es = [...]",
            &value,
        );
        return Vec::new();
    };
    if lists.is_empty() {
        entry.error("vocabulary", "empty; leave it out or list words");
    }
    let mut valid = Vec::new();
    for (key, list) in lists {
        let field = format!("vocabulary.{key}");
        let Some(code) = known_language(entry, &field, &key, languages) else {
            continue;
        };
        if matches!(&list, Value::Array(items) if items.is_empty()) {
            entry.error(&field, "empty; leave it out or list words");
            continue;
        }
        valid.push((code, list));
    }
    valid
}

/// `exam = { es = "fc-check-es" }`: each known language with an existing step exam of
/// that language.
fn step_exams(
    entry: &mut Entry<'_, '_>,
    value: Value,
    known: &Known<'_>,
) -> BTreeMap<LanguageCode, String> {
    let Value::Table(references) = value else {
        entry.mismatch(
            "exam",
            "a table of language codes to step exam ids, like { es = \"fc-check-es\" }",
            &value,
        );
        return BTreeMap::new();
    };
    if references.is_empty() {
        entry.error("exam", "empty; leave it out or name step exams");
    }
    let mut exams = BTreeMap::new();
    for (key, reference) in references {
        let field = format!("exam.{key}");
        let Some(code) = known_language(entry, &field, &key, known.languages) else {
            continue;
        };
        let Value::String(id) = reference else {
            entry.mismatch(&field, "an exam id", &reference);
            continue;
        };
        match known.exams.iter().find(|exam| exam.id == id) {
            Some(exam) if exam.kind != ExamKind::Step => entry.error(
                &field,
                format!(
                    "`{id}` is a {} exam; a course step needs a step exam",
                    exam.kind.as_str()
                ),
            ),
            Some(exam) if exam.language != code => entry.error(
                &field,
                format!(
                    "`{id}` tests `{}`, not `{code}`; list it under its own language",
                    exam.language
                ),
            ),
            Some(_) => {
                exams.insert(code, id);
            }
            // The exam's file has errors of its own, already reported.
            None if known.exam_files.contains(&id) => {}
            None => entry.error(
                &field,
                format!("no exam `{id}`; expected a file exams/{id}.toml"),
            ),
        }
    }
    exams
}
