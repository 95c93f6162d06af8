//! /reports: the open reports, oldest first, each with resolve / dismiss / ban buttons.

use chrono::{DateTime, Utc};

use crate::domain::Locale;
use crate::engine::{
    AdminRequest, Button, Context, DialogueState, Keyboard, PersonView, Reply, ReportView,
    Resolution, Transition,
};
use crate::i18n::Arg;

pub fn render(cx: &Context, locale: Locale, open: u64, page: &[ReportView]) -> Vec<Reply> {
    if page.is_empty() {
        return vec![Reply::text(cx.t(locale, "admin-reports-none"))];
    }
    let mut replies = vec![Reply::text(cx.tf(
        locale,
        "admin-reports-title",
        &[
            ("reports", Arg::from(open.to_string())),
            ("shown", Arg::from(page.len().to_string())),
        ],
    ))];
    for report in page {
        let reason = cx.t(locale, &format!("report-reason-{}", report.reason.as_str()));
        let details = if report.details.is_empty() {
            "—".to_owned()
        } else {
            crate::engine::quote(&report.details)
        };
        let text = cx.tf(
            locale,
            "admin-report",
            &[
                ("id", Arg::from(report.id.to_string())),
                (
                    "date",
                    Arg::from(report.created_at.format("%Y-%m-%d %H:%M").to_string()),
                ),
                ("reporter", Arg::from(report.reporter.to_string())),
                ("about", Arg::from(report.about.to_string())),
                ("reason", Arg::from(reason)),
                ("details", Arg::from(details)),
            ],
        );
        let id = report.id;
        replies.push(Reply::text(text).with_keyboard(Keyboard::Choice(vec![
            Button::new(
                cx.t(locale, "button-admin-resolve"),
                format!("adm:rp:r:{id}"),
            ),
            Button::new(
                cx.t(locale, "button-admin-dismiss"),
                format!("adm:rp:d:{id}"),
            ),
            Button::new(cx.t(locale, "button-admin-ban"), format!("adm:rp:b:{id}")),
        ])));
    }
    replies
}

/// A report's button: `action` is r(esolve), d(ismiss) or b(an the person reported).
pub fn button(
    cx: &Context,
    state: DialogueState,
    person: &PersonView<'_>,
    action: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Transition {
    let resolution = match action {
        "r" => Resolution::Resolved,
        "d" => Resolution::Dismissed,
        "b" => Resolution::Banned,
        _ => return super::super::stale_button(cx, state, person, now),
    };
    match id.parse::<i64>() {
        Ok(report) if report > 0 => {
            super::ask(state, AdminRequest::CloseReport { report, resolution })
        }
        _ => super::super::stale_button(cx, state, person, now),
    }
}

pub fn render_closed(
    cx: &Context,
    locale: Locale,
    report: i64,
    resolution: Resolution,
    found: bool,
) -> String {
    let key = match (found, resolution) {
        (false, _) => "admin-report-gone",
        (true, Resolution::Resolved) => "admin-report-resolved",
        (true, Resolution::Dismissed) => "admin-report-dismissed",
        (true, Resolution::Banned) => "admin-report-banned",
    };
    cx.tf(locale, key, &[("id", Arg::from(report.to_string()))])
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::super::testing::{admin, stranger};
    use crate::domain::{PersonId, ReportReason};
    use crate::engine::{AdminOutcome, AdminRequest, ReportView, Resolution};

    fn report(id: i64, reason: ReportReason, details: &str) -> ReportView {
        ReportView {
            id,
            reporter: PersonId::new_random(),
            about: PersonId::new_random(),
            reason,
            details: details.into(),
            created_at: Utc
                .with_ymd_and_hms(2026, 3, 1, 8, 0, 0)
                .single()
                .expect("date"),
        }
    }

    #[test]
    fn reports_lists_the_open_ones_with_their_buttons() {
        let mut desk = admin();
        desk.send_text("/reports");
        assert_eq!(desk.requests, vec![AdminRequest::Reports]);
        desk.answer(AdminOutcome::Reports {
            open: 7,
            page: vec![
                report(3, ReportReason::Spam, "links to a casino"),
                report(4, ReportReason::Harassment, ""),
            ],
        });
        desk.sees("Open reports: 7 (the oldest 2 below)");
        desk.sees("Report #3");
        desk.sees("Spam or advertising");
        desk.sees("links to a casino");
        desk.sees("Report #4");
        desk.sees("[Resolve]");
        desk.sees("[Dismiss]");
        desk.sees("[Ban]");
        desk.press("Dismiss");
        assert_eq!(
            desk.requests,
            vec![AdminRequest::CloseReport {
                report: 3,
                resolution: Resolution::Dismissed
            }]
        );
        desk.answer(AdminOutcome::ReportClosed {
            report: 3,
            resolution: Resolution::Dismissed,
            found: true,
        });
        desk.sees("Report #3 dismissed");
        desk.press_data("adm:rp:b:4");
        assert_eq!(
            desk.requests,
            vec![AdminRequest::CloseReport {
                report: 4,
                resolution: Resolution::Banned
            }]
        );
        desk.answer(AdminOutcome::ReportClosed {
            report: 4,
            resolution: Resolution::Banned,
            found: false,
        });
        desk.sees("Report #4 is no longer open");
    }

    #[test]
    fn no_open_reports_is_said_so() {
        let mut desk = admin();
        desk.send_text("/reports");
        desk.answer(AdminOutcome::Reports {
            open: 0,
            page: Vec::new(),
        });
        desk.sees("No open reports");
    }

    #[test]
    fn forged_report_buttons_act_on_nothing() {
        let mut desk = admin();
        for data in ["adm:rp:x:3", "adm:rp:r:-1", "adm:rp:r:abc", "adm:rp:r"] {
            desk.press_data(data);
            assert!(desk.requests.is_empty(), "{data}");
            desk.sees("That button belongs to an older message");
        }
        let mut desk = stranger();
        desk.press_data("adm:rp:b:3");
        assert!(desk.requests.is_empty());
        desk.sees("That button belongs to an older message");
    }
}
