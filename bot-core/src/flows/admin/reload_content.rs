//! /reload_content: the content pack is read again and checked; a pack with errors is
//! refused with them, and the one in use stays.

use crate::domain::Locale;
use crate::engine::{AdminOutcome, Context};
use crate::i18n::Arg;

pub fn render(cx: &Context, locale: Locale, outcome: &AdminOutcome) -> String {
    match outcome {
        AdminOutcome::ContentReloaded {
            languages,
            courses,
            exams,
        } => cx.tf(
            locale,
            "admin-content-reloaded",
            &[
                ("languages", Arg::from(languages.to_string())),
                ("courses", Arg::from(courses.to_string())),
                ("exams", Arg::from(exams.to_string())),
            ],
        ),
        AdminOutcome::ContentRefused { errors } => cx.tf(
            locale,
            "admin-content-refused",
            &[("errors", Arg::from(errors.as_str()))],
        ),
        _ => cx.t(locale, "admin-failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::admin;
    use crate::engine::{AdminOutcome, AdminRequest};

    #[test]
    fn reload_reports_the_new_pack_or_its_errors() {
        let mut desk = admin();
        desk.send_text("/reload_content");
        assert_eq!(desk.requests, vec![AdminRequest::ReloadContent]);
        desk.answer(AdminOutcome::ContentReloaded {
            languages: 40,
            courses: 2,
            exams: 6,
        });
        desk.sees("Content reloaded: languages 40, courses 2, exams 6");
        desk.send_text("/reload_content");
        desk.answer(AdminOutcome::ContentRefused {
            errors: "courses/x.toml: day 2: missing field `steps`".into(),
        });
        desk.sees("The content pack has errors, so the one in use stays");
        desk.sees("courses/x.toml: day 2: missing field `steps`");
    }
}
