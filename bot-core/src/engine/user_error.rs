//! Mistakes a person can make, each with a localised explanation. Internal failures
//! (storage, bugs) are a different type and never shown to people.

use crate::domain::{BioError, LanguageCode, Locale, TimezoneError};
use crate::engine::Context;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserError {
    /// A typed language nobody knows; `input` is the person's text, shortened.
    UnknownLanguage {
        input: String,
    },
    /// A language picked as a target that the person speaks natively.
    AlreadyNative {
        language: LanguageCode,
    },
    TooMany {
        max: usize,
    },
    PickAtLeastOne,
    UseButtons,
    UnknownTimezone {
        input: String,
    },
    OffsetOutOfRange {
        input: String,
    },
    BioEmpty,
    BioTooLong {
        length: usize,
        max: usize,
    },
    /// Only text and buttons are understood here.
    UnsupportedMessage,
}

/// At most this many characters of a person's input are quoted back to them.
const QUOTE_CHARS: usize = 40;

/// A person's input, shortened for quoting in an error message.
pub fn quote(input: &str) -> String {
    let input = input.trim();
    let mut quoted: String = input.chars().take(QUOTE_CHARS).collect();
    if input.chars().count() > QUOTE_CHARS {
        quoted.push('…');
    }
    quoted
}

impl UserError {
    pub fn message(&self, cx: &Context, locale: Locale) -> String {
        match self {
            UserError::UnknownLanguage { input } => cx.tf(
                locale,
                "error-unknown-language",
                &[("input", input.as_str().into())],
            ),
            UserError::AlreadyNative { language } => cx.tf(
                locale,
                "error-already-native",
                &cx.language_args(locale, *language),
            ),
            UserError::TooMany { max } => {
                cx.tf(locale, "error-too-many", &[("max", (*max).into())])
            }
            UserError::PickAtLeastOne => cx.t(locale, "error-pick-at-least-one"),
            UserError::UseButtons => cx.t(locale, "error-use-buttons"),
            UserError::UnknownTimezone { input } => cx.tf(
                locale,
                "error-unknown-timezone",
                &[("input", input.as_str().into())],
            ),
            UserError::OffsetOutOfRange { input } => cx.tf(
                locale,
                "error-offset-out-of-range",
                &[("input", input.as_str().into())],
            ),
            UserError::BioEmpty => cx.t(locale, "error-bio-empty"),
            UserError::BioTooLong { length, max } => cx.tf(
                locale,
                "error-bio-too-long",
                &[("length", (*length).into()), ("max", (*max).into())],
            ),
            UserError::UnsupportedMessage => cx.t(locale, "error-unsupported-message"),
        }
    }
}

impl From<TimezoneError> for UserError {
    fn from(error: TimezoneError) -> Self {
        match error {
            TimezoneError::Empty => UserError::UnknownTimezone {
                input: String::new(),
            },
            TimezoneError::OffsetOutOfRange(input) => UserError::OffsetOutOfRange {
                input: quote(&input),
            },
            TimezoneError::Unknown(input) => UserError::UnknownTimezone {
                input: quote(&input),
            },
        }
    }
}

impl From<BioError> for UserError {
    fn from(error: BioError) -> Self {
        match error {
            BioError::Empty => UserError::BioEmpty,
            BioError::TooLong { length, max } => UserError::BioTooLong { length, max },
        }
    }
}
