//! Splitting texts that are longer than a platform accepts (Telegram: 4096 characters,
//! Discord: 2000) at the most natural boundary that fits.

/// Splits `text` into parts of at most `max_chars` characters, preferring to cut after a
/// blank line, then after a line, then after a sentence, then at a space; a word longer
/// than a whole part is cut where it must be. Whitespace at the cuts is dropped. An empty
/// text stays one empty part, so a reply is never lost.
pub fn split_text(text: &str, max_chars: usize) -> Vec<String> {
    let max_chars = max_chars.max(1);
    if text.chars().count() <= max_chars {
        return vec![text.to_owned()];
    }
    let mut parts = Vec::new();
    let mut rest = text;
    while rest.chars().count() > max_chars {
        // Byte offset just past `max_chars` characters.
        let limit = rest
            .char_indices()
            .nth(max_chars)
            .map_or(rest.len(), |(at, _)| at);
        // One character more, so a boundary right after the limit (a space) counts.
        let peek = rest[limit..]
            .chars()
            .next()
            .map_or(limit, |c| limit + c.len_utf8());
        let cut = best_cut(&rest[..peek], limit).unwrap_or(limit);
        let (part, tail) = rest.split_at(cut);
        let part = part.trim_end();
        if !part.is_empty() {
            parts.push(part.to_owned());
        }
        rest = tail.trim_start();
    }
    if !rest.is_empty() || parts.is_empty() {
        parts.push(rest.to_owned());
    }
    parts
}

/// The byte offset (at most `limit`) to cut `window` at, if it has a boundary past its
/// first quarter (an earlier cut would make needlessly many small parts). Whitespace
/// at the cut is trimmed, so cutting inside a boundary's whitespace is fine.
fn best_cut(window: &str, limit: usize) -> Option<usize> {
    let floor = limit / 4;
    let after = |pattern: &str| {
        window
            .rfind(pattern)
            .map(|at| (at + pattern.len()).min(limit))
            .filter(|&at| at > floor)
    };
    after("\n\n")
        .or_else(|| after("\n"))
        .or_else(|| after(". "))
        .or_else(|| after("! "))
        .or_else(|| after("? "))
        .or_else(|| after(" "))
}

#[cfg(test)]
mod tests {
    use super::split_text;

    #[test]
    fn short_texts_stay_whole() {
        assert_eq!(split_text("hello", 10), vec!["hello"]);
        assert_eq!(split_text("", 10), vec![""]);
    }

    #[test]
    fn paragraphs_are_preferred_over_lines_and_words() {
        let text = "first paragraph here\n\nsecond one\nwith lines";
        assert_eq!(
            split_text(text, 30),
            vec!["first paragraph here", "second one\nwith lines"]
        );
        assert_eq!(
            split_text("one two three four five", 10),
            vec!["one two", "three four", "five"]
        );
    }

    #[test]
    fn counts_characters_not_bytes_and_cuts_long_words() {
        let text = "ё".repeat(25);
        let parts = split_text(&text, 10);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.chars().count() <= 10));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn nothing_is_lost_in_a_10_kb_text() {
        let text = "Lorem ipsum dolor sit amet, consectetur. ".repeat(250);
        let parts = split_text(&text, 4096);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.chars().count() <= 4096));
        let words: Vec<&str> = text.split_whitespace().collect();
        let rejoined: Vec<&str> = parts.iter().flat_map(|p| p.split_whitespace()).collect();
        assert_eq!(words, rejoined);
    }
}
