//! Schedules of configs: validation, and which slot of a schedule is due. Pure time arithmetic;
//! the store keeps when a schedule last fired and the service decides what to start.
//!
//! An interval's slots lie on a grid from its anchor (anchor + k × interval), so a run that starts
//! a few seconds late does not push every later slot back. A cron expression's slots are its
//! matching minutes in the time zone given, which is the local zone in the app.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;

use crate::error::ServiceError;
use engine::domain::Schedule;

/// The longest interval: a year of minutes.
pub const MAX_INTERVAL_MINUTES: u32 = 525_600;

/// The field a bad schedule is reported under.
const FIELD: &str = "schedule";

/// Name and range of each of the five cron fields, in order, for messages.
const CRON_FIELDS: [(&str, u32, u32); 5] = [
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
];

/// Checks a schedule; a bad one is a validation error on the field `schedule` saying what is wrong.
pub fn validate_schedule(schedule: &Schedule) -> Result<(), ServiceError> {
    match schedule {
        Schedule::IntervalMinutes(m) => interval(*m).map(|_| ()),
        Schedule::Cron(expr) => {
            let cron = parse_cron(expr)?;
            // A pattern such as "0 0 30 2 *" parses but never comes round; refuse it now rather
            // than let it sit silently. The search is bounded by croner (year 5000).
            let start = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
            match cron.find_next_occurrence(&start, false) {
                Ok(_) => Ok(()),
                Err(_) => Err(not_cron(expr, "no date ever matches it")),
            }
        }
    }
}

/// The first slot of `schedule` strictly after `after`, with cron evaluated in `tz`. `None` when a
/// cron expression has no later slot.
pub fn next_slot_after<Tz: TimeZone>(
    schedule: &Schedule,
    after: DateTime<Utc>,
    tz: &Tz,
) -> Result<Option<DateTime<Utc>>, ServiceError> {
    match schedule {
        Schedule::IntervalMinutes(m) => Ok(after.checked_add_signed(interval(*m)?)),
        Schedule::Cron(expr) => {
            let cron = parse_cron(expr)?;
            Ok(cron
                .find_next_occurrence(&after.with_timezone(tz), false)
                .ok()
                .map(|t| t.with_timezone(&Utc)))
        }
    }
}

/// The latest slot in `(anchor, now]`: the one to fire (and record as fired) when a schedule last
/// fired, or was set, at `anchor`. Several missed slots give only the latest, so a closed laptop
/// makes one run, not one per slot; and since the next slot after it is after `now`, nothing else is
/// due until then. `None` when no slot is due.
pub fn due_slot<Tz: TimeZone>(
    schedule: &Schedule,
    anchor: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Result<Option<DateTime<Utc>>, ServiceError> {
    let Some(first) = next_slot_after(schedule, anchor, tz)? else {
        return Ok(None);
    };
    if first > now {
        return Ok(None);
    }
    match schedule {
        Schedule::IntervalMinutes(m) => {
            let step = interval(*m)?.num_milliseconds();
            let steps = (now - anchor).num_milliseconds() / step;
            Ok(Some(anchor + TimeDelta::milliseconds(steps * step)))
        }
        Schedule::Cron(expr) => {
            let cron = parse_cron(expr)?;
            let latest = cron
                .find_previous_occurrence(&now.with_timezone(tz), true)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(first);
            Ok(Some(latest.max(first)))
        }
    }
}

fn interval(minutes: u32) -> Result<TimeDelta, ServiceError> {
    if !(1..=MAX_INTERVAL_MINUTES).contains(&minutes) {
        return Err(ServiceError::validation(
            FIELD,
            format!("the interval must be from 1 to {MAX_INTERVAL_MINUTES} minutes (a year)"),
        ));
    }
    Ok(TimeDelta::minutes(i64::from(minutes)))
}

fn parser() -> CronParser {
    CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .build()
}

fn not_cron(expr: &str, why: impl std::fmt::Display) -> ServiceError {
    ServiceError::validation(FIELD, format!("'{expr}' is not a cron expression: {why}"))
}

/// Parses a five-field expression (minute hour day-of-month month day-of-week). Errors name the
/// field at fault, which croner's own messages do not.
fn parse_cron(expr: &str) -> Result<Cron, ServiceError> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    if fields.is_empty() {
        return Err(ServiceError::validation(
            FIELD,
            "enter a cron expression, e.g. '0 2 * * 1-5' for 02:00 on weekdays",
        ));
    }
    if fields.len() != 5 {
        return Err(not_cron(
            expr,
            format!(
                "it needs five fields (minute hour day-of-month month day-of-week), it has {}",
                fields.len()
            ),
        ));
    }
    let parser = parser();
    let whole = match parser.parse(expr) {
        Ok(cron) => return Ok(cron),
        Err(e) => e,
    };
    for (i, field) in fields.iter().enumerate() {
        let alone: Vec<&str> = (0..5).map(|j| if j == i { field } else { "*" }).collect();
        if parser.parse(&alone.join(" ")).is_ok() {
            continue;
        }
        let (name, min, max) = CRON_FIELDS[i];
        if let Some(n) = out_of_range(field, min, max) {
            return Err(not_cron(
                expr,
                format!("{name} {n} is out of range ({min}-{max})"),
            ));
        }
        return Err(not_cron(
            expr,
            format!("the {name} field '{field}' is not valid"),
        ));
    }
    Err(not_cron(expr, whole))
}

/// The first number in a field's values (not its steps) outside `min..=max`.
fn out_of_range(field: &str, min: u32, max: u32) -> Option<u64> {
    field
        .split(',')
        .flat_map(|part| part.split('/').next().unwrap_or("").split('-'))
        .filter_map(|value| {
            let digits = value.trim_end_matches(|c: char| !c.is_ascii_digit());
            let digits = digits.split('#').next().unwrap_or(digits);
            digits.parse::<u64>().ok()
        })
        .find(|n| *n < u64::from(min) || *n > u64::from(max))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn cron(s: &str) -> Schedule {
        Schedule::Cron(s.into())
    }

    fn message(r: Result<(), ServiceError>) -> String {
        match r {
            Err(ServiceError::Validation { field, message }) => {
                assert_eq!(field, "schedule");
                message
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn an_interval_must_be_one_minute_to_a_year() {
        for ok in [1, 60, MAX_INTERVAL_MINUTES] {
            assert!(validate_schedule(&Schedule::IntervalMinutes(ok)).is_ok());
        }
        for bad in [0, MAX_INTERVAL_MINUTES + 1] {
            let m = message(validate_schedule(&Schedule::IntervalMinutes(bad)));
            assert!(m.contains("from 1 to 525600 minutes"), "{m}");
        }
    }

    #[test]
    fn cron_messages_name_the_field_at_fault() {
        assert_eq!(
            message(validate_schedule(&cron("61 * * * *"))),
            "'61 * * * *' is not a cron expression: minute 61 is out of range (0-59)"
        );
        assert_eq!(
            message(validate_schedule(&cron("0 24 * * *"))),
            "'0 24 * * *' is not a cron expression: hour 24 is out of range (0-23)"
        );
        assert_eq!(
            message(validate_schedule(&cron("0 2 * 1-13 *"))),
            "'0 2 * 1-13 *' is not a cron expression: month 13 is out of range (1-12)"
        );
        assert_eq!(
            message(validate_schedule(&cron("0 2 0 * *"))),
            "'0 2 0 * *' is not a cron expression: day of month 0 is out of range (1-31)"
        );
        let m = message(validate_schedule(&cron("0 2 * * mon-xyz")));
        assert!(
            m.contains("day of week field 'mon-xyz' is not valid"),
            "{m}"
        );
        let m = message(validate_schedule(&cron("0 2 * *")));
        assert!(m.contains("needs five fields"), "{m}");
        assert!(m.contains("it has 4"), "{m}");
        let m = message(validate_schedule(&cron("0 0 2 * * *")));
        assert!(m.contains("it has 6"), "{m}");
        let m = message(validate_schedule(&cron("@daily")));
        assert!(m.contains("five fields"), "{m}");
        let m = message(validate_schedule(&cron("  ")));
        assert!(m.contains("enter a cron expression"), "{m}");
        let m = message(validate_schedule(&cron("0 0 30 2 *")));
        assert!(m.contains("no date ever matches"), "{m}");
    }

    #[test]
    fn accepts_standard_expressions() {
        for ok in [
            "0 2 * * 1-5",
            "*/15 * * * *",
            "0 9,17 * * *",
            "30 6 1 * *",
            "0 0 * * 0",
            "0 0 * * 7",
            "0 8 * jan mon",
            "0 0 29 2 *",
        ] {
            assert!(validate_schedule(&cron(ok)).is_ok(), "{ok}");
        }
    }

    #[test]
    fn the_next_interval_slot_is_one_interval_later() {
        let t = utc("2026-06-10T10:03:12.345Z");
        let next = next_slot_after(&Schedule::IntervalMinutes(90), t, &Utc).unwrap();
        assert_eq!(next, Some(utc("2026-06-10T11:33:12.345Z")));
    }

    #[test]
    fn the_next_cron_slot_is_in_the_given_time_zone() {
        // 2026-06-10 is a Wednesday.
        let weekdays_at_two = cron("0 2 * * 1-5");
        let next = |after: &str, tz: &FixedOffset| {
            next_slot_after(&weekdays_at_two, utc(after), tz)
                .unwrap()
                .unwrap()
        };
        let utc0 = FixedOffset::east_opt(0).unwrap();
        let berlin_summer = FixedOffset::east_opt(2 * 3600).unwrap();
        assert_eq!(
            next("2026-06-10T01:00:00Z", &utc0),
            utc("2026-06-10T02:00:00Z")
        );
        // 02:00 at UTC+2 is midnight UTC.
        assert_eq!(
            next("2026-06-09T23:00:00Z", &berlin_summer),
            utc("2026-06-10T00:00:00Z")
        );
        // Strictly after: a slot at the very instant is not the next one.
        assert_eq!(
            next("2026-06-10T02:00:00Z", &utc0),
            utc("2026-06-11T02:00:00Z")
        );
        // Friday 02:00 is followed by Monday 02:00.
        assert_eq!(
            next("2026-06-12T02:00:00Z", &utc0),
            utc("2026-06-15T02:00:00Z")
        );
    }

    #[test]
    fn nothing_is_due_before_the_first_slot() {
        let anchor = utc("2026-06-10T10:00:00Z");
        let hourly = Schedule::IntervalMinutes(60);
        for now in ["2026-06-10T10:00:00Z", "2026-06-10T10:59:59.999Z"] {
            assert_eq!(due_slot(&hourly, anchor, utc(now), &Utc).unwrap(), None);
        }
        assert_eq!(
            due_slot(&hourly, anchor, utc("2026-06-10T11:00:00Z"), &Utc).unwrap(),
            Some(utc("2026-06-10T11:00:00Z"))
        );
        let at_two = cron("0 2 * * *");
        let anchor = utc("2026-06-10T02:00:00.250Z");
        assert_eq!(
            due_slot(&at_two, anchor, utc("2026-06-11T01:59:59Z"), &Utc).unwrap(),
            None
        );
    }

    #[test]
    fn many_missed_slots_give_the_latest_one() {
        let anchor = utc("2026-06-10T10:00:00Z");
        let hourly = Schedule::IntervalMinutes(60);
        let now = utc("2026-06-10T15:30:00Z");
        let due = due_slot(&hourly, anchor, now, &Utc).unwrap().unwrap();
        assert_eq!(due, utc("2026-06-10T15:00:00Z"));
        // Recorded as fired, the slot leaves nothing due until the grid's next slot after now.
        assert_eq!(due_slot(&hourly, due, now, &Utc).unwrap(), None);
        assert_eq!(
            next_slot_after(&hourly, due, &Utc).unwrap(),
            Some(utc("2026-06-10T16:00:00Z"))
        );

        let at_two = cron("0 2 * * *");
        let anchor = utc("2026-06-01T12:00:00Z");
        let now = utc("2026-06-10T09:00:00Z");
        let due = due_slot(&at_two, anchor, now, &Utc).unwrap().unwrap();
        assert_eq!(due, utc("2026-06-10T02:00:00Z"));
        assert_eq!(due_slot(&at_two, due, now, &Utc).unwrap(), None);
    }

    #[test]
    fn a_cron_slot_is_due_at_its_minute() {
        let every_quarter = cron("*/15 * * * *");
        let anchor = utc("2026-06-10T10:01:00Z");
        assert_eq!(
            due_slot(&every_quarter, anchor, utc("2026-06-10T10:14:59Z"), &Utc).unwrap(),
            None
        );
        assert_eq!(
            due_slot(
                &every_quarter,
                anchor,
                utc("2026-06-10T10:15:00.400Z"),
                &Utc
            )
            .unwrap(),
            Some(utc("2026-06-10T10:15:00Z"))
        );
    }

    #[test]
    fn an_invalid_stored_schedule_is_an_error_not_a_slot() {
        let anchor = utc("2026-06-10T10:00:00Z");
        assert!(due_slot(&cron("61 * * * *"), anchor, anchor, &Utc).is_err());
        assert!(due_slot(&Schedule::IntervalMinutes(0), anchor, anchor, &Utc).is_err());
    }
}
