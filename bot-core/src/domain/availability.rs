//! When a person can practise: weekday/weekend × morning/afternoon/evening/night, in their local time.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Weekday,
    Weekend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayPart {
    /// 06:00-12:00 local time.
    Morning,
    /// 12:00-18:00.
    Afternoon,
    /// 18:00-24:00.
    Evening,
    /// 00:00-06:00.
    Night,
}

/// One cell of the availability grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Slot {
    pub day: DayKind,
    pub part: DayPart,
}

impl Slot {
    pub const ALL: [Slot; 8] = [
        Slot::new(DayKind::Weekday, DayPart::Morning),
        Slot::new(DayKind::Weekday, DayPart::Afternoon),
        Slot::new(DayKind::Weekday, DayPart::Evening),
        Slot::new(DayKind::Weekday, DayPart::Night),
        Slot::new(DayKind::Weekend, DayPart::Morning),
        Slot::new(DayKind::Weekend, DayPart::Afternoon),
        Slot::new(DayKind::Weekend, DayPart::Evening),
        Slot::new(DayKind::Weekend, DayPart::Night),
    ];

    pub const fn new(day: DayKind, part: DayPart) -> Self {
        Self { day, part }
    }

    fn bit(self) -> u8 {
        let day = match self.day {
            DayKind::Weekday => 0,
            DayKind::Weekend => 4,
        };
        let part = match self.part {
            DayPart::Morning => 0,
            DayPart::Afternoon => 1,
            DayPart::Evening => 2,
            DayPart::Night => 3,
        };
        1 << (day + part)
    }

    /// A short stable token for button data and exports (`"wd-morning"`).
    pub fn token(self) -> &'static str {
        match (self.day, self.part) {
            (DayKind::Weekday, DayPart::Morning) => "wd-morning",
            (DayKind::Weekday, DayPart::Afternoon) => "wd-afternoon",
            (DayKind::Weekday, DayPart::Evening) => "wd-evening",
            (DayKind::Weekday, DayPart::Night) => "wd-night",
            (DayKind::Weekend, DayPart::Morning) => "we-morning",
            (DayKind::Weekend, DayPart::Afternoon) => "we-afternoon",
            (DayKind::Weekend, DayPart::Evening) => "we-evening",
            (DayKind::Weekend, DayPart::Night) => "we-night",
        }
    }

    pub fn from_token(token: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|slot| slot.token() == token)
    }
}

/// The set of grid cells a person marked, stored as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Availability(u8);

impl Availability {
    pub fn contains(self, slot: Slot) -> bool {
        self.0 & slot.bit() != 0
    }

    pub fn toggled(self, slot: Slot) -> Self {
        Self(self.0 ^ slot.bit())
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn slots(self) -> impl Iterator<Item = Slot> {
        Slot::ALL
            .into_iter()
            .filter(move |slot| self.contains(*slot))
    }

    pub fn from_slots(slots: impl IntoIterator<Item = Slot>) -> Self {
        Self(slots.into_iter().fold(0, |bits, slot| bits | slot.bit()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_slot_has_its_own_bit_and_token() {
        let all = Availability::from_slots(Slot::ALL);
        assert_eq!(all.slots().count(), 8);
        for slot in Slot::ALL {
            assert_eq!(Slot::from_token(slot.token()), Some(slot));
            assert!(
                !Availability::default()
                    .toggled(slot)
                    .toggled(slot)
                    .contains(slot)
            );
        }
    }
}
