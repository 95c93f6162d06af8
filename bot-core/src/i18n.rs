//! The bot's own texts, from Fluent (.ftl) files: one bundle per shipped locale, and the
//! names of languages in the grammatical cases a locale's sentences put them in.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::domain::Locale;

/// The shipped .ftl sources, embedded so the binary runs from anywhere.
pub const SOURCES: &[(Locale, &str, &str)] = &[
    (
        Locale::En,
        "config/locales/en.ftl",
        include_str!("../../config/locales/en.ftl"),
    ),
    (
        Locale::Ru,
        "config/locales/ru.ftl",
        include_str!("../../config/locales/ru.ftl"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum TextsError {
    #[error("{file}: {reason}")]
    Parse { file: String, reason: String },
}

/// Localised texts for every [`Locale`]. Cheap to share; lookups never fail (a missing
/// key renders as the key itself and is logged, and a test keeps that from shipping).
pub struct Texts {
    bundles: HashMap<Locale, FluentBundle<FluentResource>>,
    /// Per locale whose language names inflect: language code to its name in each
    /// [`GrammaticalCase`], in the order of [`GrammaticalCase::ALL`].
    language_names: HashMap<Locale, HashMap<String, [String; 3]>>,
}

/// The case a language's name takes inside a sentence. A message gets the name in every
/// case, one placeable each ([`GrammaticalCase::placeable`]), and its text picks the one
/// its grammar needs: Russian says "уровень { $language-genitive }", English uses
/// `{ $language }` alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrammaticalCase {
    /// Also the accusative: the two are alike for every language name.
    Nominative,
    Genitive,
    Prepositional,
}

impl GrammaticalCase {
    pub const ALL: [GrammaticalCase; 3] = [
        GrammaticalCase::Nominative,
        GrammaticalCase::Genitive,
        GrammaticalCase::Prepositional,
    ];

    /// The variant of a `-language-<code>` term's `$case` selector.
    pub fn as_str(self) -> &'static str {
        match self {
            GrammaticalCase::Nominative => "nominative",
            GrammaticalCase::Genitive => "genitive",
            GrammaticalCase::Prepositional => "prepositional",
        }
    }

    /// The placeable a message uses for a language's name in this case.
    pub fn placeable(self) -> &'static str {
        match self {
            GrammaticalCase::Nominative => "language",
            GrammaticalCase::Genitive => "language-genitive",
            GrammaticalCase::Prepositional => "language-prepositional",
        }
    }

    fn index(self) -> usize {
        match self {
            GrammaticalCase::Nominative => 0,
            GrammaticalCase::Genitive => 1,
            GrammaticalCase::Prepositional => 2,
        }
    }
}

/// A locale whose language names inflect defines a term `-language-<code>` per language,
/// selecting on `$case`; other locales use the content pack's names as they are.
const LANGUAGE_TERM: &str = "language-";

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Texts")
            .field("locales", &self.bundles.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn joined(errors: &[impl ToString]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Transcript tests reach nearly every text: there a missing one fails loudly.
#[cfg(test)]
fn report_missing(locale: Locale, key: &str) {
    panic!("missing text {key} in {locale}");
}

#[cfg(not(test))]
fn report_missing(locale: Locale, key: &str) {
    tracing::error!(%locale, key, "missing text");
}

/// A value for a placeable in a message.
pub type Arg<'a> = FluentValue<'a>;

impl Texts {
    /// The embedded texts.
    pub fn embedded() -> Result<Self, TextsError> {
        Self::from_sources(
            SOURCES
                .iter()
                .map(|(locale, file, text)| (*locale, *file, text.to_string())),
        )
    }

    pub fn from_sources(
        sources: impl IntoIterator<Item = (Locale, &'static str, String)>,
    ) -> Result<Self, TextsError> {
        let mut bundles = HashMap::new();
        let mut language_names = HashMap::new();
        for (locale, file, text) in sources {
            let names = inflected_language_names(locale, file, &text)?;
            if !names.is_empty() {
                language_names.insert(locale, names);
            }
            let resource =
                FluentResource::try_new(text).map_err(|(_, errors)| TextsError::Parse {
                    file: file.to_owned(),
                    reason: joined(&errors),
                })?;
            let langid = locale.as_str().parse().map_err(|_| TextsError::Parse {
                file: file.to_owned(),
                reason: format!("`{locale}` is not a language tag"),
            })?;
            let mut bundle = FluentBundle::new_concurrent(vec![langid]);
            // Isolation marks would show up as stray characters in terminals and logs.
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|errors| TextsError::Parse {
                    file: file.to_owned(),
                    reason: joined(&errors),
                })?;
            bundles.insert(locale, bundle);
        }
        Ok(Self {
            bundles,
            language_names,
        })
    }

    /// The name of the language `code` inside a sentence of `locale`, in `case`; `None`
    /// when the locale's names do not inflect (English), so the content pack's name serves
    /// in every case.
    pub fn language_name(&self, locale: Locale, code: &str, case: GrammaticalCase) -> Option<&str> {
        let names = self.language_names.get(&locale)?;
        match names.get(code) {
            Some(forms) => Some(forms[case.index()].as_str()),
            None => {
                // A language added to the pack without a term: the menu name still reads.
                tracing::warn!(%locale, code, "no inflected name for a language");
                None
            }
        }
    }

    /// The message `key` in `locale`.
    pub fn t(&self, locale: Locale, key: &str) -> String {
        self.tf(locale, key, &[])
    }

    /// The message `key` in `locale` with named arguments.
    pub fn tf(&self, locale: Locale, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let Some(bundle) = self.bundles.get(&locale) else {
            tracing::error!(%locale, "no texts for locale");
            return key.to_owned();
        };
        let Some(pattern) = bundle.get_message(key).and_then(|message| message.value()) else {
            report_missing(locale, key);
            return key.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::error!(%locale, key, ?errors, "text formatted with errors");
        }
        text.into_owned()
    }

    /// Every message id of a locale (for the completeness tests).
    pub fn keys(source: &str) -> Vec<String> {
        use fluent_syntax::ast::Entry;
        match fluent_syntax::parser::parse(source) {
            Ok(resource) | Err((resource, _)) => resource
                .body
                .iter()
                .filter_map(|entry| match entry {
                    Entry::Message(message) => Some(message.id.name.to_owned()),
                    _ => None,
                })
                .collect(),
        }
    }
}

/// The codes of a source's `-language-<code>` terms.
fn language_terms(source: &str) -> Vec<String> {
    use fluent_syntax::ast::Entry;
    match fluent_syntax::parser::parse(source) {
        Ok(resource) | Err((resource, _)) => resource
            .body
            .iter()
            .filter_map(|entry| match entry {
                Entry::Term(term) => term.id.name.strip_prefix(LANGUAGE_TERM),
                _ => None,
            })
            .map(str::to_owned)
            .collect(),
    }
}

/// Every `-language-<code>` term of one locale's source in every case. Fluent formats only
/// messages, so a scratch bundle holds the source and one message per term and case that
/// refers to the term; the forms are read once here, never per sentence.
fn inflected_language_names(
    locale: Locale,
    file: &str,
    text: &str,
) -> Result<HashMap<String, [String; 3]>, TextsError> {
    let error = |reason: String| TextsError::Parse {
        file: file.to_owned(),
        reason,
    };
    let codes = language_terms(text);
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let lookup_id = |code: &str, case: GrammaticalCase| format!("{code}--{}", case.as_str());
    let lookups: String = codes
        .iter()
        .flat_map(|code| {
            GrammaticalCase::ALL.map(|case| {
                format!(
                    "{} = {{ -{LANGUAGE_TERM}{code}(case: \"{}\") }}\n",
                    lookup_id(code, case),
                    case.as_str()
                )
            })
        })
        .collect();
    let langid = locale
        .as_str()
        .parse()
        .map_err(|_| error(format!("`{locale}` is not a language tag")))?;
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    bundle.set_use_isolating(false);
    for source in [text.to_owned(), lookups] {
        let resource = FluentResource::try_new(source)
            .map_err(|(_, errors)| error(format!("language names: {}", joined(&errors))))?;
        bundle
            .add_resource(resource)
            .map_err(|errors| error(format!("language names: {}", joined(&errors))))?;
    }
    let mut names = HashMap::new();
    for code in codes {
        let mut forms: [String; 3] = Default::default();
        for case in GrammaticalCase::ALL {
            let id = lookup_id(&code, case);
            let Some(pattern) = bundle.get_message(&id).and_then(|message| message.value()) else {
                return Err(error(format!("-{LANGUAGE_TERM}{code} cannot be looked up")));
            };
            let mut errors = Vec::new();
            let form = bundle.format_pattern(pattern, None, &mut errors);
            if !errors.is_empty() {
                return Err(error(format!(
                    "-{LANGUAGE_TERM}{code}: {}",
                    joined(&errors)
                )));
            }
            forms[case.index()] = form.into_owned();
        }
        names.insert(code, forms);
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    /// Every Rust source of the crate (the flows, the engine, the runtime ...).
    fn sources() -> Vec<String> {
        fn walk(dir: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir)
                .expect("readable source dir")
                .flatten()
            {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(&path).expect("readable source"));
                }
            }
        }
        let mut out = Vec::new();
        walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
        out
    }

    /// Keys passed as literals to `t(locale, "key")` / `tf(locale, "key", ...)`.
    fn keys_used_in(source: &str) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for call in ["t(", "tf("] {
            for (at, _) in source.match_indices(call) {
                let preceded_by_dot = source[..at].ends_with('.');
                let rest = &source[at + call.len()..];
                let Some((_, after_comma)) = rest.split_once(',') else {
                    continue;
                };
                let after_comma = after_comma.trim_start();
                if !preceded_by_dot || !after_comma.starts_with('"') {
                    continue;
                }
                if let Some(key) = after_comma[1..].split('"').next() {
                    keys.insert(key.to_owned());
                }
            }
        }
        keys
    }

    fn locale_keys(locale: Locale) -> BTreeSet<String> {
        let (_, _, source) = SOURCES
            .iter()
            .find(|(l, _, _)| *l == locale)
            .expect("shipped locale");
        Texts::keys(source).into_iter().collect()
    }

    #[test]
    fn every_locale_parses_and_has_the_same_keys() {
        Texts::embedded().expect("shipped .ftl files parse");
        let english = locale_keys(Locale::En);
        for locale in Locale::ALL {
            let keys = locale_keys(locale);
            let missing: Vec<_> = english.difference(&keys).collect();
            let extra: Vec<_> = keys.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{locale}: missing {missing:?}, extra {extra:?}"
            );
        }
    }

    #[test]
    fn every_key_the_code_uses_exists_and_every_key_is_used() {
        let sources = sources();
        let used: BTreeSet<String> = sources.iter().flat_map(|s| keys_used_in(s)).collect();
        assert!(
            used.len() > 50,
            "the key scanner found only {} keys",
            used.len()
        );
        let shipped = locale_keys(Locale::En);
        let missing: Vec<_> = used.difference(&shipped).collect();
        assert!(
            missing.is_empty(),
            "used in code but missing from the .ftl files: {missing:?}"
        );
        let all_source = sources.concat();
        let unused: Vec<_> = shipped
            .iter()
            .filter(|key| !all_source.contains(&format!("\"{key}\"")))
            .collect();
        assert!(
            unused.is_empty(),
            "in the .ftl files but never used: {unused:?}"
        );
    }

    #[test]
    fn every_message_formats_in_every_locale_without_errors() {
        let texts = Texts::embedded().expect("texts");
        for (locale, _, source) in SOURCES {
            let bundle = &texts.bundles[locale];
            for key in Texts::keys(source) {
                let message = bundle.get_message(&key).expect("listed key exists");
                let pattern = message.value().expect("every message has a value");
                let mut args = FluentArgs::new();
                for name in [
                    "max",
                    "step",
                    "steps",
                    "percent",
                    "length",
                    "input",
                    "language",
                    "language-genitive",
                    "language-prepositional",
                    "weekdays",
                    "command",
                    "timezone",
                    "time",
                    "interface",
                    "native",
                    "targets",
                    "interests",
                    "availability",
                    "styles",
                    "bio",
                    "matching",
                    "link",
                    "days",
                    "hours",
                    "next",
                    "title",
                    "description",
                    "day",
                    "current",
                    "topic",
                    "task",
                    "word",
                    "meaning",
                    "done",
                    "skipped",
                    "today",
                    "date",
                    "questions",
                    "minutes",
                    "number",
                    "count",
                    "sequence",
                    "explanation",
                    "prompt",
                    "correct",
                    "total",
                    "level",
                    "percent",
                    "outcome",
                    "best",
                    "freeze",
                    "card",
                    "since",
                    "sent",
                    "received",
                    "reveal",
                    "handle",
                    "text",
                    "name",
                    // The admin texts'.
                    "value",
                    "onboarding",
                    "onboarded",
                    "paused",
                    "unreachable",
                    "banned",
                    "week",
                    "waiting",
                    "proposed",
                    "partnerships",
                    "waves",
                    "pairs",
                    "queued",
                    "dead",
                    "late",
                    "reports",
                    "id",
                    "accounts",
                    "status",
                    "about",
                    "filed",
                    "target",
                    "shown",
                    "reporter",
                    "reason",
                    "details",
                    "audience",
                    "people",
                    "delivered",
                    "failed",
                    "languages",
                    "courses",
                    "exams",
                    "errors",
                ] {
                    args.set(name, 3);
                }
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{locale} {key}: {errors:?}");
                assert!(!text.trim().is_empty(), "{locale} {key} is empty");
            }
        }
    }

    #[test]
    fn russian_plurals_agree_with_numbers() {
        let texts = Texts::embedded().expect("texts");
        let text = |n: usize| {
            texts.tf(
                Locale::Ru,
                "error-bio-too-long",
                &[("length", n.into()), ("max", 300.into())],
            )
        };
        assert!(text(301).contains("301 символ,"), "{}", text(301));
        assert!(text(302).contains("302 символа,"), "{}", text(302));
        assert!(text(305).contains("305 символов,"), "{}", text(305));

        let finished = |done: usize, skipped: usize| {
            texts.tf(
                Locale::Ru,
                "course-finished",
                &[
                    ("title", "Курс".into()),
                    ("done", done.into()),
                    ("skipped", skipped.into()),
                ],
            )
        };
        assert!(
            finished(21, 1).contains("Выполнен 21 шаг, пропущен 1."),
            "{}",
            finished(21, 1)
        );
        assert!(
            finished(3, 0).contains("Выполнено 3 шага, пропущено 0."),
            "{}",
            finished(3, 0)
        );
        let picks =
            |max: usize| texts.tf(Locale::Ru, "ask-native-languages", &[("max", max.into())]);
        assert!(
            picks(1).starts_with("Какой язык для вас родной? Выберите его и нажмите «Готово».")
        );
        assert!(
            picks(3).contains("отметьте все, но не больше 3 языков, и нажмите «Готово»."),
            "{}",
            picks(3)
        );
        let minutes_left = |minutes: usize| {
            texts.tf(
                Locale::Ru,
                "exam-question",
                &[
                    ("title", "Тест".into()),
                    ("number", 1.into()),
                    ("count", 30.into()),
                    ("minutes", minutes.into()),
                ],
            )
        };
        assert!(
            minutes_left(1).ends_with("⏱ осталась 1 минута"),
            "{}",
            minutes_left(1)
        );
        assert!(
            minutes_left(24).ends_with("⏱ осталось 24 минуты"),
            "{}",
            minutes_left(24)
        );
        assert!(
            minutes_left(11).ends_with("⏱ осталось 11 минут"),
            "{}",
            minutes_left(11)
        );
    }

    /// Variables the code fills with a number. None of these names is ever given text.
    const NUMBER_VARIABLES: &[&str] = &[
        "best",
        "correct",
        "count",
        "day",
        "days",
        "done",
        "length",
        "max",
        "minutes",
        "number",
        "percent",
        "questions",
        "received",
        "sent",
        "skipped",
        "step",
        "steps",
        "today",
        "total",
    ];

    /// (message, variable): numbers in Russian texts that stand without a noun of their
    /// own and so take no plural form: a position ("день 3 из 7"), a score ("3 из 5"), a
    /// percentage, or a second number sharing the noun said with the first.
    const RUSSIAN_NUMBERS_WITHOUT_NOUN: &[(&str, &str)] = &[
        ("onboarding-progress", "step"),
        ("onboarding-progress", "steps"),
        ("onboarding-progress", "percent"),
        ("resume-offer", "percent"),
        ("summary-intro", "percent"),
        ("error-bio-too-long", "max"),
        ("admin-broadcast-too-long", "max"),
        ("courses-current", "day"),
        ("courses-current", "days"),
        ("course-switch-confirm", "day"),
        ("course-switch-confirm", "days"),
        ("course-day-header", "day"),
        ("course-day-header", "days"),
        ("course-step", "step"),
        ("course-step", "steps"),
        ("course-day-complete", "day"),
        ("course-pending", "day"),
        ("progress-course", "day"),
        ("progress-course", "days"),
        ("progress-course", "today"),
        ("exam-question", "number"),
        ("exam-question", "count"),
        ("exam-result", "correct"),
        ("exam-result", "total"),
        ("placement-level-line", "correct"),
        ("placement-level-line", "total"),
        ("step-exam-failed", "percent"),
        ("progress-exam-line", "correct"),
        ("progress-exam-line", "total"),
        ("reengage-course", "day"),
        ("partner-show", "received"),
        ("relay-too-long", "max"),
        ("error-text-too-long", "max"),
    ];

    /// Variables of one pattern: those shown as placeables, and those a select expression
    /// chooses a form by.
    fn pattern_variables(
        pattern: &fluent_syntax::ast::Pattern<&str>,
        shown: &mut BTreeSet<String>,
        selectors: &mut BTreeSet<String>,
    ) {
        use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
        fn inline(
            expression: &InlineExpression<&str>,
            shown: &mut BTreeSet<String>,
            selectors: &mut BTreeSet<String>,
        ) {
            match expression {
                InlineExpression::VariableReference { id } => {
                    shown.insert(id.name.to_owned());
                }
                InlineExpression::FunctionReference { arguments, .. } => {
                    for argument in &arguments.positional {
                        inline(argument, shown, selectors);
                    }
                }
                InlineExpression::Placeable { expression } => {
                    walk(expression, shown, selectors);
                }
                _ => {}
            }
        }
        fn walk(
            expression: &Expression<&str>,
            shown: &mut BTreeSet<String>,
            selectors: &mut BTreeSet<String>,
        ) {
            match expression {
                Expression::Inline(expression) => inline(expression, shown, selectors),
                Expression::Select { selector, variants } => {
                    // The selector itself is not shown; what it picks may show it.
                    inline(selector, selectors, &mut BTreeSet::new());
                    for variant in variants {
                        pattern_variables(&variant.value, shown, selectors);
                    }
                }
            }
        }
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                walk(expression, shown, selectors);
            }
        }
    }

    /// (message, variable) for every number a source shows with no form chosen by it.
    fn numbers_without_plural(source: &str) -> BTreeSet<(String, String)> {
        use fluent_syntax::ast::Entry;
        let resource = fluent_syntax::parser::parse(source).expect("source parses");
        let mut found = BTreeSet::new();
        for entry in &resource.body {
            let Entry::Message(message) = entry else {
                continue;
            };
            let Some(pattern) = &message.value else {
                continue;
            };
            let (mut shown, mut selectors) = (BTreeSet::new(), BTreeSet::new());
            pattern_variables(pattern, &mut shown, &mut selectors);
            for name in shown.difference(&selectors) {
                if NUMBER_VARIABLES.contains(&name.as_str()) {
                    found.insert((message.id.name.to_owned(), name.clone()));
                }
            }
        }
        found
    }

    fn russian_source() -> &'static str {
        SOURCES
            .iter()
            .find(|(locale, _, _)| *locale == Locale::Ru)
            .map(|(_, _, source)| *source)
            .expect("shipped ru.ftl")
    }

    /// Russian nouns change with the number before them (1 символ, 2 символа, 5 символов):
    /// every number shown next to a noun chooses the form by `[one]`/`[few]`/`[other]`.
    #[test]
    fn russian_numbers_next_to_nouns_have_plural_forms() {
        let exempt: BTreeSet<(String, String)> = RUSSIAN_NUMBERS_WITHOUT_NOUN
            .iter()
            .map(|(key, name)| ((*key).to_owned(), (*name).to_owned()))
            .collect();
        let bare = numbers_without_plural(russian_source());
        let missing: Vec<_> = bare.difference(&exempt).collect();
        assert!(
            missing.is_empty(),
            "numbers with no plural forms: {missing:?}"
        );
        // An exemption that no longer applies would hide a number added there later.
        let stale: Vec<_> = exempt.difference(&bare).collect();
        assert!(stale.is_empty(), "exempt but not a bare number: {stale:?}");
    }

    #[test]
    fn a_number_without_plural_forms_is_found() {
        let source = "\
bare = Уже { $count } партнёров
plural = Уже { $count } { $count ->
        [one] партнёр
       *[other] партнёров
    }
nested = { $max ->
        [1] один
       *[other] до { $max } { $days }
    }
text = { $title }
";
        let found: Vec<(String, String)> = numbers_without_plural(source).into_iter().collect();
        assert_eq!(
            found,
            [
                ("bare".to_owned(), "count".to_owned()),
                ("nested".to_owned(), "days".to_owned()),
            ]
        );
    }

    /// The list of number variables follows the code: no argument of these names is built
    /// from text.
    #[test]
    fn number_variables_are_given_numbers() {
        // Split so that the key scanner above does not read these as calls.
        let text_makers = [
            "_text(",
            "to_string()",
            "as_str()",
            "format!(",
            concat!("cx", ".t("),
            concat!("cx", ".tf("),
        ];
        for source in sources() {
            for name in NUMBER_VARIABLES {
                for (at, _) in source.match_indices(&format!("(\"{name}\", ")) {
                    let rest = &source[at..];
                    let argument = rest.split_once("\n").map_or(rest, |(line, _)| line);
                    assert!(
                        !text_makers.iter().any(|maker| argument.contains(maker)),
                        "`{name}` is given text: {argument}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_language_has_a_lower_case_russian_name_in_each_case() {
        use fluent_syntax::ast::{Entry, Expression, InlineExpression, PatternElement, VariantKey};
        let texts = Texts::embedded().expect("texts");
        let content = crate::content::Content::embedded().expect("content");
        for language in content.languages() {
            let code = language.code.as_str();
            for case in GrammaticalCase::ALL {
                let name = texts
                    .language_name(Locale::Ru, code, case)
                    .unwrap_or_else(|| panic!("no -language-{code} in ru.ftl"));
                assert!(
                    name.chars().next().is_some_and(char::is_lowercase),
                    "-language-{code} {}: {name:?}",
                    case.as_str()
                );
            }
            // English names do not inflect: the pack's name serves.
            assert_eq!(
                texts.language_name(Locale::En, code, GrammaticalCase::Genitive),
                None
            );
        }
        let resource = fluent_syntax::parser::parse(russian_source()).expect("ru.ftl parses");
        let cases: BTreeSet<&str> = GrammaticalCase::ALL.map(GrammaticalCase::as_str).into();
        for entry in &resource.body {
            let Entry::Term(term) = entry else { continue };
            let code = term.id.name.strip_prefix(LANGUAGE_TERM).unwrap_or_default();
            assert!(
                crate::domain::LanguageCode::parse(code)
                    .and_then(|code| content.language(code))
                    .is_some(),
                "-{} names no language of the pack",
                term.id.name
            );
            // A case left out would silently fall back to the nominative.
            let variants: BTreeSet<&str> = match term.value.elements.as_slice() {
                [
                    PatternElement::Placeable {
                        expression:
                            Expression::Select {
                                selector: InlineExpression::VariableReference { id },
                                variants,
                            },
                    },
                ] if id.name == "case" => variants
                    .iter()
                    .filter_map(|variant| match variant.key {
                        VariantKey::Identifier { name } => Some(name),
                        VariantKey::NumberLiteral { .. } => None,
                    })
                    .collect(),
                _ => BTreeSet::new(),
            };
            assert_eq!(variants, cases, "-{} selects on $case", term.id.name);
        }
    }

    #[test]
    fn sentences_take_the_language_name_in_the_case_they_need() {
        let cx = crate::flows::transcript::context();
        let code = |code: &str| crate::domain::LanguageCode::parse(code).expect("code");
        let with_level = |locale: Locale, language: &str| {
            let mut args = cx.language_args(locale, code(language));
            args.push(("level", "B1".into()));
            cx.tf(locale, "placement-propose", &args)
        };
        assert!(
            with_level(Locale::Ru, "es").starts_with("Похоже, ваш уровень испанского — B1."),
            "{}",
            with_level(Locale::Ru, "es")
        );
        assert!(
            with_level(Locale::En, "es").starts_with("Your level in Spanish looks like B1."),
            "{}",
            with_level(Locale::En, "es")
        );
        assert_eq!(
            cx.tf(
                Locale::Ru,
                "error-already-native",
                &cx.language_args(Locale::Ru, code("he"))
            ),
            "Вы говорите на иврите как на родном. Выберите язык, который изучаете."
        );
        assert!(
            cx.tf(
                Locale::Ru,
                "placement-not-learning",
                &cx.language_args(Locale::Ru, code("la"))
            )
            .starts_with("Вы больше не изучаете латынь,")
        );
    }
}
