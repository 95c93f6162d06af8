//! Tests for the content pack: the shipped files, and the errors bad packs get.

use super::*;

fn embedded() -> Content {
    Content::embedded().unwrap_or_else(|errors| panic!("embedded pack:\n{errors}"))
}

fn code(input: &str) -> LanguageCode {
    LanguageCode::parse(input).unwrap_or_else(|| panic!("bad test code {input:?}"))
}

#[test]
fn the_embedded_pack_loads() {
    let content = embedded();
    for wanted in ["en", "es", "de", "ru"] {
        assert!(content.language(code(wanted)).is_some(), "{wanted}");
    }
    assert!(content.languages().iter().filter(|l| l.popular).count() >= 10);
    assert!(content.categories().len() >= 5);
    assert!(content.interests().count() >= 15);
    for language in content.languages() {
        for locale in Locale::ALL {
            assert!(!language.names.get(locale).is_empty());
        }
    }
}

#[test]
fn every_interest_id_fits_in_button_data() {
    let content = embedded();
    let ids = content
        .categories()
        .iter()
        .map(|category| category.id.as_str())
        .chain(content.interests().map(|interest| interest.id.0.as_str()));
    for id in ids {
        assert!(
            !id.is_empty()
                && id.len() <= 20
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{id:?}"
        );
    }
    assert_eq!(
        content.interest("music").map(|i| i.names.get(Locale::Ru)),
        Some("Музыка")
    );
    assert!(content.interest("nope").is_none());
}

#[test]
fn languages_are_found_by_code_or_name() {
    let content = embedded();
    for input in ["Spanish", "spanish", "испанский", "Испанский", "ES", " es "] {
        assert_eq!(
            content.find_language(input).map(|l| l.code.as_str()),
            Some("es"),
            "{input:?}"
        );
    }
    assert_eq!(
        content.find_language("русский").map(|l| l.code.as_str()),
        Some("ru")
    );
    assert!(content.find_language("Klingon").is_none());
    assert!(content.find_language("xx").is_none());
}

#[test]
fn cities_resolve_with_folding() {
    let content = embedded();
    let zone = |input: &str| content.city_timezone(input).map(|tz| tz.name());
    assert_eq!(zone("Санкт-Петербург"), Some("Europe/Moscow"));
    assert_eq!(zone("санкт петербург"), Some("Europe/Moscow"));
    assert_eq!(zone("st petersburg"), Some("Europe/Moscow"));
    assert_eq!(zone("Новосибирск"), Some("Asia/Novosibirsk"));
    assert_eq!(zone("MÜNCHEN"), Some("Europe/Berlin"));
    assert_eq!(zone("Кельн"), Some("Europe/Berlin"));
    assert_eq!(zone("san_francisco"), Some("America/Los_Angeles"));
    assert_eq!(zone("Atlantis"), None);
}

const LANGUAGES: &str = r#"
[[language]]
code = "en"
popular = true
names = { en = "English", ru = "Английский" }

[[language]]
code = "es"
names = { en = "Spanish", ru = "Испанский" }
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
names = ["Moscow", "Москва"]
timezone = "Europe/Moscow"
"#;

fn load(languages: &str, interests: &str, cities: &str) -> Result<Content, ContentErrors> {
    Content::from_sources(
        ("languages.toml", languages),
        ("interests.toml", interests),
        ("cities.toml", cities),
        &[],
        &[],
    )
}

/// The errors of a pack that must not load, as (file, entry, field) for easy asserts.
fn errors(languages: &str, interests: &str, cities: &str) -> Vec<ContentError> {
    match load(languages, interests, cities) {
        Ok(_) => panic!("the pack loaded"),
        Err(ContentErrors(errors)) => errors,
    }
}

fn places(errors: &[ContentError]) -> Vec<(&str, &str, &str)> {
    errors
        .iter()
        .map(|e| (e.file.as_str(), e.entry.as_str(), e.field.as_str()))
        .collect()
}

#[test]
fn the_minimal_test_pack_loads() {
    let content = load(LANGUAGES, INTERESTS, CITIES).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(content.languages().len(), 2);
    assert!(!content.languages()[1].popular);
}

#[test]
fn a_duplicate_code_is_reported() {
    let languages = format!(
        "{LANGUAGES}\n[[language]]\ncode = \"es\"\nnames = {{ en = \"Castilian\", ru = \"Кастильский\" }}\n"
    );
    let errors = errors(&languages, INTERESTS, CITIES);
    assert_eq!(
        places(&errors),
        [("languages.toml", "language #3 (`es`)", "code")]
    );
    assert!(errors[0].reason.contains("language #2"), "{}", errors[0]);
}

#[test]
fn a_missing_ru_name_is_reported_with_the_documented_format() {
    let languages = LANGUAGES.replace(r#", ru = "Испанский""#, "");
    let errors = errors(&languages, INTERESTS, CITIES);
    assert_eq!(
        places(&errors),
        [("languages.toml", "language #2 (`es`)", "names.ru")]
    );
    assert_eq!(
        errors[0].to_string(),
        "languages.toml: language #2 (`es`), field `names.ru`: missing"
    );
}

#[test]
fn bad_codes_and_ids_are_reported() {
    let languages = LANGUAGES.replace(r#"code = "es""#, r#"code = "ESP""#);
    let interests = INTERESTS.replace(r#"id = "music""#, r#"id = "Music!""#);
    let errors = errors(&languages, &interests, CITIES);
    assert_eq!(
        places(&errors),
        [
            ("languages.toml", "language #2 (`ESP`)", "code"),
            (
                "interests.toml",
                "category #1 (`culture`), interest #1 (`Music!`)",
                "id"
            ),
        ]
    );
}

#[test]
fn an_unknown_timezone_is_reported() {
    let cities = CITIES.replace("Europe/Moscow", "Europe/Mordor");
    let errors = errors(LANGUAGES, INTERESTS, &cities);
    assert_eq!(
        places(&errors),
        [("cities.toml", "city #1 (`Moscow`)", "timezone")]
    );
    assert!(errors[0].reason.contains("Europe/Mordor"));
}

#[test]
fn a_city_name_with_two_zones_is_reported() {
    let cities = format!(
        "{CITIES}\n[[city]]\nnames = [\"Moskva\", \"moscow\"]\ntimezone = \"Europe/Kaliningrad\"\n"
    );
    let errors = errors(LANGUAGES, INTERESTS, &cities);
    assert_eq!(
        places(&errors),
        [("cities.toml", "city #2 (`Moskva`)", "names")]
    );
    assert!(errors[0].reason.contains("city #1"), "{}", errors[0]);
}

#[test]
fn a_toml_syntax_error_names_the_line() {
    let interests = INTERESTS.replace(r#"id = "music""#, r#"id = "music"#);
    let errors = errors(LANGUAGES, &interests, CITIES);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].file, "interests.toml");
    assert!(errors[0].entry.starts_with("line 7,"), "{}", errors[0]);
    assert_eq!(errors[0].field, "");
    assert!(!errors[0].reason.contains('\n'));
}

#[test]
fn unknown_fields_are_reported_everywhere() {
    let languages = LANGUAGES.replace("popular = true", "popluar = true");
    let interests = INTERESTS.replace(
        r#"names = { en = "Music", ru = "Музыка" }"#,
        r#"names = { en = "Music", ru = "Музыка", de = "Musik" }
emoji = "🎵""#,
    );
    let cities = format!("{CITIES}\n[[town]]\nnames = [\"Tver\"]\n");
    let errors = errors(&languages, &interests, &cities);
    assert_eq!(
        places(&errors),
        [
            ("languages.toml", "language #1 (`en`)", "popluar"),
            (
                "interests.toml",
                "category #1 (`culture`), interest #1 (`music`)",
                "names.de"
            ),
            (
                "interests.toml",
                "category #1 (`culture`), interest #1 (`music`)",
                "emoji"
            ),
            ("cities.toml", "top level", "town"),
        ]
    );
}

#[test]
fn every_error_is_collected() {
    let interests = r#"
[[category]]
id = "culture"
names = { en = "Culture", ru = "" }

[[category]]
id = "culture"
names = { en = "Culture again", ru = "Культура снова" }
interest = [{ id = "music", names = { en = "Music", ru = "Музыка" } }]

[[category]]
id = "tech"
names = { en = "Tech", ru = "Технологии" }

[[category.interest]]
id = "music"
names = { en = "Music", ru = "Музыка" }
"#;
    let errors = errors(LANGUAGES, interests, CITIES);
    assert_eq!(
        places(&errors),
        [
            ("interests.toml", "category #1 (`culture`)", "names.ru"),
            ("interests.toml", "category #1 (`culture`)", "interest"),
            ("interests.toml", "category #2 (`culture`)", "id"),
            (
                "interests.toml",
                "category #3 (`tech`), interest #1 (`music`)",
                "id"
            ),
        ]
    );
    let shown = ContentErrors(errors).to_string();
    assert_eq!(shown.lines().count(), 4, "{shown}");
}

#[test]
fn load_dir_reads_files_and_names_a_missing_one() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, text: &str| {
        std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"))
    };
    write("languages.toml", LANGUAGES);
    write("interests.toml", INTERESTS);
    for empty in ["exams", "courses"] {
        std::fs::create_dir(dir.path().join(empty)).unwrap_or_else(|e| panic!("{e}"));
    }
    let Err(ContentErrors(errors)) = Content::load_dir(dir.path()) else {
        panic!("loaded without cities.toml");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].file.ends_with("cities.toml"), "{}", errors[0]);

    write("cities.toml", CITIES);
    let content = Content::load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        content.city_timezone("москва").map(|tz| tz.name()),
        Some("Europe/Moscow")
    );
}

#[test]
fn the_shipped_directory_matches_the_embedded_pack() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/content");
    let loaded = Content::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.languages(), embedded().languages());
}

#[test]
fn every_locale_has_its_own_slot() {
    let mut slots: Vec<usize> = Locale::ALL.into_iter().map(slot).collect();
    slots.sort_unstable();
    slots.dedup();
    assert_eq!(slots, (0..Locale::ALL.len()).collect::<Vec<_>>());
}
