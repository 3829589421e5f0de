//! What the scheduler reads and writes: the configs that have a schedule, and the slot each last
//! fired. The anchor is set by `insert_config` and `update_config` when a schedule is set or
//! changed, and moved on here each time a slot fires or is skipped.

use engine::Schedule;
use rusqlite::params;

use crate::{from_json, to_json, Result, Store};

/// A config with a schedule, as the scheduler needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledConfig {
    pub config_id: String,
    pub schedule: Schedule,
    /// Slots at or before this time are done: it is when the schedule was set, or the last slot
    /// that fired or was skipped. ISO 8601 UTC.
    pub anchor: String,
}

impl Store {
    /// Every config that has a schedule, oldest first.
    pub fn list_scheduled_configs(&self) -> Result<Vec<ScheduledConfig>> {
        let conn = self.read();
        let mut stmt = conn.prepare_cached(
            // A config given a schedule before the scheduler kept anchors has none: its last
            // edit stands in, which is when that schedule was set at the latest.
            "SELECT id, schedule, COALESCE(schedule_fired_at, updated_at) FROM configs \
             WHERE schedule IS NOT NULL ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (config_id, schedule, anchor) = row?;
            Ok(ScheduledConfig {
                config_id,
                schedule: from_json("config schedule", &schedule)?,
                anchor,
            })
        })
        .collect()
    }

    /// Records that the slot at `slot` of `schedule` fired (or was skipped) for a config. Nothing
    /// changes when the config is gone or its schedule is no longer `schedule`: an edit made
    /// meanwhile set its own anchor, which stands. Returns whether the anchor moved.
    pub fn record_schedule_fired(
        &self,
        config_id: &str,
        schedule: &Schedule,
        slot: &str,
    ) -> Result<bool> {
        let n = self.write().execute(
            "UPDATE configs SET schedule_fired_at = ?3 WHERE id = ?1 AND schedule = ?2",
            params![config_id, to_json(schedule)?, slot],
        )?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::MatchingConfig;

    fn config(id: &str, schedule: Option<Schedule>, at: &str) -> MatchingConfig {
        MatchingConfig {
            id: id.into(),
            name: format!("config {id}"),
            reference_data_id: "ref".into(),
            document_set_id: None,
            target_type: "run".into(),
            target_value: serde_json::json!({}),
            field_mappings: Vec::new(),
            threshold: 0.85,
            review_floor: 0.5,
            one_to_one: false,
            schedule,
            blocking_keys: None,
            blocking_strategy: None,
            created_at: at.into(),
            updated_at: at.into(),
        }
    }

    fn anchors(store: &Store) -> Vec<(String, String)> {
        store
            .list_scheduled_configs()
            .unwrap()
            .into_iter()
            .map(|c| (c.config_id, c.anchor))
            .collect()
    }

    fn pair(id: &str, at: &str) -> (String, String) {
        (id.to_string(), at.to_string())
    }

    const T0: &str = "2026-06-10T10:00:00.000Z";
    const T1: &str = "2026-06-10T10:30:00.000Z";
    const T2: &str = "2026-06-10T11:00:00.000Z";

    #[test]
    fn a_schedule_is_anchored_where_it_is_set_and_kept_while_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let hourly = Schedule::IntervalMinutes(60);
        store
            .insert_config(&config("a", Some(hourly.clone()), T0))
            .unwrap();
        store.insert_config(&config("b", None, T0)).unwrap();
        assert_eq!(anchors(&store), vec![pair("a", T0)]);
        let listed = store.list_scheduled_configs().unwrap();
        assert_eq!(listed[0].schedule, hourly);

        // Renamed, same schedule: the anchor stays.
        let mut a = config("a", Some(hourly.clone()), T0);
        a.name = "renamed".into();
        a.updated_at = T1.into();
        store.update_config(&a).unwrap();
        assert_eq!(anchors(&store), vec![pair("a", T0)]);

        // A changed schedule starts from the edit.
        a.schedule = Some(Schedule::Cron("0 2 * * *".into()));
        a.updated_at = T2.into();
        store.update_config(&a).unwrap();
        assert_eq!(anchors(&store), vec![pair("a", T2)]);

        // A schedule added to a config that had none starts from that edit too.
        let mut b = config("b", Some(hourly.clone()), T0);
        b.updated_at = T1.into();
        store.update_config(&b).unwrap();
        assert_eq!(anchors(&store), vec![pair("a", T2), pair("b", T1)]);

        // Removed: no longer listed; set again later: anchored afresh.
        a.schedule = None;
        store.update_config(&a).unwrap();
        assert_eq!(anchors(&store), vec![pair("b", T1)]);
        a.schedule = Some(hourly);
        a.updated_at = T0.into();
        store.update_config(&a).unwrap();
        assert_eq!(anchors(&store), vec![pair("a", T0), pair("b", T1)]);
    }

    #[test]
    fn firing_moves_the_anchor_unless_the_schedule_changed_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let hourly = Schedule::IntervalMinutes(60);
        store
            .insert_config(&config("a", Some(hourly.clone()), T0))
            .unwrap();
        assert!(store.record_schedule_fired("a", &hourly, T2).unwrap());
        assert_eq!(anchors(&store), vec![pair("a", T2)]);

        // The scheduler read the hourly schedule, then the user switched to cron.
        let mut a = config("a", Some(Schedule::Cron("0 2 * * *".into())), T0);
        a.updated_at = T1.into();
        store.update_config(&a).unwrap();
        assert!(!store.record_schedule_fired("a", &hourly, T2).unwrap());
        assert_eq!(anchors(&store), vec![pair("a", T1)]);

        assert!(!store.record_schedule_fired("gone", &hourly, T2).unwrap());
    }
}
