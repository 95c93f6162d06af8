//! Wall-clock times in a person's timezone, and the instants they happen at.
//!
//! Reminders, lesson deliveries and quiet hours are kept as local times ("08:00 on
//! weekdays") and turned into instants only when a timer is set, so 08:00 stays 08:00
//! across daylight saving changes. Two days a year need a rule:
//! - a local time that does not exist (the clock jumps from 02:00 to 03:00) happens at
//!   the first minute that does, the moment of the jump;
//! - a local time that happens twice (the clock goes back from 03:00 to 02:00) happens
//!   the first time only.

use std::fmt;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Timelike, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A time of day to the minute, as a person reads a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalTime {
    hour: u8,
    minute: u8,
}

impl LocalTime {
    pub fn new(hour: u32, minute: u32) -> Option<Self> {
        (hour < 24 && minute < 60).then_some(Self {
            hour: hour as u8,
            minute: minute as u8,
        })
    }

    /// `8`, `08`, `8:05`, `08:05`, `8.05`, `0805`; surrounding spaces are ignored.
    pub fn parse(input: &str) -> Option<Self> {
        let (hour, minute) = clock_digits(input.trim(), &[':', '.'])?;
        // Both are ASCII digits, so their lengths count characters.
        if hour.len() > 2 || minute.len() != 2 {
            return None;
        }
        Self::new(hour.parse().ok()?, minute.parse().ok()?)
    }

    pub fn hour(self) -> u32 {
        u32::from(self.hour)
    }

    pub fn minute(self) -> u32 {
        u32::from(self.minute)
    }

    pub fn naive(self) -> NaiveTime {
        NaiveTime::from_hms_opt(self.hour(), self.minute(), 0).unwrap_or(NaiveTime::MIN)
    }

    /// The wall-clock time of `at` in `tz`, seconds dropped.
    pub fn of(tz: Tz, at: DateTime<Utc>) -> Self {
        let local = at.with_timezone(&tz);
        // A clock reads below 24 hours and 60 minutes, so both fit.
        Self {
            hour: local.hour() as u8,
            minute: local.minute() as u8,
        }
    }
}

/// The hour and minute digits of `08:05`, `8.05` (split at one of `separators`), `0805`
/// or `8` (minutes `"00"`); `None` unless both are ASCII digits. Counts characters, not
/// bytes: `1€:00` and `+1€` are refused, not cut inside the `€`.
pub(crate) fn clock_digits<'a>(text: &'a str, separators: &[char]) -> Option<(&'a str, &'a str)> {
    let (hours, minutes) = match text.split_once(separators) {
        Some(parts) => parts,
        None if text.chars().count() == 4 => {
            // After the second character, wherever its bytes end.
            let boundary = text.char_indices().nth(2)?.0;
            (text.get(..boundary)?, text.get(boundary..)?)
        }
        None => (text, "00"),
    };
    let digits = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
    (digits(hours) && digits(minutes)).then_some((hours, minutes))
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a time like 08:30")))
    }
}

/// The days of the week something repeats on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Weekdays(u8);

impl Weekdays {
    pub const EVERY_DAY: Weekdays = Weekdays(0b111_1111);
    pub const WORKDAYS: Weekdays = Weekdays(0b001_1111);
    pub const WEEKEND: Weekdays = Weekdays(0b110_0000);
    pub const ORDER: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    fn bit(day: Weekday) -> u8 {
        1 << day.num_days_from_monday()
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & Self::bit(day) != 0
    }

    pub fn toggled(self, day: Weekday) -> Self {
        Self(self.0 ^ Self::bit(day))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The days, Monday first.
    pub fn days(self) -> impl Iterator<Item = Weekday> {
        Self::ORDER
            .into_iter()
            .filter(move |day| self.contains(*day))
    }

    /// A day's short English name, as stored and used in button data.
    pub fn token(day: Weekday) -> &'static str {
        match day {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    pub fn from_token(token: &str) -> Option<Weekday> {
        Self::ORDER
            .into_iter()
            .find(|day| Self::token(*day) == token)
    }
}

impl FromIterator<Weekday> for Weekdays {
    fn from_iter<I: IntoIterator<Item = Weekday>>(days: I) -> Self {
        Self(days.into_iter().fold(0, |bits, day| bits | Self::bit(day)))
    }
}

impl Serialize for Weekdays {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.days().map(Self::token))
    }
}

impl<'de> Deserialize<'de> for Weekdays {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let tokens = Vec::<String>::deserialize(deserializer)?;
        tokens
            .iter()
            .map(|token| {
                Self::from_token(token)
                    .ok_or_else(|| serde::de::Error::custom(format!("`{token}` is not a weekday")))
            })
            .collect()
    }
}

/// Local hours in which lexbot sends nothing unasked: from `start` up to (not
/// including) `end`, through midnight when `end` comes before `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuietHours {
    pub start: LocalTime,
    pub end: LocalTime,
}

impl QuietHours {
    /// `22:00-08:00`, `22-8`, `22:00 – 07:30`. Start and end must differ.
    pub fn parse(input: &str) -> Option<Self> {
        let (start, end) = input.split_once(['-', '–', '—'])?;
        let start = LocalTime::parse(start)?;
        let end = LocalTime::parse(end)?;
        (start != end).then_some(Self { start, end })
    }

    pub fn contains(self, time: LocalTime) -> bool {
        if self.start < self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }
}

impl fmt::Display for QuietHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", self.start, self.end)
    }
}

impl Serialize for QuietHours {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{}-{}", self.start, self.end))
    }
}

impl<'de> Deserialize<'de> for QuietHours {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a range like 22:00-08:00"))
        })
    }
}

/// The calendar date of `at` in `tz`.
pub fn local_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// When `time` happens on `date` in `tz`: the first valid minute after a skipped time,
/// the first of two repeated ones.
pub fn resolve(tz: Tz, date: NaiveDate, time: LocalTime) -> DateTime<Utc> {
    let wanted = date.and_time(time.naive());
    // DST gaps are an hour or less nearly everywhere; a zone that once skipped a whole
    // day (Samoa, 2011) still resolves within two.
    for minutes in 0..=2 * 24 * 60 {
        let candidate = wanted + Duration::minutes(minutes);
        match tz.from_local_datetime(&candidate) {
            LocalResult::Single(at) => return at.with_timezone(&Utc),
            LocalResult::Ambiguous(first, second) => {
                return first.min(second).with_timezone(&Utc);
            }
            LocalResult::None => {}
        }
    }
    // Unreachable for real zones; read the wall clock as UTC rather than fail.
    Utc.from_utc_datetime(&wanted)
}

/// The first instant strictly after `after` that is `time` in `tz` on one of `days`;
/// `None` when `days` is empty.
pub fn next_occurrence(
    tz: Tz,
    time: LocalTime,
    days: Weekdays,
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if days.is_empty() {
        return None;
    }
    // From the day before: a time resolved across a gap can land on the next date.
    let first = local_date(tz, after).pred_opt()?;
    first
        .iter_days()
        .take(9)
        .filter(|date| days.contains(date.weekday()))
        .map(|date| resolve(tz, date, time))
        .find(|at| *at > after)
}

/// `at`, or the end of the quiet hours if it falls in them.
pub fn outside_quiet(tz: Tz, quiet: Option<QuietHours>, at: DateTime<Utc>) -> DateTime<Utc> {
    let Some(quiet) = quiet else {
        return at;
    };
    if !quiet.contains(LocalTime::of(tz, at)) {
        return at;
    }
    // The quiet hours end at the next `end` on the wall clock.
    next_occurrence(tz, quiet.end, Weekdays::EVERY_DAY, at).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BERLIN: Tz = Tz::Europe__Berlin;
    const NEW_YORK: Tz = Tz::America__New_York;

    fn time(text: &str) -> LocalTime {
        LocalTime::parse(text).expect("valid time")
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("valid instant")
            .with_timezone(&Utc)
    }

    /// Every occurrence of a daily `time` from the start of `from` to `until`, as UTC text.
    fn daily(tz: Tz, at: &str, from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<String> {
        let mut seen = Vec::new();
        let mut after = from;
        while let Some(next) = next_occurrence(tz, time(at), Weekdays::EVERY_DAY, after) {
            if next > until {
                break;
            }
            seen.push(next.to_rfc3339());
            after = next;
        }
        seen
    }

    #[test]
    fn times_parse_as_people_type_them() {
        assert_eq!(LocalTime::parse("8"), LocalTime::new(8, 0));
        assert_eq!(LocalTime::parse(" 08:05 "), LocalTime::new(8, 5));
        assert_eq!(LocalTime::parse("8.05"), LocalTime::new(8, 5));
        assert_eq!(LocalTime::parse("0805"), LocalTime::new(8, 5));
        assert_eq!(LocalTime::parse("23:59"), LocalTime::new(23, 59));
        assert_eq!(LocalTime::parse("0:00"), LocalTime::new(0, 0));
        for bad in [
            "🙂",
            "1🙂",
            "🙂:00",
            "12:🙂",
            "24:00",
            "12:60",
            "8:5",
            "",
            "ab",
            "8:xx",
            "123",
            "-1:00",
            "08:00:00",
            "１２:00",
        ] {
            assert_eq!(LocalTime::parse(bad), None, "{bad:?}");
        }
        assert_eq!(time("7:30").to_string(), "07:30");
    }

    #[test]
    fn multi_byte_characters_are_refused_not_cut() {
        // Four characters that are not four bytes: read by bytes, `1€00` would be cut
        // inside the `€`.
        for bad in [
            "1€:00",
            "1€00",
            "€€€€",
            "1€",
            "0\u{301}805",
            "08\u{200F}00",
            "٠٨:٠٠",
        ] {
            assert_eq!(LocalTime::parse(bad), None, "{bad:?}");
            assert_eq!(QuietHours::parse(&format!("{bad}-08:00")), None, "{bad:?}");
            assert_eq!(QuietHours::parse(&format!("22:00-{bad}")), None, "{bad:?}");
        }
        assert_eq!(clock_digits("0805", &[':']), Some(("08", "05")));
        assert_eq!(clock_digits("12€4", &[':']), None);
        assert_eq!(clock_digits("8", &[':']), Some(("8", "00")));
    }

    #[test]
    fn weekdays_and_quiet_hours_round_trip_as_text() {
        let days: Weekdays = [Weekday::Mon, Weekday::Fri].into_iter().collect();
        let json = serde_json::to_string(&days).expect("serialises");
        assert_eq!(json, r#"["mon","fri"]"#);
        assert_eq!(serde_json::from_str::<Weekdays>(&json).ok(), Some(days));
        assert!(serde_json::from_str::<Weekdays>(r#"["funday"]"#).is_err());
        assert_eq!(Weekdays::WORKDAYS.days().count(), 5);
        assert!(Weekdays::WEEKEND.contains(Weekday::Sun));
        assert!(
            Weekdays::EVERY_DAY
                .toggled(Weekday::Sun)
                .days()
                .all(|d| d != Weekday::Sun)
        );

        let quiet = QuietHours::parse("22-8").expect("valid");
        assert_eq!(quiet.to_string(), "22:00–08:00");
        let json = serde_json::to_string(&quiet).expect("serialises");
        assert_eq!(json, r#""22:00-08:00""#);
        assert_eq!(serde_json::from_str::<QuietHours>(&json).ok(), Some(quiet));
        assert_eq!(
            QuietHours::parse("22:00 – 07:30").map(|q| q.end),
            LocalTime::new(7, 30)
        );
        assert_eq!(QuietHours::parse("08:00-08:00"), None);
        assert_eq!(QuietHours::parse("22:00"), None);
    }

    #[test]
    fn quiet_hours_through_midnight_and_within_a_day() {
        let night = QuietHours::parse("22:00-08:00").expect("valid");
        assert!(night.contains(time("22:00")));
        assert!(night.contains(time("23:59")));
        assert!(night.contains(time("00:00")));
        assert!(night.contains(time("07:59")));
        assert!(!night.contains(time("08:00")));
        assert!(!night.contains(time("21:59")));
        let siesta = QuietHours::parse("13:00-15:00").expect("valid");
        assert!(siesta.contains(time("13:00")) && siesta.contains(time("14:59")));
        assert!(!siesta.contains(time("15:00")) && !siesta.contains(time("12:59")));
    }

    #[test]
    fn eight_o_clock_stays_eight_o_clock_across_spring_forward() {
        assert_eq!(
            daily(
                BERLIN,
                "08:00",
                utc("2026-03-27T12:00:00Z"),
                utc("2026-03-31T12:00:00Z")
            ),
            [
                "2026-03-28T07:00:00+00:00", // CET, UTC+1
                "2026-03-29T06:00:00+00:00", // CEST from this morning, UTC+2
                "2026-03-30T06:00:00+00:00",
                "2026-03-31T06:00:00+00:00",
            ]
        );
        assert_eq!(
            daily(
                NEW_YORK,
                "08:00",
                utc("2026-03-06T20:00:00Z"),
                utc("2026-03-10T20:00:00Z")
            ),
            [
                "2026-03-07T13:00:00+00:00", // EST, UTC-5
                "2026-03-08T12:00:00+00:00", // EDT, UTC-4
                "2026-03-09T12:00:00+00:00",
                "2026-03-10T12:00:00+00:00",
            ]
        );
    }

    #[test]
    fn eight_o_clock_stays_eight_o_clock_across_fall_back() {
        assert_eq!(
            daily(
                BERLIN,
                "08:00",
                utc("2026-10-23T12:00:00Z"),
                utc("2026-10-27T12:00:00Z")
            ),
            [
                "2026-10-24T06:00:00+00:00", // CEST
                "2026-10-25T07:00:00+00:00", // CET from this night
                "2026-10-26T07:00:00+00:00",
                "2026-10-27T07:00:00+00:00",
            ]
        );
        assert_eq!(
            daily(
                NEW_YORK,
                "08:00",
                utc("2026-10-30T20:00:00Z"),
                utc("2026-11-03T20:00:00Z")
            ),
            [
                "2026-10-31T12:00:00+00:00", // EDT
                "2026-11-01T13:00:00+00:00", // EST
                "2026-11-02T13:00:00+00:00",
                "2026-11-03T13:00:00+00:00",
            ]
        );
    }

    #[test]
    fn a_skipped_time_happens_at_the_first_valid_minute() {
        // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC).
        for skipped in ["02:00", "02:01", "02:30", "02:59"] {
            assert_eq!(
                resolve(BERLIN, date(2026, 3, 29), time(skipped)),
                utc("2026-03-29T01:00:00Z"),
                "{skipped}"
            );
        }
        assert_eq!(
            resolve(BERLIN, date(2026, 3, 29), time("01:59")),
            utc("2026-03-29T00:59:00Z")
        );
        assert_eq!(
            resolve(BERLIN, date(2026, 3, 29), time("03:01")),
            utc("2026-03-29T01:01:00Z")
        );
        // New York, 8 March 2026: 02:00 EST becomes 03:00 EDT (07:00 UTC).
        assert_eq!(
            resolve(NEW_YORK, date(2026, 3, 8), time("02:15")),
            utc("2026-03-08T07:00:00Z")
        );
        // A daily 02:30 fires every day, on the switch day at the jump.
        assert_eq!(
            daily(
                BERLIN,
                "02:30",
                utc("2026-03-27T12:00:00Z"),
                utc("2026-03-30T12:00:00Z")
            ),
            [
                "2026-03-28T01:30:00+00:00",
                "2026-03-29T01:00:00+00:00",
                "2026-03-30T00:30:00+00:00",
            ]
        );
        assert_eq!(
            daily(
                NEW_YORK,
                "02:30",
                utc("2026-03-07T00:00:00Z"),
                utc("2026-03-09T23:00:00Z")
            ),
            [
                "2026-03-07T07:30:00+00:00",
                "2026-03-08T07:00:00+00:00",
                "2026-03-09T06:30:00+00:00",
            ]
        );
    }

    #[test]
    fn a_repeated_time_happens_once_the_first_time() {
        // Berlin, 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
        assert_eq!(
            resolve(BERLIN, date(2026, 10, 25), time("02:30")),
            utc("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            daily(
                BERLIN,
                "02:30",
                utc("2026-10-24T12:00:00Z"),
                utc("2026-10-26T12:00:00Z")
            ),
            ["2026-10-25T00:30:00+00:00", "2026-10-26T01:30:00+00:00"]
        );
        // New York, 1 November 2026: 02:00 EDT becomes 01:00 EST; 01:30 happens twice.
        assert_eq!(
            daily(
                NEW_YORK,
                "01:30",
                utc("2026-10-31T12:00:00Z"),
                utc("2026-11-02T12:00:00Z")
            ),
            ["2026-11-01T05:30:00+00:00", "2026-11-02T06:30:00+00:00"]
        );
        // Fired at the first 01:30, the next one is the next day's, not the repeat.
        assert_eq!(
            next_occurrence(
                NEW_YORK,
                time("01:30"),
                Weekdays::EVERY_DAY,
                utc("2026-11-01T05:30:00Z")
            ),
            Some(utc("2026-11-02T06:30:00Z"))
        );
    }

    #[test]
    fn weekdays_skip_the_other_days() {
        // Friday 6 March 2026, 09:00 in Berlin: the next workday 08:00 is Monday.
        assert_eq!(
            next_occurrence(
                BERLIN,
                time("08:00"),
                Weekdays::WORKDAYS,
                utc("2026-03-06T08:00:00Z")
            ),
            Some(utc("2026-03-09T07:00:00Z"))
        );
        // Earlier the same day, it is today.
        assert_eq!(
            next_occurrence(
                BERLIN,
                time("08:00"),
                Weekdays::WORKDAYS,
                utc("2026-03-06T06:00:00Z")
            ),
            Some(utc("2026-03-06T07:00:00Z"))
        );
        // Exactly at the time, it is next time: firing must not repeat.
        assert_eq!(
            next_occurrence(
                BERLIN,
                time("08:00"),
                Weekdays::WORKDAYS,
                utc("2026-03-06T07:00:00Z")
            ),
            Some(utc("2026-03-09T07:00:00Z"))
        );
        let sundays: Weekdays = [Weekday::Sun].into_iter().collect();
        assert_eq!(
            next_occurrence(
                NEW_YORK,
                time("23:30"),
                sundays,
                utc("2026-03-02T12:00:00Z")
            ),
            Some(utc("2026-03-09T03:30:00Z")) // Sunday 8 March 23:30 EDT
        );
        assert_eq!(
            next_occurrence(
                BERLIN,
                time("08:00"),
                Weekdays::default(),
                utc("2026-03-06T06:00:00Z")
            ),
            None
        );
    }

    #[test]
    fn quiet_hours_move_a_time_to_their_end_in_local_time() {
        let night = QuietHours::parse("22:00-08:00");
        // 23:00 CET on Saturday 28 March: quiet until 08:00 CEST on Sunday.
        assert_eq!(
            outside_quiet(BERLIN, night, utc("2026-03-28T22:00:00Z")),
            utc("2026-03-29T06:00:00Z")
        );
        // 06:00 EST on Sunday 1 November (after the fall back): until 08:00 EST.
        assert_eq!(
            outside_quiet(NEW_YORK, night, utc("2026-11-01T11:00:00Z")),
            utc("2026-11-01T13:00:00Z")
        );
        // Outside the quiet hours, or without any: unchanged.
        assert_eq!(
            outside_quiet(BERLIN, night, utc("2026-03-28T12:00:00Z")),
            utc("2026-03-28T12:00:00Z")
        );
        assert_eq!(
            outside_quiet(BERLIN, None, utc("2026-03-28T22:00:00Z")),
            utc("2026-03-28T22:00:00Z")
        );
        // Quiet hours ending at a skipped time end at the jump.
        let short_night = QuietHours::parse("00:30-02:30");
        assert_eq!(
            outside_quiet(BERLIN, short_night, utc("2026-03-28T23:45:00Z")),
            utc("2026-03-29T01:00:00Z")
        );
    }

    #[test]
    fn local_dates_and_clock_times_follow_the_zone() {
        assert_eq!(
            local_date(BERLIN, utc("2026-03-28T23:30:00Z")),
            date(2026, 3, 29)
        );
        assert_eq!(
            local_date(NEW_YORK, utc("2026-03-09T03:30:00Z")),
            date(2026, 3, 8)
        );
        assert_eq!(
            LocalTime::of(BERLIN, utc("2026-03-29T01:00:00Z")),
            time("03:00")
        );
    }
}
