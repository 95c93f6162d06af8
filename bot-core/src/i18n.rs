//! The bot's own texts, from Fluent (.ftl) files: one bundle per shipped locale.

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
}

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
        for (locale, file, text) in sources {
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
        Ok(Self { bundles })
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
    }
}
