//! Scheduled runs: a pass that starts the runs whose schedule is due, and the loop on tokio that
//! makes a pass every few seconds while the app or `serve` is open.
//!
//! A pass fires at most one run per config, for the latest due slot, and records that slot: slots
//! missed while Matchbook was closed give one run at the next start, not one each. A slot that
//! comes while the config still has an active run is recorded but skipped, so slow runs never pile
//! up behind each other. Cron expressions are read in the machine's local time.

use std::sync::Arc;
use std::time::Duration;

use crate::cron::due_slot;
use chrono::{DateTime, Local, SecondsFormat, Utc};
use engine::{Run, TriggeredBy};
use store::{ScheduledConfig, StoreError};
use tokio::sync::oneshot;
use tokio::time::MissedTickBehavior;

use crate::error::{ErrorCode, Result, ServiceError};
use crate::{lock, Workspace};

/// Keeps the scheduler loop of [`Workspace::spawn_scheduler`] going; dropping it (or
/// [`SchedulerHandle::stop`]) ends the loop after the pass in progress, if any.
pub struct SchedulerHandle {
    _stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl SchedulerHandle {
    /// Ends the loop; the same as dropping the handle.
    pub fn stop(self) {}

    /// Whether the loop has ended: stopped, or its workspace was dropped.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl Workspace {
    /// One pass of the scheduler at the clock's current time: starts a run (triggered_by
    /// "scheduled") of each config whose schedule has a slot due and that has no queued or
    /// running run, and returns the runs it started. A config whose pass fails does not stop the
    /// others; the first failure is returned after all were tried (runs it did start are in the
    /// runs list).
    pub fn run_due_schedules(&self) -> Result<Vec<Run>> {
        let _pass = lock(&self.schedule_pass);
        let now = self.clock.now();
        let mut started = Vec::new();
        let mut first_error = None;
        for scheduled in self.store.list_scheduled_configs()? {
            match self.fire_if_due(&scheduled, now) {
                Ok(Some(run)) => started.push(run),
                Ok(None) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        // Entity-matching pipelines with a scheduleInterval run in the same pass.
        if let Err(e) = self.em_run_due_pipelines(now.timestamp_millis()) {
            first_error.get_or_insert(e);
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(started),
        }
    }

    fn fire_if_due(&self, scheduled: &ScheduledConfig, now: DateTime<Utc>) -> Result<Option<Run>> {
        let anchor = DateTime::parse_from_rfc3339(&scheduled.anchor)
            .map_err(|e| {
                StoreError::Corrupt(format!(
                    "config {}: schedule time '{}': {e}",
                    scheduled.config_id, scheduled.anchor
                ))
            })?
            .with_timezone(&Utc);
        let Some(slot) = due_slot(&scheduled.schedule, anchor, now, &Local)? else {
            return Ok(None);
        };
        let slot_text = slot.to_rfc3339_opts(SecondsFormat::Millis, true);
        let id = &scheduled.config_id;
        if self.store.config_has_active_run(id)? {
            self.store
                .record_schedule_fired(id, &scheduled.schedule, &slot_text)?;
            return Ok(None);
        }
        self.refresh_before_scheduled_run(id);
        // Started before the slot is recorded: should recording fail, the next pass finds the
        // run active and skips the slot, where the other order could lose the run.
        let run = match self.start_run(id, TriggeredBy::Scheduled) {
            Ok(run) => run,
            // Deleted since the list was read.
            Err(ServiceError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        self.store
            .record_schedule_fired(id, &scheduled.schedule, &slot_text)?;
        Ok(Some(run))
    }

    /// A scheduled run of a config whose reference data comes from a database matches against
    /// the database as it is now: the query is re-run first (password from the user's password
    /// file) and waited for. A refresh that fails leaves the previous version, which the run then
    /// uses; the dataset shows the refresh's error.
    fn refresh_before_scheduled_run(&self, config_id: &str) {
        let Ok(config) = self.store.get_config(config_id) else {
            return;
        };
        let Ok(dataset) = self.store.get_dataset(&config.reference_data_id) else {
            return;
        };
        if dataset.sql.is_none() {
            return;
        }
        let refreshing = match dataset.status {
            engine::DatasetStatus::Importing => true,
            _ => self
                .refresh_dataset(&dataset.id, &crate::RefreshRequest::default())
                .is_ok(),
        };
        if refreshing {
            let _ = self.wait_for_import(&dataset.id, std::time::Duration::from_secs(3600));
        }
    }

    /// Makes a pass of [`Workspace::run_due_schedules`] at once and then every `period` on
    /// `runtime`, until the handle is dropped or the workspace is (the loop holds only a weak
    /// reference). A failed pass is reported on stderr, once per kind of error, and the loop
    /// goes on.
    pub fn spawn_scheduler(
        self: &Arc<Workspace>,
        runtime: &tokio::runtime::Handle,
        period: Duration,
    ) -> SchedulerHandle {
        let weak = Arc::downgrade(self);
        let (stop, mut stopped) = oneshot::channel::<()>();
        let period = period.max(Duration::from_millis(1));
        let task = runtime.spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let mut reported: Vec<ErrorCode> = Vec::new();
            loop {
                tokio::select! {
                    // Resolves (with an error) when the handle drops its sender.
                    _ = &mut stopped => break,
                    _ = ticks.tick() => {}
                }
                let Some(ws) = weak.upgrade() else { break };
                let error = match tokio::task::spawn_blocking(move || ws.run_due_schedules()).await
                {
                    Ok(Ok(_)) => continue,
                    Ok(Err(e)) => e,
                    Err(e) => ServiceError::Internal(format!("the scheduler's pass stopped: {e}")),
                };
                if !reported.contains(&error.code()) {
                    reported.push(error.code());
                    eprintln!("matchbook: scheduled runs: {error}");
                }
            }
        });
        SchedulerHandle { _stop: stop, task }
    }
}
