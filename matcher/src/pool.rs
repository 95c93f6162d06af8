//! The waiting pool: who waits for a partner, what the matcher knows about them, and the compact form the candidate search reads.
//!
//! The input is one [`WaitingPerson`] per person in the queue: their bot-core
//! [`Profile`] and the [`MatchingFacts`] the matcher keeps beside it. [`Pool::build`]
//! decides who may be matched at all ([`Ineligible`]), gives every language and
//! interest a small dense id, turns each availability grid into the instants of the
//! coming week (one timezone's cells are computed once and shared), and keeps who must
//! never meet whom (blocks in either direction, former partners) as sorted index lists.
//! A person keeps their input position as their index everywhere, also in the exported
//! graph, so the ineligible simply have no edges.

use std::collections::HashMap;
use std::fmt;

use bot_core::domain::{InterestId, LanguageCode, PersonId, PracticeStyle, Profile};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::week::{SlotMasks, Week, WeekMask, availability_bits, mask_of};
use crate::weight::{LevelCode, Penalties, Weights, level_code};

/// Someone in the matcher queue.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingPerson {
    pub id: PersonId,
    pub profile: Profile,
    pub facts: MatchingFacts,
}

/// What the matcher knows about a waiting person beside their profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchingFacts {
    /// When they asked for a partner (/find), or came back to the queue.
    pub waiting_since: DateTime<Utc>,
    /// Waves that ran while they waited and left them without a partner.
    pub missed_waves: u32,
    /// People this person blocked. A block works both ways.
    pub blocked: Vec<PersonId>,
    /// People this person was paired with before: never again.
    pub former_partners: Vec<PersonId>,
    pub banned: bool,
    /// They already have a proposal waiting for answers.
    pub open_proposal: bool,
    /// Proposals they let expire without an answer (each lowers their fairness).
    pub missed_proposals: u32,
    /// Partners who said they did not show up (each lowers their fairness).
    pub no_shows: u32,
}

impl MatchingFacts {
    /// Waiting since `since`, nothing else known.
    pub fn waiting_since(since: DateTime<Utc>) -> Self {
        Self {
            waiting_since: since,
            missed_waves: 0,
            blocked: Vec::new(),
            former_partners: Vec::new(),
            banned: false,
            open_proposal: false,
            missed_proposals: 0,
            no_shows: 0,
        }
    }
}

/// Why someone in the queue is left out of a wave, checked in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ineligible {
    Banned,
    /// They blocked the bot.
    Unreachable,
    /// They paused matching (/pause).
    Paused,
    OpenProposal,
    /// The onboarding summary is not confirmed.
    IncompleteProfile,
}

/// Input the pool cannot be built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolError {
    /// More people than the matching can take ([`crate::MAX_VERTICES`]).
    TooManyPeople(usize),
    /// The same person is in the queue twice (they could be paired with themselves).
    DuplicatePerson(PersonId),
    /// More distinct languages (or interests) than the 256 the compact sets hold.
    TooManyLanguages(usize),
    TooManyInterests(usize),
    /// `now` is so far from today that the week after it leaves chrono's range.
    TimeOutOfRange(DateTime<Utc>),
    /// The weights allow pairs heavier than [`crate::weight::MAX_PAIR_WEIGHT`].
    WeightsTooLarge {
        max_pair_weight: u64,
    },
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyPeople(count) => write!(
                f,
                "{count} people in the pool; at most {} are supported",
                crate::MAX_VERTICES
            ),
            Self::DuplicatePerson(id) => write!(f, "person {id} is in the pool twice"),
            Self::TooManyLanguages(count) => {
                write!(
                    f,
                    "{count} distinct languages; at most {MAX_IDS} are supported"
                )
            }
            Self::TooManyInterests(count) => {
                write!(
                    f,
                    "{count} distinct interests; at most {MAX_IDS} are supported"
                )
            }
            Self::TimeOutOfRange(now) => write!(f, "{now} is out of the supported range"),
            Self::WeightsTooLarge { max_pair_weight } => write!(
                f,
                "the weights allow pairs of weight {max_pair_weight}; at most {} is supported",
                crate::weight::MAX_PAIR_WEIGHT
            ),
        }
    }
}

impl std::error::Error for PoolError {}

/// Dense ids of languages and interests fit in a [`SmallSet`].
const MAX_IDS: usize = 256;

/// A set of dense ids below 256.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SmallSet([u64; 4]);

impl SmallSet {
    fn insert(&mut self, id: u8) {
        self.0[usize::from(id / 64)] |= 1 << (id % 64);
    }

    fn contains(&self, id: u8) -> bool {
        self.0[usize::from(id / 64)] & (1 << (id % 64)) != 0
    }

    pub(crate) fn len(&self) -> u32 {
        self.0.iter().map(|word| word.count_ones()).sum()
    }

    pub(crate) fn intersection_len(&self, other: &SmallSet) -> u32 {
        self.0
            .iter()
            .zip(other.0)
            .map(|(a, b)| (a & b).count_ones())
            .sum()
    }

    pub(crate) fn intersects(&self, other: &SmallSet) -> bool {
        self.0.iter().zip(other.0).any(|(a, b)| a & b != 0)
    }

    /// The ids in both sets, ascending.
    pub(crate) fn common(&self, other: &SmallSet) -> impl Iterator<Item = u8> + use<> {
        let words: [u64; 4] = std::array::from_fn(|index| self.0[index] & other.0[index]);
        words.into_iter().enumerate().flat_map(|(index, mut word)| {
            std::iter::from_fn(move || {
                (word != 0).then(|| {
                    let bit = word.trailing_zeros();
                    word &= word - 1;
                    (index * 64) as u8 + bit as u8
                })
            })
        })
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = u8> + use<> {
        self.common(self)
    }
}

/// A waiting person in the compact form the search reads.
#[derive(Debug, Clone)]
pub(crate) struct Seeker {
    pub(crate) natives: SmallSet,
    pub(crate) targets: SmallSet,
    pub(crate) interests: SmallSet,
    /// Interest `i` sets bit `i % 64`: exact while the pool has at most 64 interests,
    /// an upper bound on shared interests otherwise.
    pub(crate) interest_signature: u64,
    /// `(language, level)` of each target, in `Pool::target_levels`.
    targets_at: u32,
    targets_len: u32,
    /// Indices this person must not be paired with, sorted, in `Pool::excluded`.
    excluded_at: u32,
    excluded_len: u32,
    pub(crate) styles: u8,
    /// The availability grid as a byte (`week::availability_bits`).
    pub(crate) slots: u8,
    /// The person's timezone, as an index into `Pool::zones`.
    pub(crate) zone: u32,
    /// Their instants of the week, as an index into `Pool::masks`: people with the
    /// same zone and grid share one, so the table stays small enough to stay in cache.
    pub(crate) mask: u32,
    pub(crate) available_minutes: u32,
    pub(crate) fairness: i64,
    /// Seconds since the epoch; earlier wins a tie.
    pub(crate) waiting_since: i64,
}

/// One timezone of the pool (or "no timezone"): where its cells fall this week.
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    pub(crate) slot_masks: SlotMasks,
    /// UTC offset at the start of the week, in minutes east.
    pub(crate) offset_minutes: i32,
}

/// A waiting pool, checked and prepared for one wave at `now`.
#[derive(Debug, Clone)]
pub struct Pool {
    pub(crate) week: Week,
    pub(crate) weights: Weights,
    ids: Vec<PersonId>,
    eligibility: Vec<Option<Ineligible>>,
    pub(crate) seekers: Vec<Seeker>,
    pub(crate) masks: Vec<WeekMask>,
    pub(crate) zones: Vec<Zone>,
    /// Whether interest signatures are exact (at most 64 distinct interests).
    pub(crate) exact_interest_signatures: bool,
    target_levels: Vec<(u8, LevelCode)>,
    excluded: Vec<u32>,
    language_count: usize,
}

impl Pool {
    /// Prepares `people` for a wave at `now`, scored with `weights`.
    pub fn build(
        people: &[WaitingPerson],
        now: DateTime<Utc>,
        weights: Weights,
    ) -> Result<Pool, PoolError> {
        if people.len() > crate::MAX_VERTICES {
            return Err(PoolError::TooManyPeople(people.len()));
        }
        let week = Week::starting_at(now).ok_or(PoolError::TimeOutOfRange(now))?;
        let max_pair_weight = weights.max_pair_weight();
        if max_pair_weight > crate::weight::MAX_PAIR_WEIGHT {
            return Err(PoolError::WeightsTooLarge { max_pair_weight });
        }

        let mut index_of: HashMap<PersonId, u32> = HashMap::with_capacity(people.len());
        for (index, person) in people.iter().enumerate() {
            if index_of.insert(person.id, index as u32).is_some() {
                return Err(PoolError::DuplicatePerson(person.id));
            }
        }

        let mut languages = DenseIds::<LanguageCode>::default();
        let mut interests = DenseIds::<InterestId>::default();
        let mut zone_of: HashMap<Option<Tz>, u32> = HashMap::new();
        let mut zones: Vec<Zone> = Vec::new();
        let mut seekers = Vec::with_capacity(people.len());
        let mut masks: Vec<WeekMask> = Vec::new();
        let mut mask_of_grid: HashMap<(u32, u8), u32> = HashMap::new();
        let mut eligibility = Vec::with_capacity(people.len());
        let mut target_levels = Vec::new();
        // Pairs that must never meet, each recorded from both ends.
        let mut apart: Vec<(u32, u32)> = Vec::new();

        for (index, person) in people.iter().enumerate() {
            let profile = &person.profile;
            let facts = &person.facts;
            eligibility.push(ineligibility(profile, facts));

            let mut natives = SmallSet::default();
            for &language in &profile.native {
                natives.insert(
                    languages
                        .id(language)
                        .ok_or(PoolError::TooManyLanguages(languages.count() + 1))?,
                );
            }
            let mut targets = SmallSet::default();
            let targets_at = target_levels.len() as u32;
            for target in &profile.targets {
                let language = languages
                    .id(target.language)
                    .ok_or(PoolError::TooManyLanguages(languages.count() + 1))?;
                // A language named twice counts once, with its first level.
                if !targets.contains(language) {
                    targets.insert(language);
                    target_levels.push((language, level_code(target.level)));
                }
            }
            let mut interest_set = SmallSet::default();
            let mut interest_signature = 0u64;
            for interest in &profile.interests {
                let id = interests
                    .id(interest.clone())
                    .ok_or(PoolError::TooManyInterests(interests.count() + 1))?;
                interest_set.insert(id);
                interest_signature |= 1 << (id % 64);
            }
            let styles = PracticeStyle::ALL
                .into_iter()
                .enumerate()
                .filter(|(_, style)| profile.styles.contains(*style))
                .fold(0u8, |bits, (bit, _)| bits | 1 << bit);

            let tz = profile.timezone.map(|timezone| timezone.tz());
            let zone = *zone_of.entry(tz).or_insert_with(|| {
                zones.push(Zone::of(&week, tz));
                (zones.len() - 1) as u32
            });
            let slots = availability_bits(profile.availability);
            let mask = *mask_of_grid.entry((zone, slots)).or_insert_with(|| {
                masks.push(mask_of(&zones[zone as usize].slot_masks, slots));
                (masks.len() - 1) as u32
            });
            let waited_minutes = (now - facts.waiting_since).num_minutes();

            for other in facts.blocked.iter().chain(&facts.former_partners) {
                if let Some(&other) = index_of.get(other)
                    && other != index as u32
                {
                    apart.push((index as u32, other));
                    apart.push((other, index as u32));
                }
            }

            seekers.push(Seeker {
                natives,
                targets,
                interests: interest_set,
                interest_signature,
                targets_at,
                targets_len: target_levels.len() as u32 - targets_at,
                excluded_at: 0,
                excluded_len: 0,
                styles,
                slots,
                zone,
                mask,
                available_minutes: week.minutes(&masks[mask as usize]),
                fairness: weights.fairness(
                    waited_minutes,
                    facts.missed_waves,
                    Penalties {
                        missed_proposals: facts.missed_proposals,
                        no_shows: facts.no_shows,
                    },
                ),
                waiting_since: facts.waiting_since.timestamp(),
            });
        }

        apart.sort_unstable();
        apart.dedup();
        let mut excluded = Vec::with_capacity(apart.len());
        let mut at = 0;
        for (index, seeker) in seekers.iter_mut().enumerate() {
            seeker.excluded_at = excluded.len() as u32;
            while at < apart.len() && apart[at].0 == index as u32 {
                excluded.push(apart[at].1);
                at += 1;
            }
            seeker.excluded_len = excluded.len() as u32 - seeker.excluded_at;
        }

        Ok(Pool {
            week,
            weights,
            ids: people.iter().map(|person| person.id).collect(),
            eligibility,
            seekers,
            masks,
            zones,
            exact_interest_signatures: interests.count() <= 64,
            target_levels,
            excluded,
            language_count: languages.count(),
        })
    }

    /// Everyone in the input, eligible or not.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The person at input position `index`.
    pub fn id(&self, index: u32) -> PersonId {
        self.ids[index as usize]
    }

    /// Why the person at `index` is left out, if they are.
    pub fn ineligible(&self, index: u32) -> Option<Ineligible> {
        self.eligibility[index as usize]
    }

    pub fn is_eligible(&self, index: u32) -> bool {
        self.eligibility[index as usize].is_none()
    }

    pub fn week(&self) -> &Week {
        &self.week
    }

    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// How many distinct languages the pool's profiles name.
    pub fn language_count(&self) -> usize {
        self.language_count
    }

    /// Minutes of the coming week both people are available, in real time.
    pub fn overlap_minutes(&self, a: u32, b: u32) -> u32 {
        let mask = |index: u32| &self.masks[self.seekers[index as usize].mask as usize];
        self.week.overlap_minutes(mask(a), mask(b))
    }

    /// A person's fairness points (waiting time and missed waves, less penalties).
    pub fn fairness(&self, index: u32) -> i64 {
        self.seekers[index as usize].fairness
    }

    pub(crate) fn target_levels(&self, index: u32) -> &[(u8, LevelCode)] {
        let seeker = &self.seekers[index as usize];
        let start = seeker.targets_at as usize;
        &self.target_levels[start..start + seeker.targets_len as usize]
    }

    /// The level of person `index` in target language `language` (unknown if it is
    /// not one of their targets).
    pub(crate) fn level_in(&self, index: u32, language: u8) -> LevelCode {
        self.target_levels(index)
            .iter()
            .find(|(target, _)| *target == language)
            .map_or(crate::weight::UNKNOWN_LEVEL, |(_, level)| *level)
    }

    /// Whether `a` and `b` must never be paired (a block either way, or former partners).
    pub fn kept_apart(&self, a: u32, b: u32) -> bool {
        let seeker = &self.seekers[a as usize];
        let start = seeker.excluded_at as usize;
        self.excluded[start..start + seeker.excluded_len as usize]
            .binary_search(&b)
            .is_ok()
    }

    /// Whether each can teach the other a language they learn.
    pub fn reciprocal(&self, a: u32, b: u32) -> bool {
        let (a, b) = (&self.seekers[a as usize], &self.seekers[b as usize]);
        a.natives.intersects(&b.targets) && b.natives.intersects(&a.targets)
    }

    /// Whether `a` and `b` may be proposed to each other at all.
    pub fn may_pair(&self, a: u32, b: u32) -> bool {
        a != b
            && self.is_eligible(a)
            && self.is_eligible(b)
            && self.reciprocal(a, b)
            && !self.kept_apart(a, b)
    }

    /// The best level fit over the language pairs `a` and `b` can swap; `None` when
    /// there is none (not reciprocal).
    pub(crate) fn level_fit(&self, a: u32, b: u32) -> Option<i64> {
        let (sa, sb) = (&self.seekers[a as usize], &self.seekers[b as usize]);
        let mut best = None;
        for taught_by_a in sa.natives.common(&sb.targets) {
            let level_of_b = self.level_in(b, taught_by_a);
            for taught_by_b in sb.natives.common(&sa.targets) {
                let fit = self
                    .weights
                    .level_fit(self.level_in(a, taught_by_b), level_of_b);
                best = best.max(Some(fit));
            }
        }
        best
    }

    /// The weight of the pair `{a, b}` (see `weight`), or `None` when they are not
    /// reciprocal. Blocks and eligibility are not looked at: see [`Pool::may_pair`].
    pub fn pair_weight(&self, a: u32, b: u32) -> Option<i64> {
        let level_fit = self.level_fit(a, b)?;
        let (sa, sb) = (&self.seekers[a as usize], &self.seekers[b as usize]);
        let weights = &self.weights;
        Some(
            i64::from(weights.base)
                + level_fit
                + weights.interest_points(sa.interests.intersection_len(&sb.interests))
                + weights.availability_points(self.overlap_minutes(a, b))
                + weights.style_points((sa.styles & sb.styles).count_ones())
                + sa.fairness
                + sb.fairness,
        )
    }
}

impl Zone {
    fn of(week: &Week, tz: Option<Tz>) -> Zone {
        match tz {
            Some(tz) => {
                use chrono::Offset as _;
                let offset = week
                    .start()
                    .with_timezone(&tz)
                    .offset()
                    .fix()
                    .local_minus_utc();
                Zone {
                    slot_masks: week.slot_masks(tz),
                    offset_minutes: offset / 60,
                }
            }
            None => Zone {
                slot_masks: SlotMasks::default(),
                offset_minutes: 0,
            },
        }
    }
}

fn ineligibility(profile: &Profile, facts: &MatchingFacts) -> Option<Ineligible> {
    if facts.banned {
        Some(Ineligible::Banned)
    } else if profile.unreachable {
        Some(Ineligible::Unreachable)
    } else if profile.matching_paused {
        Some(Ineligible::Paused)
    } else if facts.open_proposal {
        Some(Ineligible::OpenProposal)
    } else if !profile.completed {
        Some(Ineligible::IncompleteProfile)
    } else {
        None
    }
}

/// Gives values dense ids below 256 in order of first appearance.
struct DenseIds<T> {
    ids: HashMap<T, u8>,
}

impl<T> Default for DenseIds<T> {
    fn default() -> Self {
        Self {
            ids: HashMap::new(),
        }
    }
}

impl<T: std::hash::Hash + Eq> DenseIds<T> {
    /// The value's id; `None` once 256 ids are taken.
    fn id(&mut self, value: T) -> Option<u8> {
        if let Some(&id) = self.ids.get(&value) {
            return Some(id);
        }
        let id = u8::try_from(self.ids.len()).ok()?;
        self.ids.insert(value, id);
        Some(id)
    }

    fn count(&self) -> usize {
        self.ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sets_list_their_common_ids() {
        let mut a = SmallSet::default();
        let mut b = SmallSet::default();
        for id in [0, 63, 64, 200, 255] {
            a.insert(id);
        }
        for id in [63, 200, 201, 255] {
            b.insert(id);
        }
        assert_eq!(a.common(&b).collect::<Vec<_>>(), vec![63, 200, 255]);
        assert_eq!(a.intersection_len(&b), 3);
        assert_eq!(a.iter().count(), 5);
        assert_eq!(a.len(), 5);
        assert!(a.intersects(&b));
        assert!(!SmallSet::default().intersects(&a));
    }

    #[test]
    fn the_257th_language_is_refused() {
        let mut ids = DenseIds::<u32>::default();
        for value in 0..256 {
            assert!(ids.id(value).is_some());
        }
        assert_eq!(ids.id(7), Some(7));
        assert_eq!(ids.id(256), None);
    }
}
