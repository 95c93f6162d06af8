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
                    reason: errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
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
                    reason: errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
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
            tracing::error!(%locale, key, "missing text");
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
