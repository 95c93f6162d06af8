//! Availability in real time: a person's weekly grid, read on their own clock, as the minutes of the coming week it covers.
//!
//! A person marks grid cells such as "weekday evenings" (18:00-24:00 on Monday to
//! Friday of their local calendar). Whether two people can meet depends on real
//! instants, so each person's grid is turned into a set of instants of the 7 days
//! (10 080 minutes) that start at the wave's `now`, cut to the minute. A minute
//! counts for a person when their wall clock, at that minute, shows a marked cell: a
//! night of 5 hours on the day clocks spring forward counts 5 hours, a night of 7 on
//! the day they fall back counts 7, and a pair's overlap changes in the weeks when
//! only one of them has switched.
//!
//! The week is cut on the absolute UTC quarter-hour grid: every zone in use has an
//! offset that is a whole number of quarter hours and switches on a quarter hour, and
//! the grid's cells change at whole local hours, so a person's cell is constant within
//! each UTC quarter hour and a [`WeekMask`] of 672 (or 673, when `now` is not on a
//! quarter hour and the first and last pieces are partial) bits is exact. The tests
//! check every zone chrono-tz knows for whole-quarter-hour offsets through 2026, and
//! the overlap against a minute-by-minute count in weeks with switches (Berlin, New
//! York, Lord Howe's half hour, Chatham, Kathmandu, St John's). An overlap is then one
//! AND and a popcount over 11 words, with a correction for the two partial pieces.

use bot_core::domain::{Availability, DayKind, DayPart, Slot};
use chrono::{DateTime, Datelike, Duration, Timelike, Utc, Weekday};
use chrono_tz::Tz;

/// Minutes in the week a wave looks at.
pub const WEEK_MINUTES: u32 = 7 * 24 * 60;
const QUARTER_MINUTES: u32 = 15;
/// Quarter hours touched by the week: one more than 672 when `now` is mid-quarter.
const MAX_QUARTERS: usize = (WEEK_MINUTES / QUARTER_MINUTES) as usize + 1;
const WORDS: usize = MAX_QUARTERS.div_ceil(64);

/// The index of each grid cell in [`Slot::ALL`], which is also its bit in the
/// one-byte form of an availability ([`availability_bits`]).
pub fn slot_index(slot: Slot) -> usize {
    let day = match slot.day {
        DayKind::Weekday => 0,
        DayKind::Weekend => 4,
    };
    let part = match slot.part {
        DayPart::Morning => 0,
        DayPart::Afternoon => 1,
        DayPart::Evening => 2,
        DayPart::Night => 3,
    };
    day + part
}

/// An availability as a byte, bit `slot_index(slot)` per marked cell.
pub fn availability_bits(availability: Availability) -> u8 {
    availability
        .slots()
        .fold(0, |bits, slot| bits | 1 << slot_index(slot))
}

/// The quarter hours of the week in which someone is available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WeekMask([u64; WORDS]);

impl WeekMask {
    fn set(&mut self, quarter: usize) {
        self.0[quarter / 64] |= 1 << (quarter % 64);
    }

    fn get(&self, quarter: usize) -> bool {
        self.0[quarter / 64] & (1 << (quarter % 64)) != 0
    }

    /// The quarter hours in either mask.
    pub fn union(&self, other: &WeekMask) -> WeekMask {
        let mut words = self.0;
        for (word, other) in words.iter_mut().zip(other.0) {
            *word |= other;
        }
        WeekMask(words)
    }

    fn intersection(&self, other: &WeekMask) -> WeekMask {
        let mut words = self.0;
        for (word, other) in words.iter_mut().zip(other.0) {
            *word &= other;
        }
        WeekMask(words)
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&word| word == 0)
    }
}

/// Where each of the eight grid cells of one timezone falls in the week, in
/// [`Slot::ALL`] order. The cells are disjoint, so a person's mask is the union of
/// the masks of their cells and an overlap is the sum over cells.
pub type SlotMasks = [WeekMask; 8];

/// The 7 days starting at a wave's `now` (cut to the minute), on the quarter-hour grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    start: DateTime<Utc>,
    /// Minutes from the start to the first full quarter hour (0 when the start is on one).
    lead_minutes: u32,
    quarters: usize,
}

impl Week {
    /// The week from `now`. `None` only when the week would leave chrono's range of
    /// dates (hundreds of thousands of years away).
    pub fn starting_at(now: DateTime<Utc>) -> Option<Week> {
        let minute = now.timestamp().div_euclid(60);
        let start = DateTime::from_timestamp(minute.checked_mul(60)?, 0)?;
        // The last instant sampled must exist too.
        start.checked_add_signed(Duration::minutes(i64::from(WEEK_MINUTES)))?;
        let into_quarter = minute.rem_euclid(i64::from(QUARTER_MINUTES)) as u32;
        let (lead_minutes, quarters) = if into_quarter == 0 {
            (0, MAX_QUARTERS - 1)
        } else {
            (QUARTER_MINUTES - into_quarter, MAX_QUARTERS)
        };
        Some(Week {
            start,
            lead_minutes,
            quarters,
        })
    }

    /// The first minute of the week.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// Minutes of the week inside piece `index`: the first and last pieces are
    /// partial when the week does not start on a quarter hour.
    fn piece_minutes(&self, index: usize) -> u32 {
        if self.lead_minutes == 0 {
            QUARTER_MINUTES
        } else if index == 0 {
            self.lead_minutes
        } else if index == self.quarters - 1 {
            QUARTER_MINUTES - self.lead_minutes
        } else {
            QUARTER_MINUTES
        }
    }

    /// The first instant of piece `index`.
    fn piece_start(&self, index: usize) -> DateTime<Utc> {
        let minutes = if self.lead_minutes == 0 {
            index as u32 * QUARTER_MINUTES
        } else if index == 0 {
            0
        } else {
            self.lead_minutes + (index as u32 - 1) * QUARTER_MINUTES
        };
        // Inside the range checked by `starting_at`.
        self.start + Duration::minutes(i64::from(minutes))
    }

    /// Where each grid cell of `tz` falls in this week, read on that zone's clock.
    pub fn slot_masks(&self, tz: Tz) -> SlotMasks {
        let mut masks = SlotMasks::default();
        for piece in 0..self.quarters {
            let local = self.piece_start(piece).with_timezone(&tz);
            masks[local_slot(local.weekday(), local.hour())].set(piece);
        }
        masks
    }

    /// The quarter hours in which a person with this grid, in this zone, is available.
    /// Without a timezone nobody can tell when that is: the mask is empty.
    pub fn availability_mask(&self, tz: Option<Tz>, availability: Availability) -> WeekMask {
        match tz {
            Some(tz) => mask_of(&self.slot_masks(tz), availability_bits(availability)),
            None => WeekMask::default(),
        }
    }

    /// Minutes of the week in both masks.
    pub fn overlap_minutes(&self, a: &WeekMask, b: &WeekMask) -> u32 {
        self.minutes(&a.intersection(b))
    }

    /// Minutes of the week in the mask.
    pub fn minutes(&self, mask: &WeekMask) -> u32 {
        let quarters: u32 = mask.0.iter().map(|word| word.count_ones()).sum();
        let mut minutes = quarters * QUARTER_MINUTES;
        if self.lead_minutes != 0 {
            let last = self.quarters - 1;
            if mask.get(0) {
                minutes -= QUARTER_MINUTES - self.piece_minutes(0);
            }
            if mask.get(last) {
                minutes -= QUARTER_MINUTES - self.piece_minutes(last);
            }
        }
        minutes
    }
}

/// The union of the cells marked in `bits` (see [`availability_bits`]).
pub fn mask_of(slot_masks: &SlotMasks, bits: u8) -> WeekMask {
    (0..8)
        .filter(|slot| bits & (1 << slot) != 0)
        .fold(WeekMask::default(), |mask, slot| {
            mask.union(&slot_masks[slot])
        })
}

/// The grid cell a local weekday and hour fall in.
fn local_slot(weekday: Weekday, hour: u32) -> usize {
    let day = match weekday {
        Weekday::Sat | Weekday::Sun => DayKind::Weekend,
        _ => DayKind::Weekday,
    };
    let part = match hour {
        0..6 => DayPart::Night,
        6..12 => DayPart::Morning,
        12..18 => DayPart::Afternoon,
        _ => DayPart::Evening,
    };
    slot_index(Slot::new(day, part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_indices_follow_slot_all() {
        for (index, slot) in Slot::ALL.into_iter().enumerate() {
            assert_eq!(slot_index(slot), index);
        }
    }

    #[test]
    fn the_cells_of_a_zone_tile_the_week() {
        for now in ["2026-03-26T09:00:00Z", "2026-10-29T23:52:31Z"] {
            let now: DateTime<Utc> = now.parse().expect("a valid instant");
            let week = Week::starting_at(now).expect("in range");
            for tz in [
                Tz::Europe__Berlin,
                Tz::Asia__Kathmandu,
                Tz::America__St_Johns,
            ] {
                let masks = week.slot_masks(tz);
                let all = mask_of(&masks, u8::MAX);
                assert_eq!(week.minutes(&all), WEEK_MINUTES, "{tz}");
                let cells: u32 = masks.iter().map(|mask| week.minutes(mask)).sum();
                assert_eq!(cells, WEEK_MINUTES, "{tz}: cells overlap");
            }
        }
    }
}
