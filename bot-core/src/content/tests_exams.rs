//! Tests for exams: the shipped placement tests, the errors bad exam files get, answer
//! checking and placement scoring.

use std::collections::BTreeSet;

use super::*;
use crate::domain::CefrLevel;

const LANGUAGES: &str = r#"
[[language]]
code = "en"
names = { en = "English", ru = "Английский" }

[[language]]
code = "es"
names = { en = "Spanish", ru = "Испанский" }

[[language]]
code = "ru"
names = { en = "Russian", ru = "Русский" }
"#;

const INTERESTS: &str = r#"
[[category]]
id = "culture"
names = { en = "Culture", ru = "Культура" }

[[category.interest]]
id = "music"
names = { en = "Music", ru = "Музыка" }
"#;

const CITIES: &str = r#"
[[city]]
names = ["Moscow"]
timezone = "Europe/Moscow"
"#;

/// A valid step exam with one question of each type.
pub(super) const STEP_EXAM: &str = r#"
id = "check-es"
kind = "step"
language = "es"
title = { en = "Check", ru = "Проверка" }
time_limit_minutes = 10

[[question]]
id = "soy"
level = "A1"
type = "single"
prompt = "Yo ___ estudiante."
options = ["estoy", "soy", "es"]
correct = 2
explanation = { en = "Identity takes ser.", ru = "Для описания — ser." }

[[question]]
id = "food"
level = "A1"
type = "multiple"
prompt = "¿Qué palabras son comida?"
options = ["pan", "silla", "queso"]
correct = [1, 3]
explanation = { en = "Bread and cheese.", ru = "Хлеб и сыр." }

[[question]]
id = "days"
level = "A1"
type = "ordering"
prompt = "Ordena los días."
options = ["lunes", "martes", "miércoles"]
explanation = { en = "Monday first.", ru = "Сначала понедельник." }

[[question]]
id = "tio"
level = "A2"
type = "text"
prompt = "El hermano de mi madre es mi ___."
accepted = ["tío"]
ignore_accents = true
explanation = { en = "Uncle.", ru = "Дядя." }
"#;

/// Loads a pack with small languages, interests and cities files and the given exams
/// and courses, each a (file name, text) pair.
pub(super) fn pack(
    exams: &[(&str, &str)],
    courses: &[(&str, &str)],
) -> Result<Content, ContentErrors> {
    Content::from_sources(
        ("languages.toml", LANGUAGES),
        ("interests.toml", INTERESTS),
        ("cities.toml", CITIES),
        exams,
        courses,
    )
}

/// The errors of a pack that must not load.
pub(super) fn pack_errors(exams: &[(&str, &str)], courses: &[(&str, &str)]) -> Vec<ContentError> {
    match pack(exams, courses) {
        Ok(_) => panic!("the pack loaded"),
        Err(ContentErrors(errors)) => errors,
    }
}

/// (file, entry, field) of each error, for exact asserts.
pub(super) fn places(errors: &[ContentError]) -> Vec<(&str, &str, &str)> {
    errors
        .iter()
        .map(|e| (e.file.as_str(), e.entry.as_str(), e.field.as_str()))
        .collect()
}

/// Errors of the step exam with `from` replaced by `to`; the replacement must happen.
fn step_errors(from: &str, to: &str) -> Vec<ContentError> {
    assert!(STEP_EXAM.contains(from), "{from:?} is not in the test exam");
    pack_errors(
        &[("exams/check-es.toml", &STEP_EXAM.replace(from, to))],
        &[],
    )
}

pub(super) fn only_error(errors: &[ContentError]) -> &ContentError {
    assert_eq!(errors.len(), 1, "{errors:#?}");
    &errors[0]
}

fn loaded_step_exam() -> Exam {
    let content = pack(&[("exams/check-es.toml", STEP_EXAM)], &[])
        .unwrap_or_else(|errors| panic!("{errors}"));
    content
        .exam("check-es")
        .cloned()
        .unwrap_or_else(|| panic!("no exam check-es"))
}

/// A placement exam for `language` with `per_level` single-choice questions per level.
pub(super) fn placement_exam(language: &str, per_level: usize) -> String {
    placement_exam_with(language, [per_level; 6])
}

/// A placement exam with `counts[i]` questions at level `CefrLevel::ALL[i]`, ids like
/// `b1-2`; option 1 is always right.
fn placement_exam_with(language: &str, counts: [usize; 6]) -> String {
    let mut text = format!(
        "id = \"placement-{language}\"\nkind = \"placement\"\nlanguage = \"{language}\"\n\
         title = {{ en = \"Test\", ru = \"Тест\" }}\ntime_limit_minutes = 30\n"
    );
    for (level, count) in CefrLevel::ALL.into_iter().zip(counts) {
        for number in 1..=count {
            text.push_str(&format!(
                "\n[[question]]\nid = \"{id}-{number}\"\nlevel = \"{level}\"\ntype = \"single\"\n\
                 prompt = \"Question {number}\"\noptions = [\"right\", \"wrong\"]\ncorrect = 1\n\
                 explanation = {{ en = \"Because.\", ru = \"Потому что.\" }}\n",
                id = level.as_str().to_lowercase(),
            ));
        }
    }
    text
}

pub(super) fn code(input: &str) -> LanguageCode {
    LanguageCode::parse(input).unwrap_or_else(|| panic!("bad test code {input:?}"))
}

// --- The shipped pack ---

fn shipped_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/content")
}

/// The languages the starter pack ships a placement test for.
const PLACEMENT_LANGUAGES: [&str; 7] = ["en", "es", "de", "fr", "it", "pt", "ru"];

/// A shipped placement pool holds at least this many questions at every level: more than
/// the loader's minimum, so one unlucky answer does not decide a level.
const POOL_MIN_PER_LEVEL: usize = 5;

/// Why a placement pool cannot tell the levels apart well: each level with fewer than
/// [`POOL_MIN_PER_LEVEL`] questions, and each question type it never uses (a pool of one
/// type tests one skill). Empty for a balanced pool.
fn pool_problems(exam: &Exam) -> Vec<String> {
    let mut problems: Vec<String> = CefrLevel::ALL
        .into_iter()
        .map(|level| {
            let count = exam.questions.iter().filter(|q| q.level == level).count();
            (level, count)
        })
        .filter(|(_, count)| *count < POOL_MIN_PER_LEVEL)
        .map(|(level, count)| format!("{level} has {count} questions"))
        .collect();
    problems.extend(
        ["single", "multiple", "ordering", "text"]
            .into_iter()
            .filter(|kind| !exam.questions.iter().any(|q| kind_name(q) == *kind))
            .map(|kind| format!("no {kind} question")),
    );
    problems
}

/// What both the embedded pack and the repository's directory must hold.
fn assert_starter_pack(content: &Content) {
    let placements: Vec<&Exam> = content
        .exams()
        .iter()
        .filter(|exam| exam.kind == ExamKind::Placement)
        .collect();
    assert_eq!(
        placements.len(),
        PLACEMENT_LANGUAGES.len(),
        "placement exams"
    );
    for language in PLACEMENT_LANGUAGES {
        let exam = content
            .placement_exam(code(language))
            .unwrap_or_else(|| panic!("no placement exam for {language}"));
        assert!(exam.questions.len() >= 30, "{}", exam.id);
    }
    for exam in placements {
        assert_eq!(pool_problems(exam), Vec::<String>::new(), "{}", exam.id);
    }
    assert_eq!(content.courses().len(), 2, "courses");
    for course in content.courses() {
        assert!(course.days.len() >= 7, "{}", course.id);
        for day in &course.days {
            assert!((1..=3).contains(&day.steps.len()), "{}", course.id);
        }
        for language in ["en", "es", "de", "ru"] {
            let exams: Vec<&Exam> = course
                .steps()
                .filter_map(|step| step.exam_for(code(language)))
                .filter_map(|id| content.exam(id))
                .collect();
            assert!(
                !exams.is_empty(),
                "{}: no step exam for {language}",
                course.id
            );
            for exam in exams {
                assert_eq!(exam.kind, ExamKind::Step);
                assert_eq!(exam.language, code(language));
            }
            assert!(
                course
                    .steps()
                    .any(|step| !step.vocabulary_for(code(language)).is_empty()),
                "{}: no vocabulary for {language}",
                course.id
            );
        }
    }
    assert!(content.course("first-conversations").is_some());
    assert!(content.course("talk-about-your-week").is_some());
}

fn kind_name(question: &Question) -> &'static str {
    match question.kind {
        QuestionKind::Single { .. } => "single",
        QuestionKind::Multiple { .. } => "multiple",
        QuestionKind::Ordering { .. } => "ordering",
        QuestionKind::Text { .. } => "text",
    }
}

#[test]
fn the_embedded_pack_ships_seven_placement_tests_and_two_courses() {
    let content = Content::embedded().unwrap_or_else(|errors| panic!("embedded pack:\n{errors}"));
    assert_starter_pack(&content);
}

#[test]
fn the_repository_directory_loads_with_no_errors_and_the_same_exams_and_courses() {
    let loaded = Content::load_dir(&shipped_dir()).unwrap_or_else(|errors| panic!("{errors}"));
    assert_starter_pack(&loaded);
    let embedded = Content::embedded().unwrap_or_else(|errors| panic!("{errors}"));
    // Catches a file added to config/content/ but not to the embedded list, or the other way.
    assert_eq!(loaded.exams(), embedded.exams());
    assert_eq!(loaded.courses(), embedded.courses());
}

/// The pool check itself: a shipped pool passes, and the same pool with a level cut short
/// or a question type taken out is reported for exactly that.
#[test]
fn the_pool_check_reports_a_thin_level_and_a_missing_type() {
    let content = Content::embedded().unwrap_or_else(|errors| panic!("{errors}"));
    let balanced = content
        .placement_exam(code("en"))
        .cloned()
        .unwrap_or_else(|| panic!("no placement-en"));
    assert!(pool_problems(&balanced).is_empty());

    let mut thin = balanced.clone();
    let c2 = CefrLevel::C2;
    let at_c2 = thin.questions.iter().filter(|q| q.level == c2).count();
    let mut dropped = 0;
    // Keep 4 of the C2 questions.
    thin.questions.retain(|q| {
        let drop = q.level == c2 && dropped < at_c2 - 4;
        dropped += usize::from(drop);
        !drop
    });
    assert_eq!(pool_problems(&thin), ["C2 has 4 questions"]);

    // Every level keeps its questions; only their types change.
    let as_single = |question: &mut Question| {
        let options = match &question.kind {
            QuestionKind::Text { accepted, .. } => accepted.clone(),
            _ => question.options().to_vec(),
        };
        question.kind = QuestionKind::Single {
            options,
            correct: 0,
        };
    };
    let mut no_ordering = balanced.clone();
    no_ordering
        .questions
        .iter_mut()
        .filter(|q| kind_name(q) == "ordering")
        .for_each(as_single);
    assert_eq!(pool_problems(&no_ordering), ["no ordering question"]);
    let mut single_only = balanced;
    single_only.questions.iter_mut().for_each(as_single);
    assert_eq!(
        pool_problems(&single_only),
        [
            "no multiple question",
            "no ordering question",
            "no text question"
        ]
    );
}

/// The right answer built from each shipped question's key is accepted, and a wrong one
/// is not: a key that points nowhere or a text answer that normalises away fails here.
#[test]
fn every_shipped_question_accepts_its_key_and_rejects_a_wrong_answer() {
    let content = Content::embedded().unwrap_or_else(|errors| panic!("{errors}"));
    for exam in content.exams() {
        for question in &exam.questions {
            let at = format!("{} / {}", exam.id, question.id);
            let (right, wrong) = match &question.kind {
                QuestionKind::Single { options, correct } => (
                    Answer::SingleChoice(*correct),
                    Answer::SingleChoice((correct + 1) % options.len()),
                ),
                QuestionKind::Multiple { options, correct } => (
                    Answer::MultipleChoice(correct.clone()),
                    Answer::MultipleChoice((0..options.len()).collect()),
                ),
                QuestionKind::Ordering { options } => (
                    Answer::Ordering((0..options.len()).collect()),
                    Answer::Ordering((0..options.len()).rev().collect()),
                ),
                QuestionKind::Text { accepted, .. } => (
                    Answer::Text(format!("  {}. ", accepted[0].to_uppercase())),
                    Answer::Text("definitely not it".to_owned()),
                ),
            };
            assert!(question.check(&right), "{at}: key rejected");
            assert!(!question.check(&wrong), "{at}: wrong answer accepted");
            assert!(question.prompt.chars().count() <= 1000, "{at}");
        }
    }
}

/// People learn where the right option usually is; keep the keys spread out (at most 40%
/// in any one position).
#[test]
fn shipped_single_choice_keys_are_not_all_in_one_position() {
    let content = Content::embedded().unwrap_or_else(|errors| panic!("{errors}"));
    for exam in content
        .exams()
        .iter()
        .filter(|exam| exam.kind == ExamKind::Placement)
    {
        let keys: Vec<usize> = exam
            .questions
            .iter()
            .filter_map(|question| match question.kind {
                QuestionKind::Single { correct, .. } => Some(correct),
                _ => None,
            })
            .collect();
        for position in 0..4 {
            let share = keys.iter().filter(|key| **key == position).count();
            assert!(
                share * 5 <= keys.len() * 2,
                "{}: {share} of {} keys are option {}",
                exam.id,
                keys.len(),
                position + 1
            );
        }
    }
}

#[test]
fn shipped_multiple_choice_answers_do_not_share_one_pattern() {
    let content = Content::embedded().unwrap_or_else(|errors| panic!("{errors}"));
    let sets: Vec<&BTreeSet<usize>> = content
        .exams()
        .iter()
        .flat_map(|exam| &exam.questions)
        .filter_map(|question| match &question.kind {
            QuestionKind::Multiple { correct, .. } => Some(correct),
            _ => None,
        })
        .collect();
    let distinct: BTreeSet<&BTreeSet<usize>> = sets.iter().copied().collect();
    for set in &distinct {
        let share = sets.iter().filter(|s| *s == set).count();
        assert!(
            share * 3 <= sets.len(),
            "{share} of {} multiple-choice questions have the right options {set:?}",
            sets.len()
        );
    }
}

// --- Loading ---

#[test]
fn a_valid_step_exam_loads_with_every_question_type() {
    let exam = loaded_step_exam();
    assert_eq!(exam.kind, ExamKind::Step);
    assert_eq!(exam.language, code("es"));
    assert_eq!(exam.time_limit(), chrono::Duration::minutes(10));
    assert_eq!(exam.title.get(Locale::Ru), "Проверка");
    let kinds: Vec<&str> = exam.questions.iter().map(kind_name).collect();
    assert_eq!(kinds, ["single", "multiple", "ordering", "text"]);
    // The file counts options from 1; the program from 0.
    assert_eq!(
        exam.question("soy").map(|q| &q.kind),
        Some(&QuestionKind::Single {
            options: vec!["estoy".into(), "soy".into(), "es".into()],
            correct: 1,
        })
    );
    assert_eq!(
        exam.question("food").map(|q| &q.kind),
        Some(&QuestionKind::Multiple {
            options: vec!["pan".into(), "silla".into(), "queso".into()],
            correct: BTreeSet::from([0, 2]),
        })
    );
    assert_eq!(exam.question("tio").map(|q| q.level), Some(CefrLevel::A2));
    assert!(exam.question("nope").is_none());
}

#[test]
fn a_placement_exam_with_three_questions_per_level_loads() {
    let text = placement_exam("ru", 5);
    let content = pack(&[("exams/placement-ru.toml", &text)], &[])
        .unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(
        content
            .placement_exam(code("ru"))
            .map(|e| e.questions.len()),
        Some(30)
    );
    assert!(content.placement_exam(code("es")).is_none());
}

#[test]
fn an_unknown_language_is_reported() {
    let errors = step_errors(r#"language = "es""#, r#"language = "xx""#);
    let error = only_error(&errors);
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "top level", "language")]
    );
    assert_eq!(
        error.reason,
        "unknown language `xx`; add it to languages.toml first"
    );
    let errors = step_errors(r#"language = "es""#, r#"language = "spanish""#);
    assert!(only_error(&errors).reason.contains("ISO 639-1"));
}

#[test]
fn a_bad_kind_is_reported() {
    let errors = step_errors(r#"kind = "step""#, r#"kind = "quiz""#);
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "top level", "kind")]
    );
    assert_eq!(
        only_error(&errors).reason,
        "`quiz` is not an exam kind; expected `placement` or `step`"
    );
}

#[test]
fn an_id_that_does_not_match_the_file_name_is_reported() {
    let errors = step_errors(r#"id = "check-es""#, r#"id = "check-spanish""#);
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "top level", "id")]
    );
    assert!(
        only_error(&errors)
            .reason
            .contains("name the file `check-spanish.toml`"),
        "{errors:?}"
    );
    let errors = step_errors(r#"id = "check-es""#, r#"id = "Check_ES""#);
    assert!(only_error(&errors).reason.contains("a-z, 0-9 and `-`"));
}

#[test]
fn duplicate_question_ids_are_reported() {
    let errors = step_errors(r#"id = "food""#, r#"id = "soy""#);
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #2 (`soy`)", "id")]
    );
    assert_eq!(
        only_error(&errors).reason,
        "duplicate: `soy` is also question #1 (`soy`)"
    );
}

#[test]
fn a_bad_level_is_reported() {
    let errors = step_errors(r#"level = "A2""#, r#"level = "D1""#);
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #4 (`tio`)", "level")]
    );
    assert!(
        only_error(&errors)
            .reason
            .contains("`D1` is not a CEFR level")
    );
}

#[test]
fn a_bad_type_is_reported_alone() {
    // The type-specific fields cannot be judged without a type, so only the type is named.
    let errors = step_errors(r#"type = "multiple""#, r#"type = "several""#);
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #2 (`food`)", "type")]
    );
    assert!(
        only_error(&errors)
            .reason
            .contains("`several` is not a question type")
    );
}

#[test]
fn fields_a_type_needs_or_does_not_use_are_reported() {
    let errors = step_errors("options = [\"estoy\", \"soy\", \"es\"]\n", "");
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #1 (`soy`)", "options")]
    );
    assert_eq!(only_error(&errors).reason, "missing");

    let errors = step_errors(
        "options = [\"lunes\", \"martes\", \"miércoles\"]\n",
        "options = [\"lunes\", \"martes\", \"miércoles\"]\ncorrect = [1, 2, 3]\n",
    );
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #3 (`days`)", "correct")]
    );
    assert!(
        only_error(&errors)
            .reason
            .contains("not used by `ordering` questions; write `options` in the correct order"),
        "{errors:?}"
    );

    let errors = step_errors(
        "accepted = [\"tío\"]\n",
        "accepted = [\"tío\"]\noptions = [\"tío\", \"tía\"]\n",
    );
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #4 (`tio`)", "options")]
    );
    assert!(
        only_error(&errors)
            .reason
            .contains("not used by `text` questions")
    );

    let errors = step_errors("correct = 2\n", "correct = 2\nignore_accents = true\n");
    assert_eq!(
        places(&errors),
        [(
            "exams/check-es.toml",
            "question #1 (`soy`)",
            "ignore_accents"
        )]
    );

    let errors = step_errors("accepted = [\"tío\"]\n", "");
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #4 (`tio`)", "accepted")]
    );
    assert_eq!(only_error(&errors).reason, "missing");
}

#[test]
fn option_numbers_out_of_range_are_reported() {
    let errors = step_errors("correct = 2\n", "correct = 4\n");
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #1 (`soy`)", "correct")]
    );
    assert_eq!(
        only_error(&errors).reason,
        "no option 4; there are options 1 to 3"
    );
    let errors = step_errors("correct = 2\n", "correct = 0\n");
    assert_eq!(
        only_error(&errors).reason,
        "no option 0; there are options 1 to 3"
    );
}

#[test]
fn a_single_question_needs_exactly_one_key_and_a_multiple_one_not_all() {
    let errors = step_errors("correct = 2\n", "correct = [1, 2]\n");
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #1 (`soy`)", "correct")]
    );
    assert!(
        only_error(&errors)
            .reason
            .contains("exactly one right option; found 2")
    );

    let errors = step_errors("correct = [1, 3]\n", "correct = [1, 2, 3]\n");
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #2 (`food`)", "correct")]
    );
    assert!(
        only_error(&errors)
            .reason
            .contains("every option is marked right")
    );

    let errors = step_errors("correct = [1, 3]\n", "correct = []\n");
    assert!(only_error(&errors).reason.starts_with("empty"));

    let errors = step_errors("correct = [1, 3]\n", "correct = [3, 3]\n");
    assert_eq!(only_error(&errors).reason, "option 3 is listed twice");
}

#[test]
fn options_that_read_the_same_are_reported() {
    let errors = step_errors(
        r#"options = ["pan", "silla", "queso"]"#,
        r#"options = ["pan", "silla", " Pan. "]"#,
    );
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #2 (`food`)", "options")]
    );
    assert!(
        only_error(&errors)
            .reason
            .starts_with("item #3 (`Pan.`) repeats item #1"),
        "{errors:?}"
    );
}

#[test]
fn option_counts_and_lengths_are_checked() {
    let errors = step_errors(
        r#"options = ["estoy", "soy", "es"]"#,
        r#"options = ["soy"]"#,
    );
    let error = only_error(&errors);
    assert_eq!(error.field, "options");
    assert_eq!(error.reason, "has 1; give 2 to 8 options");

    let long = "x".repeat(101);
    let errors = step_errors(
        r#"options = ["estoy", "soy", "es"]"#,
        &format!(r#"options = ["estoy", "soy", "{long}"]"#),
    );
    assert_eq!(
        only_error(&errors).reason,
        "item #3 is 101 characters; at most 100"
    );

    let prompt = "y".repeat(1001);
    let errors = step_errors(
        r#"prompt = "Yo ___ estudiante.""#,
        &format!(r#"prompt = "{prompt}""#),
    );
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #1 (`soy`)", "prompt")]
    );
}

#[test]
fn an_empty_accepted_list_is_reported() {
    let errors = step_errors(r#"accepted = ["tío"]"#, "accepted = []");
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #4 (`tio`)", "accepted")]
    );
    assert_eq!(
        only_error(&errors).reason,
        "empty; give at least one right answer"
    );
    // With accents ignored, `tio` and `tío` are the same answer twice.
    let errors = step_errors(r#"accepted = ["tío"]"#, r#"accepted = ["tío", "tio"]"#);
    assert!(only_error(&errors).reason.contains("repeats item #1"));
}

#[test]
fn the_time_limit_is_checked() {
    let errors = step_errors("time_limit_minutes = 10", "time_limit_minutes = 181");
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "top level", "time_limit_minutes")]
    );
    assert_eq!(
        only_error(&errors).reason,
        "181 is out of range; expected 1 to 180"
    );
    let errors = step_errors("time_limit_minutes = 10", "time_limit_minutes = \"10\"");
    assert!(
        only_error(&errors)
            .reason
            .starts_with("expected a whole number")
    );
}

#[test]
fn a_step_exam_needs_three_questions() {
    let cut = STEP_EXAM
        .split("\n[[question]]")
        .take(3)
        .collect::<Vec<_>>()
        .join("\n[[question]]");
    let errors = pack_errors(&[("exams/check-es.toml", &cut)], &[]);
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "top level", "question")]
    );
    assert_eq!(
        only_error(&errors).reason,
        "a step exam needs at least 3 questions; found 2"
    );
}

#[test]
fn a_placement_exam_needs_thirty_questions_spread_over_every_level() {
    // 6 levels x 3 = 18: enough per level, too few overall.
    let text = placement_exam("es", 3);
    let errors = pack_errors(&[("exams/placement-es.toml", &text)], &[]);
    assert_eq!(
        places(&errors),
        [("exams/placement-es.toml", "top level", "question")]
    );
    assert_eq!(
        only_error(&errors).reason,
        "a placement exam needs at least 30 questions; found 18"
    );

    // 36 questions, but B2 and C2 have too few.
    let text = placement_exam_with("es", [8, 8, 8, 2, 8, 2]);
    let errors = pack_errors(&[("exams/placement-es.toml", &text)], &[]);
    assert_eq!(
        only_error(&errors).reason,
        "a placement exam needs at least 3 questions at every level from A1 to C2; \
         B2 has 2, C2 has 2"
    );
}

#[test]
fn a_second_placement_exam_for_a_language_is_reported() {
    let first = placement_exam("es", 5);
    let second = first.replace(r#"id = "placement-es""#, r#"id = "placement-es-2""#);
    let errors = pack_errors(
        &[
            ("exams/placement-es.toml", &first),
            ("exams/placement-es-2.toml", &second),
        ],
        &[],
    );
    assert_eq!(
        places(&errors),
        [("exams/placement-es-2.toml", "top level", "language")]
    );
    assert!(only_error(&errors).reason.contains("`placement-es`"));
}

#[test]
fn unknown_fields_and_syntax_errors_are_reported() {
    let errors = step_errors(
        "time_limit_minutes = 10\n",
        "time_limit_minutes = 10\nshuffle = true\n",
    );
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "top level", "shuffle")]
    );
    let errors = step_errors("correct = 2\n", "correct = 2\nhint = \"ser\"\n");
    assert_eq!(
        places(&errors),
        [("exams/check-es.toml", "question #1 (`soy`)", "hint")]
    );
    let errors = step_errors(r#"prompt = "Ordena los días.""#, r#"prompt = "Ordena"#);
    let error = only_error(&errors);
    assert_eq!(error.file, "exams/check-es.toml");
    assert!(error.entry.starts_with("line "), "{error}");
}

#[test]
fn every_error_in_an_exam_file_is_collected() {
    let text = STEP_EXAM
        .replace(r#"kind = "step""#, r#"kind = "final""#)
        .replace("correct = 2\n", "correct = 9\n")
        .replace(r#"id = "food""#, r#"id = "soy""#)
        .replace(r#"ru = "Дядя.""#, r#"de = "Onkel.""#);
    let errors = pack_errors(&[("exams/check-es.toml", &text)], &[]);
    assert_eq!(
        places(&errors),
        [
            ("exams/check-es.toml", "top level", "kind"),
            ("exams/check-es.toml", "question #1 (`soy`)", "correct"),
            ("exams/check-es.toml", "question #2 (`soy`)", "id"),
            (
                "exams/check-es.toml",
                "question #4 (`tio`)",
                "explanation.ru"
            ),
            (
                "exams/check-es.toml",
                "question #4 (`tio`)",
                "explanation.de"
            ),
        ]
    );
    assert_eq!(
        errors[3].to_string(),
        "exams/check-es.toml: question #4 (`tio`), field `explanation.ru`: missing"
    );
}

// --- Answer checking ---

#[test]
fn single_choice_is_right_only_for_the_key() {
    let exam = loaded_step_exam();
    let Some(question) = exam.question("soy") else {
        panic!("no question soy")
    };
    assert!(question.check(&Answer::SingleChoice(1)));
    assert!(!question.check(&Answer::SingleChoice(0)));
    assert!(!question.check(&Answer::SingleChoice(99)));
    // A stale or forged answer of another shape is simply wrong.
    assert!(!question.check(&Answer::MultipleChoice(BTreeSet::from([1]))));
    assert!(!question.check(&Answer::Text("soy".into())));
}

#[test]
fn multiple_choice_needs_exactly_the_right_set() {
    let exam = loaded_step_exam();
    let Some(question) = exam.question("food") else {
        panic!("no question food")
    };
    let set = |items: &[usize]| Answer::MultipleChoice(items.iter().copied().collect());
    assert!(question.check(&set(&[0, 2])));
    assert!(question.check(&set(&[2, 0])));
    assert!(!question.check(&set(&[0])), "a subset is not enough");
    assert!(!question.check(&set(&[0, 1, 2])), "a superset is wrong");
    assert!(!question.check(&set(&[])));
    assert!(!question.check(&Answer::SingleChoice(0)));
}

#[test]
fn ordering_is_right_in_the_file_order_only() {
    let exam = loaded_step_exam();
    let Some(question) = exam.question("days") else {
        panic!("no question days")
    };
    assert!(question.check(&Answer::Ordering(vec![0, 1, 2])));
    assert!(!question.check(&Answer::Ordering(vec![1, 0, 2])));
    assert!(!question.check(&Answer::Ordering(vec![0, 1])));
    assert!(!question.check(&Answer::Ordering(vec![0, 1, 2, 3])));
    assert!(!question.check(&Answer::Ordering(vec![0, 0, 1])));
}

#[test]
fn display_order_shuffles_options_and_never_shows_an_ordering_solved() {
    let exam = loaded_step_exam();
    let Some(question) = exam.question("days") else {
        panic!("no question days")
    };
    let mut seen = BTreeSet::new();
    for seed in 0..200 {
        let order = question.display_order(seed);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2], "a permutation");
        assert_ne!(order, [0, 1, 2], "seed {seed} shows it solved");
        assert_eq!(order, question.display_order(seed), "same seed, same order");
        // Someone who accepts the options as shown, top to bottom, answers with the
        // shown options' file indices: that is never right.
        assert!(!question.check(&Answer::Ordering(order.clone())));
        seen.insert(order);
    }
    assert_eq!(seen.len(), 5, "every non-solved order of three turns up");

    let Some(single) = exam.question("soy") else {
        panic!("no question soy")
    };
    let orders: BTreeSet<Vec<usize>> = (0..200).map(|seed| single.display_order(seed)).collect();
    assert_eq!(orders.len(), 6, "a choice's options are shuffled too");
    assert_eq!(single.display_order(7), single.display_order(7));
}

#[test]
fn a_session_draws_each_level_shuffled_and_leaves_some_out() {
    let exam = loaded_step_exam();
    let mut draws = BTreeSet::new();
    for seed in 0..100 {
        let drawn = exam.draw(seed);
        assert_eq!(drawn, exam.draw(seed), "same seed, same draw");
        let mut sorted = drawn.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), drawn.len(), "no question twice");
        assert!(drawn.len() >= super::exams::DRAW_FLOOR.min(exam.questions.len()));
        let levels: Vec<_> = drawn.iter().map(|i| exam.questions[*i].level).collect();
        assert!(levels.is_sorted(), "lowest level first: {levels:?}");
        draws.insert(drawn);
    }
    assert!(draws.len() > 3, "retakes differ: {} draws", draws.len());
}

#[test]
fn text_answers_are_compared_after_normalisation() {
    let exam = loaded_step_exam();
    let Some(question) = exam.question("tio") else {
        panic!("no question tio")
    };
    let check = |text: &str| question.check(&Answer::Text(text.into()));
    for right in [
        "tío",
        "Tío",
        "  TÍO  ",
        "tío.",
        "¡tío!",
        "tio",
        "TIO",
        "ti\u{301}o",
    ] {
        assert!(check(right), "{right:?}");
    }
    for wrong in ["", "   ", "...", "tía", "mi tío", "tí o"] {
        assert!(!check(wrong), "{wrong:?}");
    }
}

#[test]
fn accents_count_unless_the_question_ignores_them() {
    let text = STEP_EXAM.replace("ignore_accents = true\n", "");
    let content =
        pack(&[("exams/check-es.toml", &text)], &[]).unwrap_or_else(|errors| panic!("{errors}"));
    let Some(question) = content.exam("check-es").and_then(|e| e.question("tio")) else {
        panic!("no question tio")
    };
    let check = |text: &str| question.check(&Answer::Text(text.into()));
    assert!(check("TÍO!"));
    assert!(check("ti\u{301}o"), "a combining accent is the same letter");
    assert!(!check("tio"));
    assert!(!check("tìo"), "a different accent is a different letter");
}

#[test]
fn normalisation_folds_case_space_punctuation_and_apostrophes() {
    assert_eq!(normalise_answer("  Was   BUILT. ", false), "was built");
    assert_eq!(normalise_answer("«Don’t»", false), "don't");
    assert_eq!(
        normalise_answer("¿Cómo te llamas?", false),
        "cómo te llamas"
    );
    assert_eq!(normalise_answer("Hello, world!!!", false), "hello, world");
    assert_eq!(normalise_answer("Ёлка", false), "елка");
    assert_eq!(normalise_answer("е\u{308}лка", false), "елка");
    assert_eq!(normalise_answer("Mañana", true), "manana");
    assert_eq!(normalise_answer("FÄHRT", true), "fahrt");
    assert_eq!(normalise_answer("FÄHRT", false), "fährt");
    // ß is a letter of its own, and so is й, accents ignored or not.
    assert_eq!(normalise_answer("Straße", true), "straße");
    assert_eq!(normalise_answer("Йогурт", true), "йогурт");
    assert_eq!(normalise_answer("и\u{306}од", true), "йод");
    assert_eq!(normalise_answer("🙂", false), "");
}

// --- Placement scoring ---

fn results(per_level: &[(CefrLevel, usize, usize)]) -> Vec<(CefrLevel, bool)> {
    per_level
        .iter()
        .flat_map(|(level, right, total)| (0..*total).map(move |number| (*level, number < *right)))
        .collect()
}

#[test]
fn placement_is_the_highest_level_passed_with_every_level_below() {
    use CefrLevel::*;
    let all = |right: usize| CefrLevel::ALL.map(|level| (level, right, 5)).to_vec();
    assert_eq!(score_placement(results(&all(5))).level, C2);
    assert_eq!(score_placement(results(&all(0))).level, A1);
    assert_eq!(score_placement(Vec::new()).level, A1);

    // Passes A1 and A2, fails B1, "passes" B2 by luck: placed at A2.
    let lucky = [
        (A1, 5, 5),
        (A2, 4, 5),
        (B1, 2, 5),
        (B2, 3, 5),
        (C1, 0, 5),
        (C2, 0, 5),
    ];
    let placement = score_placement(results(&lucky));
    assert_eq!(placement.level, A2);
    assert_eq!(
        placement.scores.map(|score| (score.correct, score.total)),
        [(5, 5), (4, 5), (2, 5), (3, 5), (0, 5), (0, 5)]
    );
    assert_eq!(
        placement.scores.map(|score| score.passed()),
        [true, true, false, true, false, false]
    );

    // Fails A1: still A1, the floor.
    let beginner = [(A1, 1, 5), (A2, 5, 5)];
    assert_eq!(score_placement(results(&beginner)).level, A1);
}

#[test]
fn sixty_percent_passes_a_level_and_less_does_not() {
    use CefrLevel::*;
    assert!(
        LevelScore {
            level: B1,
            correct: 3,
            total: 5
        }
        .passed()
    );
    assert!(
        !LevelScore {
            level: B1,
            correct: 5,
            total: 9
        }
        .passed()
    );
    assert!(
        LevelScore {
            level: B1,
            correct: 6,
            total: 10
        }
        .passed()
    );
    assert!(
        !LevelScore {
            level: B1,
            correct: 0,
            total: 0
        }
        .passed(),
        "a level without questions shows nothing"
    );
    let exact = [(A1, 3, 5), (A2, 3, 5), (B1, 3, 5), (B2, 2, 5)];
    assert_eq!(score_placement(results(&exact)).level, B1);
    // A level with no questions stops the climb.
    let gap = [(A1, 5, 5), (A2, 0, 0), (B1, 5, 5)];
    assert_eq!(score_placement(results(&gap)).level, A1);
}

#[test]
fn an_exam_scores_unanswered_questions_as_wrong() {
    let text = placement_exam("ru", 5);
    let content = pack(&[("exams/placement-ru.toml", &text)], &[])
        .unwrap_or_else(|errors| panic!("{errors}"));
    let Some(exam) = content.placement_exam(code("ru")) else {
        panic!("no placement exam")
    };
    // Right on everything answered, but only the first three A1..B2 questions answered
    // and none above: 3 of 5 at A1..B2 pass, C1 and C2 fail.
    let answered = |question: &Question| {
        question.level <= CefrLevel::B2
            && question.id.ends_with(['1', '2', '3'])
            && question.check(&Answer::SingleChoice(0))
    };
    let placement = exam.score_placement(answered);
    assert_eq!(placement.level, CefrLevel::B2);
    assert!(placement.scores.iter().all(|score| score.total == 5));
    assert_eq!(placement.scores[4].correct, 0);
}
