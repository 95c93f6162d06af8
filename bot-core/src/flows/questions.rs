//! The profile questionnaire: how each question is asked and how an answer is read.
//! Onboarding asks them in order; /profile and /language ask one to edit a field.

use chrono::{DateTime, Utc};

use crate::content::Content;
use crate::domain::{
    Availability, Bio, CefrLevel, DayKind, DayPart, InterestId, LanguageCode, LevelChoice, Locale,
    PracticeStyle, Profile, Slot, TargetLanguage, Timezone, fold_name,
};
use crate::engine::{Button, Context, Input, Keyboard, Question, Reply, Toggle, UserError, quote};

/// What an answer did to the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A multi-select option was toggled, or a fixed UTC offset waits to be kept or
    /// swapped for a city: ask the same question again.
    Toggled(Profile),
    /// The question is answered.
    Answered(Profile),
}

const DONE: &str = "done";
const PLACEMENT_TEST: &str = "test";
const KEEP: &str = "keep";

/// The question as a reply: text, and buttons where there are choices.
pub fn prompt(cx: &Context, draft: &Profile, question: Question, now: DateTime<Utc>) -> Reply {
    let locale = draft.locale;
    match question {
        Question::InterfaceLanguage => Reply::text(cx.t(locale, "ask-interface-language"))
            .with_keyboard(Keyboard::Choice(
                Locale::ALL
                    .into_iter()
                    .map(|l| Button::new(l.native_name(), format!("ui:{l}")))
                    .collect(),
            )),
        Question::NativeLanguages => Reply::text(cx.tf(
            locale,
            "ask-native-languages",
            &[("max", cx.limits.max_native_languages.into())],
        ))
        .with_keyboard(language_picker(cx, locale, "nat", &draft.native, &[])),
        Question::TargetLanguages => {
            let selected: Vec<_> = draft.targets.iter().map(|t| t.language).collect();
            Reply::text(cx.tf(
                locale,
                "ask-target-languages",
                &[("max", cx.limits.max_target_languages.into())],
            ))
            .with_keyboard(language_picker(
                cx,
                locale,
                "tgt",
                &selected,
                &draft.native,
            ))
        }
        Question::TargetLevel { language } => {
            let mut buttons: Vec<_> = CefrLevel::ALL
                .into_iter()
                .map(|level| Button::new(level.as_str(), format!("lvl:{language}:{level}")))
                .collect();
            let args = cx.language_args(locale, language);
            // "Not sure" is offered only where a placement test can answer it.
            let text = if cx.content.placement_exam(language).is_some() {
                buttons.push(Button::new(
                    cx.t(locale, "level-placement-test"),
                    format!("lvl:{language}:{PLACEMENT_TEST}"),
                ));
                cx.tf(locale, "ask-target-level", &args)
            } else {
                cx.tf(locale, "ask-target-level-no-test", &args)
            };
            Reply::text(text).with_keyboard(Keyboard::Choice(buttons))
        }
        Question::Interests => {
            let options = cx
                .content
                .categories()
                .iter()
                .flat_map(|category| {
                    category
                        .interests
                        .iter()
                        .map(move |interest| (category, interest))
                })
                .map(|(category, interest)| Toggle {
                    button: Button::new(
                        format!(
                            "{} · {}",
                            category.names.get(locale),
                            interest.names.get(locale)
                        ),
                        format!("int:{}", interest.id.0),
                    ),
                    selected: draft.interests.contains(&interest.id),
                })
                .collect();
            Reply::text(cx.tf(
                locale,
                "ask-interests",
                &[("max", cx.limits.max_interests.into())],
            ))
            .with_keyboard(multi_select(cx, locale, "int", options))
        }
        Question::Timezone => {
            let mut text = cx.t(locale, "ask-timezone");
            let Some(tz) = draft.timezone else {
                return Reply::text(text);
            };
            text.push_str("\n\n");
            text.push_str(&current_timezone_line(cx, locale, tz, now));
            if tz.is_fixed_offset() {
                fixed_offset_warning(cx, locale, tz, now, text)
            } else {
                Reply::text(text)
            }
        }
        Question::Availability => {
            let options = Slot::ALL
                .into_iter()
                .map(|slot| Toggle {
                    button: Button::new(
                        slot_label(cx, locale, slot),
                        format!("av:{}", slot.token()),
                    ),
                    selected: draft.availability.contains(slot),
                })
                .collect();
            Reply::text(cx.t(locale, "ask-availability"))
                .with_keyboard(multi_select(cx, locale, "av", options))
        }
        Question::PracticeStyles => {
            let options = PracticeStyle::ALL
                .into_iter()
                .map(|style| Toggle {
                    button: Button::new(
                        style_label(cx, locale, style),
                        format!("sty:{}", style.token()),
                    ),
                    selected: draft.styles.contains(style),
                })
                .collect();
            Reply::text(cx.t(locale, "ask-practice-styles"))
                .with_keyboard(multi_select(cx, locale, "sty", options))
        }
        Question::Bio => Reply::text(cx.tf(
            locale,
            "ask-bio",
            &[("max", cx.limits.bio_max_chars.into())],
        ))
        .with_keyboard(Keyboard::Choice(vec![Button::new(
            cx.t(locale, "button-skip"),
            "bio:skip",
        )])),
    }
}

/// How many cities a fixed offset's warning offers.
const OFFSET_CITIES: usize = 5;

/// `text`, then the warning that a fixed offset never follows daylight saving time,
/// with the content pack's cities that have that offset now as buttons (one sets that
/// city's zone) and a button to keep the offset.
fn fixed_offset_warning(
    cx: &Context,
    locale: Locale,
    tz: Timezone,
    now: DateTime<Utc>,
    mut text: String,
) -> Reply {
    let args = [("timezone", tz.label().into())];
    let cities = cx
        .content
        .cities_at_offset(tz.offset_seconds_at(now), now, OFFSET_CITIES);
    text.push_str("\n\n");
    text.push_str(&cx.tf(locale, "timezone-fixed-offset", &args));
    text.push('\n');
    let pick = if cities.is_empty() {
        "timezone-fixed-offset-type-city"
    } else {
        "timezone-fixed-offset-cities"
    };
    text.push_str(&cx.tf(locale, pick, &args));
    let buttons = cities
        .into_iter()
        .map(|city| Button::new(city.name(locale), format!("tz:{}", city.timezone.name())))
        .chain([Button::new(
            cx.tf(locale, "button-keep-timezone", &args),
            format!("tz:{KEEP}"),
        )])
        .collect();
    Reply::text(text).with_keyboard(Keyboard::Choice(buttons))
}

/// The prompt again after a toggle or a warning: edited in place after a button, sent
/// anew after typed text (so it comes after what the person typed).
pub fn prompt_again(reply: Reply, input: &Input) -> Reply {
    match input {
        Input::Button(_) => reply.updating_previous(),
        _ => reply,
    }
}

/// Reads an answer to `question`. `Ok(None)` means the input was a button that does
/// not belong to this question (stale or forged): the caller says so.
pub fn answer(
    cx: &Context,
    draft: &Profile,
    question: Question,
    input: &Input,
) -> Result<Option<Answer>, UserError> {
    match input {
        Input::Button(data) => answer_button(cx, draft, question, data),
        Input::Text(text) => answer_text(cx, draft, question, text).map(Some),
        Input::Unsupported => Err(UserError::UnsupportedMessage),
        Input::Command { .. }
        | Input::Resume
        | Input::ChatBlocked
        | Input::ChatUnblocked
        | Input::Timer(_)
        | Input::Peer(_)
        | Input::Admin(_) => Err(UserError::UseButtons),
    }
}

fn answer_button(
    cx: &Context,
    draft: &Profile,
    question: Question,
    data: &str,
) -> Result<Option<Answer>, UserError> {
    let Some((prefix, value)) = data.split_once(':') else {
        return Ok(None);
    };
    let mut next = draft.clone();
    let answer = match (question, prefix) {
        (Question::InterfaceLanguage, "ui") => {
            let Some(locale) = Locale::parse(value) else {
                return Ok(None);
            };
            next.locale = locale;
            Answer::Answered(next)
        }
        (Question::NativeLanguages, "nat") if value == DONE => {
            require_some(!next.native.is_empty())?;
            Answer::Answered(next)
        }
        (Question::NativeLanguages, "nat") => {
            let Some(language) = known_language(&cx.content, value) else {
                return Ok(None);
            };
            if let Some(at) = next.native.iter().position(|l| *l == language) {
                next.native.remove(at);
            } else {
                require_room(next.native.len(), cx.limits.max_native_languages)?;
                next.native.push(language);
                next.targets.retain(|t| t.language != language);
            }
            Answer::Toggled(next)
        }
        (Question::TargetLanguages, "tgt") if value == DONE => {
            require_some(!next.targets.is_empty())?;
            Answer::Answered(next)
        }
        (Question::TargetLanguages, "tgt") => {
            let Some(language) = known_language(&cx.content, value) else {
                return Ok(None);
            };
            if let Some(at) = next.targets.iter().position(|t| t.language == language) {
                next.targets.remove(at);
            } else if next.native.contains(&language) {
                return Err(UserError::AlreadyNative { language });
            } else {
                require_room(next.targets.len(), cx.limits.max_target_languages)?;
                next.targets.push(TargetLanguage::new(language));
            }
            Answer::Toggled(next)
        }
        (Question::TargetLevel { language }, "lvl") => {
            let Some((code, level)) = value.split_once(':') else {
                return Ok(None);
            };
            if LanguageCode::parse(code) != Some(language) {
                return Ok(None);
            }
            let level = if level == PLACEMENT_TEST {
                if cx.content.placement_exam(language).is_none() {
                    return Ok(None);
                }
                LevelChoice::PlacementTest
            } else {
                match CefrLevel::parse(level) {
                    Some(level) => LevelChoice::Known(level),
                    None => return Ok(None),
                }
            };
            set_level(&mut next, language, level);
            Answer::Answered(next)
        }
        (Question::Interests, "int") if value == DONE => {
            require_some(!next.interests.is_empty())?;
            Answer::Answered(next)
        }
        (Question::Interests, "int") => {
            let Some(interest) = cx.content.interest(value) else {
                return Ok(None);
            };
            if let Some(at) = next.interests.iter().position(|i| *i == interest.id) {
                next.interests.remove(at);
            } else {
                require_room(next.interests.len(), cx.limits.max_interests)?;
                next.interests.push(InterestId(interest.id.0.clone()));
            }
            Answer::Toggled(next)
        }
        (Question::Availability, "av") if value == DONE => {
            require_some(!next.availability.is_empty())?;
            Answer::Answered(next)
        }
        (Question::Availability, "av") => {
            let Some(slot) = Slot::from_token(value) else {
                return Ok(None);
            };
            next.availability = next.availability.toggled(slot);
            Answer::Toggled(next)
        }
        (Question::PracticeStyles, "sty") if value == DONE => {
            require_some(!next.styles.is_empty())?;
            Answer::Answered(next)
        }
        (Question::PracticeStyles, "sty") => {
            let Some(style) = PracticeStyle::from_token(value) else {
                return Ok(None);
            };
            next.styles = next.styles.toggled(style);
            Answer::Toggled(next)
        }
        (Question::Timezone, "tz") if value == KEEP => {
            if next.timezone.is_none() {
                return Ok(None);
            }
            Answer::Answered(next)
        }
        (Question::Timezone, "tz") => {
            let Some(city_zone) = Timezone::parse(value)
                .ok()
                .filter(|tz| cx.content.is_city_timezone(*tz))
            else {
                return Ok(None);
            };
            next.timezone = Some(city_zone);
            Answer::Answered(next)
        }
        (Question::Bio, "bio") if value == "skip" => {
            next.bio = Some(Bio::skipped());
            Answer::Answered(next)
        }
        _ => return Ok(None),
    };
    Ok(Some(answer))
}

fn answer_text(
    cx: &Context,
    draft: &Profile,
    question: Question,
    text: &str,
) -> Result<Answer, UserError> {
    let mut next = draft.clone();
    match question {
        Question::InterfaceLanguage => {
            let wanted = text.trim();
            let locale = Locale::parse(wanted)
                .or_else(|| {
                    Locale::ALL
                        .into_iter()
                        .find(|l| l.native_name().to_lowercase() == wanted.to_lowercase())
                })
                .ok_or(UserError::UseButtons)?;
            next.locale = locale;
        }
        Question::NativeLanguages => {
            let languages = parse_languages(&cx.content, text)?;
            require_room(
                languages.len().saturating_sub(1),
                cx.limits.max_native_languages,
            )?;
            next.targets.retain(|t| !languages.contains(&t.language));
            next.native = languages;
        }
        Question::TargetLanguages => {
            let languages = parse_languages(&cx.content, text)?;
            if let Some(native) = languages.iter().find(|l| next.native.contains(l)) {
                return Err(UserError::AlreadyNative { language: *native });
            }
            require_room(
                languages.len().saturating_sub(1),
                cx.limits.max_target_languages,
            )?;
            // Keep the levels already given for languages that stay.
            next.targets = languages
                .into_iter()
                .map(|language| {
                    draft
                        .targets
                        .iter()
                        .find(|t| t.language == language)
                        .cloned()
                        .unwrap_or_else(|| TargetLanguage::new(language))
                })
                .collect();
        }
        Question::TargetLevel { language } => {
            let level = CefrLevel::parse(text).ok_or(UserError::UseButtons)?;
            set_level(&mut next, language, LevelChoice::Known(level));
        }
        Question::Timezone => {
            let timezone = match cx.content.city_timezone(text) {
                Some(tz) => tz,
                None => Timezone::parse(text)?,
            };
            next.timezone = Some(timezone);
            // A fixed offset is kept only once the person has read that it ignores
            // daylight saving time (the warning's "Keep" button, or typing it again).
            if timezone.is_fixed_offset() && draft.timezone != Some(timezone) {
                return Ok(Answer::Toggled(next));
            }
        }
        Question::Bio => next.bio = Some(Bio::parse(text, cx.limits.bio_max_chars)?),
        Question::Interests | Question::Availability | Question::PracticeStyles => {
            // A typed label of an option on screen toggles it, as its button would.
            let data =
                typed_option(cx, draft.locale, question, text).ok_or(UserError::UseButtons)?;
            return answer_button(cx, draft, question, &data)?.ok_or(UserError::UseButtons);
        }
    }
    Ok(Answer::Answered(next))
}

/// The button data of the multi-select option whose label (in the interface language,
/// any case, without its emoji) is `text`: "books" for "Culture · Books".
fn typed_option(cx: &Context, locale: Locale, question: Question, text: &str) -> Option<String> {
    let label_key =
        |label: &str| fold_name(label.trim_start_matches(|c: char| !c.is_alphanumeric()));
    let wanted = label_key(text);
    if wanted.is_empty() {
        return None;
    }
    let options: Vec<(Vec<String>, String)> = match question {
        Question::Interests => cx
            .content
            .categories()
            .iter()
            .flat_map(|category| {
                category.interests.iter().map(move |interest| {
                    let name = interest.names.get(locale);
                    (
                        vec![
                            name.to_owned(),
                            format!("{} · {name}", category.names.get(locale)),
                        ],
                        format!("int:{}", interest.id.0),
                    )
                })
            })
            .collect(),
        Question::Availability => Slot::ALL
            .into_iter()
            .map(|slot| {
                (
                    vec![slot_label(cx, locale, slot)],
                    format!("av:{}", slot.token()),
                )
            })
            .collect(),
        Question::PracticeStyles => PracticeStyle::ALL
            .into_iter()
            .map(|style| {
                (
                    vec![style_label(cx, locale, style)],
                    format!("sty:{}", style.token()),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    options
        .into_iter()
        .find(|(labels, _)| labels.iter().any(|label| label_key(label) == wanted))
        .map(|(_, data)| data)
}

/// The next unanswered level question among the draft's target languages.
pub fn next_level_question(draft: &Profile) -> Option<Question> {
    draft
        .targets
        .iter()
        .find(|t| !t.is_answered())
        .map(|t| Question::TargetLevel {
            language: t.language,
        })
}

fn set_level(draft: &mut Profile, language: LanguageCode, level: LevelChoice) {
    if let Some(target) = draft.targets.iter_mut().find(|t| t.language == language) {
        target.level = Some(level);
    }
}

fn require_some(any: bool) -> Result<(), UserError> {
    if any {
        Ok(())
    } else {
        Err(UserError::PickAtLeastOne)
    }
}

fn require_room(current: usize, max: usize) -> Result<(), UserError> {
    if current < max {
        Ok(())
    } else {
        Err(UserError::TooMany { max })
    }
}

fn known_language(content: &Content, code: &str) -> Option<LanguageCode> {
    LanguageCode::parse(code).filter(|code| content.language(*code).is_some())
}

/// Typed languages: codes or names, separated by commas, semicolons or spaces.
fn parse_languages(content: &Content, text: &str) -> Result<Vec<LanguageCode>, UserError> {
    let mut found = Vec::new();
    for part in text
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        // A multi-word name ("Scottish Gaelic") first, then its words one by one ("en es").
        let languages: Vec<_> = match content.find_language(part) {
            Some(language) => vec![language.code],
            None => part
                .split_whitespace()
                .map(|word| {
                    content
                        .find_language(word)
                        .map(|l| l.code)
                        .ok_or_else(|| UserError::UnknownLanguage { input: quote(word) })
                })
                .collect::<Result<_, _>>()?,
        };
        for language in languages {
            if !found.contains(&language) {
                found.push(language);
            }
        }
    }
    if found.is_empty() {
        return Err(UserError::UnknownLanguage { input: quote(text) });
    }
    Ok(found)
}

/// Popular languages as toggles (plus any selected that are not popular), minus `exclude`.
fn language_picker(
    cx: &Context,
    locale: Locale,
    prefix: &str,
    selected: &[LanguageCode],
    exclude: &[LanguageCode],
) -> Keyboard {
    let options = cx
        .content
        .languages()
        .iter()
        .filter(|l| (l.popular || selected.contains(&l.code)) && !exclude.contains(&l.code))
        .map(|l| Toggle {
            button: Button::new(l.names.get(locale), format!("{prefix}:{}", l.code)),
            selected: selected.contains(&l.code),
        })
        .collect();
    multi_select(cx, locale, prefix, options)
}

fn multi_select(cx: &Context, locale: Locale, prefix: &str, options: Vec<Toggle>) -> Keyboard {
    Keyboard::MultiSelect {
        options,
        done: Button::new(cx.t(locale, "button-done"), format!("{prefix}:{DONE}")),
    }
}

pub fn slot_label(cx: &Context, locale: Locale, slot: Slot) -> String {
    let key = match (slot.day, slot.part) {
        (DayKind::Weekday, DayPart::Morning) => "slot-weekday-morning",
        (DayKind::Weekday, DayPart::Afternoon) => "slot-weekday-afternoon",
        (DayKind::Weekday, DayPart::Evening) => "slot-weekday-evening",
        (DayKind::Weekday, DayPart::Night) => "slot-weekday-night",
        (DayKind::Weekend, DayPart::Morning) => "slot-weekend-morning",
        (DayKind::Weekend, DayPart::Afternoon) => "slot-weekend-afternoon",
        (DayKind::Weekend, DayPart::Evening) => "slot-weekend-evening",
        (DayKind::Weekend, DayPart::Night) => "slot-weekend-night",
    };
    cx.t(locale, key)
}

pub fn style_label(cx: &Context, locale: Locale, style: PracticeStyle) -> String {
    let key = match style {
        PracticeStyle::Text => "style-text",
        PracticeStyle::Voice => "style-voice",
        PracticeStyle::Video => "style-video",
    };
    cx.t(locale, key)
}

/// "Europe/Berlin — it is 14:05 there now."
pub fn current_timezone_line(
    cx: &Context,
    locale: Locale,
    timezone: Timezone,
    now: DateTime<Utc>,
) -> String {
    let local = now
        .with_timezone(&timezone.tz())
        .format("%H:%M")
        .to_string();
    cx.tf(
        locale,
        "timezone-current",
        &[
            ("timezone", timezone.label().into()),
            ("time", local.into()),
        ],
    )
}

/// Availability slots as a comma-separated, localised list.
pub fn availability_text(cx: &Context, locale: Locale, availability: Availability) -> String {
    availability
        .slots()
        .map(|slot| slot_label(cx, locale, slot))
        .collect::<Vec<_>>()
        .join(", ")
}
