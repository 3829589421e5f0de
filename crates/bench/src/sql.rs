//! The `sql-import` subcommand: reference data imported from a real PostgreSQL server (tests/pgtest
//! starts one of its own) through the service, timed from the request to `ready`, against the same
//! rows imported from a CSV file, at the sizes given.

use std::time::{Duration, Instant};

use clap::Args;
use engine::{DatasetKind, DatasetStatus, SqlConnection, SqlEngine};
use matchbook_cli::Session;
use service::{ImportRequest, SqlImportRequest};

use crate::BenchError;

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// Rows of the purchase-order table, comma-separated for several sizes.
    #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
    rows: Vec<usize>,
    /// Imports per size; the median is reported.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub fn run(args: &SqlArgs) -> Result<(), BenchError> {
    let server = pgtest::server();
    println!(
        "PostgreSQL on 127.0.0.1:{} (tests/pgtest), {} imports per size, median",
        server.port, args.repeat
    );
    println!(
        "{:>10} {:>12} {:>12} {:>14} {:>12} {:>14}",
        "rows", "columns (ms)", "from-sql s", "from-sql rows/s", "csv file s", "csv rows/s"
    );
    for &rows in &args.rows {
        let table = format!("bench_orders_{rows}");
        server.execute(&format!(
            "DROP TABLE IF EXISTS {table};
             CREATE TABLE {table} AS SELECT g AS po_id, 'PO-' || lpad(g::text, 8, '0') AS po_number,
               'V' || (g % 5000) AS vendor_id, 'Vendor ' || (g % 5000) || ' GmbH' AS vendor_name,
               round((g % 100000) * 1.37, 2)::numeric(12,2) AS net_amount, 'EUR'::char(3) AS currency,
               DATE '2024-01-01' + (g % 365) AS order_date, 'Goods for order ' || g AS description
             FROM generate_series(1, {rows}) g;"
        ));
        // Alone: VACUUM cannot run inside the implicit transaction of several statements.
        server.execute(&format!("VACUUM ANALYZE {table}"));
        let (mut sql_secs, mut first_ms, mut csv_secs) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..args.repeat {
            let dir = tempfile::tempdir().map_err(BenchError::io("temporary folder"))?;
            let session = Session::open(&dir.path().join("bench.matchbook"), true)?;
            let ws = session.workspace();
            let req = SqlImportRequest {
                name: None,
                connection: SqlConnection {
                    engine: SqlEngine::Postgres,
                    host: "127.0.0.1".into(),
                    port: Some(server.port),
                    database: pgtest::DATABASE.into(),
                    user: pgtest::USER.into(),
                },
                query: format!("SELECT * FROM {table}"),
                password: Some(pgtest::PASSWORD.into()),
                save_password: false,
                id_column: Some("po_id".into()),
                statement_timeout_seconds: None,
            };
            let started = Instant::now();
            let d = ws.import_sql(&req)?;
            first_ms.push(started.elapsed().as_secs_f64() * 1e3);
            let done = ws
                .wait_for_import(&d.id, Duration::from_secs(3600))?
                .ok_or_else(|| BenchError::Usage("the import vanished".into()))?;
            sql_secs.push(started.elapsed().as_secs_f64());
            if done.status != DatasetStatus::Ready || done.row_count != rows as u64 {
                return Err(BenchError::Usage(format!(
                    "import ended {:?}: {:?}",
                    done.status, done.error
                )));
            }
            // The same rows from a CSV file, for scale.
            let csv = dir.path().join("orders.csv");
            let mut out = std::io::BufWriter::new(
                std::fs::File::create(&csv).map_err(BenchError::io("csv"))?,
            );
            ws.write_dataset_csv(&d.id, &mut out)?;
            drop(out);
            let mut file = ImportRequest::new(csv.display().to_string(), DatasetKind::Reference);
            file.id_column = Some("po_id".into());
            let started = Instant::now();
            ws.import_dataset(&file)?;
            csv_secs.push(started.elapsed().as_secs_f64());
        }
        let (s, c) = (median(sql_secs), median(csv_secs));
        println!(
            "{rows:>10} {:>12.1} {s:>12.2} {:>14.0} {c:>12.2} {:>14.0}",
            median(first_ms),
            rows as f64 / s,
            rows as f64 / c
        );
    }
    Ok(())
}
