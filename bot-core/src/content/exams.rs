//! Exams in the content pack (`exams/<id>.toml`): placement tests and step exams, their
//! questions, pure answer checking and placement scoring.
//!
//! A file holds one exam:
//!
//! ```toml
//! id = "placement-es"          # the file name without `.toml`; [a-z0-9-], at most 20
//! kind = "placement"           # or "step"
//! language = "es"              # the language being tested (a code from languages.toml)
//! title = { en = "…", ru = "…" }
//! time_limit_minutes = 30      # 1 to 180
//!
//! [[question]]
//! id = "a1-ser"                # unique in the exam
//! level = "A1"                 # CEFR, A1 to C2
//! type = "single"              # single | multiple | ordering | text
//! prompt = "Yo ___ estudiante."  # written in the tested language
//! options = ["soy", "estoy", "es"]
//! correct = 1                  # option numbers count from 1, as people count
//! explanation = { en = "…", ru = "…" }
//! ```
//!
//! - `single`: `options` (2 to 8) and `correct`, exactly one option number.
//! - `multiple`: `options` and `correct`, a list of at least one and fewer than all.
//! - `ordering`: `options` written in the CORRECT order and no `correct`; the engine shows
//!   them shuffled ([`Question::display_order`]).
//! - `text`: `accepted`, the answers that count as right, and optionally
//!   `ignore_accents = true`; answers are compared as [`normalise_answer`] folds them.
//!
//! Inside the program option numbers are indices from 0.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::RangeInclusive;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::{Table, Value};

use super::load::{Entry, Report, label};
use super::{ContentError, Language, LocalisedText};
use crate::domain::{CefrLevel, LanguageCode};

/// A placement exam proposes a level from A1 to C2, so it needs questions at every level.
pub const PLACEMENT_MIN_QUESTIONS: usize = 30;
pub const PLACEMENT_MIN_PER_LEVEL: usize = 3;
pub const STEP_MIN_QUESTIONS: usize = 3;
/// The share of a level's questions, in percent, that must be right to pass the level.
pub const PASS_PERCENT: usize = 60;

/// Exam, course, question and step ids travel in button data (64 bytes on Telegram),
/// often two of them together.
const MAX_SLUG_LEN: usize = 20;
const TIME_LIMIT_MINUTES: RangeInclusive<i64> = 1..=180;
const MAX_PROMPT_CHARS: usize = 1000;
const OPTION_COUNT: RangeInclusive<usize> = 2..=8;
const MAX_OPTION_CHARS: usize = 100;

const TOP_LEVEL: &str = "top level";
const EXAM_FIELDS: &[&str] = &[
    "id",
    "kind",
    "language",
    "title",
    "time_limit_minutes",
    "question",
];
const QUESTION_FIELDS: &[&str] = &[
    "id",
    "level",
    "type",
    "prompt",
    "options",
    "correct",
    "accepted",
    "ignore_accents",
    "explanation",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exam {
    pub id: String,
    pub kind: ExamKind,
    /// The language being tested; prompts, options and accepted answers are written in it.
    pub language: LanguageCode,
    pub title: LocalisedText,
    pub time_limit_minutes: u32,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExamKind {
    /// Sets the profile level for its language; at most one per language.
    Placement,
    /// Checks one course step.
    Step,
}

impl ExamKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExamKind::Placement => "placement",
            ExamKind::Step => "step",
        }
    }

    fn parse(input: &str) -> Option<Self> {
        [ExamKind::Placement, ExamKind::Step]
            .into_iter()
            .find(|kind| kind.as_str() == input)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// Unique within its exam.
    pub id: String,
    pub level: CefrLevel,
    pub prompt: String,
    pub kind: QuestionKind,
    /// Shown after the person has answered.
    pub explanation: LocalisedText,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionKind {
    /// Exactly one option is right.
    Single {
        options: Vec<String>,
        correct: usize,
    },
    /// At least one and not every option is right; the answer must name exactly those.
    Multiple {
        options: Vec<String>,
        correct: BTreeSet<usize>,
    },
    /// `options` are in the correct order; they are shown in [`Question::display_order`].
    Ordering { options: Vec<String> },
    /// A typed answer, right when it matches one of `accepted` after [`normalise_answer`].
    Text {
        accepted: Vec<String>,
        ignore_accents: bool,
    },
}

/// What a person answered. Indices are positions in the question's `options` as the file
/// lists them, never positions on the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    SingleChoice(usize),
    MultipleChoice(BTreeSet<usize>),
    /// The options in the order the person put them.
    Ordering(Vec<usize>),
    Text(String),
}

impl Exam {
    pub fn time_limit(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.time_limit_minutes))
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|question| question.id == id)
    }

    /// Scores every question of the exam: `is_correct` says whether the person answered it
    /// right, so a question left unanswered (time ran out) counts as wrong rather than
    /// being skipped, which would let someone rise by answering only what they know.
    pub fn score_placement(&self, is_correct: impl Fn(&Question) -> bool) -> Placement {
        score_placement(
            self.questions
                .iter()
                .map(|question| (question.level, is_correct(question))),
        )
    }
}

impl Question {
    /// The options as the file lists them; empty for a text question.
    pub fn options(&self) -> &[String] {
        match &self.kind {
            QuestionKind::Single { options, .. }
            | QuestionKind::Multiple { options, .. }
            | QuestionKind::Ordering { options } => options,
            QuestionKind::Text { .. } => &[],
        }
    }

    /// Whether `answer` is right. An answer of the wrong shape for the question (a
    /// choice for a text question, say) is wrong, not an error: it can come from a stale
    /// or forged button.
    pub fn check(&self, answer: &Answer) -> bool {
        match (&self.kind, answer) {
            (QuestionKind::Single { correct, .. }, Answer::SingleChoice(chosen)) => {
                chosen == correct
            }
            (QuestionKind::Multiple { correct, .. }, Answer::MultipleChoice(chosen)) => {
                chosen == correct
            }
            (QuestionKind::Ordering { options }, Answer::Ordering(order)) => {
                order.len() == options.len()
                    && order
                        .iter()
                        .enumerate()
                        .all(|(position, option)| position == *option)
            }
            (
                QuestionKind::Text {
                    accepted,
                    ignore_accents,
                },
                Answer::Text(text),
            ) => {
                let given = normalise_answer(text, *ignore_accents);
                !given.is_empty()
                    && accepted
                        .iter()
                        .any(|right| normalise_answer(right, *ignore_accents) == given)
            }
            _ => false,
        }
    }

    /// The order to show the options in: `order[position]` is the option (index in the
    /// file) shown at that position. Options are shuffled from `seed`, so where the right
    /// answer sits says nothing; an ordering question is never shown already solved. The
    /// same seed gives the same order, so the engine stays pure and a question shown
    /// again keeps its order: derive the seed from the exam session and the question.
    pub fn display_order(&self, seed: u64) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.options().len()).collect();
        shuffle(&mut order, seed);
        if let QuestionKind::Ordering { .. } = self.kind
            && order.iter().enumerate().all(|(at, option)| at == *option)
        {
            order.rotate_left(1);
        }
        order
    }
}

impl Exam {
    /// The questions one session asks, as indices into [`Exam::questions`], drawn from
    /// `seed`: level by level from the lowest, each level's questions shuffled and, where
    /// it has more than [`DRAW_FLOOR`], one of them left out, so a retake asks a
    /// different set in a different order.
    pub fn draw(&self, seed: u64) -> Vec<usize> {
        let mut drawn = Vec::with_capacity(self.questions.len());
        for (rank, level) in CefrLevel::ALL.into_iter().enumerate() {
            let mut pool: Vec<usize> = (0..self.questions.len())
                .filter(|index| self.questions[*index].level == level)
                .collect();
            let keep = pool.len().saturating_sub(1).max(pool.len().min(DRAW_FLOOR));
            shuffle(&mut pool, mix(seed, rank as u64));
            drawn.extend(pool.into_iter().take(keep));
        }
        drawn
    }
}

/// A level keeps at least this many questions when a session draws from it: enough for
/// a placement level ([`PLACEMENT_MIN_PER_LEVEL`]) and a whole step exam
/// ([`STEP_MIN_QUESTIONS`]).
pub const DRAW_FLOOR: usize = 3;

/// A seed for the `part`-th use of `seed` (a question's options, a level's draw).
pub fn mix(seed: u64, part: u64) -> u64 {
    let mut state = seed ^ part.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    splitmix64(&mut state)
}

/// Fisher–Yates with SplitMix64 as the random source.
fn shuffle(items: &mut [usize], seed: u64) {
    let mut state = seed;
    for last in (1..items.len()).rev() {
        let pick = splitmix64(&mut state) % (last as u64 + 1);
        items.swap(last, pick as usize);
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Folds a typed answer (or an accepted answer, or an option) for comparison:
///
/// - lowercase in any script, and `ё` as `е` (Russian print usually writes `е` for it);
/// - a letter followed by a combining accent (what some keyboards send) as the one
///   precomposed letter, so `e` + U+0301 equals `é`;
/// - typographic apostrophes (`’`, as phones type them) as `'`;
/// - runs of whitespace as one space, and no punctuation, symbols or spaces at either
///   end (`"Went."`, `¡Hola!` → `went`, `hola`); punctuation inside stays;
/// - with `ignore_accents`, Latin letters with an acute, grave, circumflex, tilde,
///   diaeresis, ring or cedilla as the bare letter (`á ü ñ ç` → `a u n c`). `ß` is a
///   letter of its own and stays (list `ss` spellings in `accepted` if they should count),
///   and so does Cyrillic `й`. Where an accent tells words apart (German `fährt` and
///   `fahrt`), leave `ignore_accents` off and list the spellings that count instead
///   (`fährt`, `faehrt`).
pub fn normalise_answer(text: &str, ignore_accents: bool) -> String {
    let mut letters: Vec<char> = Vec::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            '’' | 'ʼ' | '‘' => '\'',
            c => c,
        };
        let composed = letters.last().and_then(|base| compose(*base, c));
        match (composed, letters.last_mut()) {
            (Some(composed), Some(last)) => *last = composed,
            _ => letters.push(c),
        }
    }
    let folded: String = letters
        .into_iter()
        .map(|c| match c {
            'ё' => 'е',
            c if ignore_accents => strip_accent(c),
            c => c,
        })
        .filter(|c| !(ignore_accents && is_combining_accent(*c)))
        .collect();
    folded
        .trim_matches(|c: char| !c.is_alphanumeric())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// (precomposed, base, combining mark) for the Latin letters `ignore_accents` folds.
const LATIN_ACCENTS: &[(char, char, char)] = &[
    ('à', 'a', '\u{300}'),
    ('á', 'a', '\u{301}'),
    ('â', 'a', '\u{302}'),
    ('ã', 'a', '\u{303}'),
    ('ä', 'a', '\u{308}'),
    ('å', 'a', '\u{30A}'),
    ('è', 'e', '\u{300}'),
    ('é', 'e', '\u{301}'),
    ('ê', 'e', '\u{302}'),
    ('ë', 'e', '\u{308}'),
    ('ì', 'i', '\u{300}'),
    ('í', 'i', '\u{301}'),
    ('î', 'i', '\u{302}'),
    ('ï', 'i', '\u{308}'),
    ('ò', 'o', '\u{300}'),
    ('ó', 'o', '\u{301}'),
    ('ô', 'o', '\u{302}'),
    ('õ', 'o', '\u{303}'),
    ('ö', 'o', '\u{308}'),
    ('ù', 'u', '\u{300}'),
    ('ú', 'u', '\u{301}'),
    ('û', 'u', '\u{302}'),
    ('ü', 'u', '\u{308}'),
    ('ñ', 'n', '\u{303}'),
    ('ç', 'c', '\u{327}'),
    ('ý', 'y', '\u{301}'),
    ('ÿ', 'y', '\u{308}'),
];

/// Cyrillic letters that are letters of their own, composed but never folded.
const CYRILLIC_LETTERS: &[(char, char, char)] = &[('ё', 'е', '\u{308}'), ('й', 'и', '\u{306}')];

fn compose(base: char, mark: char) -> Option<char> {
    LATIN_ACCENTS
        .iter()
        .chain(CYRILLIC_LETTERS)
        .find(|(_, b, m)| *b == base && *m == mark)
        .map(|(composed, _, _)| *composed)
}

fn strip_accent(c: char) -> char {
    LATIN_ACCENTS
        .iter()
        .find(|(composed, _, _)| *composed == c)
        .map_or(c, |(_, base, _)| *base)
}

/// Combining diacritical marks left over after composing (a mark on a letter no table
/// knows), dropped when accents are ignored.
fn is_combining_accent(c: char) -> bool {
    ('\u{300}'..='\u{36F}').contains(&c)
}

/// How many questions of one level were answered right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelScore {
    pub level: CefrLevel,
    pub correct: usize,
    pub total: usize,
}

impl LevelScore {
    /// At least [`PASS_PERCENT`] of the level's questions right. A level without questions
    /// is not passed: nothing shows the person has it.
    pub fn passed(&self) -> bool {
        passes(self.correct, self.total)
    }
}

/// At least [`PASS_PERCENT`] of `total` questions right; never with no questions. A
/// step exam is passed as a whole this way, as each level of a placement test is.
pub fn passes(correct: usize, total: usize) -> bool {
    total > 0 && correct * 100 >= total * PASS_PERCENT
}

/// A placement result: the proposed level, and the score at every level for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub level: CefrLevel,
    /// One per level, A1 to C2.
    pub scores: [LevelScore; 6],
}

/// Proposes a level from (question level, answered right) pairs: the highest level L such
/// that the person passed L and every level below it ([`LevelScore::passed`]). Someone who
/// does not pass A1 is placed at A1, the lowest level there is. Requiring every level
/// below keeps lucky guesses at C1 from lifting a person who failed B1.
pub fn score_placement(results: impl IntoIterator<Item = (CefrLevel, bool)>) -> Placement {
    let mut scores = CefrLevel::ALL.map(|level| LevelScore {
        level,
        correct: 0,
        total: 0,
    });
    for (level, right) in results {
        if let Some(score) = scores.iter_mut().find(|score| score.level == level) {
            score.total += 1;
            score.correct += usize::from(right);
        }
    }
    let level = scores
        .iter()
        .take_while(|score| score.passed())
        .last()
        .map_or(CefrLevel::A1, |score| score.level);
    Placement { level, scores }
}

/// Loads every exam file, in the order given. Returns the exams that are valid and the
/// ids of every exam file seen, valid or not, so that a course pointing at a broken exam
/// is not also blamed for it.
pub(super) fn exams(
    sources: &[(&str, &str)],
    languages: &[Language],
    errors: &mut Vec<ContentError>,
) -> (Vec<Exam>, HashSet<String>) {
    let mut exams: Vec<Exam> = Vec::new();
    let mut seen = HashSet::new();
    // Exam id to the file that has it; language to its placement exam.
    let mut files: HashMap<String, &str> = HashMap::new();
    let mut placements: HashMap<LanguageCode, String> = HashMap::new();
    for &(file, text) in sources {
        if let Some(stem) = file_stem(file) {
            seen.insert(stem.to_owned());
        }
        let Some(exam) = read_exam(file, text, languages, errors) else {
            continue;
        };
        let mut report = Report { file, errors };
        if let Some(first) = files.get(&exam.id) {
            report.push(
                TOP_LEVEL,
                "id",
                format!("duplicate: `{}` is also in {first}", exam.id),
            );
            continue;
        }
        files.insert(exam.id.clone(), file);
        if exam.kind == ExamKind::Placement {
            if let Some(first) = placements.get(&exam.language) {
                report.push(
                    TOP_LEVEL,
                    "language",
                    format!(
                        "`{}` already has a placement exam, `{first}`; keep one per language",
                        exam.language
                    ),
                );
                continue;
            }
            placements.insert(exam.language, exam.id.clone());
        }
        exams.push(exam);
    }
    (exams, seen)
}

/// One exam file; `None` when it has any error (all of them reported).
fn read_exam(
    file: &str,
    text: &str,
    languages: &[Language],
    errors: &mut Vec<ContentError>,
) -> Option<Exam> {
    let before = errors.len();
    let mut report = Report { file, errors };
    let document = report.document(text)?;
    let mut top = Entry::new(&mut report, TOP_LEVEL.to_owned(), document);
    let id = file_id(&mut top, file);
    let kind = top.string("kind").and_then(|raw| {
        let kind = ExamKind::parse(&raw);
        if kind.is_none() {
            top.error(
                "kind",
                format!("`{raw}` is not an exam kind; expected `placement` or `step`"),
            );
        }
        kind
    });
    let language = top
        .string("language")
        .and_then(|raw| known_language(&mut top, "language", &raw, languages));
    let title = top.localised("title");
    let time_limit_minutes = time_limit(&mut top);
    let items = top.array_of_tables("question", "[[question]]");
    top.finish(EXAM_FIELDS);

    let mut questions = Vec::new();
    let mut levels = Vec::new();
    let mut ids: HashMap<String, String> = HashMap::new();
    for (index, table) in items.into_iter().enumerate() {
        let label = label("question", index, table.get("id").and_then(Value::as_str));
        let (level, question) = read_question(&mut report, label, table, &mut ids);
        levels.extend(level);
        questions.extend(question);
    }

    match kind {
        Some(ExamKind::Placement) => {
            if levels.len() < PLACEMENT_MIN_QUESTIONS {
                report.push(
                    TOP_LEVEL,
                    "question",
                    format!(
                        "a placement exam needs at least {PLACEMENT_MIN_QUESTIONS} questions; found {}",
                        levels.len()
                    ),
                );
            }
            let short: Vec<String> = CefrLevel::ALL
                .into_iter()
                .map(|level| (level, levels.iter().filter(|at| **at == level).count()))
                .filter(|(_, count)| *count < PLACEMENT_MIN_PER_LEVEL)
                .map(|(level, count)| format!("{level} has {count}"))
                .collect();
            if !short.is_empty() {
                report.push(
                    TOP_LEVEL,
                    "question",
                    format!(
                        "a placement exam needs at least {PLACEMENT_MIN_PER_LEVEL} questions at every level from A1 to C2; {}",
                        short.join(", ")
                    ),
                );
            }
        }
        Some(ExamKind::Step) if levels.len() < STEP_MIN_QUESTIONS => report.push(
            TOP_LEVEL,
            "question",
            format!(
                "a step exam needs at least {STEP_MIN_QUESTIONS} questions; found {}",
                levels.len()
            ),
        ),
        _ => {}
    }

    if report.errors.len() > before {
        return None;
    }
    Some(Exam {
        id: id?,
        kind: kind?,
        language: language?,
        title: title?,
        time_limit_minutes: time_limit_minutes?,
        questions,
    })
}

fn time_limit(top: &mut Entry<'_, '_>) -> Option<u32> {
    let field = "time_limit_minutes";
    match top.required(field)? {
        Value::Integer(minutes) if TIME_LIMIT_MINUTES.contains(&minutes) => {
            u32::try_from(minutes).ok()
        }
        Value::Integer(minutes) => {
            top.error(
                field,
                format!(
                    "{minutes} is out of range; expected {} to {}",
                    TIME_LIMIT_MINUTES.start(),
                    TIME_LIMIT_MINUTES.end()
                ),
            );
            None
        }
        other => {
            top.mismatch(field, "a whole number of minutes", &other);
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuestionType {
    Single,
    Multiple,
    Ordering,
    Text,
}

impl QuestionType {
    const ALL: [QuestionType; 4] = [
        QuestionType::Single,
        QuestionType::Multiple,
        QuestionType::Ordering,
        QuestionType::Text,
    ];

    fn as_str(self) -> &'static str {
        match self {
            QuestionType::Single => "single",
            QuestionType::Multiple => "multiple",
            QuestionType::Ordering => "ordering",
            QuestionType::Text => "text",
        }
    }
}

/// One `[[question]]`: its level (for the placement spread, even when the rest is wrong)
/// and the question when it has no error.
fn read_question(
    report: &mut Report<'_>,
    label: String,
    table: Table,
    ids: &mut HashMap<String, String>,
) -> (Option<CefrLevel>, Option<Question>) {
    let before = report.errors.len();
    let mut entry = Entry::new(report, label, table);
    let id = slug(&mut entry, "id", ids);
    let level = entry.string("level").and_then(|raw| {
        let level = CefrLevel::parse(&raw);
        if level.is_none() {
            entry.error(
                "level",
                format!("`{raw}` is not a CEFR level; expected A1, A2, B1, B2, C1 or C2"),
            );
        }
        level
    });
    let kind = entry.string("type").and_then(|raw| {
        let kind = QuestionType::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw);
        if kind.is_none() {
            entry.error(
                "type",
                format!(
                    "`{raw}` is not a question type; expected `single`, `multiple`, `ordering` or `text`"
                ),
            );
        }
        kind
    });
    let prompt = short_text(&mut entry, "prompt", MAX_PROMPT_CHARS);
    let options = entry.optional("options");
    let correct = entry.optional("correct");
    let accepted = entry.optional("accepted");
    let ignore_accents = entry.optional("ignore_accents");
    // With no valid type there is no telling which of these belong; the type error says
    // what to fix first.
    let body = kind.and_then(|kind| {
        question_kind(
            &mut entry,
            kind,
            QuestionFields {
                options,
                correct,
                accepted,
                ignore_accents,
            },
        )
    });
    let explanation = entry.localised("explanation");
    entry.finish(QUESTION_FIELDS);
    let failed = report.errors.len() > before;
    let question = match (id, level, prompt, body, explanation) {
        (Some(id), Some(level), Some(prompt), Some(kind), Some(explanation)) if !failed => {
            Some(Question {
                id,
                level,
                prompt,
                kind,
                explanation,
            })
        }
        _ => None,
    };
    (level, question)
}

/// The fields whose meaning depends on the question's type.
struct QuestionFields {
    options: Option<Value>,
    correct: Option<Value>,
    accepted: Option<Value>,
    ignore_accents: Option<Value>,
}

fn question_kind(
    entry: &mut Entry<'_, '_>,
    kind: QuestionType,
    fields: QuestionFields,
) -> Option<QuestionKind> {
    let QuestionFields {
        options,
        correct,
        accepted,
        ignore_accents,
    } = fields;
    let name = kind.as_str();
    let unused = |entry: &mut Entry<'_, '_>, field: &str, value: &Option<Value>, hint: &str| {
        if value.is_some() {
            entry.error(field, format!("not used by `{name}` questions{hint}"));
        }
    };
    match kind {
        QuestionType::Single | QuestionType::Multiple => {
            unused(entry, "accepted", &accepted, "");
            unused(entry, "ignore_accents", &ignore_accents, "");
            let options = required(entry, "options", options).and_then(|v| option_list(entry, v));
            let correct = required(entry, "correct", correct)
                .and_then(|v| option_numbers(entry, v, options.as_ref().map(Vec::len)));
            let (options, correct) = (options?, correct?);
            if kind == QuestionType::Single {
                match correct.as_slice() {
                    [one] => Some(QuestionKind::Single {
                        options,
                        correct: *one,
                    }),
                    _ => {
                        entry.error(
                            "correct",
                            format!(
                                "a `single` question has exactly one right option; found {}",
                                correct.len()
                            ),
                        );
                        None
                    }
                }
            } else if correct.len() >= options.len() {
                entry.error(
                    "correct",
                    "every option is marked right; a `multiple` question needs at least one wrong option",
                );
                None
            } else {
                Some(QuestionKind::Multiple {
                    options,
                    correct: correct.into_iter().collect(),
                })
            }
        }
        QuestionType::Ordering => {
            unused(
                entry,
                "correct",
                &correct,
                "; write `options` in the correct order instead",
            );
            unused(entry, "accepted", &accepted, "");
            unused(entry, "ignore_accents", &ignore_accents, "");
            let options = required(entry, "options", options).and_then(|v| option_list(entry, v));
            options.map(|options| QuestionKind::Ordering { options })
        }
        QuestionType::Text => {
            unused(
                entry,
                "options",
                &options,
                "; list right answers in `accepted`",
            );
            unused(
                entry,
                "correct",
                &correct,
                "; list right answers in `accepted`",
            );
            let ignore_accents = match ignore_accents {
                None => Some(false),
                Some(Value::Boolean(value)) => Some(value),
                Some(other) => {
                    entry.mismatch("ignore_accents", "true or false", &other);
                    None
                }
            };
            let accepted = required(entry, "accepted", accepted)
                .and_then(|v| accepted_list(entry, v, ignore_accents.unwrap_or(false)));
            Some(QuestionKind::Text {
                accepted: accepted?,
                ignore_accents: ignore_accents?,
            })
        }
    }
}

/// A string field, trimmed: not empty and at most `max` characters.
pub(super) fn short_text(entry: &mut Entry<'_, '_>, field: &str, max: usize) -> Option<String> {
    let text = entry.string(field)?;
    let text = text.trim();
    let length = text.chars().count();
    if text.is_empty() {
        entry.error(field, "empty");
        None
    } else if length > max {
        entry.error(field, format!("{length} characters; at most {max}"));
        None
    } else {
        Some(text.to_owned())
    }
}

fn required(entry: &mut Entry<'_, '_>, field: &str, value: Option<Value>) -> Option<Value> {
    if value.is_none() {
        entry.error(field, "missing");
    }
    value
}

/// A list of strings, each trimmed and non-empty; `None` after reporting any problem.
fn strings(entry: &mut Entry<'_, '_>, field: &str, value: Value) -> Option<Vec<String>> {
    let Value::Array(items) = value else {
        entry.mismatch(field, "a list of strings", &value);
        return None;
    };
    let mut strings = Vec::new();
    let mut valid = true;
    for (index, item) in items.into_iter().enumerate() {
        let number = index + 1;
        match item {
            Value::String(text) if text.trim().is_empty() => {
                entry.error(field, format!("item #{number} is empty"));
                valid = false;
            }
            Value::String(text) => strings.push(text.trim().to_owned()),
            other => {
                entry.mismatch(field, &format!("item #{number} to be a string"), &other);
                valid = false;
            }
        }
    }
    valid.then_some(strings)
}

/// Reports the first item of `items` that folds like an earlier one. Two options that
/// read the same are a question nobody can answer; a repeated accepted answer is a sign
/// of a copy-paste slip.
fn no_repeats(
    entry: &mut Entry<'_, '_>,
    field: &str,
    items: &[String],
    ignore_accents: bool,
) -> bool {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut unique = true;
    for (index, item) in items.iter().enumerate() {
        let folded = normalise_answer(item, ignore_accents);
        if folded.is_empty() {
            entry.error(
                field,
                format!("item #{} has no letters or digits", index + 1),
            );
            unique = false;
        } else if let Some(first) = seen.get(&folded) {
            entry.error(
                field,
                format!(
                    "item #{} (`{item}`) repeats item #{} once case, spacing and punctuation are ignored",
                    index + 1,
                    first + 1
                ),
            );
            unique = false;
        } else {
            seen.insert(folded, index);
        }
    }
    unique
}

fn option_list(entry: &mut Entry<'_, '_>, value: Value) -> Option<Vec<String>> {
    let options = strings(entry, "options", value)?;
    let mut valid = true;
    if !OPTION_COUNT.contains(&options.len()) {
        entry.error(
            "options",
            format!(
                "has {}; give {} to {} options",
                options.len(),
                OPTION_COUNT.start(),
                OPTION_COUNT.end()
            ),
        );
        valid = false;
    }
    for (index, option) in options.iter().enumerate() {
        let length = option.chars().count();
        if length > MAX_OPTION_CHARS {
            entry.error(
                "options",
                format!(
                    "item #{} is {length} characters; at most {MAX_OPTION_CHARS}",
                    index + 1
                ),
            );
            valid = false;
        }
    }
    let unique = no_repeats(entry, "options", &options, false);
    (valid && unique).then_some(options)
}

/// `correct = 2` or `correct = [1, 3]`: option numbers counted from 1, returned as indices
/// from 0. `count` is the number of options, when they are valid.
fn option_numbers(
    entry: &mut Entry<'_, '_>,
    value: Value,
    count: Option<usize>,
) -> Option<Vec<usize>> {
    let field = "correct";
    let items = match value {
        Value::Array(items) if items.is_empty() => {
            entry.error(field, "empty; give the numbers of the right options");
            return None;
        }
        Value::Array(items) => items,
        number @ Value::Integer(_) => vec![number],
        other => {
            entry.mismatch(field, "an option number or a list of them", &other);
            return None;
        }
    };
    let mut indices: Vec<usize> = Vec::new();
    let mut valid = true;
    for item in items {
        let number = match item {
            Value::Integer(number) => number,
            other => {
                entry.mismatch(field, "option numbers", &other);
                valid = false;
                continue;
            }
        };
        let index = usize::try_from(number)
            .ok()
            .and_then(|number| number.checked_sub(1));
        match (index, count) {
            (Some(index), Some(count)) if index < count => {
                if indices.contains(&index) {
                    entry.error(field, format!("option {number} is listed twice"));
                    valid = false;
                } else {
                    indices.push(index);
                }
            }
            // The options have their own error; the range cannot be checked.
            (Some(_), None) => valid = false,
            (_, count) => {
                let range = count.map_or_else(
                    || "options are numbered from 1".to_owned(),
                    |count| format!("there are options 1 to {count}"),
                );
                entry.error(field, format!("no option {number}; {range}"));
                valid = false;
            }
        }
    }
    valid.then_some(indices)
}

fn accepted_list(
    entry: &mut Entry<'_, '_>,
    value: Value,
    ignore_accents: bool,
) -> Option<Vec<String>> {
    let accepted = strings(entry, "accepted", value)?;
    if accepted.is_empty() {
        entry.error("accepted", "empty; give at least one right answer");
        return None;
    }
    no_repeats(entry, "accepted", &accepted, ignore_accents).then_some(accepted)
}

/// An id that travels in button data: [a-z0-9-], 1 to 20 characters, not already in
/// `seen` (id to the label of the entry that has it).
pub(super) fn slug(
    entry: &mut Entry<'_, '_>,
    field: &str,
    seen: &mut HashMap<String, String>,
) -> Option<String> {
    let id = entry.string(field)?;
    if !is_valid_slug(&id) {
        entry.error(
            field,
            format!("`{id}` must be 1 to {MAX_SLUG_LEN} characters of a-z, 0-9 and `-`"),
        );
        return None;
    }
    if let Some(first) = seen.get(&id) {
        let reason = format!("duplicate: `{id}` is also {first}");
        entry.error(field, reason);
        return None;
    }
    seen.insert(id.clone(), entry.label.clone());
    Some(id)
}

fn is_valid_slug(id: &str) -> bool {
    (1..=MAX_SLUG_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The file name without directories and `.toml`.
pub(super) fn file_stem(file: &str) -> Option<&str> {
    Path::new(file).file_stem().and_then(|stem| stem.to_str())
}

/// The `id` of an exam or course file, which must be its file name: then a reference to
/// it says where to look.
pub(super) fn file_id(top: &mut Entry<'_, '_>, file: &str) -> Option<String> {
    let id = slug(top, "id", &mut HashMap::new())?;
    match file_stem(file) {
        Some(stem) if stem == id => Some(id),
        stem => {
            top.error(
                "id",
                format!(
                    "`{id}` does not match the file name; name the file `{id}.toml` or set id = \"{}\"",
                    stem.unwrap_or_default()
                ),
            );
            None
        }
    }
}

/// A code from languages.toml. When languages.toml itself did not load (`languages` is
/// empty) only the code's form is checked, so its errors are not repeated here for every
/// code that names a language.
pub(super) fn known_language(
    entry: &mut Entry<'_, '_>,
    field: &str,
    raw: &str,
    languages: &[Language],
) -> Option<LanguageCode> {
    match LanguageCode::parse(raw) {
        Some(code) if code.as_str() != raw => {
            entry.error(field, format!("write the code as `{code}`"));
            None
        }
        Some(code)
            if languages.is_empty() || languages.iter().any(|language| language.code == code) =>
        {
            Some(code)
        }
        Some(code) => {
            entry.error(
                field,
                format!("unknown language `{code}`; add it to languages.toml first"),
            );
            None
        }
        None => {
            entry.error(
                field,
                format!("`{raw}` is not an ISO 639-1 code: two lowercase letters, like `es`"),
            );
            None
        }
    }
}
