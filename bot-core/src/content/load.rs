//! Reading and checking the content pack's TOML files.
//!
//! The files are walked as plain TOML tables rather than deserialised with serde:
//! serde stops at the first problem and does not say which field it was in, and the
//! people editing these files should see every mistake, each with its entry and field.

use std::collections::HashMap;
use std::str::FromStr;

use chrono_tz::Tz;
use toml::{Table, Value};

use super::{
    City, ContentError, Interest, InterestCategory, Language, LocalisedText, is_valid_id, slot,
};
use crate::domain::{InterestId, LanguageCode, Locale, Timezone, fold_name};

const LANGUAGE_FIELDS: &[&str] = &["code", "popular", "names"];
const CATEGORY_FIELDS: &[&str] = &["id", "names", "interest"];
const INTEREST_FIELDS: &[&str] = &["id", "names"];
const CITY_FIELDS: &[&str] = &["names", "timezone"];

/// The languages in file order, and every folded name to its index in that list.
pub(super) fn languages(
    file: &str,
    text: &str,
    errors: &mut Vec<ContentError>,
) -> (Vec<Language>, HashMap<String, usize>) {
    let mut report = Report { file, errors };
    let mut languages: Vec<Language> = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut codes: HashMap<LanguageCode, String> = HashMap::new();
    for (index, table) in report
        .entries(text, "language", true)
        .into_iter()
        .enumerate()
    {
        let label = label("language", index, table.get("code").and_then(Value::as_str));
        let mut entry = Entry::new(&mut report, label.clone(), table);
        let code = entry
            .string("code")
            .and_then(|raw| match LanguageCode::parse(&raw) {
                // Stored codes are compared byte for byte, so the file must hold the canonical form.
                Some(code) if code.as_str() == raw => Some(code),
                _ => {
                    entry.error(
                        "code",
                        format!(
                            "`{raw}` is not an ISO 639-1 code: two lowercase letters, like `es`"
                        ),
                    );
                    None
                }
            });
        let popular = entry.bool_or("popular", false);
        let texts = entry.names();
        entry.finish(LANGUAGE_FIELDS);

        let Some(code) = code else { continue };
        if let Some(first) = codes.get(&code) {
            report.push(
                &label,
                "code",
                format!("duplicate: `{code}` is also {first}"),
            );
            continue;
        }
        codes.insert(code, label.clone());
        let Some(texts) = texts else { continue };
        let index = languages.len();
        let mut clash = false;
        for locale in Locale::ALL {
            let name = texts.get(locale);
            match names
                .get(&fold_name(name))
                .and_then(|other| languages.get(*other))
            {
                Some(other) if other.code != code => {
                    report.push(
                        &label,
                        &format!("names.{locale}"),
                        format!("`{name}` is also a name of language `{}`", other.code),
                    );
                    clash = true;
                }
                _ => {}
            }
        }
        if clash {
            continue;
        }
        for locale in Locale::ALL {
            names.insert(fold_name(texts.get(locale)), index);
        }
        languages.push(Language {
            code,
            popular,
            names: texts,
        });
    }
    (languages, names)
}

/// The interest categories in file order. Interest ids are unique across all categories
/// because profiles store them without their category.
pub(super) fn interests(
    file: &str,
    text: &str,
    errors: &mut Vec<ContentError>,
) -> Vec<InterestCategory> {
    let mut report = Report { file, errors };
    let mut categories = Vec::new();
    let mut category_ids: HashMap<String, String> = HashMap::new();
    let mut interest_ids: HashMap<String, String> = HashMap::new();
    for (index, table) in report
        .entries(text, "category", true)
        .into_iter()
        .enumerate()
    {
        let category_label = label("category", index, table.get("id").and_then(Value::as_str));
        let mut entry = Entry::new(&mut report, category_label.clone(), table);
        let id = entry.id(&mut category_ids);
        let names = entry.names();
        let items = entry.array_of_tables("interest", "[[category.interest]]");
        entry.finish(CATEGORY_FIELDS);

        let mut interests = Vec::new();
        for (index, table) in items.into_iter().enumerate() {
            let label = format!(
                "{category_label}, {}",
                label("interest", index, table.get("id").and_then(Value::as_str))
            );
            let mut entry = Entry::new(&mut report, label, table);
            let id = entry.id(&mut interest_ids);
            let names = entry.names();
            entry.finish(INTEREST_FIELDS);
            if let (Some(id), Some(names)) = (id, names) {
                interests.push(Interest {
                    id: InterestId(id),
                    names,
                });
            }
        }
        if let (Some(id), Some(names)) = (id, names) {
            categories.push(InterestCategory {
                id,
                names,
                interests,
            });
        }
    }
    categories
}

/// Every folded city name to its zone, and the cities in file order.
pub(super) fn cities(
    file: &str,
    text: &str,
    errors: &mut Vec<ContentError>,
) -> (HashMap<String, Timezone>, Vec<City>) {
    let mut report = Report { file, errors };
    // The label of the first city that claimed a name, to point at both ends of a clash.
    let mut cities: HashMap<String, (Timezone, String)> = HashMap::new();
    let mut in_order = Vec::new();
    for (index, table) in report.entries(text, "city", false).into_iter().enumerate() {
        let first_name = table
            .get("names")
            .and_then(Value::as_array)
            .and_then(|names| names.first())
            .and_then(Value::as_str);
        let label = label("city", index, first_name);
        let mut entry = Entry::new(&mut report, label.clone(), table);
        let names = entry.string_list("names");
        let timezone = entry
            .string("timezone")
            .and_then(|name| match Tz::from_str(&name) {
                Ok(tz) => Some(Timezone::new(tz)),
                Err(_) => {
                    entry.error("timezone", format!("unknown IANA timezone `{name}`"));
                    None
                }
            });
        entry.finish(CITY_FIELDS);

        let (Some(names), Some(timezone)) = (names, timezone) else {
            continue;
        };
        in_order.push(City {
            names: names.clone(),
            timezone,
        });
        for name in names {
            let key = fold_name(&name);
            match cities.get(&key) {
                Some((other, first)) if *other != timezone => report.push(
                    &label,
                    "names",
                    format!("`{name}` is also {first}, with timezone {other}"),
                ),
                Some(_) => {}
                None => {
                    cities.insert(key, (timezone, label.clone()));
                }
            }
        }
    }
    let by_name = cities
        .into_iter()
        .map(|(name, (timezone, _))| (name, timezone))
        .collect();
    (by_name, in_order)
}

/// How an entry is named in errors: its position, counted from 1 as people count, and
/// its id when it has one.
pub(super) fn label(kind: &str, index: usize, id: Option<&str>) -> String {
    let number = index + 1;
    match id {
        Some(id) => format!("{kind} #{number} (`{id}`)"),
        None => format!("{kind} #{number}"),
    }
}

/// Collects errors for one file.
pub(super) struct Report<'a> {
    pub(super) file: &'a str,
    pub(super) errors: &'a mut Vec<ContentError>,
}

impl Report<'_> {
    pub(super) fn push(&mut self, entry: &str, field: &str, reason: impl Into<String>) {
        self.errors.push(ContentError {
            file: self.file.to_owned(),
            entry: entry.to_owned(),
            field: field.to_owned(),
            reason: reason.into(),
        });
    }

    /// Parses the whole file; a syntax error is reported with its line and column.
    pub(super) fn document(&mut self, text: &str) -> Option<Table> {
        match text.parse::<Table>() {
            Ok(document) => Some(document),
            Err(err) => {
                let at = err
                    .span()
                    .map(|span| position(text, span.start))
                    .unwrap_or_default();
                // toml's messages may span lines; errors are shown one per line.
                let reason = err
                    .message()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                self.push(&at, "", reason);
                None
            }
        }
    }

    /// Parses the file and returns the tables of its one top-level array (`[[key]]`).
    fn entries(&mut self, text: &str, key: &str, required: bool) -> Vec<Table> {
        let Some(mut document) = self.document(text) else {
            return Vec::new();
        };
        let value = document.remove(key);
        for unknown in document.keys() {
            self.push(
                "top level",
                unknown,
                format!("unknown field; expected `[[{key}]]` tables"),
            );
        }
        match value {
            None if required => {
                self.push(
                    "top level",
                    key,
                    format!("missing; add at least one `[[{key}]]` table"),
                );
                Vec::new()
            }
            Some(Value::Array(items)) if required && items.is_empty() => {
                self.push(
                    "top level",
                    key,
                    format!("empty; add at least one `[[{key}]]` table"),
                );
                Vec::new()
            }
            None => Vec::new(),
            Some(value) => tables(self, "top level", key, &format!("[[{key}]]"), value),
        }
    }
}

/// The tables of an array-of-tables value; anything else in it is reported.
pub(super) fn tables(
    report: &mut Report<'_>,
    entry: &str,
    field: &str,
    syntax: &str,
    value: Value,
) -> Vec<Table> {
    let Value::Array(items) = value else {
        report.push(
            entry,
            field,
            format!("expected `{syntax}` tables, found {}", value.type_str()),
        );
        return Vec::new();
    };
    let mut tables = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        match item {
            Value::Table(table) => tables.push(table),
            other => report.push(
                entry,
                field,
                format!(
                    "item #{}: expected a `{syntax}` table, found {}",
                    index + 1,
                    other.type_str()
                ),
            ),
        }
    }
    tables
}

/// `line L, column C` (both from 1) of a byte offset, for syntax errors.
fn position(text: &str, offset: usize) -> String {
    let boundary = (0..=offset.min(text.len()))
        .rev()
        .find(|at| text.is_char_boundary(*at))
        .unwrap_or(0);
    let before = &text[..boundary];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |row| row.chars().count())
        + 1;
    format!("line {line}, column {column}")
}

/// One `[[...]]` table being read. Fields are removed as they are read, so whatever is
/// left at [`Entry::finish`] is a field nobody asked for.
pub(super) struct Entry<'r, 'a> {
    pub(super) report: &'r mut Report<'a>,
    pub(super) label: String,
    table: Table,
}

impl<'r, 'a> Entry<'r, 'a> {
    pub(super) fn new(report: &'r mut Report<'a>, label: String, table: Table) -> Self {
        Self {
            report,
            label,
            table,
        }
    }

    pub(super) fn error(&mut self, field: &str, reason: impl Into<String>) {
        self.report.push(&self.label, field, reason);
    }

    pub(super) fn mismatch(&mut self, field: &str, expected: &str, found: &Value) {
        self.error(
            field,
            format!("expected {expected}, found {}", found.type_str()),
        );
    }

    pub(super) fn required(&mut self, field: &str) -> Option<Value> {
        let value = self.table.remove(field);
        if value.is_none() {
            self.error(field, "missing");
        }
        value
    }

    /// A field that may be left out; `None` when it is.
    pub(super) fn optional(&mut self, field: &str) -> Option<Value> {
        self.table.remove(field)
    }

    pub(super) fn string(&mut self, field: &str) -> Option<String> {
        match self.required(field)? {
            Value::String(text) => Some(text),
            other => {
                self.mismatch(field, "a string", &other);
                None
            }
        }
    }

    pub(super) fn bool_or(&mut self, field: &str, default: bool) -> bool {
        match self.table.remove(field) {
            None => default,
            Some(Value::Boolean(value)) => value,
            Some(other) => {
                self.mismatch(field, "true or false", &other);
                default
            }
        }
    }

    /// An interest or category id: well-formed, and not already in `seen` (id to the
    /// label of the entry that has it).
    fn id(&mut self, seen: &mut HashMap<String, String>) -> Option<String> {
        let id = self.string("id")?;
        if !is_valid_id(&id) {
            self.error(
                "id",
                format!(
                    "`{id}` must be 1 to {} characters of a-z, 0-9 and `_`",
                    super::MAX_ID_LEN
                ),
            );
            return None;
        }
        if let Some(first) = seen.get(&id) {
            let reason = format!("duplicate: `{id}` is also {first}");
            self.error("id", reason);
            return None;
        }
        seen.insert(id.clone(), self.label.clone());
        Some(id)
    }

    /// A non-empty list of non-empty strings.
    fn string_list(&mut self, field: &str) -> Option<Vec<String>> {
        let items = match self.required(field)? {
            Value::Array(items) => items,
            other => {
                self.mismatch(field, "a list of strings", &other);
                return None;
            }
        };
        if items.is_empty() {
            self.error(field, "empty; give at least one name");
            return None;
        }
        let mut strings = Vec::new();
        let mut valid = true;
        for (index, item) in items.into_iter().enumerate() {
            let number = index + 1;
            match item {
                Value::String(text) if fold_name(&text).is_empty() => {
                    self.error(field, format!("item #{number} is empty"));
                    valid = false;
                }
                Value::String(text) => strings.push(text),
                other => {
                    self.mismatch(field, &format!("item #{number} to be a string"), &other);
                    valid = false;
                }
            }
        }
        valid.then_some(strings)
    }

    /// The tables of a nested `[[parent.field]]` array; it must have at least one.
    pub(super) fn array_of_tables(&mut self, field: &str, syntax: &str) -> Vec<Table> {
        let Some(value) = self.required(field) else {
            return Vec::new();
        };
        if matches!(&value, Value::Array(items) if items.is_empty()) {
            self.error(field, format!("empty; add at least one `{syntax}` table"));
            return Vec::new();
        }
        tables(self.report, &self.label, field, syntax, value)
    }

    /// `names = { en = "…", ru = "…" }` with a non-empty text for every locale.
    fn names(&mut self) -> Option<LocalisedText> {
        self.localised("names")
    }

    /// `field = { en = "…", ru = "…" }` with a non-empty text for every locale.
    pub(super) fn localised(&mut self, name: &str) -> Option<LocalisedText> {
        let table = match self.required(name)? {
            Value::Table(table) => table,
            other => {
                self.mismatch(name, "a table like { en = \"…\", ru = \"…\" }", &other);
                return None;
            }
        };
        let mut texts: [String; Locale::ALL.len()] = Default::default();
        let mut complete = true;
        for locale in Locale::ALL {
            let field = format!("{name}.{locale}");
            match table.get(locale.as_str()) {
                None => {
                    self.error(&field, "missing");
                    complete = false;
                }
                Some(Value::String(text)) if text.trim().is_empty() => {
                    self.error(&field, "empty");
                    complete = false;
                }
                Some(Value::String(text)) => texts[slot(locale)] = text.trim().to_owned(),
                Some(other) => {
                    self.mismatch(&field, "a string", other);
                    complete = false;
                }
            }
        }
        for key in table.keys() {
            if !Locale::ALL.iter().any(|locale| locale.as_str() == key) {
                let known: Vec<_> = Locale::ALL.iter().map(|locale| locale.as_str()).collect();
                self.error(
                    &format!("{name}.{key}"),
                    format!("unknown locale; expected {}", known.join(", ")),
                );
                complete = false;
            }
        }
        complete.then_some(LocalisedText(texts))
    }

    /// Reports every field that was not read.
    pub(super) fn finish(self, known: &[&str]) {
        let expected = known
            .iter()
            .map(|field| format!("`{field}`"))
            .collect::<Vec<_>>()
            .join(", ");
        for field in self.table.keys() {
            self.report.push(
                &self.label,
                field,
                format!("unknown field; expected one of {expected}"),
            );
        }
    }
}
