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
//! fairness(x)  = max(0, min(minutes x has waited / wait_minutes_per_point, wait_cap_points)
//!                     + per_missed_wave · min(missed waves, missed_wave_cap)
//!                     − per_missed_proposal · proposals x let expire unanswered
//!                     − per_no_show · partners who said x did not show up)
//! ```
//!
//! With the defaults a pair scores 100..1050 before fairness, and each person adds up
//! to 144 + 96 = 240 for fairness. Someone who lets proposals expire or does not show
//! up loses 48 points each (a day of waiting), down to no fairness at all: they are
//! still paired, after those who waited as long and kept their word. The matching maximises the sum over pairs, so the
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
    /// Fairness points lost per proposal the person let expire unanswered.
    pub per_missed_proposal: u32,
    /// Fairness points lost per partner who said the person did not show up.
    pub per_no_show: u32,
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
            per_missed_proposal: 48,
            per_no_show: 48,
        }
    }
}

impl Weights {
    /// The weights `[matching.weights]` configures.
    pub fn from_settings(settings: &bot_core::config::MatchingWeights) -> Self {
        Self {
            base: settings.base,
            level_same: settings.level_same,
            level_step: settings.level_step,
            level_unknown: settings.level_unknown,
            per_shared_interest: settings.per_shared_interest,
            max_shared_interests: settings.max_shared_interests,
            availability_cap_minutes: settings.availability_cap_minutes,
            minutes_per_availability_point: settings.minutes_per_availability_point,
            style_points: settings.style_points,
            wait_minutes_per_point: settings.wait_minutes_per_point,
            wait_cap_points: settings.wait_cap_points,
            per_missed_wave: settings.per_missed_wave,
            missed_wave_cap: settings.missed_wave_cap,
            per_missed_proposal: settings.per_missed_proposal,
            per_no_show: settings.per_no_show,
        }
    }
}

/// What lowers a person's fairness: promises they did not keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Penalties {
    /// Proposals they let expire without an answer.
    pub missed_proposals: u32,
    /// Partners who said they did not show up.
    pub no_shows: u32,
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
    /// The heaviest a pair can be under these weights. The penalties (missed proposals,
    /// no-shows) only take fairness away, so they do not raise it.
    pub fn max_pair_weight(&self) -> u64 {
        // In 128 bits, where products and sums of any 32-bit weights fit: the weights come
        // from a file, and huge ones must be refused (`PoolError::WeightsTooLarge`), not
        // overflow.
        let fairness = u128::from(self.wait_cap_points)
            + u128::from(self.per_missed_wave) * u128::from(self.missed_wave_cap);
        let most = u128::from(self.base)
            + u128::from(self.level_same.max(self.level_unknown))
            + u128::from(self.per_shared_interest) * u128::from(self.max_shared_interests)
            + u128::from(
                self.availability_cap_minutes / self.minutes_per_availability_point.max(1),
            )
            + self
                .style_points
                .iter()
                .copied()
                .map(u128::from)
                .max()
                .unwrap_or(0)
            + 2 * fairness;
        u64::try_from(most).unwrap_or(u64::MAX)
    }

    pub fn level_fit(&self, mine: LevelCode, theirs: LevelCode) -> i64 {
        if mine == UNKNOWN_LEVEL || theirs == UNKNOWN_LEVEL {
            i64::from(self.level_unknown)
        } else {
            let steps = u32::from(mine.abs_diff(theirs));
            i64::from(
                self.level_same
                    .saturating_sub(self.level_step.saturating_mul(steps)),
            )
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
    /// `missed_waves` waves, less their penalties; never negative.
    pub fn fairness(&self, waited_minutes: i64, missed_waves: u32, penalties: Penalties) -> i64 {
        let waiting = (waited_minutes.max(0) / i64::from(self.wait_minutes_per_point.max(1)))
            .min(i64::from(self.wait_cap_points));
        // The product of two 32-bit numbers can pass i64's range: saturate.
        let missed = i64::from(self.per_missed_wave)
            .saturating_mul(i64::from(missed_waves.min(self.missed_wave_cap)));
        let penalty = (i64::from(self.per_missed_proposal)
            .saturating_mul(i64::from(penalties.missed_proposals)))
        .saturating_add(i64::from(self.per_no_show).saturating_mul(i64::from(penalties.no_shows)));
        waiting
            .saturating_add(missed)
            .saturating_sub(penalty)
            .max(0)
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
        let none = Penalties::default();
        assert_eq!(weights.fairness(-50, 0, none), 0);
        assert_eq!(weights.fairness(59, 0, none), 1);
        assert_eq!(weights.fairness(60, 0, none), 2);
        assert_eq!(weights.fairness(10 * 24 * 60, 20, none), 144 + 96);
        assert_eq!(weights.max_pair_weight(), 1050 + 2 * 240);
    }

    #[test]
    fn broken_promises_cost_fairness_down_to_zero() {
        let weights = Weights::default();
        let day = 24 * 60;
        let missed_one = Penalties {
            missed_proposals: 1,
            no_shows: 0,
        };
        assert_eq!(weights.fairness(day, 0, missed_one), 48 - 48);
        assert_eq!(weights.fairness(2 * day, 1, missed_one), 96 + 12 - 48);
        let no_shows = Penalties {
            missed_proposals: 0,
            no_shows: 2,
        };
        assert_eq!(weights.fairness(3 * day, 8, no_shows), 144 + 96 - 96);
        let many = Penalties {
            missed_proposals: 10,
            no_shows: 10,
        };
        assert_eq!(weights.fairness(3 * day, 8, many), 0);
        assert_eq!(
            weights.fairness(
                0,
                0,
                Penalties {
                    missed_proposals: u32::MAX,
                    no_shows: u32::MAX
                }
            ),
            0
        );
    }

    #[test]
    fn the_largest_weights_a_file_can_hold_do_not_overflow() {
        let huge = Weights {
            base: u32::MAX,
            level_same: u32::MAX,
            level_step: u32::MAX,
            level_unknown: u32::MAX,
            per_shared_interest: u32::MAX,
            max_shared_interests: u32::MAX,
            availability_cap_minutes: u32::MAX,
            minutes_per_availability_point: 1,
            style_points: [u32::MAX; 4],
            wait_minutes_per_point: 1,
            wait_cap_points: u32::MAX,
            per_missed_wave: u32::MAX,
            missed_wave_cap: u32::MAX,
            per_missed_proposal: u32::MAX,
            per_no_show: u32::MAX,
        };
        // Each of these overflowed (and panicked in a debug build).
        assert_eq!(huge.max_pair_weight(), u64::MAX);
        assert_eq!(huge.level_fit(0, 5), 0);
        let broken = Penalties {
            missed_proposals: u32::MAX,
            no_shows: u32::MAX,
        };
        assert_eq!(huge.fairness(i64::MAX, u32::MAX, broken), 0);
        assert_eq!(
            huge.fairness(i64::MAX, u32::MAX, Penalties::default()),
            i64::MAX
        );
    }

    #[test]
    fn the_defaults_are_the_shipped_config() {
        let settings = bot_core::config::Settings::load_with_env(
            None,
            figment::providers::Env::prefixed("LEXBOT_MATCHER_TEST_NOTHING_"),
        )
        .expect("the shipped defaults load");
        assert_eq!(
            Weights::from_settings(&settings.matching.weights),
            Weights::default()
        );
    }
}
