//! Scheduled runs on a real workspace file with a clock the tests move by hand: a slot fires one
//! run when it comes and not before, missed slots give one run after a restart, a config with an
//! active run gets no second one, editing a schedule re-anchors it, cron fires at its slot, bad
//! schedules are refused, and the background loop starts runs and ends with its handle or its
//! workspace.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, TimeDelta, TimeZone, Utc};
use engine::{ConfigInput, DatasetKind, FieldMapping, Run, RunStatus, Schedule, Strategy};
use service::{Clock, RunFilter, ServiceError, Workspace};

mod common;
use common::{import, open_with_clock, runtime};

/// A clock that stands still until the test moves it.
struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    fn at(t: DateTime<Utc>) -> Arc<TestClock> {
        Arc::new(TestClock(Mutex::new(t)))
    }
    fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap() = t;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 10, 8, 0, 0).unwrap()
}

fn minutes(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

/// A runtime nobody drives: runs queued on it stay queued, that is active, for as long as the
/// test needs.
fn stalled_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

struct Setup {
    _dir: tempfile::TempDir,
    path: PathBuf,
    input: ConfigInput,
}

/// A workspace file with two purchase orders and one invoice, imported, and a config input for
/// them (without a schedule).
fn setup(rt: &tokio::runtime::Runtime, clock: &Arc<TestClock>) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let refs = dir.path().join("orders.csv");
    std::fs::write(&refs, "po_id,vendor\nPO-1,Acme\nPO-2,Globex\n").unwrap();
    let docs = dir.path().join("invoices.csv");
    std::fs::write(&docs, "document_id,vendor\nINV-1,Acme\n").unwrap();
    let path = dir.path().join("ws.sqlite");
    let ws = open_with_clock(rt, &path, clock.clone());
    let reference = import(&ws, &refs, DatasetKind::Reference, "po_id");
    let documents = import(&ws, &docs, DatasetKind::Documents, "document_id");
    let input = ConfigInput {
        name: "Invoices to POs".into(),
        reference_data_id: reference.id,
        document_set_id: Some(documents.id),
        field_mappings: vec![FieldMapping::new("vendor", "vendor", Strategy::Exact, 1.0)],
        threshold: None,
        review_floor: None,
        one_to_one: None,
        schedule: None,
        blocking_keys: None,
        blocking_strategy: None,
    };
    Setup {
        _dir: dir,
        path,
        input,
    }
}

fn with_schedule(input: &ConfigInput, schedule: Schedule) -> ConfigInput {
    ConfigInput {
        schedule: Some(schedule),
        blocking_keys: None,
        blocking_strategy: None,
        ..input.clone()
    }
}

fn runs_of(ws: &Workspace, config_id: &str) -> Vec<Run> {
    ws.list_runs(&RunFilter {
        config_id: Some(config_id.into()),
        ..RunFilter::default()
    })
    .unwrap()
}

/// One pass at the clock's time; the runs it started, after they finished.
fn pass(ws: &Workspace) -> Vec<Run> {
    let started = ws.run_due_schedules().unwrap();
    started
        .iter()
        .map(|run| {
            let done = ws.wait_for_run(&run.id, Duration::from_secs(30)).unwrap();
            assert_eq!(done.status, RunStatus::Completed, "{done:?}");
            done
        })
        .collect()
}

fn poll(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn an_interval_fires_once_when_due_and_not_before() {
    let rt = runtime();
    let clock = TestClock::at(t0());
    let fx = setup(&rt, &clock);
    let ws = open_with_clock(&rt, &fx.path, clock.clone());
    let config = ws
        .create_config(&with_schedule(&fx.input, Schedule::IntervalMinutes(60)))
        .unwrap();

    assert!(
        pass(&ws).is_empty(),
        "nothing is due when the schedule is set"
    );
    clock.set(t0() + minutes(59));
    assert!(pass(&ws).is_empty(), "nor a minute before the slot");

    clock.set(t0() + minutes(60));
    let fired = pass(&ws);
    assert_eq!(fired.len(), 1);
    let run = &fired[0];
    assert_eq!(run.matching_config_id, config.id);
    assert_eq!(run.triggered_by, engine::TriggeredBy::Scheduled);
    assert_eq!(serde_json::to_value(run.triggered_by).unwrap(), "scheduled");
    assert_eq!(run.rows_matched, Some(1), "the run really matched");

    assert!(pass(&ws).is_empty(), "a slot fires once");
    clock.set(t0() + minutes(119));
    assert!(pass(&ws).is_empty());
    clock.set(t0() + minutes(120));
    assert_eq!(pass(&ws).len(), 1);

    let runs = runs_of(&ws, &config.id);
    assert_eq!(runs.len(), 2);
    assert!(runs
        .iter()
        .all(|r| r.triggered_by == engine::TriggeredBy::Scheduled));
}

#[test]
fn slots_missed_while_closed_give_one_run_at_the_next_start() {
    let rt = runtime();
    let clock = TestClock::at(t0());
    let fx = setup(&rt, &clock);
    let ws = open_with_clock(&rt, &fx.path, clock.clone());
    let config = ws
        .create_config(&with_schedule(&fx.input, Schedule::IntervalMinutes(60)))
        .unwrap();
    assert!(pass(&ws).is_empty());
    drop(ws);

    // Closed for five and a half hours: five slots went by.
    clock.set(t0() + minutes(5 * 60 + 30));
    let ws = open_with_clock(&rt, &fx.path, clock.clone());
    assert_eq!(pass(&ws).len(), 1);
    assert!(pass(&ws).is_empty());
    assert_eq!(runs_of(&ws, &config.id).len(), 1);

    // The next slot is the first on the hourly grid after the restart, not an hour after it.
    clock.set(t0() + minutes(6 * 60 - 1));
    assert!(pass(&ws).is_empty());
    clock.set(t0() + minutes(6 * 60));
    assert_eq!(pass(&ws).len(), 1);
    assert_eq!(runs_of(&ws, &config.id).len(), 2);
}

#[test]
fn a_config_with_an_active_run_gets_no_second_one() {
    let driven = runtime();
    let stalled = stalled_runtime();
    let clock = TestClock::at(t0());
    let fx = setup(&driven, &clock);
    // Runs queued here never execute: they stay active.
    let ws = open_with_clock(&stalled, &fx.path, clock.clone());
    let config = ws
        .create_config(&with_schedule(&fx.input, Schedule::IntervalMinutes(60)))
        .unwrap();
    let manual = ws
        .start_run(&config.id, engine::TriggeredBy::Manual)
        .unwrap();

    clock.set(t0() + minutes(60));
    assert!(ws.run_due_schedules().unwrap().is_empty());
    clock.set(t0() + minutes(150));
    assert!(ws.run_due_schedules().unwrap().is_empty());
    assert_eq!(runs_of(&ws, &config.id).len(), 1);

    // The skipped slots are spent: once the run is over, nothing fires until the next slot.
    ws.cancel_run(&manual.id).unwrap();
    assert!(ws.run_due_schedules().unwrap().is_empty());
    clock.set(t0() + minutes(180));
    let fired = ws.run_due_schedules().unwrap();
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].status, RunStatus::Queued);

    // Its own scheduled run, still queued, keeps the schedule from starting another.
    clock.set(t0() + minutes(10 * 60));
    assert!(ws.run_due_schedules().unwrap().is_empty());
    assert_eq!(runs_of(&ws, &config.id).len(), 2);
}

#[test]
fn changing_the_schedule_re_anchors_it_and_other_edits_do_not() {
    let rt = runtime();
    let clock = TestClock::at(t0());
    let fx = setup(&rt, &clock);
    let ws = open_with_clock(&rt, &fx.path, clock.clone());
    let hourly = with_schedule(&fx.input, Schedule::IntervalMinutes(60));
    let kept = ws.create_config(&hourly).unwrap();
    let changed = ws.create_config(&hourly).unwrap();

    clock.set(t0() + minutes(50));
    let renamed = ConfigInput {
        name: "Renamed".into(),
        ..hourly.clone()
    };
    ws.update_config(&kept.id, &renamed).unwrap();
    let half_hourly = with_schedule(&fx.input, Schedule::IntervalMinutes(30));
    ws.update_config(&changed.id, &half_hourly).unwrap();

    // At the old hourly slot only the renamed config fires; the changed one counts from 00:50
    // (under its old anchor a 30-minute schedule would have been due at 00:30 already).
    clock.set(t0() + minutes(60));
    let fired = pass(&ws);
    assert_eq!(
        fired
            .iter()
            .map(|r| r.matching_config_id.clone())
            .collect::<Vec<_>>(),
        vec![kept.id.clone()]
    );
    clock.set(t0() + minutes(79));
    assert!(pass(&ws).is_empty());
    clock.set(t0() + minutes(80));
    let fired = pass(&ws);
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].matching_config_id, changed.id);

    // A schedule removed never fires.
    ws.update_config(&changed.id, &fx.input).unwrap();
    clock.set(t0() + minutes(10 * 60));
    let fired = pass(&ws);
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].matching_config_id, kept.id);
}

#[test]
fn a_cron_schedule_fires_at_its_slot_in_local_time() {
    let rt = runtime();
    // 2026-06-10 is a Wednesday; times are the machine's local time, as the schedule reads them.
    let local = |day: u32, h: u32, m: u32| {
        Local
            .with_ymd_and_hms(2026, 6, day, h, m, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    };
    let clock = TestClock::at(local(10, 1, 30));
    let fx = setup(&rt, &clock);
    let ws = open_with_clock(&rt, &fx.path, clock.clone());
    let config = ws
        .create_config(&with_schedule(
            &fx.input,
            Schedule::Cron("0 2 * * 1-5".into()),
        ))
        .unwrap();

    clock.set(local(10, 1, 59));
    assert!(pass(&ws).is_empty());
    clock.set(local(10, 2, 0));
    let fired = pass(&ws);
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].triggered_by, engine::TriggeredBy::Scheduled);
    clock.set(local(10, 23, 0));
    assert!(pass(&ws).is_empty());

    // Thursday's and Friday's slots missed: one run on Saturday, none on Sunday, then Monday's.
    clock.set(local(13, 9, 0));
    assert_eq!(pass(&ws).len(), 1);
    clock.set(local(14, 9, 0));
    assert!(pass(&ws).is_empty());
    clock.set(local(15, 2, 0));
    assert_eq!(pass(&ws).len(), 1);
    assert_eq!(runs_of(&ws, &config.id).len(), 3);
}

#[test]
fn bad_schedules_are_refused_naming_the_field() {
    let rt = runtime();
    let clock = TestClock::at(t0());
    let fx = setup(&rt, &clock);
    let ws = open_with_clock(&rt, &fx.path, clock.clone());
    let refused = |schedule: Schedule| match ws.create_config(&with_schedule(&fx.input, schedule)) {
        Err(ServiceError::Validation { field, message }) => {
            assert_eq!(field, "schedule");
            message
        }
        other => panic!("expected a validation error, got {other:?}"),
    };
    assert_eq!(
        refused(Schedule::Cron("61 * * * *".into())),
        "'61 * * * *' is not a cron expression: minute 61 is out of range (0-59)"
    );
    assert!(refused(Schedule::Cron("0 2 * *".into())).contains("five fields"));
    assert!(refused(Schedule::IntervalMinutes(0)).contains("minutes"));
    assert!(refused(Schedule::IntervalMinutes(525_601)).contains("minutes"));
    assert!(ws.list_configs().unwrap().is_empty());

    let config = ws.create_config(&fx.input).unwrap();
    let bad = with_schedule(&fx.input, Schedule::Cron("0 0 30 2 *".into()));
    match ws.update_config(&config.id, &bad) {
        Err(ServiceError::Validation { field, .. }) => assert_eq!(field, "schedule"),
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(ws.get_config(&config.id).unwrap().schedule, None);
}

#[test]
fn the_loop_starts_due_runs_and_ends_with_its_handle_or_its_workspace() {
    let rt = runtime();
    let clock = TestClock::at(t0());
    let fx = setup(&rt, &clock);
    let ws = Arc::new(open_with_clock(&rt, &fx.path, clock.clone()));
    let config = ws
        .create_config(&with_schedule(&fx.input, Schedule::IntervalMinutes(60)))
        .unwrap();
    let period = Duration::from_millis(20);
    let scheduled = |ws: &Workspace| runs_of(ws, &config.id);

    let handle = ws.spawn_scheduler(rt.handle(), period);
    std::thread::sleep(Duration::from_millis(150));
    assert!(scheduled(&ws).is_empty());
    clock.set(t0() + minutes(60));
    poll("the loop to start the due run", || {
        scheduled(&ws).len() == 1
    });
    let run = &scheduled(&ws)[0];
    assert_eq!(run.triggered_by, engine::TriggeredBy::Scheduled);
    ws.wait_for_run(&run.id, Duration::from_secs(30)).unwrap();

    // Stopped: due slots wait.
    handle.stop();
    std::thread::sleep(Duration::from_millis(100));
    clock.set(t0() + minutes(180));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(scheduled(&ws).len(), 1);

    // A new loop makes its first pass at once.
    let handle = ws.spawn_scheduler(rt.handle(), Duration::from_secs(3600));
    poll("the first pass of a new loop", || scheduled(&ws).len() == 2);
    for run in scheduled(&ws) {
        ws.wait_for_run(&run.id, Duration::from_secs(30)).unwrap();
    }
    let handle_short = ws.spawn_scheduler(rt.handle(), period);
    std::thread::sleep(Duration::from_millis(100));
    assert!(!handle_short.is_finished());

    // The loops hold the workspace weakly: dropping it ends them.
    drop(ws);
    poll("the loop to end with its workspace", || {
        handle_short.is_finished()
    });
    // A loop between ticks notices only at its next one; its handle still stops it.
    drop(handle);
}
