//! What of a user's prompt can be read without a language model: columns to prioritise and
//! columns to ignore, named in it ("prioritise date matching", "ignore the description").

use crate::normalize::fold;

/// Columns named in a prompt, by what was asked of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PromptHints {
    pub prioritise: Vec<String>,
    pub ignore: Vec<String>,
    /// Words of the prompt that named no column, reported back so nothing is silently dropped.
    pub unread: Vec<String>,
}

const PRIORITY_WORDS: &[&str] = &[
    "prioritise",
    "prioritize",
    "priority",
    "focus",
    "emphasise",
    "emphasize",
    "weight",
    "trust",
    "prefer",
    "important",
];
const IGNORE_WORDS: &[&str] = &[
    "ignore", "skip", "exclude", "without", "drop", "omit", "not", "don't", "dont", "never",
];

/// Reads `prompt` against the columns of both tables. A clause (up to a comma, a full stop or
/// "and") that holds a priority word raises every column it names; one that holds an ignore
/// word leaves them out. A column is named by its name ("po_number", "po number") or by one of
/// its words when that word names no other column ("date" for the only date column).
pub fn read_prompt(prompt: Option<&str>, columns: &[&String]) -> PromptHints {
    let mut hints = PromptHints::default();
    let Some(prompt) = prompt.filter(|p| !p.trim().is_empty()) else {
        return hints;
    };
    let folded = fold(prompt);
    for clause in folded
        .split([',', '.', ';', '\n'])
        .flat_map(|c| c.split(" and "))
    {
        let words: Vec<&str> = clause
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\''))
            .filter(|w| !w.is_empty())
            .collect();
        let ignore = words.iter().any(|w| IGNORE_WORDS.contains(w));
        let priority = words.iter().any(|w| PRIORITY_WORDS.contains(w));
        if !ignore && !priority {
            continue;
        }
        let named = named_columns(clause, &words, columns);
        if named.is_empty() {
            hints.unread.push(clause.trim().to_owned());
        }
        let list = if ignore {
            &mut hints.ignore
        } else {
            &mut hints.prioritise
        };
        for c in named {
            if !list.contains(&c) {
                list.push(c);
            }
        }
    }
    hints
}

/// The columns a clause names.
fn named_columns(clause: &str, words: &[&str], columns: &[&String]) -> Vec<String> {
    let clause_spaced = clause.replace('_', " ");
    let mut out = Vec::new();
    for c in columns {
        let name = fold(c).replace('_', " ");
        if name.len() >= 2 && contains_words(&clause_spaced, &name) {
            out.push((*c).clone());
        }
    }
    if !out.is_empty() {
        return out;
    }
    // A single word naming one column's word, and only that column's ("date", "amount").
    for w in words {
        if w.len() < 3 {
            continue;
        }
        let owners: Vec<&String> = columns
            .iter()
            .copied()
            .filter(|c| fold(c).split(['_', ' ', '-']).any(|part| part == *w))
            .collect();
        if !owners.is_empty() && owners.iter().all(|o| fold(o) == fold(owners[0])) {
            out.push(owners[0].clone());
        }
    }
    out
}

fn contains_words(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

impl PromptHints {
    pub fn ignores(&self, column: &str) -> bool {
        self.ignore.iter().any(|c| c == column)
    }

    pub fn prioritises(&self, column: &str) -> bool {
        self.prioritise.iter().any(|c| c == column)
    }

    /// What was understood, in words; `None` when there was no prompt to read.
    pub fn notes(&self) -> Option<String> {
        if self.prioritise.is_empty() && self.ignore.is_empty() && self.unread.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        if !self.prioritise.is_empty() {
            parts.push(format!("weight doubled for {}", self.prioritise.join(", ")));
        }
        if !self.ignore.is_empty() {
            parts.push(format!("left out {}", self.ignore.join(", ")));
        }
        if !self.unread.is_empty() {
            parts.push(format!(
                "not understood (no column named): \"{}\"",
                self.unread.join("\", \"")
            ));
        }
        Some(parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<String> {
        [
            "invoice_date",
            "total_amount",
            "vendor_name",
            "description",
            "po_number",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn a_clause_names_columns_by_name_or_by_a_word_only_they_have() {
        let c = cols();
        let refs: Vec<&String> = c.iter().collect();
        let h = read_prompt(
            Some("Prioritise date matching, and ignore the description. Be careful."),
            &refs,
        );
        assert_eq!(h.prioritise, vec!["invoice_date".to_string()]);
        assert_eq!(h.ignore, vec!["description".to_string()]);
        let h = read_prompt(Some("focus on PO number; skip vendor_name"), &refs);
        assert_eq!(h.prioritise, vec!["po_number".to_string()]);
        assert_eq!(h.ignore, vec!["vendor_name".to_string()]);
    }

    #[test]
    fn a_clause_naming_no_column_is_reported_not_dropped() {
        let c = cols();
        let refs: Vec<&String> = c.iter().collect();
        let h = read_prompt(Some("prioritise the colour"), &refs);
        assert!(h.prioritise.is_empty());
        assert!(h.notes().unwrap().contains("prioritise the colour"));
        assert_eq!(read_prompt(None, &refs), PromptHints::default());
    }
}
