//! What a step does beside its flow: keeping the person's timers in line with their
//! profile. A new timezone moves every timer that is kept as a local time.

use chrono::{DateTime, Utc};

use crate::engine::{Context, Effect, PersonView, Transition};

pub fn after_step(
    _cx: &Context,
    person: &PersonView<'_>,
    transition: &mut Transition,
    now: DateTime<Utc>,
) {
    let new_timezone = transition
        .effects
        .iter()
        .rev()
        .find_map(|effect| match effect {
            Effect::SaveProfile(profile) => Some(profile.timezone),
            _ => None,
        });
    if let Some(Some(timezone)) = new_timezone.filter(|tz| *tz != person.profile.timezone) {
        let practice = crate::engine::saved_practice(transition).unwrap_or(person.practice);
        let mut moved = super::reminders::reschedule_all(practice, timezone, now);
        moved.extend(super::courses::reschedule(practice, timezone, now));
        transition.effects.extend(moved);
    }
}
