//! /user <person id, platform:account id or @handle>: who someone is, where they stand,
//! and what admins did about them (the audit log).

use crate::domain::Locale;
use crate::engine::{
    AdminRequest, Context, DialogueState, MatchingStatus, PersonSummary, PersonView, Transition,
    actor_of_account,
};
use crate::i18n::Arg;

pub fn command(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    args: &str,
) -> Transition {
    match super::target_and_rest(args) {
        Some((target, _)) => super::ask(
            state,
            AdminRequest::ShowUser {
                target: target.to_owned(),
            },
        ),
        None => Transition::to(state).say(cx.t(person.profile.locale, "admin-usage-user")),
    }
}

/// How many audit entries /user shows.
pub const AUDIT_SHOWN: usize = 10;

pub fn render(cx: &Context, locale: Locale, summary: &PersonSummary) -> String {
    let profile = &summary.profile;
    let accounts: Vec<String> = summary.accounts.iter().map(actor_of_account).collect();
    let languages = |codes: Vec<crate::domain::LanguageCode>| -> String {
        let names: Vec<String> = codes
            .into_iter()
            .map(|code| cx.content.language_name(code, locale))
            .collect();
        if names.is_empty() {
            "—".to_owned()
        } else {
            names.join(", ")
        }
    };
    let matching = match summary.matching {
        MatchingStatus::Idle => "admin-matching-idle",
        MatchingStatus::Waiting => "admin-matching-waiting",
        MatchingStatus::Proposed => "admin-matching-proposed",
        MatchingStatus::Partnered => "admin-matching-partnered",
    };
    let mut flags = Vec::new();
    if profile.banned {
        flags.push(cx.t(locale, "admin-flag-banned"));
    }
    if profile.matching_paused {
        flags.push(cx.t(locale, "admin-flag-paused"));
    }
    if profile.unreachable {
        flags.push(cx.t(locale, "admin-flag-unreachable"));
    }
    let onboarded = if profile.completed {
        "admin-user-onboarded"
    } else {
        "admin-user-onboarding"
    };
    let mut lines = vec![
        cx.tf(
            locale,
            "admin-user-title",
            &[("id", Arg::from(summary.id.to_string()))],
        ),
        cx.tf(
            locale,
            "admin-user-since",
            &[(
                "date",
                Arg::from(summary.created_at.format("%Y-%m-%d %H:%M UTC").to_string()),
            )],
        ),
        cx.tf(
            locale,
            "admin-user-accounts",
            &[("accounts", Arg::from(accounts.join(", ")))],
        ),
        cx.tf(
            locale,
            "admin-user-profile",
            &[
                ("status", Arg::from(cx.t(locale, onboarded))),
                ("interface", Arg::from(profile.locale.native_name())),
                ("native", Arg::from(languages(profile.native.clone()))),
                (
                    "targets",
                    Arg::from(languages(
                        profile.targets.iter().map(|t| t.language).collect(),
                    )),
                ),
            ],
        ),
        cx.tf(
            locale,
            "admin-user-matching",
            &[("matching", Arg::from(cx.t(locale, matching)))],
        ),
    ];
    if !flags.is_empty() {
        lines.push(flags.join(", "));
    }
    lines.push(cx.tf(
        locale,
        "admin-user-reports",
        &[
            ("about", Arg::from(summary.reports_about.to_string())),
            ("filed", Arg::from(summary.reports_filed.to_string())),
        ],
    ));
    if summary.audit.is_empty() {
        lines.push(cx.t(locale, "admin-user-no-audit"));
    } else {
        lines.push(cx.t(locale, "admin-user-audit"));
        for entry in summary.audit.iter().take(AUDIT_SHOWN) {
            let details = if entry.details.is_empty() {
                String::new()
            } else {
                format!(" ({})", crate::engine::quote(&entry.details))
            };
            lines.push(format!(
                "  {} {} {} → {}{details}",
                entry.at.format("%Y-%m-%d %H:%M"),
                entry.actor,
                entry.action,
                entry.outcome
            ));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::super::testing::{admin, stranger};
    use crate::domain::{AccountRef, PersonId, Platform};
    use crate::engine::{AdminOutcome, AdminRequest, AuditEntry, MatchingStatus, PersonSummary};
    use crate::flows::transcript::ready_profile;

    #[test]
    fn user_needs_someone_to_show() {
        let mut desk = admin();
        desk.send_text("/user");
        desk.sees("Usage: /user");
        assert!(desk.requests.is_empty());
    }

    #[test]
    fn user_shows_the_person_with_their_audit_entries() {
        let mut desk = admin();
        desk.send_text("/user telegram:4242");
        assert_eq!(
            desk.requests,
            vec![AdminRequest::ShowUser {
                target: "telegram:4242".into()
            }]
        );
        let id = PersonId::new_random();
        let at = Utc
            .with_ymd_and_hms(2026, 3, 1, 12, 30, 0)
            .single()
            .expect("date");
        let mut profile = ready_profile("es", "en");
        profile.banned = true;
        desk.answer(AdminOutcome::User {
            summary: Box::new(PersonSummary {
                id,
                created_at: at,
                accounts: vec![AccountRef::new(Platform::Telegram, "4242")],
                profile,
                matching: MatchingStatus::Idle,
                reports_about: 2,
                reports_filed: 0,
                audit: vec![AuditEntry {
                    id: 1,
                    at,
                    actor: "telegram:1".into(),
                    action: "ban".into(),
                    target: Some(id),
                    details: "spam links".into(),
                    outcome: "ok".into(),
                }],
            }),
        });
        desk.sees(&id.to_string());
        desk.sees("telegram:4242");
        desk.sees("Native: Spanish; learning: English");
        desk.sees("banned");
        desk.sees("Reports about them: 2, filed by them: 0");
        desk.sees("2026-03-01 12:30 telegram:1 ban → ok (spam links)");
    }

    #[test]
    fn an_unknown_person_is_said_so() {
        let mut desk = admin();
        desk.send_text("/user @nobody");
        desk.answer(AdminOutcome::NoSuchPerson {
            target: "@nobody".into(),
        });
        desk.sees("No person matches “@nobody”");
    }

    #[test]
    fn a_stranger_cannot_look_anyone_up() {
        let mut desk = stranger();
        desk.send_text("/user telegram:1");
        desk.sees("I don't know the command /user");
        assert_eq!(
            desk.requests,
            vec![AdminRequest::Refused {
                command: "user".into()
            }]
        );
    }
}
