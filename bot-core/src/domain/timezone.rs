//! IANA timezones, found from an IANA name, a city, or a UTC offset.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Offset, TimeZone, Utc};
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

    /// The IANA name, as stored.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The zone as people write it: `UTC+3` for a fixed offset (whose IANA name,
    /// `Etc/GMT-3`, has the sign inverted), `UTC` for UTC, the IANA name otherwise.
    pub fn label(&self) -> String {
        let name = self.name();
        if name == "Etc/UTC" {
            return "UTC".to_owned();
        }
        if let Some(hours) = name.strip_prefix("Etc/GMT-") {
            return format!("UTC+{hours}");
        }
        if let Some(hours) = name.strip_prefix("Etc/GMT+") {
            return format!("UTC-{hours}");
        }
        name.to_owned()
    }

    /// A fixed UTC offset (`Etc/…`): its clocks never change for daylight saving time.
    pub fn is_fixed_offset(&self) -> bool {
        self.name().starts_with("Etc/")
    }

    /// How far the zone's clocks are east of UTC at `at`, in seconds.
    pub fn offset_seconds_at(&self, at: DateTime<Utc>) -> i32 {
        at.with_timezone(&self.0).offset().fix().local_minus_utc()
    }

    /// Whether the zone changes its clocks in the year of `at` (January and July differ).
    pub fn observes_daylight_saving(&self, at: DateTime<Utc>) -> bool {
        let offset_on = |month| {
            Utc.with_ymd_and_hms(at.year(), month, 1, 12, 0, 0)
                .single()
                .map(|day| self.offset_seconds_at(day))
        };
        offset_on(1) != offset_on(7)
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
        f.write_str(&self.label())
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
    fn fixed_offsets_are_labelled_as_people_write_them() {
        let label = |input: &str| Timezone::parse(input).map(|tz| tz.label());
        assert_eq!(label("UTC+3"), Ok("UTC+3".to_owned()));
        assert_eq!(label("gmt-5"), Ok("UTC-5".to_owned()));
        assert_eq!(label("utc+0"), Ok("UTC".to_owned()));
        assert_eq!(label("Berlin"), Ok("Europe/Berlin".to_owned()));
        assert!(Timezone::parse("UTC+1").is_ok_and(|tz| tz.is_fixed_offset()));
        assert!(Timezone::parse("Berlin").is_ok_and(|tz| !tz.is_fixed_offset()));
    }

    #[test]
    fn daylight_saving_is_seen_in_the_offsets_of_the_year() {
        let march = Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("valid");
        let zone = |input: &str| Timezone::parse(input).expect("known");
        assert!(zone("Berlin").observes_daylight_saving(march));
        assert!(!zone("UTC+1").observes_daylight_saving(march));
        assert!(!zone("Europe/Moscow").observes_daylight_saving(march));
        assert_eq!(zone("Berlin").offset_seconds_at(march), 3600);
        assert_eq!(zone("UTC+3").offset_seconds_at(march), 3 * 3600);
    }

    #[test]
    fn nonsense_is_refused() {
        assert!(matches!(name("Atlantis"), Err(TimezoneError::Unknown(_))));
        assert!(matches!(name("🙂"), Err(TimezoneError::Unknown(_))));
        assert_eq!(name("   "), Err(TimezoneError::Empty));
    }
}
