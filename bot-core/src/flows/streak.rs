//! Streaks: consecutive local days with practice (a course step done, an exam finished),
//! counted in the person's timezone and shown in /profile and /progress.

use chrono::{DateTime, Utc};

use crate::domain::{Locale, Practice, Profile, local_date};
use crate::engine::Context;

/// The person practised now: today (their local day) counts for the streak.
pub fn practised(practice: &mut Practice, profile: &Profile, now: DateTime<Utc>) {
    let tz = profile.timezone.map_or(chrono_tz::UTC, |tz| tz.tz());
    practice.streak.record(local_date(tz, now));
}

/// "🔥 Streak: 3 days (best 5). Weekly freeze: ready."
pub fn line(
    cx: &Context,
    locale: Locale,
    practice: &Practice,
    profile: &Profile,
    now: DateTime<Utc>,
) -> String {
    let tz = profile.timezone.map_or(chrono_tz::UTC, |tz| tz.tz());
    let today = local_date(tz, now);
    let streak = &practice.streak;
    let current = streak.current_on(today);
    if streak.best == 0 {
        return cx.t(locale, "streak-none");
    }
    let freeze = if streak.freeze_free_for(today) {
        cx.t(locale, "streak-freeze-ready")
    } else {
        cx.t(locale, "streak-freeze-used")
    };
    cx.tf(
        locale,
        "streak-line",
        &[
            ("days", current.into()),
            ("best", streak.best.into()),
            ("freeze", freeze.into()),
        ],
    )
}
