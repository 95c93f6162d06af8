//! Building people by hand and small dense pools for the pool tests.

use bot_core::content::Content;
use bot_core::domain::{
    Availability, Bio, CefrLevel, DayKind, DayPart, InterestId, LanguageCode, LevelChoice, Locale,
    PersonId, PracticeStyle, PracticeStyles, Profile, Slot, TargetLanguage, Timezone,
};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use matcher::synthetic::SplitMix;
use matcher::{MatchingFacts, WaitingPerson};
use uuid::Uuid;

pub fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("a valid RFC 3339 instant")
}

pub fn pack_interests() -> Vec<InterestId> {
    Content::embedded()
        .expect("the embedded pack loads")
        .interests()
        .map(|interest| interest.id.clone())
        .collect()
}

fn language(code: &str) -> LanguageCode {
    LanguageCode::parse(code).expect("a two-letter code")
}

/// A person built field by field; by default complete, in Berlin, free on weekday
/// evenings, into music, practising by text.
#[derive(Debug, Clone)]
pub struct Someone {
    index: u128,
    profile: Profile,
    banned: bool,
    open_proposal: bool,
}

impl Someone {
    pub fn new(index: u128) -> Self {
        let mut profile = Profile::new(Locale::En);
        profile.timezone = Some(Timezone::new(Tz::Europe__Berlin));
        profile.availability =
            Availability::from_slots([Slot::new(DayKind::Weekday, DayPart::Evening)]);
        profile.styles = PracticeStyles::default().toggled(PracticeStyle::Text);
        profile.interests = vec![InterestId("music".into())];
        profile.bio = Some(Bio::skipped());
        profile.completed = true;
        Self {
            index,
            profile,
            banned: false,
            open_proposal: false,
        }
    }

    pub fn id_of(index: u128) -> PersonId {
        PersonId::from_uuid(Uuid::from_u128(index + 1))
    }

    pub fn native(mut self, code: &str) -> Self {
        self.profile.native.push(language(code));
        self
    }

    pub fn learns(mut self, code: &str, level: CefrLevel) -> Self {
        let mut target = TargetLanguage::new(language(code));
        target.level = Some(LevelChoice::Known(level));
        self.profile.targets.push(target);
        self
    }

    pub fn interests(mut self, ids: &[&str]) -> Self {
        self.profile.interests = ids.iter().map(|id| InterestId((*id).into())).collect();
        self
    }

    pub fn styles(mut self, styles: &[PracticeStyle]) -> Self {
        self.profile.styles = styles
            .iter()
            .fold(PracticeStyles::default(), |set, style| set.toggled(*style));
        self
    }

    pub fn paused(mut self) -> Self {
        self.profile.matching_paused = true;
        self
    }

    pub fn unreachable(mut self) -> Self {
        self.profile.unreachable = true;
        self
    }

    pub fn banned(mut self) -> Self {
        self.banned = true;
        self
    }

    pub fn open_proposal(mut self) -> Self {
        self.open_proposal = true;
        self
    }

    pub fn incomplete(mut self) -> Self {
        self.profile.completed = false;
        self
    }

    pub fn build(self, waiting_since: DateTime<Utc>) -> WaitingPerson {
        let mut facts = MatchingFacts::waiting_since(waiting_since);
        facts.banned = self.banned;
        facts.open_proposal = self.open_proposal;
        WaitingPerson {
            id: Self::id_of(self.index),
            profile: self.profile,
            facts,
        }
    }
}

/// A random non-empty availability grid: each of the 255 non-empty sets of cells is
/// equally likely.
pub fn random_grid(rng: &mut SplitMix) -> Availability {
    let bits = 1 + rng.below(255) as u8;
    Availability::from_slots(
        Slot::ALL
            .into_iter()
            .enumerate()
            .filter(|(bit, _)| bits & (1 << bit) != 0)
            .map(|(_, slot)| slot),
    )
}

/// `n` people over only three languages, so that most pairs are reciprocal and the
/// buckets are big: the shape in which pruning matters. Levels, zones (some with
/// half- and quarter-hour offsets), grids, interests, styles, waiting, blocks, former
/// partners and ineligibility are random.
pub fn dense_pool(seed: u64, n: usize, now: DateTime<Utc>) -> Vec<WaitingPerson> {
    const LANGUAGES: [&str; 3] = ["en", "es", "de"];
    const ZONES: [Tz; 6] = [
        Tz::Europe__Berlin,
        Tz::America__New_York,
        Tz::Asia__Tokyo,
        Tz::Asia__Kathmandu,
        Tz::America__Sao_Paulo,
        Tz::Australia__Sydney,
    ];
    const INTERESTS: [&str; 8] = [
        "music",
        "books",
        "travel",
        "art",
        "films_series",
        "theatre",
        "food_cooking",
        "sport",
    ];
    let mut rng = SplitMix::new(seed);
    let mut people: Vec<WaitingPerson> = (0..n)
        .map(|index| {
            let native = rng.below(3) as usize;
            let mut someone = Someone::new(index as u128).native(LANGUAGES[native]);
            if rng.chance(100) {
                someone = someone.native(LANGUAGES[(native + 1) % 3]);
            }
            let targets = 1 + rng.below(2) as usize;
            for step in 1..=targets {
                let learned = LANGUAGES[(native + step) % 3];
                if someone.profile.native.contains(&language(learned)) {
                    continue;
                }
                let mut target = TargetLanguage::new(language(learned));
                target.level = Some(match rng.below(8) {
                    level @ 0..6 => LevelChoice::Known(CefrLevel::ALL[level as usize]),
                    _ => LevelChoice::PlacementTest,
                });
                someone.profile.targets.push(target);
            }
            someone.profile.timezone = Some(Timezone::new(ZONES[rng.below(6) as usize]));
            someone.profile.availability = random_grid(&mut rng);
            let interests: Vec<&str> = INTERESTS.into_iter().filter(|_| rng.chance(300)).collect();
            someone = someone.interests(&interests);
            let styles: Vec<PracticeStyle> = PracticeStyle::ALL
                .into_iter()
                .filter(|_| rng.chance(500))
                .collect();
            someone = someone.styles(&styles);
            match rng.below(100) {
                0 => someone = someone.paused(),
                1 => someone = someone.open_proposal(),
                2 => someone = someone.banned(),
                _ => {}
            }
            let mut person = someone.build(now - Duration::minutes(rng.below(5 * 24 * 60) as i64));
            person.facts.missed_waves = rng.below(12) as u32;
            person
        })
        .collect();
    for person in &mut people {
        if rng.chance(100) {
            let other = Someone::id_of(u128::from(rng.below(n as u64)));
            person.facts.blocked.push(other);
        }
        if rng.chance(150) {
            let other = Someone::id_of(u128::from(rng.below(n as u64)));
            person.facts.former_partners.push(other);
        }
    }
    people
}
