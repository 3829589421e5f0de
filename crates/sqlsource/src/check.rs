//! The first of two guards that an import only reads: a lexical check of the query's text, so that
//! anything but one SELECT is refused with a message before any connection is made. The second
//! guard is the server's: the query runs in a READ ONLY transaction (postgres_source.rs), which
//! refuses writes that hide in functions or data-modifying CTEs this check cannot see.

use crate::SqlError;

/// A query that passed the check, without its trailing semicolon and surrounding blanks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOnlyQuery(String);

impl ReadOnlyQuery {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Words that make a statement that starts as a query write or lock: data-modifying CTEs
/// (`WITH d AS (DELETE ...) SELECT`), `SELECT ... INTO new_table` and `FOR UPDATE`. Other commands
/// are refused by their first word. Refused anywhere outside quotes and comments, so a column
/// with one of these names must be quoted ("update"); the READ ONLY transaction stays the last word.
const WRITING_WORDS: &[&str] = &["insert", "update", "delete", "merge", "into"];

/// Statements an import may run: SELECT, and the forms PostgreSQL treats as one (WITH ... SELECT,
/// VALUES, TABLE name).
const LEADING_WORDS: &[&str] = &["select", "with", "values", "table"];

/// Checks that `sql` is one read-only statement. The message says what was found and where.
pub fn check_read_only(sql: &str) -> Result<ReadOnlyQuery, SqlError> {
    let tokens = lex(sql)?;
    let Some(first) = tokens.first() else {
        return Err(SqlError::NotReadOnly("the query is empty".into()));
    };
    let statement_end = tokens.iter().position(|t| matches!(t, Token::Semicolon(_)));
    if let Some(end) = statement_end {
        if end + 1 < tokens.len() {
            return Err(SqlError::NotReadOnly(
                "the query holds more than one statement: give a single SELECT".into(),
            ));
        }
    }
    let Token::Word(word, _) = first else {
        return Err(SqlError::NotReadOnly(
            "the query must start with SELECT (or WITH, VALUES, TABLE)".into(),
        ));
    };
    if !LEADING_WORDS.contains(&word.as_str()) {
        return Err(SqlError::NotReadOnly(format!(
            "only a SELECT can be imported; this query starts with {}",
            word.to_uppercase()
        )));
    }
    for t in &tokens {
        if let Token::Word(w, at) = t {
            if WRITING_WORDS.contains(&w.as_str()) {
                return Err(SqlError::NotReadOnly(format!(
                    "only reading is allowed: {} at character {} would write, lock or run a command",
                    w.to_uppercase(),
                    at + 1
                )));
            }
        }
    }
    let end = statement_end
        .and_then(|i| match tokens[i] {
            Token::Semicolon(at) => Some(at),
            _ => None,
        })
        .unwrap_or(sql.len());
    Ok(ReadOnlyQuery(sql[..end].trim().to_string()))
}

#[derive(Debug, PartialEq)]
enum Token {
    /// A bare word, lower-cased, and the byte offset where it starts.
    Word(String, usize),
    /// A semicolon and its byte offset.
    Semicolon(usize),
    Other,
}

/// Splits the text into bare words, semicolons and everything else, skipping string literals,
/// quoted identifiers, dollar-quoted bodies and comments, whose content is never a keyword.
fn lex(sql: &str) -> Result<Vec<Token>, SqlError> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if b[i..].starts_with(b"--") {
            // PostgreSQL ends a line comment at either line break.
            i = b[i..]
                .iter()
                .position(|&c| c == b'\n' || c == b'\r')
                .map_or(b.len(), |p| i + p + 1);
        } else if b[i..].starts_with(b"/*") {
            i = skip_block_comment(b, i)?;
        } else if c == b'\'' {
            // E'...' strings allow backslash escapes; the E was lexed as a word just before.
            let escapes = matches!(out.last(), Some(Token::Word(w, at)) if w == "e" && at + 1 == i);
            if escapes {
                out.pop();
            }
            i = skip_quoted(b, i, b'\'', escapes, "a string")?;
            out.push(Token::Other);
        } else if c == b'"' {
            i = skip_quoted(b, i, b'"', false, "a quoted name")?;
            out.push(Token::Other);
        } else if c == b'$' && dollar_tag(b, i).is_some() {
            i = skip_dollar_quoted(b, i)?;
            out.push(Token::Other);
        } else if c == b';' {
            out.push(Token::Semicolon(i));
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80)
            {
                i += 1;
            }
            out.push(Token::Word(sql[start..i].to_lowercase(), start));
        } else {
            out.push(Token::Other);
            i += 1;
        }
    }
    Ok(out)
}

fn unterminated(what: &str, at: usize) -> SqlError {
    SqlError::NotReadOnly(format!(
        "{what} starting at character {} is never closed",
        at + 1
    ))
}

fn skip_block_comment(b: &[u8], start: usize) -> Result<usize, SqlError> {
    // PostgreSQL's block comments nest.
    let mut depth = 0;
    let mut i = start;
    while i + 1 < b.len() {
        if b[i] == b'/' && b[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Ok(i);
            }
        } else {
            i += 1;
        }
    }
    Err(unterminated("a comment", start))
}

fn skip_quoted(
    b: &[u8],
    start: usize,
    quote: u8,
    escapes: bool,
    what: &str,
) -> Result<usize, SqlError> {
    let mut i = start + 1;
    while i < b.len() {
        if escapes && b[i] == b'\\' {
            i += 2;
        } else if b[i] == quote {
            // A doubled quote is the quote character itself.
            if b.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return Ok(i + 1);
            }
        } else {
            i += 1;
        }
    }
    Err(unterminated(what, start))
}

/// The `$tag$` opening a dollar-quoted string at `i`, if there is one.
fn dollar_tag(b: &[u8], i: usize) -> Option<&[u8]> {
    let rest = &b[i + 1..];
    let len = rest
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))?;
    (rest[len] == b'$' && !rest[..len].first().is_some_and(u8::is_ascii_digit))
        .then(|| &b[i..i + len + 2])
}

fn skip_dollar_quoted(b: &[u8], start: usize) -> Result<usize, SqlError> {
    let tag = dollar_tag(b, start).unwrap_or(b"$$");
    let body = start + tag.len();
    b[body..]
        .windows(tag.len())
        .position(|w| w == tag)
        .map(|p| body + p + tag.len())
        .ok_or_else(|| unterminated("a dollar-quoted string", start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(sql: &str) -> String {
        match check_read_only(sql) {
            Err(SqlError::NotReadOnly(m)) => m,
            other => panic!("{sql:?} was not refused: {other:?}"),
        }
    }

    #[test]
    fn selects_pass_and_lose_their_semicolon() {
        let q = check_read_only("  SELECT id, total FROM orders WHERE total > 10;  \n").unwrap();
        assert_eq!(q.as_str(), "SELECT id, total FROM orders WHERE total > 10");
        // The statement's semicolon, not one inside the comment after it.
        let q = check_read_only("SELECT 1; -- a; b").unwrap();
        assert_eq!(q.as_str(), "SELECT 1");
        for ok in [
            "with o as (select * from orders) select * from o",
            "VALUES (1, 'a'), (2, 'b')",
            "table orders",
            "-- morning orders\nselect * from orders /* all of them */",
        ] {
            check_read_only(ok).unwrap();
        }
    }

    #[test]
    fn words_inside_quotes_and_comments_are_data() {
        for ok in [
            "select 'insert; drop table x' as note from t",
            "select \"update\" from t",
            "select E'it\\'s; delete' from t",
            "select $body$ delete from t; $body$ as s",
            "select $$;drop$$",
            "select 1 /* nested /* delete */ still comment; */",
            "select 1 -- ; delete from t",
        ] {
            check_read_only(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn anything_but_one_select_is_refused_with_a_reason() {
        assert!(refused("DELETE FROM orders").contains("starts with DELETE"));
        assert!(refused("select 1; delete from orders").contains("more than one statement"));
        assert!(
            refused("with d as (delete from t returning *) select * from d")
                .contains("DELETE at character 12")
        );
        assert!(refused("select * into copy_of_t from t").contains("INTO"));
        assert!(refused("select * from t for update").contains("UPDATE"));
        assert!(refused("").contains("empty"));
        assert!(refused("  -- only a comment\n").contains("empty"));
        assert!(refused("(select 1)").contains("must start with SELECT"));
        assert!(refused("select 'open").contains("never closed"));
        assert!(refused("select /* open").contains("never closed"));
        assert!(refused("select $t$ open").contains("never closed"));
        // A carriage return ends a line comment for PostgreSQL, so what follows is read.
        assert!(
            refused("with a as (select 1) --\r, d as (delete from t returning *) select 1")
                .contains("DELETE")
        );
    }
}
