//! Schema migrations, numbered by `PRAGMA user_version`. Append new ones; never edit a released one,
//! because workspaces in the field have already run it.

use rusqlite::Connection;

use crate::{Result, StoreError};

/// Each entry upgrades the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: datasets, configs, runs, results and the review log.
    r#"
    CREATE TABLE datasets (
        id              TEXT PRIMARY KEY,
        kind            TEXT NOT NULL CHECK (kind IN ('reference', 'documents')),
        name            TEXT NOT NULL,
        source_type     TEXT NOT NULL,
        source_file     TEXT,
        columns         TEXT NOT NULL,          -- JSON [{name, type}]
        row_count       INTEGER NOT NULL,
        id_column       TEXT,
        filename_column TEXT,
        created_at      TEXT NOT NULL
    );
    -- Rows of reference datasets. Values are a JSON array aligned with datasets.columns, which keeps
    -- a million-row import to one small insert per row.
    CREATE TABLE reference_rows (
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        ordinal    INTEGER NOT NULL,
        row_id     TEXT NOT NULL,
        vals       TEXT NOT NULL,
        PRIMARY KEY (dataset_id, ordinal)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX reference_rows_by_id ON reference_rows(dataset_id, row_id);
    CREATE TABLE documents (
        set_id            TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        ordinal           INTEGER NOT NULL,
        document_id       TEXT NOT NULL,
        document_filename TEXT,
        vals              TEXT NOT NULL,
        PRIMARY KEY (set_id, ordinal)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX documents_by_id ON documents(set_id, document_id);

    -- No foreign key to datasets: deleting reference data keeps its configs, whose next run fails
    -- (spec A.3.4).
    CREATE TABLE configs (
        id                TEXT PRIMARY KEY,
        name              TEXT NOT NULL,
        reference_data_id TEXT NOT NULL,
        document_set_id   TEXT,
        target_type       TEXT NOT NULL DEFAULT 'run',
        target_value      TEXT NOT NULL DEFAULT '{}',
        field_mappings    TEXT NOT NULL,        -- JSON [FieldMapping]
        threshold         REAL NOT NULL,
        review_floor      REAL NOT NULL,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL
    );

    -- A run keeps a snapshot of the config it ran with: later edits or deletion of the config never
    -- change what a past run means (spec A.4.5).
    CREATE TABLE runs (
        id                 TEXT PRIMARY KEY,
        seq                INTEGER NOT NULL UNIQUE,
        matching_config_id TEXT NOT NULL,
        config_name        TEXT NOT NULL,
        config_snapshot    TEXT NOT NULL,
        run_type           TEXT NOT NULL DEFAULT 'manual',
        strategy_id        TEXT,
        status             TEXT NOT NULL,
        triggered_by       TEXT NOT NULL,
        rows_processed     INTEGER,
        rows_total         INTEGER,
        rows_matched       INTEGER,
        matched_conf_sum   REAL,
        started_at         TEXT,
        completed_at       TEXT,
        error              TEXT,
        created_at         TEXT NOT NULL
    );
    CREATE INDEX runs_by_config ON runs(matching_config_id, seq);
    CREATE INDEX runs_by_status ON runs(status, seq);

    CREATE TABLE results (
        id                       TEXT PRIMARY KEY,
        run_id                   TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        document_id              TEXT NOT NULL,
        document_filename        TEXT,
        matched_reference_row_id TEXT,
        confidence               REAL NOT NULL,
        status                   TEXT NOT NULL DEFAULT 'pending'
                                 CHECK (status IN ('pending', 'approved', 'rejected')),
        notes                    TEXT,
        candidates               TEXT NOT NULL,  -- JSON [Candidate], best first, with evidence
        reviewed_at              TEXT,
        UNIQUE (run_id, document_id)
    );
    CREATE INDEX results_by_confidence ON results(run_id, confidence DESC, document_id);
    CREATE INDEX results_by_status ON results(run_id, status, confidence DESC, document_id);

    -- Every review decision, in order. Append-only: the triggers refuse changes and deletions, so
    -- the audit trail cannot be rewritten even by a bug elsewhere.
    CREATE TABLE review_decisions (
        seq               INTEGER PRIMARY KEY AUTOINCREMENT,
        id                TEXT NOT NULL UNIQUE,
        result_id         TEXT NOT NULL,
        run_id            TEXT NOT NULL,
        document_id       TEXT NOT NULL,
        reference_data_id TEXT NOT NULL,
        reference_row_id  TEXT,
        previous_status   TEXT NOT NULL,
        status            TEXT NOT NULL,
        notes             TEXT,
        decided_by        TEXT NOT NULL,
        decided_at        TEXT NOT NULL
    );
    CREATE INDEX review_decisions_by_result ON review_decisions(result_id, seq);
    CREATE INDEX review_decisions_by_pair ON review_decisions(reference_data_id, document_id, reference_row_id, seq);
    CREATE TRIGGER review_decisions_no_update BEFORE UPDATE ON review_decisions
        BEGIN SELECT RAISE(ABORT, 'review_decisions is append-only'); END;
    CREATE TRIGGER review_decisions_no_delete BEFORE DELETE ON review_decisions
        BEGIN SELECT RAISE(ABORT, 'review_decisions is append-only'); END;
    "#,
    // 2: one-to-one assignment (configs), the flag of documents that lost a contested row, and how
    //    many pairs a run compared after candidate search.
    r#"
    ALTER TABLE configs ADD COLUMN one_to_one INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE results ADD COLUMN contested INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN pairs_compared INTEGER;
    "#,
    // 3: undo. A decision records the result's match and notes before it, so reverting it can
    //    restore them; a revert is itself a decision and names the one it reverts.
    r#"
    ALTER TABLE review_decisions ADD COLUMN previous_matched_row_id TEXT;
    ALTER TABLE review_decisions ADD COLUMN previous_notes TEXT;
    ALTER TABLE review_decisions ADD COLUMN reverts TEXT;
    -- 1 when the two columns above were recorded (decisions from before this migration: 0).
    ALTER TABLE review_decisions ADD COLUMN previous_known INTEGER NOT NULL DEFAULT 0;
    "#,
    // 4: the "reviewed today" counter reads decided results by time; only reviewed ones are indexed.
    r#"
    CREATE INDEX results_by_reviewed_at ON results(reviewed_at) WHERE reviewed_at IS NOT NULL;
    "#,
    // 5: a run's decided results by time, for its "reviewed today" count without reading the rows.
    r#"
    CREATE INDEX results_by_run_reviewed ON results(run_id, reviewed_at) WHERE reviewed_at IS NOT NULL;
    "#,
    // 6: headless use. Schedules on configs (JSON; and when the scheduler last started, or
    //    skipped, a slot), the local REST API's keys (only a hash is kept) and workspace settings.
    r#"
    ALTER TABLE configs ADD COLUMN schedule TEXT;
    ALTER TABLE configs ADD COLUMN schedule_fired_at TEXT;
    CREATE TABLE api_keys (
        id         TEXT PRIMARY KEY,
        prefix     TEXT NOT NULL,   -- the key's first characters, to tell keys apart in settings
        hash       TEXT NOT NULL,   -- hex SHA-256 of the whole key
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE INDEX api_keys_active ON api_keys(hash) WHERE revoked_at IS NULL;
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    "#,
    // 7: processes sharing a workspace. A run names the process that owns it (a lease renewed by
    //    a heartbeat), so no other process fails or starts it while that owner lives; the owner
    //    writes live progress (phase, ETA) and reads cancel requests from other processes here.
    r#"
    ALTER TABLE runs ADD COLUMN owner_id TEXT;
    ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
    ALTER TABLE runs ADD COLUMN owner_host TEXT;
    ALTER TABLE runs ADD COLUMN heartbeat_ms INTEGER;
    ALTER TABLE runs ADD COLUMN phase TEXT;
    ALTER TABLE runs ADD COLUMN phase_progress INTEGER;
    ALTER TABLE runs ADD COLUMN eta_seconds INTEGER;
    ALTER TABLE runs ADD COLUMN cancel_requested_at TEXT;
    "#,
    // 8: blocking keys a config names (issue 13), JSON.
    r#"
    ALTER TABLE configs ADD COLUMN blocking TEXT;
    "#,
    // 9: the block sizes of a run's reference data per field, measured when its index is built
    //    (issue 13), JSON; none for runs from before, or that stopped before the index was built.
    r#"
    ALTER TABLE runs ADD COLUMN block_sizes TEXT;
    "#,
    // 10: strategies (spec A.5): matching plans learned from a reference dataset and documents,
    //     stored on their own and versioned. They go with their reference data (nothing to learn
    //     from is left) but outlive the config they were made for, which they do not change.
    r#"
    CREATE TABLE strategies (
        id                 TEXT PRIMARY KEY,
        name               TEXT,
        matching_config_id TEXT REFERENCES configs(id) ON DELETE SET NULL,
        reference_data_id  TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        document_set_id    TEXT,
        target_type        TEXT NOT NULL DEFAULT 'run',
        user_prompt        TEXT,
        strategy           TEXT NOT NULL,      -- JSON: the plan and any free-form keys
        version            INTEGER NOT NULL,
        version_hash       TEXT NOT NULL,
        created_at         TEXT NOT NULL,
        updated_at         TEXT NOT NULL
    );
    CREATE INDEX strategies_by_created ON strategies(created_at, id);
    CREATE INDEX strategies_by_config ON strategies(matching_config_id, created_at, id);
    CREATE INDEX strategies_by_reference ON strategies(reference_data_id);
    "#,
    // 11: smart runs and ai-resolve (issue 14). A smart run keeps the match model it decided
    //     with (JSON) beside its config snapshot (run_type and strategy_id date from 1). ai-resolve's suggestions have their own log:
    //     the review log holds reviewers' decisions only (its latest entry is what undo reverts),
    //     and a decision that accepted a suggestion names it. The result keeps its open
    //     suggestion (JSON) so that every read of the queue shows it without a join.
    r#"
    ALTER TABLE runs ADD COLUMN model TEXT;
    ALTER TABLE results ADD COLUMN suggestion TEXT;
    ALTER TABLE review_decisions ADD COLUMN suggestion_id TEXT;
    CREATE TABLE suggestions (
        id               TEXT PRIMARY KEY,
        run_id           TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        result_id        TEXT NOT NULL REFERENCES results(id) ON DELETE CASCADE,
        status           TEXT NOT NULL CHECK (status IN ('approved', 'rejected')),
        reference_row_id TEXT,
        probability      REAL NOT NULL,
        reason           TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        -- What became of it: accepted (by the decision that names it), dismissed, or replaced
        -- by a later pass; NULL while it is open.
        outcome          TEXT CHECK (outcome IN ('accepted', 'dismissed', 'replaced')),
        settled_by       TEXT,
        settled_at       TEXT
    );
    CREATE INDEX suggestions_by_result ON suggestions(result_id, created_at);
    CREATE INDEX suggestions_by_run ON suggestions(run_id);
    "#,
    // 12: packages (spec A.8, A.9): configs of document-type slots over matching configs, and
    //     their runs, which go with them (deleting a package config deletes its runs).
    r#"
    CREATE TABLE package_configs (
        id                    TEXT PRIMARY KEY,
        name                  TEXT NOT NULL,
        document_type_configs TEXT NOT NULL,   -- JSON [DocumentTypeConfig]
        pass_criteria         TEXT NOT NULL,   -- JSON PassCriteria
        created_at            TEXT NOT NULL,
        updated_at            TEXT NOT NULL
    );
    CREATE INDEX package_configs_by_created ON package_configs(created_at, id);
    CREATE TABLE package_runs (
        id                TEXT PRIMARY KEY,
        package_config_id TEXT NOT NULL REFERENCES package_configs(id) ON DELETE CASCADE,
        status            TEXT NOT NULL,
        document_results  TEXT NOT NULL,   -- JSON
        input_documents   TEXT NOT NULL,   -- JSON {type: [document id]}
        error             TEXT,
        created_at        TEXT NOT NULL,
        completed_at      TEXT
    );
    CREATE INDEX package_runs_by_config ON package_runs(package_config_id, created_at, id);
    CREATE INDEX package_runs_by_created ON package_runs(created_at, id);
    "#,
    // 13: rules across a package's slots (the three-way match) and their outcomes per run.
    r#"
    ALTER TABLE package_configs ADD COLUMN rules TEXT NOT NULL DEFAULT '[]';  -- JSON [PackageRule]
    ALTER TABLE package_runs ADD COLUMN rule_results TEXT NOT NULL DEFAULT '[]';  -- JSON [RuleResult]
    "#,
    // 14: entity matching the Cognite way: models (with their training data and fitted model)
    // and predict jobs; ids are Cognite's int64s.
    r#"
    CREATE TABLE em_models (
        id                    INTEGER PRIMARY KEY,
        external_id           TEXT UNIQUE,
        name                  TEXT,
        description           TEXT,
        status                TEXT NOT NULL,
        feature_type          TEXT NOT NULL,
        match_fields          TEXT NOT NULL,   -- JSON [{source, target}]
        classifier            TEXT,            -- NULL: unsupervised
        ignore_missing_fields INTEGER NOT NULL,
        original_id           INTEGER,
        created_time          INTEGER NOT NULL,
        start_time            INTEGER,
        status_time           INTEGER NOT NULL,
        error_message         TEXT,
        training              TEXT NOT NULL,   -- JSON {sources, targets, trueMatches}
        fitted                TEXT             -- JSON engine::em::TrainedModel
    );
    CREATE TABLE em_jobs (
        job_id        INTEGER PRIMARY KEY,
        model_id      INTEGER REFERENCES em_models(id) ON DELETE SET NULL,
        status        TEXT NOT NULL,
        created_time  INTEGER NOT NULL,
        start_time    INTEGER,
        status_time   INTEGER NOT NULL,
        error_message TEXT,
        token         TEXT NOT NULL,
        request       TEXT NOT NULL,   -- JSON {sources?, targets?, numMatches, scoreThreshold?}
        items         TEXT             -- JSON [{source, matches}]
    );
    "#,
    // 15: entity-matching pipelines and their runs.
    r#"
    CREATE TABLE em_pipelines (
        id                INTEGER PRIMARY KEY,
        external_id       TEXT UNIQUE,
        owner             TEXT NOT NULL,
        created_time      INTEGER NOT NULL,
        last_updated_time INTEGER NOT NULL,
        body              TEXT NOT NULL    -- JSON: sources, targets, modelParameters, matches, rules...
    );
    CREATE TABLE em_pipeline_runs (
        job_id        INTEGER PRIMARY KEY,
        pipeline_id   INTEGER NOT NULL REFERENCES em_pipelines(id) ON DELETE CASCADE,
        status        TEXT NOT NULL,
        created_time  INTEGER NOT NULL,
        start_time    INTEGER,
        status_time   INTEGER NOT NULL,
        error_message TEXT,
        result        TEXT             -- JSON {matches, suggestedRules, generatedRules, errors}
    );
    CREATE INDEX em_pipeline_runs_by_pipeline ON em_pipeline_runs(pipeline_id, job_id);
    "#,
    // 16: reference data read from a database (issue 18). A dataset has a status (importing,
    //     ready, failed), a version counted per completed import, the error of a failed one, the
    //     SQL source it refreshes from (JSON, no password) and live progress with a cancel
    //     request. A refresh writes its rows under a hidden dataset (version_of = the dataset) and
    //     then points the dataset at them (rows_from); a run pins the rows it matched against
    //     (reference_rows_from), so past runs keep them while older unpinned versions are dropped.
    r#"
    ALTER TABLE datasets ADD COLUMN status TEXT NOT NULL DEFAULT 'ready';
    ALTER TABLE datasets ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE datasets ADD COLUMN error TEXT;
    ALTER TABLE datasets ADD COLUMN sql_source TEXT;
    ALTER TABLE datasets ADD COLUMN rows_imported INTEGER;
    ALTER TABLE datasets ADD COLUMN import_heartbeat_ms INTEGER;
    ALTER TABLE datasets ADD COLUMN cancel_requested_at TEXT;
    ALTER TABLE datasets ADD COLUMN rows_from TEXT;
    ALTER TABLE datasets ADD COLUMN version_of TEXT REFERENCES datasets(id) ON DELETE CASCADE;
    CREATE INDEX datasets_versions ON datasets(version_of) WHERE version_of IS NOT NULL;
    ALTER TABLE runs ADD COLUMN reference_rows_from TEXT;
    CREATE INDEX runs_by_reference_rows ON runs(reference_rows_from) WHERE reference_rows_from IS NOT NULL;
    "#,
    // 17: an import owns its dataset by a token: a process whose import was failed as stale (it
    //     stopped beating: suspended, asleep) can no longer write to it when it wakes up.
    r#"
    ALTER TABLE datasets ADD COLUMN import_token TEXT;
    "#,
    // 18: a run may leave a matched document's review band to be filled when its result is read
    //     (`engine::run::complete_bands`); 0 until then. Results from before were always whole.
    r#"
    ALTER TABLE results ADD COLUMN band_complete INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX results_band_incomplete ON results(run_id) WHERE band_complete = 0;
    "#,
    // 19: one index of a run's results by confidence, carrying the status, instead of two (one by
    //     confidence, one by status then confidence). A run's results arrive in document order,
    //     so each index of them by confidence takes its inserts all over and every commit of the
    //     writer rewrites most of its pages: the second cost a people run of 100k about a tenth
    //     of its time. A status filter reads the status from this index without touching the row.
    r#"
    DROP INDEX results_by_status;
    DROP INDEX results_by_confidence;
    CREATE INDEX results_by_confidence ON results(run_id, confidence DESC, document_id, status);
    "#,
];

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current = current_version(conn)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// For a workspace opened read-only: it must already be at this version's schema, since it
/// cannot be upgraded.
pub fn check_current(conn: &Connection) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let current = current_version(conn)?;
    if current < known {
        return Err(StoreError::NeedsUpgrade {
            found: current,
            known,
        });
    }
    Ok(())
}

/// The file's schema version; a file from a newer Matchbook is refused before anything touches it.
fn current_version(conn: &Connection) -> Result<i64> {
    let known = MIGRATIONS.len() as i64;
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > known {
        return Err(StoreError::TooNew {
            found: current,
            known,
        });
    }
    Ok(current)
}
