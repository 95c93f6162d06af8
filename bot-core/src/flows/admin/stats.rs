//! /stats: people by state, arrivals, matching, waves, delivery and timers, as the admin
//! desk counted them.

use crate::domain::Locale;
use crate::engine::{AdminStats, Context};
use crate::i18n::Arg;

/// The figures as one message, a line each.
pub fn render(cx: &Context, locale: Locale, stats: &AdminStats) -> String {
    let n = |value: u64| Arg::from(value.to_string());
    let mut lines = vec![
        cx.t(locale, "admin-stats-title"),
        cx.tf(
            locale,
            "admin-stats-people",
            &[
                ("value", n(stats.people)),
                ("onboarding", n(stats.onboarding)),
                ("onboarded", n(stats.onboarded)),
                ("paused", n(stats.paused)),
                ("unreachable", n(stats.unreachable)),
                ("banned", n(stats.banned)),
            ],
        ),
        cx.tf(
            locale,
            "admin-stats-arrivals",
            &[
                ("value", n(stats.onboarded_today)),
                ("week", n(stats.onboarded_week)),
            ],
        ),
        cx.tf(
            locale,
            "admin-stats-matching",
            &[
                ("waiting", n(stats.waiting)),
                ("proposed", n(stats.proposed)),
                ("partnerships", n(stats.partnered / 2)),
            ],
        ),
        cx.tf(
            locale,
            "admin-stats-waves",
            &[
                ("waves", n(stats.waves_last_day)),
                ("pairs", n(stats.pairs_last_day)),
            ],
        ),
        cx.tf(
            locale,
            "admin-stats-delivery",
            &[
                ("queued", n(stats.outbox_queued)),
                ("dead", n(stats.outbox_dead)),
                ("late", n(stats.timers_late)),
                ("reports", n(stats.open_reports)),
            ],
        ),
    ];
    if !stats.top_pairs.is_empty() {
        lines.push(cx.t(locale, "admin-stats-pairs"));
        for pair in &stats.top_pairs {
            lines.push(format!(
                "  {} → {}: {}",
                cx.content.language_name(pair.native, locale),
                cx.content.language_name(pair.learning, locale),
                pair.people
            ));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{admin, stranger};
    use crate::domain::LanguageCode;
    use crate::engine::{AdminOutcome, AdminRequest, AdminStats, LanguagePairCount};

    fn code(code: &str) -> LanguageCode {
        LanguageCode::parse(code).expect("known code")
    }

    #[test]
    fn stats_asks_the_desk_and_shows_every_figure() {
        let mut desk = admin();
        desk.send_text("/stats");
        assert_eq!(desk.requests, vec![AdminRequest::Stats]);
        desk.silent();
        let stats = AdminStats {
            people: 120,
            onboarding: 20,
            onboarded: 100,
            paused: 7,
            unreachable: 3,
            banned: 2,
            onboarded_today: 4,
            onboarded_week: 19,
            waiting: 11,
            proposed: 6,
            partnered: 40,
            top_pairs: vec![
                LanguagePairCount {
                    native: code("es"),
                    learning: code("en"),
                    people: 31,
                },
                LanguagePairCount {
                    native: code("en"),
                    learning: code("es"),
                    people: 29,
                },
            ],
            waves_last_day: 24,
            pairs_last_day: 9,
            outbox_queued: 5,
            outbox_dead: 1,
            timers_late: 0,
            open_reports: 3,
        };
        desk.answer(AdminOutcome::Stats {
            stats: Box::new(stats),
        });
        for line in [
            "People: 120 (onboarding 20, onboarded 100, paused 7, unreachable 3, banned 2)",
            "Onboarded in the last day: 4, in the last week: 19",
            "Waiting: 11, holding a proposal: 6, active partnerships: 20",
            "Last day: 24 waves, 9 pairs",
            "Outbox: 5 queued, 1 dead; timers late: 0; open reports: 3",
            "Spanish → English: 31",
            "English → Spanish: 29",
        ] {
            desk.sees(line);
        }
    }

    #[test]
    fn stats_in_russian_for_a_russian_admin() {
        let mut desk = admin();
        if let Some(profile) = desk.harness.profile.as_mut() {
            profile.locale = crate::domain::Locale::Ru;
        }
        desk.answer(AdminOutcome::Stats {
            stats: Box::default(),
        });
        desk.sees("Люди: 0");
    }

    #[test]
    fn a_strangers_stats_is_an_unknown_command() {
        let mut desk = stranger();
        desk.send_text("/stats");
        desk.sees("I don't know the command /stats");
        assert_eq!(
            desk.requests,
            vec![AdminRequest::Refused {
                command: "stats".into()
            }]
        );
    }
}
