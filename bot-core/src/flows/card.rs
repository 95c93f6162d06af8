//! The profile card: a person's profile as text, shown on the summary and by /profile.

use crate::domain::{LevelChoice, Locale, Profile};
use crate::engine::Context;

use super::questions::{availability_text, style_label};

pub fn profile_card(cx: &Context, locale: Locale, profile: &Profile) -> String {
    let unanswered = || cx.t(locale, "card-unanswered");
    let list = |items: Vec<String>| {
        if items.is_empty() {
            unanswered()
        } else {
            items.join(", ")
        }
    };

    let native = list(
        profile
            .native
            .iter()
            .map(|l| cx.content.language_name(*l, locale))
            .collect(),
    );
    let targets = list(
        profile
            .targets
            .iter()
            .map(|t| {
                let name = cx.content.language_name(t.language, locale);
                let level = match t.level {
                    None => cx.t(locale, "card-level-unanswered"),
                    Some(LevelChoice::PlacementTest) => cx.t(locale, "card-level-placement"),
                    Some(LevelChoice::Known(level)) => level.to_string(),
                };
                format!("{name} ({level})")
            })
            .collect(),
    );
    let interests = list(
        profile
            .interests
            .iter()
            .map(|id| {
                cx.content
                    .interest(&id.0)
                    .map_or_else(|| id.0.clone(), |i| i.names.get(locale).to_owned())
            })
            .collect(),
    );
    let timezone = profile.timezone.map_or_else(unanswered, |tz| tz.label());
    let availability = if profile.availability.is_empty() {
        unanswered()
    } else {
        availability_text(cx, locale, profile.availability)
    };
    let styles = list(
        profile
            .styles
            .iter()
            .map(|s| style_label(cx, locale, s))
            .collect(),
    );
    let bio = match &profile.bio {
        None => unanswered(),
        Some(bio) if bio.is_skipped() => cx.t(locale, "card-bio-skipped"),
        Some(bio) => bio.as_str().to_owned(),
    };
    cx.tf(
        locale,
        "profile-card",
        &[
            ("interface", profile.locale.native_name().into()),
            ("native", native.into()),
            ("targets", targets.into()),
            ("interests", interests.into()),
            ("timezone", timezone.into()),
            ("availability", availability.into()),
            ("styles", styles.into()),
            ("bio", bio.into()),
        ],
    )
}
