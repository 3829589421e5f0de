//! PostgreSQL's COPY text format, one line per row: values split by tabs, `\N` for NULL, and
//! backslash escapes for tabs, newlines and backslashes inside values. The server formats every
//! type itself (exact numerics, ISO dates under the session's DateStyle), so no type is decoded
//! here; only timestamps and booleans are rewritten into the forms Matchbook's parser reads best.

/// How a column's text is rewritten after unescaping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    AsIs,
    /// `2024-03-01 10:00:00` -> `2024-03-01T10:00:00`.
    Timestamp,
    /// `2024-03-01 10:00:00+00` (the session's time zone is UTC) -> `2024-03-01T10:00:00Z`.
    TimestampUtc,
    /// `t` / `f` -> `true` / `false`.
    Bool,
}

impl Shape {
    pub(crate) fn of_type(db_type: &str) -> Shape {
        match db_type {
            "timestamp" => Shape::Timestamp,
            "timestamptz" => Shape::TimestampUtc,
            "bool" => Shape::Bool,
            _ => Shape::AsIs,
        }
    }
}

/// Splits one line (without its newline) into `shapes.len()` values. `Err` names what is wrong.
pub(crate) fn decode_line(line: &[u8], shapes: &[Shape]) -> Result<Vec<String>, String> {
    let mut out = Vec::with_capacity(shapes.len());
    for (i, field) in line.split(|&c| c == b'\t').enumerate() {
        let Some(&shape) = shapes.get(i) else {
            return Err(format!("more than the {} columns described", shapes.len()));
        };
        if field == b"\\N" {
            out.push(String::new());
            continue;
        }
        let text = unescape(field)?;
        out.push(reshape(text, shape));
    }
    if out.len() != shapes.len() {
        return Err(format!(
            "{} values where the query describes {} columns",
            out.len(),
            shapes.len()
        ));
    }
    Ok(out)
}

fn unescape(field: &[u8]) -> Result<String, String> {
    if !field.contains(&b'\\') {
        return String::from_utf8(field.to_vec()).map_err(|_| "a value is not UTF-8".to_string());
    }
    let mut bytes = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        if field[i] != b'\\' || i + 1 == field.len() {
            bytes.push(field[i]);
            i += 1;
            continue;
        }
        let c = field[i + 1];
        i += 2;
        match c {
            b'b' => bytes.push(8),
            b'f' => bytes.push(12),
            b'n' => bytes.push(b'\n'),
            b'r' => bytes.push(b'\r'),
            b't' => bytes.push(b'\t'),
            b'v' => bytes.push(11),
            b'0'..=b'7' => {
                // Up to three octal digits, the first already read.
                let mut v = u32::from(c - b'0');
                let mut n = 1;
                while n < 3 && i < field.len() && (b'0'..=b'7').contains(&field[i]) {
                    v = v * 8 + u32::from(field[i] - b'0');
                    i += 1;
                    n += 1;
                }
                bytes.push(v as u8);
            }
            b'x' => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 2 && i < field.len() && field[i].is_ascii_hexdigit() {
                    v = v * 16 + (field[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                    n += 1;
                }
                bytes.push(v as u8);
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).map_err(|_| "a value is not UTF-8".to_string())
}

fn reshape(mut text: String, shape: Shape) -> String {
    match shape {
        Shape::AsIs => text,
        Shape::Bool => match text.as_str() {
            "t" => "true".into(),
            "f" => "false".into(),
            _ => text,
        },
        Shape::Timestamp | Shape::TimestampUtc => {
            if text.as_bytes().get(10) == Some(&b' ') {
                text.replace_range(10..11, "T");
            }
            if shape == Shape::TimestampUtc {
                if let Some(stripped) = text.strip_suffix("+00") {
                    text = format!("{stripped}Z");
                }
            }
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_escapes_and_shapes() {
        let shapes = [
            Shape::AsIs,
            Shape::AsIs,
            Shape::Timestamp,
            Shape::TimestampUtc,
            Shape::Bool,
        ];
        let row = decode_line(
            b"a\\tb\\nc\\\\d\t\\N\t2024-03-01 10:00:00\t2024-03-01 10:00:00.5+00\tt",
            &shapes,
        )
        .unwrap();
        assert_eq!(
            row,
            [
                "a\tb\nc\\d",
                "",
                "2024-03-01T10:00:00",
                "2024-03-01T10:00:00.5Z",
                "true"
            ]
        );
        assert_eq!(decode_line(b"\\101\\x42", &[Shape::AsIs]).unwrap(), ["AB"]);
        assert_eq!(
            decode_line("Müller".as_bytes(), &[Shape::AsIs]).unwrap(),
            ["Müller"]
        );
        // An empty value is an empty string, distinct from NULL only in the database.
        assert_eq!(
            decode_line(b"\t", &[Shape::AsIs, Shape::AsIs]).unwrap(),
            ["", ""]
        );
    }

    #[test]
    fn a_row_of_the_wrong_width_is_an_error() {
        assert!(decode_line(b"a\tb", &[Shape::AsIs])
            .unwrap_err()
            .contains("more than the 1"));
        assert!(decode_line(b"a", &[Shape::AsIs, Shape::AsIs])
            .unwrap_err()
            .contains("1 values"));
    }
}
