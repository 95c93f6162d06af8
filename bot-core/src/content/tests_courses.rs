//! Tests for courses: loading, the errors bad course files get, and reading a course
//! pack from a directory.

use super::tests_exams::{STEP_EXAM, code, only_error, pack, pack_errors, places};
use super::*;

const COURSE: &str = r#"
id = "basics"
title = { en = "Basics", ru = "Основы" }
description = { en = "A short course.", ru = "Короткий курс." }

[[day]]
title = { en = "Hello", ru = "Привет" }

[[day.step]]
id = "greet"
task = { en = "Say hello.", ru = "Поздоровайтесь." }
vocabulary.es = [{ word = "hola", meaning = { en = "hello", ru = "привет" } }]
vocabulary.ru = [{ word = "привет", meaning = { en = "hi", ru = "неформальное приветствие" } }]

[[day]]
title = { en = "Check", ru = "Проверка" }

[[day.step]]
id = "check"
task = { en = "Take the check.", ru = "Пройдите проверку." }
exam = { es = "check-es" }
"#;

const EXAM_FILE: (&str, &str) = ("exams/check-es.toml", STEP_EXAM);

/// Errors of the course with `from` replaced by `to`, next to the valid step exam.
fn course_errors(from: &str, to: &str) -> Vec<ContentError> {
    assert!(COURSE.contains(from), "{from:?} is not in the test course");
    pack_errors(
        &[EXAM_FILE],
        &[("courses/basics.toml", &COURSE.replace(from, to))],
    )
}

#[test]
fn a_valid_course_loads_with_vocabulary_and_step_exams() {
    let content = pack(&[EXAM_FILE], &[("courses/basics.toml", COURSE)])
        .unwrap_or_else(|errors| panic!("{errors}"));
    let Some(course) = content.course("basics") else {
        panic!("no course basics")
    };
    assert_eq!(course.title.get(Locale::Ru), "Основы");
    assert_eq!(course.days.len(), 2);
    assert_eq!(course.days[1].title.get(Locale::En), "Check");
    assert_eq!(
        course
            .steps()
            .map(|step| step.id.as_str())
            .collect::<Vec<_>>(),
        ["greet", "check"]
    );

    let Some((day, greet)) = course.step("greet") else {
        panic!("no step greet")
    };
    assert_eq!(day, 0);
    let spanish = greet.vocabulary_for(code("es"));
    assert_eq!(spanish.len(), 1);
    assert_eq!(spanish[0].word, "hola");
    assert_eq!(spanish[0].meaning.get(Locale::Ru), "привет");
    assert!(greet.vocabulary_for(code("en")).is_empty());
    assert_eq!(greet.exam_for(code("es")), None);

    let Some((day, check)) = course.step("check") else {
        panic!("no step check")
    };
    assert_eq!(day, 1);
    assert_eq!(check.exam_for(code("es")), Some("check-es"));
    assert_eq!(
        check.exam_for(code("ru")),
        None,
        "no exam for learners of Russian"
    );
    assert!(course.step("nope").is_none());
    assert!(content.course("nope").is_none());
}

#[test]
fn a_course_needs_days_and_every_day_needs_steps() {
    let no_days = COURSE
        .split("\n[[day]]")
        .next()
        .unwrap_or_default()
        .to_owned();
    let errors = pack_errors(&[EXAM_FILE], &[("courses/basics.toml", &no_days)]);
    assert_eq!(
        places(&errors),
        [("courses/basics.toml", "top level", "day")]
    );
    assert_eq!(only_error(&errors).reason, "missing");

    let errors = course_errors(
        "[[day.step]]\nid = \"check\"\ntask = { en = \"Take the check.\", ru = \"Пройдите проверку.\" }\nexam = { es = \"check-es\" }\n",
        "",
    );
    assert_eq!(places(&errors), [("courses/basics.toml", "day #2", "step")]);
    assert_eq!(only_error(&errors).reason, "missing");
}

#[test]
fn step_ids_are_unique_across_the_whole_course() {
    let errors = course_errors(r#"id = "check""#, r#"id = "greet""#);
    assert_eq!(
        places(&errors),
        [("courses/basics.toml", "day #2, step #1 (`greet`)", "id")]
    );
    assert_eq!(
        only_error(&errors).reason,
        "duplicate: `greet` is also day #1, step #1 (`greet`)"
    );
}

#[test]
fn a_course_id_must_match_its_file_name() {
    let errors = course_errors(r#"id = "basics""#, r#"id = "basic""#);
    assert_eq!(
        places(&errors),
        [("courses/basics.toml", "top level", "id")]
    );
    assert!(
        only_error(&errors)
            .reason
            .contains("name the file `basic.toml`")
    );
}

#[test]
fn a_step_exam_that_does_not_exist_is_reported() {
    let errors = pack_errors(&[], &[("courses/basics.toml", COURSE)]);
    assert_eq!(
        places(&errors),
        [(
            "courses/basics.toml",
            "day #2, step #1 (`check`)",
            "exam.es"
        )]
    );
    assert_eq!(
        only_error(&errors).reason,
        "no exam `check-es`; expected a file exams/check-es.toml"
    );
}

#[test]
fn a_step_must_name_a_step_exam_of_the_language_it_is_listed_under() {
    let errors = course_errors(
        r#"exam = { es = "check-es" }"#,
        r#"exam = { ru = "check-es" }"#,
    );
    assert_eq!(
        places(&errors),
        [(
            "courses/basics.toml",
            "day #2, step #1 (`check`)",
            "exam.ru"
        )]
    );
    assert_eq!(
        only_error(&errors).reason,
        "`check-es` tests `es`, not `ru`; list it under its own language"
    );

    let errors = course_errors(
        r#"exam = { es = "check-es" }"#,
        r#"exam = { xx = "check-es" }"#,
    );
    assert_eq!(
        places(&errors),
        [(
            "courses/basics.toml",
            "day #2, step #1 (`check`)",
            "exam.xx"
        )]
    );

    let errors = course_errors(r#"exam = { es = "check-es" }"#, r#"exam = "check-es""#);
    assert!(only_error(&errors).reason.starts_with("expected a table"));
}

#[test]
fn a_placement_exam_cannot_be_a_step_exam() {
    let placement = STEP_EXAM
        .replace(r#"kind = "step""#, r#"kind = "placement""#)
        .replace(r#"id = "check-es""#, r#"id = "placement-es""#);
    let course = COURSE.replace(
        r#"exam = { es = "check-es" }"#,
        r#"exam = { es = "placement-es" }"#,
    );
    // A placement exam too short to load: only its own errors are reported, the course
    // is not blamed for pointing at it.
    let errors = match pack(
        &[("exams/placement-es.toml", &placement)],
        &[("courses/basics.toml", &course)],
    ) {
        Ok(_) => panic!("loaded"),
        Err(ContentErrors(errors)) => errors,
    };
    assert!(
        errors
            .iter()
            .all(|error| error.file == "exams/placement-es.toml"),
        "{errors:#?}"
    );

    // A valid placement exam: now the reference itself is wrong.
    let full = super::tests_exams::placement_exam("es", 5);
    let errors = pack_errors(
        &[("exams/placement-es.toml", &full)],
        &[("courses/basics.toml", &course)],
    );
    assert_eq!(
        places(&errors),
        [(
            "courses/basics.toml",
            "day #2, step #1 (`check`)",
            "exam.es"
        )]
    );
    assert_eq!(
        only_error(&errors).reason,
        "`placement-es` is a placement exam; a course step needs a step exam"
    );
}

#[test]
fn vocabulary_languages_and_words_are_checked() {
    let errors = course_errors("vocabulary.es = ", "vocabulary.xx = ");
    assert_eq!(
        places(&errors),
        [(
            "courses/basics.toml",
            "day #1, step #1 (`greet`)",
            "vocabulary.xx"
        )]
    );
    assert_eq!(
        only_error(&errors).reason,
        "unknown language `xx`; add it to languages.toml first"
    );

    let errors = course_errors(
        r#"meaning = { en = "hello", ru = "привет" }"#,
        r#"meaning = { en = "hello" }"#,
    );
    assert_eq!(
        places(&errors),
        [(
            "courses/basics.toml",
            "day #1, step #1 (`greet`), vocabulary.es #1 (`hola`)",
            "meaning.ru"
        )]
    );

    let errors = course_errors(
        r#"vocabulary.es = [{ word = "hola", meaning = { en = "hello", ru = "привет" } }]"#,
        "vocabulary.es = []",
    );
    assert_eq!(
        places(&errors),
        [(
            "courses/basics.toml",
            "day #1, step #1 (`greet`)",
            "vocabulary.es"
        )]
    );

    let errors = course_errors(r#"word = "hola""#, r#"word = "  ""#);
    assert_eq!(only_error(&errors).field, "word");
}

#[test]
fn every_error_in_a_course_file_is_collected() {
    let text = COURSE
        .replace(r#"ru = "Основы""#, r#"ru = """#)
        .replace(
            r#"task = { en = "Say hello.", ru = "Поздоровайтесь." }"#,
            "task = { en = \"Say hello.\", ru = \"Поздоровайтесь.\" }\nminutes = 5",
        )
        .replace(
            r#"exam = { es = "check-es" }"#,
            r#"exam = { es = "final" }"#,
        );
    let errors = pack_errors(&[EXAM_FILE], &[("courses/basics.toml", &text)]);
    assert_eq!(
        places(&errors),
        [
            ("courses/basics.toml", "top level", "title.ru"),
            (
                "courses/basics.toml",
                "day #1, step #1 (`greet`)",
                "minutes"
            ),
            (
                "courses/basics.toml",
                "day #2, step #1 (`check`)",
                "exam.es"
            ),
        ]
    );
}

#[test]
fn load_dir_reads_the_exam_and_course_directories_in_name_order() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"))
    };
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/content");
    for file in ["languages.toml", "interests.toml", "cities.toml"] {
        let text = std::fs::read_to_string(shipped.join(file)).unwrap_or_else(|e| panic!("{e}"));
        write(file, &text);
    }
    write("exams/check-es.toml", STEP_EXAM);
    write(
        "exams/a-check-ru.toml",
        &STEP_EXAM
            .replace(r#"id = "check-es""#, r#"id = "a-check-ru""#)
            .replace(r#"language = "es""#, r#"language = "ru""#),
    );
    // Anything that is not a .toml file is not part of the pack.
    write("exams/README.md", "notes");
    write("exams/old.toml.bak", "not = [toml");

    let Err(ContentErrors(errors)) = Content::load_dir(dir.path()) else {
        panic!("loaded without a courses directory");
    };
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].file.ends_with("courses"), "{}", errors[0]);
    assert!(errors[0].reason.starts_with("cannot read the directory"));

    write("courses/basics.toml", COURSE);
    let content = Content::load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        content
            .exams()
            .iter()
            .map(|exam| exam.id.as_str())
            .collect::<Vec<_>>(),
        ["a-check-ru", "check-es"]
    );
    assert!(content.course("basics").is_some());

    write("courses/broken.toml", "id = \"broken\"\n");
    let Err(ContentErrors(errors)) = Content::load_dir(dir.path()) else {
        panic!("loaded a broken course");
    };
    assert!(
        errors
            .iter()
            .all(|error| error.file.ends_with("broken.toml")),
        "{errors:#?}"
    );
    assert_eq!(
        errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
        ["title", "description", "day"]
    );
}
