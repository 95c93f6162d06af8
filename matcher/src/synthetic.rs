//! A synthetic but realistic waiting pool, seeded, for the benchmark and `lexbot matcher bench`.
//!
//! Shaped after what a language-exchange community looks like: 19 languages with
//! skewed popularity (English is the most spoken and by far the most learned; Japanese
//! and Korean are learned far more than spoken), 1-2 native and 1-3 target
//! languages, CEFR levels skewed towards A2-B1 (some still waiting for the placement
//! test), 2-6 interests from the content pack, a timezone that usually fits the first
//! native language (real IANA zones on every continent, including the half- and
//! quarter-hour ones) and otherwise anywhere, availability weighted to evenings and
//! weekends, practice styles, waiting times from minutes to two weeks, a few blocks
//! and former partners, and a few people who are paused, unreachable, banned or have
//! an open proposal. The same seed gives the same pool.

use bot_core::domain::{
    Availability, Bio, CefrLevel, DayKind, DayPart, InterestId, LanguageCode, LevelChoice, Locale,
    PersonId, PracticeStyle, PracticeStyles, Profile, Slot, TargetLanguage, Timezone,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::pool::{MatchingFacts, WaitingPerson};

/// The `now` of synthetic waves: a Thursday, so the week ahead spans the European
/// switch to summer time (2026-03-29) while North America has already switched.
pub fn reference_now() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2026, 3, 26)
        .and_then(|day| day.and_hms_opt(9, 0, 0))
        .map_or(DateTime::UNIX_EPOCH, |moment| moment.and_utc())
}

/// splitmix64: tiny, deterministic, good enough for synthetic data.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound`; 0 when `bound` is 0 (the modulo bias is irrelevant here).
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next_u64() % bound
        }
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// An index drawn with the given weights (the last one if all are 0).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut draw = self.below(total);
        for (index, &weight) in weights.iter().enumerate() {
            if draw < u64::from(weight) {
                return index;
            }
            draw -= u64::from(weight);
        }
        weights.len().saturating_sub(1)
    }
}

/// A language of the synthetic community: how many speak it natively and learn it
/// (relative weights), and where its native speakers live.
struct LanguageShare {
    code: &'static str,
    native: u32,
    learned: u32,
    zones: &'static [Tz],
}

const LANGUAGES: &[LanguageShare] = &[
    LanguageShare {
        code: "en",
        native: 200,
        learned: 380,
        zones: &[
            Tz::America__New_York,
            Tz::America__Chicago,
            Tz::America__Denver,
            Tz::America__Los_Angeles,
            Tz::Europe__London,
            Tz::Australia__Sydney,
            Tz::Pacific__Auckland,
            Tz::America__Toronto,
            Tz::Africa__Lagos,
            Tz::Asia__Manila,
        ],
    },
    LanguageShare {
        code: "es",
        native: 140,
        learned: 130,
        zones: &[
            Tz::Europe__Madrid,
            Tz::America__Mexico_City,
            Tz::America__Bogota,
            Tz::America__Argentina__Buenos_Aires,
            Tz::America__Lima,
            Tz::America__Santiago,
            Tz::America__Caracas,
        ],
    },
    LanguageShare {
        code: "zh",
        native: 110,
        learned: 50,
        zones: &[
            Tz::Asia__Shanghai,
            Tz::Asia__Taipei,
            Tz::Asia__Hong_Kong,
            Tz::Asia__Singapore,
        ],
    },
    LanguageShare {
        code: "pt",
        native: 80,
        learned: 35,
        zones: &[
            Tz::America__Sao_Paulo,
            Tz::Europe__Lisbon,
            Tz::America__Manaus,
            Tz::Africa__Luanda,
        ],
    },
    LanguageShare {
        code: "ru",
        native: 80,
        learned: 30,
        zones: &[
            Tz::Europe__Moscow,
            Tz::Asia__Yekaterinburg,
            Tz::Asia__Novosibirsk,
            Tz::Asia__Vladivostok,
            Tz::Asia__Almaty,
        ],
    },
    LanguageShare {
        code: "ar",
        native: 60,
        learned: 20,
        zones: &[
            Tz::Asia__Riyadh,
            Tz::Africa__Cairo,
            Tz::Asia__Dubai,
            Tz::Africa__Casablanca,
            Tz::Asia__Baghdad,
        ],
    },
    LanguageShare {
        code: "de",
        native: 60,
        learned: 75,
        zones: &[Tz::Europe__Berlin, Tz::Europe__Vienna, Tz::Europe__Zurich],
    },
    LanguageShare {
        code: "fr",
        native: 60,
        learned: 80,
        zones: &[
            Tz::Europe__Paris,
            Tz::America__Toronto,
            Tz::Africa__Dakar,
            Tz::Europe__Brussels,
        ],
    },
    LanguageShare {
        code: "ja",
        native: 50,
        learned: 80,
        zones: &[Tz::Asia__Tokyo],
    },
    LanguageShare {
        code: "hi",
        native: 40,
        learned: 10,
        zones: &[Tz::Asia__Kolkata],
    },
    LanguageShare {
        code: "ko",
        native: 35,
        learned: 60,
        zones: &[Tz::Asia__Seoul],
    },
    LanguageShare {
        code: "it",
        native: 35,
        learned: 45,
        zones: &[Tz::Europe__Rome],
    },
    LanguageShare {
        code: "tr",
        native: 35,
        learned: 15,
        zones: &[Tz::Europe__Istanbul],
    },
    LanguageShare {
        code: "pl",
        native: 20,
        learned: 8,
        zones: &[Tz::Europe__Warsaw],
    },
    LanguageShare {
        code: "id",
        native: 20,
        learned: 8,
        zones: &[Tz::Asia__Jakarta],
    },
    LanguageShare {
        code: "nl",
        native: 15,
        learned: 10,
        zones: &[Tz::Europe__Amsterdam],
    },
    LanguageShare {
        code: "uk",
        native: 15,
        learned: 8,
        zones: &[Tz::Europe__Kyiv],
    },
    LanguageShare {
        code: "vi",
        native: 15,
        learned: 6,
        zones: &[Tz::Asia__Ho_Chi_Minh],
    },
    LanguageShare {
        code: "fa",
        native: 10,
        learned: 4,
        zones: &[Tz::Asia__Tehran],
    },
];

/// Where people live who live away from their language's usual places.
const ANYWHERE: &[Tz] = &[
    Tz::Pacific__Honolulu,
    Tz::America__Anchorage,
    Tz::America__Los_Angeles,
    Tz::America__Halifax,
    Tz::America__St_Johns,
    Tz::Atlantic__Azores,
    Tz::Europe__London,
    Tz::Europe__Berlin,
    Tz::Africa__Johannesburg,
    Tz::Asia__Dubai,
    Tz::Asia__Kolkata,
    Tz::Asia__Kathmandu,
    Tz::Asia__Dhaka,
    Tz::Asia__Bangkok,
    Tz::Asia__Tokyo,
    Tz::Australia__Adelaide,
    Tz::Australia__Lord_Howe,
    Tz::Pacific__Auckland,
    Tz::Pacific__Chatham,
];

/// Per mille of people who marked each grid cell, in `Slot::ALL` order.
const SLOT_CHANCE: [u64; 8] = [200, 200, 600, 80, 350, 450, 350, 60];
/// A1..C2 and the placement test, relative weights.
const LEVEL_WEIGHTS: [u32; 7] = [18, 24, 24, 16, 8, 3, 7];

/// `people` synthetic people waiting at `now`, drawn from `seed`, with interests from
/// `interests` (the content pack's ids).
pub fn synthetic_pool(
    people: usize,
    seed: u64,
    now: DateTime<Utc>,
    interests: &[InterestId],
) -> Vec<WaitingPerson> {
    let mut rng = SplitMix::new(seed);
    let ids: Vec<PersonId> = (0..people)
        .map(|index| PersonId::from_uuid(Uuid::from_u64_pair(seed, index as u64)))
        .collect();
    let codes: Vec<Option<LanguageCode>> = LANGUAGES
        .iter()
        .map(|language| LanguageCode::parse(language.code))
        .collect();
    let native_weights: Vec<u32> = LANGUAGES.iter().map(|l| l.native).collect();
    let learned_weights: Vec<u32> = LANGUAGES.iter().map(|l| l.learned).collect();

    (0..people)
        .map(|index| {
            let mut natives = vec![rng.weighted(&native_weights)];
            if rng.chance(150) {
                let second = rng.weighted(&native_weights);
                if !natives.contains(&second) {
                    natives.push(second);
                }
            }
            let target_count = match rng.below(100) {
                0..55 => 1,
                55..85 => 2,
                _ => 3,
            };
            let mut targets: Vec<usize> = Vec::new();
            // Bounded retries: a draw may hit a native or repeat a target.
            for _ in 0..20 {
                if targets.len() == target_count {
                    break;
                }
                let target = rng.weighted(&learned_weights);
                if !natives.contains(&target) && !targets.contains(&target) {
                    targets.push(target);
                }
            }

            let home = &LANGUAGES[natives[0]];
            let tz = if rng.chance(100) || home.zones.is_empty() {
                ANYWHERE[rng.below(ANYWHERE.len() as u64) as usize]
            } else {
                home.zones[rng.below(home.zones.len() as u64) as usize]
            };

            let mut profile = Profile::new(if home.code == "ru" {
                Locale::Ru
            } else {
                Locale::En
            });
            profile.native = natives.iter().filter_map(|&l| codes[l]).collect();
            profile.targets = targets
                .iter()
                .filter_map(|&l| codes[l])
                .map(|language| {
                    let mut target = TargetLanguage::new(language);
                    target.level = Some(match rng.weighted(&LEVEL_WEIGHTS) {
                        level @ 0..6 => LevelChoice::Known(CefrLevel::ALL[level]),
                        _ => LevelChoice::PlacementTest,
                    });
                    target
                })
                .collect();
            let interest_count = 2 + rng.below(5) as usize;
            let mut chosen: Vec<InterestId> = Vec::new();
            for _ in 0..interest_count * 3 {
                if chosen.len() == interest_count.min(interests.len()) {
                    break;
                }
                let interest = &interests[rng.below(interests.len() as u64) as usize];
                if !chosen.contains(interest) {
                    chosen.push(interest.clone());
                }
            }
            profile.interests = chosen;
            profile.timezone = Some(Timezone::new(tz));
            let mut availability = Availability::from_slots(
                Slot::ALL
                    .into_iter()
                    .zip(SLOT_CHANCE)
                    .filter(|(_, chance)| rng.chance(*chance))
                    .map(|(slot, _)| slot),
            );
            if availability.is_empty() {
                availability = availability.toggled(Slot::new(DayKind::Weekday, DayPart::Evening));
            }
            profile.availability = availability;
            let mut styles = PracticeStyles::default();
            for (style, chance) in PracticeStyle::ALL.into_iter().zip([750, 500, 300]) {
                if rng.chance(chance) {
                    styles = styles.toggled(style);
                }
            }
            if styles.is_empty() {
                styles = styles.toggled(PracticeStyle::Text);
            }
            profile.styles = styles;
            profile.bio = Some(Bio::skipped());
            profile.completed = true;
            profile.matching_paused = rng.chance(5);
            profile.unreachable = rng.chance(2);

            let waited_minutes = match rng.below(100) {
                0..50 => rng.below(6 * 60),
                50..80 => 6 * 60 + rng.below(42 * 60),
                80..95 => 2 * 24 * 60 + rng.below(5 * 24 * 60),
                _ => 7 * 24 * 60 + rng.below(7 * 24 * 60),
            };
            let since = now
                .checked_sub_signed(Duration::minutes(waited_minutes as i64))
                .unwrap_or(now);
            let mut facts = MatchingFacts::waiting_since(since);
            // Waves run every few hours; some of them found nobody for this person.
            facts.missed_waves = rng.below(waited_minutes / (3 * 60) + 1) as u32;
            if rng.chance(30) {
                facts.blocked = (0..1 + index % 2)
                    .map(|_| ids[rng.below(people as u64) as usize])
                    .collect();
            }
            if rng.chance(150) {
                facts.former_partners = (0..1 + index % 4)
                    .map(|_| ids[rng.below(people as u64) as usize])
                    .collect();
            }
            facts.banned = rng.chance(2);
            facts.open_proposal = rng.chance(10);

            WaitingPerson {
                id: ids[index],
                profile,
                facts,
            }
        })
        .collect()
}
