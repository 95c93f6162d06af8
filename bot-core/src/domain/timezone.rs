//! IANA timezones, found from an IANA name, a city, or a UTC offset.

use std::fmt;
use std::str::FromStr;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A person's IANA timezone. Stored by name so local times stay right across DST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timezone(Tz);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimezoneError {
    #[error("empty timezone")]
    Empty,
    #[error("UTC offset out of range: {0}")]
    OffsetOutOfRange(String),
    #[error("unknown timezone or city: {0}")]
    Unknown(String),
}

/// Zones for the offsets that are not whole hours; whole hours map to `Etc/GMT±N`.
const FRACTIONAL_OFFSETS: &[(i32, Tz)] = &[
    (-9 * 60 - 30, Tz::Pacific__Marquesas),
    (-3 * 60 - 30, Tz::America__St_Johns),
    (3 * 60 + 30, Tz::Asia__Tehran),
    (4 * 60 + 30, Tz::Asia__Kabul),
    (5 * 60 + 30, Tz::Asia__Kolkata),
    (5 * 60 + 45, Tz::Asia__Kathmandu),
    (6 * 60 + 30, Tz::Asia__Yangon),
    (8 * 60 + 45, Tz::Australia__Eucla),
    (9 * 60 + 30, Tz::Australia__Darwin),
    (10 * 60 + 30, Tz::Australia__Lord_Howe),
    (12 * 60 + 45, Tz::Pacific__Chatham),
];

impl Timezone {
    pub fn new(tz: Tz) -> Self {
        Self(tz)
    }

    pub fn tz(&self) -> Tz {
        self.0
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Reads what a person types: an IANA name (`Europe/Berlin`, any case), a city that
    /// is part of an IANA name (`berlin`, `New York`), or a UTC offset (`UTC+3`,
    /// `GMT-04:30`, `+5:45`, `-3`). City aliases from the content pack are checked by
    /// the caller first.
    pub fn parse(input: &str) -> Result<Self, TimezoneError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(TimezoneError::Empty);
        }
        if let Some(offset) = parse_utc_offset(input) {
            return Self::from_offset_minutes(offset?)
                .map_err(|_| TimezoneError::OffsetOutOfRange(input.to_owned()));
        }
        if let Ok(tz) = Tz::from_str(input) {
            return Ok(Self(tz));
        }
        let wanted = fold_name(input);
        let by_full_name = chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| fold_name(tz.name()) == wanted);
        let by_city = || {
            chrono_tz::TZ_VARIANTS.iter().find(|tz| {
                let name = tz.name();
                // Only real places: skip Etc/*, and prefer canonical region zones.
                !name.starts_with("Etc/")
                    && name.contains('/')
                    && name.rsplit('/').next().map(fold_name) == Some(wanted.clone())
            })
        };
        by_full_name
            .or_else(by_city)
            .map(|tz| Self(*tz))
            .ok_or_else(|| TimezoneError::Unknown(input.to_owned()))
    }

    /// A zone for a fixed UTC offset in minutes (east positive).
    pub fn from_offset_minutes(minutes: i32) -> Result<Self, TimezoneError> {
        if minutes % 60 == 0 {
            let hours = minutes / 60;
            if !(-12..=14).contains(&hours) {
                return Err(TimezoneError::OffsetOutOfRange(minutes.to_string()));
            }
            // POSIX-style Etc zones have the sign inverted: UTC+3 is Etc/GMT-3.
            let name = match hours {
                0 => "Etc/UTC".to_owned(),
                h if h > 0 => format!("Etc/GMT-{h}"),
                h => format!("Etc/GMT+{}", -h),
            };
            return Tz::from_str(&name)
                .map(Self)
                .map_err(|_| TimezoneError::OffsetOutOfRange(minutes.to_string()));
        }
        FRACTIONAL_OFFSETS
            .iter()
            .find(|(offset, _)| *offset == minutes)
            .map(|(_, tz)| Self(*tz))
            .ok_or_else(|| TimezoneError::OffsetOutOfRange(minutes.to_string()))
    }
}

impl fmt::Display for Timezone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Folds a typed place or language name for comparison: lowercase in any script, `ё`
/// as `е`, and runs of spaces, dashes, underscores, dots and apostrophes as one `_`, so
/// `new york` matches `New_York`, `Кельн` matches `Кёльн` and `St Petersburg` matches
/// `St. Petersburg`.
pub fn fold_name(input: &str) -> String {
    let mut folded = String::with_capacity(input.len());
    let mut pending_separator = false;
    for c in input.trim().chars().flat_map(char::to_lowercase) {
        if matches!(c, ' ' | '-' | '_' | '.' | '\'' | '’' | '\t') {
            pending_separator = true;
            continue;
        }
        if pending_separator && !folded.is_empty() {
            folded.push('_');
        }
        pending_separator = false;
        folded.push(if c == 'ё' { 'е' } else { c });
    }
    folded
}

/// `Some(Ok(minutes))` for a well-formed offset, `Some(Err)` for an offset-looking input
/// that is out of range, `None` when the input is not an offset at all. Works on
/// characters: `+1€` is not an offset, and is not cut inside its `€`.
fn parse_utc_offset(input: &str) -> Option<Result<i32, TimezoneError>> {
    let lower = input.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("utc")
        .or_else(|| lower.strip_prefix("gmt"))
        .unwrap_or(&lower)
        .trim();
    if rest.is_empty() {
        return (lower == "utc" || lower == "gmt").then_some(Ok(0));
    }
    let (sign, digits) = if let Some(digits) = rest.strip_prefix('+') {
        (1, digits)
    } else if let Some(digits) = rest.strip_prefix('-') {
        (-1, digits)
    } else {
        return None;
    };
    let (hours, minutes) = super::local_time::clock_digits(digits.trim(), &[':'])?;
    let out_of_range = || Some(Err(TimezoneError::OffsetOutOfRange(input.to_owned())));
    // ASCII digits only, but perhaps too many for any number type.
    let (Ok(hours), Ok(minutes)) = (hours.parse::<i32>(), minutes.parse::<i32>()) else {
        return out_of_range();
    };
    if hours > 14 || minutes >= 60 {
        return out_of_range();
    }
    Some(Ok(sign * (hours * 60 + minutes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(input: &str) -> Result<&'static str, TimezoneError> {
        Timezone::parse(input).map(|tz| tz.name())
    }

    #[test]
    fn iana_names_and_cities() {
        assert_eq!(name("Europe/Berlin"), Ok("Europe/Berlin"));
        assert_eq!(name("europe/berlin"), Ok("Europe/Berlin"));
        assert_eq!(name("berlin"), Ok("Europe/Berlin"));
        assert_eq!(name("New York"), Ok("America/New_York"));
        assert_eq!(name("buenos aires"), Ok("America/Argentina/Buenos_Aires"));
    }

    #[test]
    fn utc_offsets() {
        assert_eq!(name("UTC+3"), Ok("Etc/GMT-3"));
        assert_eq!(name("gmt-5"), Ok("Etc/GMT+5"));
        assert_eq!(name("+05:30"), Ok("Asia/Kolkata"));
        assert_eq!(name("+0545"), Ok("Asia/Kathmandu"));
        assert_eq!(name("UTC"), Ok("Etc/UTC"));
        assert_eq!(name("utc+0"), Ok("Etc/UTC"));
        assert!(matches!(
            name("UTC+15"),
            Err(TimezoneError::OffsetOutOfRange(_))
        ));
        assert!(matches!(
            name("+05:17"),
            Err(TimezoneError::OffsetOutOfRange(_))
        ));
    }

    #[test]
    fn offsets_with_multi_byte_characters_are_refused_not_cut() {
        // `+1€` was cut two bytes in, inside the `€`, and panicked.
        for typed in [
            "+1€",
            "UTC+1€",
            "gmt-1€",
            "+€",
            "+12€4",
            "+1\u{301}00",
            "+٣",
        ] {
            assert!(
                matches!(name(typed), Err(TimezoneError::Unknown(_))),
                "{typed:?}"
            );
        }
        // Signs and numbers no type holds are out of range or not offsets, not overflows.
        assert!(matches!(name("UTC+-5"), Err(TimezoneError::Unknown(_))));
        assert!(matches!(
            name("+-2147483648"),
            Err(TimezoneError::Unknown(_))
        ));
        for huge in ["UTC+99999999999", "+2147483648", "-1:99999999999"] {
            assert!(
                matches!(name(huge), Err(TimezoneError::OffsetOutOfRange(_))),
                "{huge:?}"
            );
        }
    }

    #[test]
    fn nonsense_is_refused() {
        assert!(matches!(name("Atlantis"), Err(TimezoneError::Unknown(_))));
        assert!(matches!(name("🙂"), Err(TimezoneError::Unknown(_))));
        assert_eq!(name("   "), Err(TimezoneError::Empty));
    }
}
