//! The score of a candidate pair: integer points for level fit, shared interests, shared time, practice style, and fairness.
//!
//! ```text
//! weight(p, q) = base
//!              + level fit      max over the language pairs they can swap (p teaches a and
//!                               learns b, q the other way round) of
//!                               level_same − level_step · |level(p, b) − level(q, a)|
//!                               (CEFR steps A1..C2, floored at 0); level_unknown when either
//!                               level is not known yet (placement test pending)
//!              + interests      per_shared_interest · min(shared interests, max_shared_interests)
//!              + shared time    min(overlap minutes in the coming week, availability_cap_minutes)
//!                               / minutes_per_availability_point (real local time, DST-aware:
//!                               see `week`)
//!              + style          style_points[number of shared practice styles]
//!              + fairness(p) + fairness(q)
//! fairness(x)  = min(minutes x has waited / wait_minutes_per_point, wait_cap_points)
//!              + per_missed_wave · min(missed waves, missed_wave_cap)
//! ```
//!
//! With the defaults a pair scores 100..1050 before fairness, and each person adds up
//! to 144 + 96 = 240 for fairness. The matching maximises the sum over pairs, so the
//! fairness terms count once per matched person: someone who waited longer is worth
//! more to match. Two candidates that differ only in how long they waited differ in
//! weight (one point per half hour, up to three days), so the one who waited longer
//! wins; past the caps the top-K pruning still ranks the earlier `waiting_since`
//! first.
//!
//! Every term is a non-negative integer, so weights are exact and a matching's optimum
//! is exact too; the per-term maxima are what the candidate search uses as bounds.

use bot_core::domain::{CefrLevel, LevelChoice};

/// What each part of a pair's score is worth. All points are non-negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weights {
    /// Every reciprocal pair gets this, so that every candidate edge has a positive weight.
    pub base: u32,
    /// Level fit of learners at the same CEFR level in each other's language.
    pub level_same: u32,
    /// Subtracted per CEFR step between the two learners' levels.
    pub level_step: u32,
    /// Level fit when a level is not known (the placement test is pending).
    pub level_unknown: u32,
    pub per_shared_interest: u32,
    pub max_shared_interests: u32,
    /// Shared minutes beyond this add nothing: a few sessions a week need a few hours.
    pub availability_cap_minutes: u32,
    /// One point per this many shared minutes (must be at least 1).
    pub minutes_per_availability_point: u32,
    /// Points by the number of practice styles both accept (0, 1, 2, 3).
    pub style_points: [u32; 4],
    /// One fairness point per this many minutes waited (must be at least 1).
    pub wait_minutes_per_point: u32,
    pub wait_cap_points: u32,
    pub per_missed_wave: u32,
    pub missed_wave_cap: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            base: 100,
            level_same: 300,
            level_step: 60,
            level_unknown: 150,
            per_shared_interest: 50,
            max_shared_interests: 4,
            availability_cap_minutes: 20 * 60,
            minutes_per_availability_point: 4,
            style_points: [0, 100, 125, 150],
            wait_minutes_per_point: 30,
            wait_cap_points: 3 * 24 * 2,
            per_missed_wave: 12,
            missed_wave_cap: 8,
        }
    }
}

/// The largest pair weight the weights may allow: the candidate search keeps scores
/// in 32 bits, and the matching's tie-break multiplies weights by up to half the pool.
pub const MAX_PAIR_WEIGHT: u64 = 1 << 30;

/// A learner's level in one language: 0..=5 for A1..C2, [`UNKNOWN_LEVEL`] otherwise.
pub type LevelCode = u8;
pub const UNKNOWN_LEVEL: LevelCode = 6;

pub fn level_code(choice: Option<LevelChoice>) -> LevelCode {
    match choice {
        Some(LevelChoice::Known(level)) => match level {
            CefrLevel::A1 => 0,
            CefrLevel::A2 => 1,
            CefrLevel::B1 => 2,
            CefrLevel::B2 => 3,
            CefrLevel::C1 => 4,
            CefrLevel::C2 => 5,
        },
        Some(LevelChoice::PlacementTest) | None => UNKNOWN_LEVEL,
    }
}

impl Weights {
    /// The heaviest a pair can be under these weights.
    pub fn max_pair_weight(&self) -> u64 {
        let fairness = u64::from(self.wait_cap_points)
            + u64::from(self.per_missed_wave) * u64::from(self.missed_wave_cap);
        u64::from(self.base)
            + u64::from(self.level_same.max(self.level_unknown))
            + u64::from(self.per_shared_interest) * u64::from(self.max_shared_interests)
            + u64::from(self.availability_cap_minutes / self.minutes_per_availability_point.max(1))
            + self
                .style_points
                .iter()
                .copied()
                .map(u64::from)
                .max()
                .unwrap_or(0)
            + 2 * fairness
    }

    pub fn level_fit(&self, mine: LevelCode, theirs: LevelCode) -> i64 {
        if mine == UNKNOWN_LEVEL || theirs == UNKNOWN_LEVEL {
            i64::from(self.level_unknown)
        } else {
            let steps = u32::from(mine.abs_diff(theirs));
            i64::from(self.level_same.saturating_sub(self.level_step * steps))
        }
    }

    pub fn interest_points(&self, shared: u32) -> i64 {
        i64::from(self.per_shared_interest) * i64::from(shared.min(self.max_shared_interests))
    }

    pub fn availability_points(&self, shared_minutes: u32) -> i64 {
        i64::from(shared_minutes.min(self.availability_cap_minutes))
            / i64::from(self.minutes_per_availability_point.max(1))
    }

    pub fn style_points(&self, shared: u32) -> i64 {
        i64::from(self.style_points[shared.min(3) as usize])
    }

    /// The most style points `shared` or fewer shared styles can give (the table need
    /// not be increasing).
    pub fn style_points_at_most(&self, shared: u32) -> i64 {
        (0..=shared.min(3))
            .map(|count| self.style_points(count))
            .max()
            .unwrap_or(0)
    }

    /// A person's fairness points after waiting `waited_minutes` and missing
    /// `missed_waves` waves.
    pub fn fairness(&self, waited_minutes: i64, missed_waves: u32) -> i64 {
        let waiting = (waited_minutes.max(0) / i64::from(self.wait_minutes_per_point.max(1)))
            .min(i64::from(self.wait_cap_points));
        let missed =
            i64::from(self.per_missed_wave) * i64::from(missed_waves.min(self.missed_wave_cap));
        waiting + missed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_fit_falls_with_distance_and_is_neutral_when_unknown() {
        let weights = Weights::default();
        assert_eq!(weights.level_fit(2, 2), 300);
        assert_eq!(weights.level_fit(0, 5), 0);
        assert_eq!(weights.level_fit(3, 1), 180);
        assert_eq!(weights.level_fit(UNKNOWN_LEVEL, 1), 150);
        assert_eq!(level_code(Some(LevelChoice::Known(CefrLevel::C2))), 5);
        assert_eq!(level_code(Some(LevelChoice::PlacementTest)), UNKNOWN_LEVEL);
    }

    #[test]
    fn fairness_grows_per_half_hour_and_is_capped() {
        let weights = Weights::default();
        assert_eq!(weights.fairness(-50, 0), 0);
        assert_eq!(weights.fairness(59, 0), 1);
        assert_eq!(weights.fairness(60, 0), 2);
        assert_eq!(weights.fairness(10 * 24 * 60, 20), 144 + 96);
        assert_eq!(weights.max_pair_weight(), 1050 + 2 * 240);
    }
}
