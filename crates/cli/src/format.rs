//! Small text helpers shared by the commands' human-readable output.

use std::time::Duration;

/// "0.214 s" under a minute, "2 min 05.3 s" above: long runs read better in minutes.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.3} s")
    } else {
        let minutes = (s / 60.0).floor();
        format!("{minutes:.0} min {:04.1} s", s - minutes * 60.0)
    }
}

/// A share as "12.5 %", or "n/a" when undefined (nothing to divide by).
pub fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".into(), |v| format!("{:.1} %", v * 100.0))
}

/// A 0..1 score to three decimals, or "n/a".
pub fn score(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".into(), |v| format!("{v:.3}"))
}

/// A count with thousands separators: "4,500". Progress lines of big runs are read at a glance.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        // ASCII digits: every chunk is valid UTF-8.
        .map(|g| std::str::from_utf8(g).unwrap_or_default())
        .collect();
    groups.join(",")
}

/// `part / whole` as a share, `None` when `whole` is 0.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Writes `key value` lines with the values aligned, the layout every command's summary uses.
pub struct Table {
    rows: Vec<(String, String)>,
}

impl Table {
    pub fn new() -> Self {
        Table { rows: Vec::new() }
    }

    pub fn row(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.rows.push((key.into(), value.into()));
        self
    }

    pub fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let width = self.rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, v) in &self.rows {
            writeln!(out, "{k:<width$}  {v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_switch_to_minutes() {
        assert_eq!(duration(Duration::from_millis(1500)), "1.500 s");
        assert_eq!(duration(Duration::from_millis(125_300)), "2 min 05.3 s");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(4_500), "4,500");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn table_aligns_values() {
        let mut out = Vec::new();
        Table::new()
            .row("id", "x")
            .row("columns", "y")
            .write(&mut out)
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "id       x\ncolumns  y\n");
    }
}
