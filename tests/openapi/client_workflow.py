"""A reviewer's workflow through a client generated from Matchbook's OpenAPI document.

The client is openapi-python-client's output for /v1/openapi.json, unmodified; this script only
imports it. It uploads reference data and documents (real CSV files), creates a matching config,
starts a run, waits for it, pages through the results, approves one and reads it back. Every
answer is read by the generated client's models and, besides, checked against the schema the
document declares for that operation and status, so a schema that does not fit what the server
answers fails here.

Run by crates/api/tests/openapi_client.rs. Environment:
  MATCHBOOK_URL        the server's base URL (http://127.0.0.1:PORT)
  MATCHBOOK_TOKEN      the workspace's API key
  MATCHBOOK_SPEC       the OpenAPI document the client was generated from (JSON file)
  MATCHBOOK_FIXTURES   the folder with pos_small.csv and invoices_small.csv (tests/fixtures)
  MATCHBOOK_RUN_TIMEOUT seconds to wait for the run (default 60)

Prints one line of JSON, the summary, last; exits non-zero on any failure.
"""

import json
import os
import sys
import time
from http import HTTPStatus
from pathlib import Path

from matchbook_local_matching_api_client import AuthenticatedClient
from matchbook_local_matching_api_client.api.configs import create_config, get_config, list_configs
from matchbook_local_matching_api_client.api.document_sets import (
    create_document_set,
    get_document_set,
    list_document_sets,
)
from matchbook_local_matching_api_client.api.reference_data import (
    create_reference_data,
    list_reference_data,
    list_reference_data_rows,
)
from matchbook_local_matching_api_client.api.results import (
    get_result,
    list_decisions,
    list_results,
    review_result,
)
from matchbook_local_matching_api_client.api.review_desk import count_bulk_approve, get_run_summary
from matchbook_local_matching_api_client.api.runs import (
    cancel_run,
    get_run,
    get_run_progress,
    list_runs,
    start_run,
)
from matchbook_local_matching_api_client.models import (
    BulkCount,
    Config,
    ConfigPage,
    CreateConfig,
    DecisionList,
    ErrorEnvelope,
    FieldMapping,
    Progress,
    ResultObject,
    ResultPage,
    Review,
    ReviewStatus,
    RowsPage,
    RunDetail,
    RunObject,
    RunPage,
    RunStatus,
    RunSummary,
    StartRun,
    Strategy,
    Table,
    TablePage,
    UploadForm,
)
from matchbook_local_matching_api_client.types import UNSET, File, Response
from openapi_schema_validator import OAS31Validator

BASE = os.environ["MATCHBOOK_URL"]
TOKEN = os.environ["MATCHBOOK_TOKEN"]
SPEC = json.loads(Path(os.environ["MATCHBOOK_SPEC"]).read_text())
FIXTURES = Path(
    os.environ.get("MATCHBOOK_FIXTURES", Path(__file__).resolve().parents[1] / "fixtures")
)
RUN_TIMEOUT = float(os.environ.get("MATCHBOOK_RUN_TIMEOUT", "60"))
PAGE_SIZE = 5

checked = 0


def declared_schema(operation_id: str, status: int) -> dict:
    """The JSON schema the document declares for an operation's answer with this status."""
    for path_item in SPEC["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                response = operation["responses"].get(str(status))
                assert response is not None, f"{operation_id} does not declare status {status}"
                return response["content"]["application/json"]["schema"]
    raise AssertionError(f"no operation {operation_id} in the document")


def schema_errors(operation_id: str, status: int, instance) -> list[str]:
    """Where `instance` departs from the schema declared for the operation's answer."""
    schema = dict(declared_schema(operation_id, status))
    schema["components"] = SPEC["components"]
    errors = sorted(OAS31Validator(schema).iter_errors(instance), key=str)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def answer(operation_id: str, response: Response, status: int, model: type):
    """Checks the status, the raw JSON against the declared schema, and the parsed model."""
    global checked
    body = response.content.decode()
    assert response.status_code == HTTPStatus(status), (
        f"{operation_id}: expected {status}, got {response.status_code}: {body}"
    )
    errors = schema_errors(operation_id, status, json.loads(body))
    assert not errors, f"{operation_id} {status} does not fit its schema: " + "; ".join(errors[:5])
    assert isinstance(response.parsed, model), (
        f"{operation_id}: the client parsed {type(response.parsed).__name__}, not {model.__name__}"
    )
    checked += 1
    return response.parsed


def upload(endpoint, operation_id: str, name: str, **options) -> Table:
    with open(FIXTURES / name, "rb") as f:
        form = UploadForm(file=File(payload=f, file_name=name, mime_type="text/csv"), **options)
        table = answer(operation_id, endpoint.sync_detailed(client=client, body=form), 201, Table)
    return table


client = AuthenticatedClient(
    base_url=BASE, token=TOKEN, timeout=30.0, raise_on_unexpected_status=True
)

# Reference data and documents, uploaded as files.
reference = upload(
    create_reference_data,
    "create_reference_data",
    "pos_small.csv",
    id_column="po_id",
    has_header=True,
)
assert reference.row_count == 12 and reference.id_column == "po_id", reference
# The schema check finds a departure (so its silence above means something).
wrong = reference.to_dict() | {"row_count": "12"}
del wrong["columns"]
found = schema_errors("create_reference_data", 201, wrong)
assert any("row_count" in e for e in found) and any("columns" in e for e in found), found
rows = answer(
    "list_reference_data_rows",
    list_reference_data_rows.sync_detailed(reference.id, client=client, limit=3),
    200,
    RowsPage,
)
assert len(rows.data) == 3 and rows.pagination.total == 12, rows
assert rows.data[0]["id"] == "po_1" and "po_number" in rows.data[0].additional_properties, rows
documents = upload(create_document_set, "create_document_set", "invoices_small.csv")
assert documents.row_count == 12, documents

# A matching config over them.
mappings = [
    FieldMapping(
        source="vendor_name",
        target="vendor_name",
        strategy=Strategy.FUZZY,
        weight=0.3,
        similarity_threshold=0.5,
    ),
    FieldMapping(
        source="po_reference",
        target="po_number",
        strategy=Strategy.FUZZY,
        weight=0.4,
        similarity_threshold=0.6,
    ),
    FieldMapping(
        source="total_amount",
        target="net_amount",
        strategy=Strategy.NUMERIC_RANGE,
        weight=0.2,
        tolerance_percent=22.0,
    ),
    FieldMapping(
        source="invoice_date",
        target="order_date",
        strategy=Strategy.DATE_RANGE,
        weight=0.1,
        tolerance_days=45,
    ),
]
config = answer(
    "create_config",
    create_config.sync_detailed(
        client=client,
        body=CreateConfig(
            name="Invoices to POs (generated client)",
            reference_data_id=reference.id,
            document_set_id=documents.id,
            field_mappings=mappings,
            threshold=0.7,
            review_floor=0.4,
        ),
    ),
    201,
    Config,
)
assert config.reference_data_id == reference.id and len(config.field_mappings) == 4, config
same = answer("get_config", get_config.sync_detailed(config.id, client=client), 200, Config)
assert same.id == config.id and same.field_mappings[1].target == "po_number", same

# An unknown config: the error envelope, parsed by the client too.
missing = answer(
    "get_config", get_config.sync_detailed("no-such-config", client=client), 404, ErrorEnvelope
)
assert missing.status_code == 404 and missing.code == "not_found", missing

# A run, and waiting for it. The body may be left out, but a generated client cannot leave out
# an optional JSON body (openapi-python-client's issue #1354): it sends the empty one.
run = answer(
    "start_run", start_run.sync_detailed(config.id, client=client, body=StartRun()), 202, RunObject
)
assert run.matching_config_id == config.id, run
deadline = time.monotonic() + RUN_TIMEOUT
while True:
    detail = answer("get_run", get_run.sync_detailed(run.id, client=client), 200, RunDetail)
    if detail.status not in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.AI_RESOLVING):
        break
    assert time.monotonic() < deadline, f"run {run.id} did not finish in {RUN_TIMEOUT} s"
    time.sleep(0.05)
assert detail.status == RunStatus.COMPLETED, detail
progress = answer(
    "get_run_progress", get_run_progress.sync_detailed(run.id, client=client), 200, Progress
)
assert progress.id == run.id and progress.completed_at, progress

# Every result, page by page.
results: list[ResultObject] = []
pages = 0
page = 1
while True:
    result_page = answer(
        "list_results",
        list_results.sync_detailed(run.id, client=client, page=page, limit=PAGE_SIZE),
        200,
        ResultPage,
    )
    pages += 1
    assert result_page.pagination.page == page and result_page.pagination.limit == PAGE_SIZE
    results.extend(result_page.data)
    if not result_page.data or len(results) >= result_page.pagination.total:
        break
    page += 1
total = result_page.pagination.total
assert total == 12 and len(results) == total, (total, len(results))
assert len({r.id for r in results}) == total, "a result came twice"
assert pages >= 2, f"only {pages} page(s)"
confidences = [r.confidence for r in results]
assert confidences == sorted(confidences, reverse=True), "results are not best first"

# Approve one pending result with a match and read it back.
target = next(
    r
    for r in results
    if r.status == ReviewStatus.PENDING and isinstance(r.matched_reference_row_id, str)
)
reviewed = answer(
    "review_result",
    review_result.sync_detailed(
        run.id,
        target.id,
        client=client,
        body=Review(status=ReviewStatus.APPROVED, notes="approved through the generated client"),
    ),
    200,
    ResultObject,
)
assert reviewed.status == ReviewStatus.APPROVED, reviewed
back = answer(
    "get_result", get_result.sync_detailed(run.id, target.id, client=client), 200, ResultObject
)
assert back.status == ReviewStatus.APPROVED, back
assert back.notes == "approved through the generated client", back
assert back.matched_reference_row_id == target.matched_reference_row_id, back
assert back.reviewed_at not in (None, UNSET), back
decisions = answer(
    "list_decisions",
    list_decisions.sync_detailed(run.id, target.id, client=client),
    200,
    DecisionList,
)
assert len(decisions.data) == 1 and decisions.data[0].status == ReviewStatus.APPROVED, decisions

# The other reads a reviewer's tools make, each parsed and checked against its schema too.
tables = answer(
    "list_reference_data", list_reference_data.sync_detailed(client=client), 200, TablePage
)
assert [t.id for t in tables.data] == [reference.id], tables
sets = answer("list_document_sets", list_document_sets.sync_detailed(client=client), 200, TablePage)
assert [t.id for t in sets.data] == [documents.id], sets
answer("get_document_set", get_document_set.sync_detailed(documents.id, client=client), 200, Table)
configs = answer(
    "list_configs", list_configs.sync_detailed(client=client, limit=10), 200, ConfigPage
)
assert [c.id for c in configs.data] == [config.id], configs
runs = answer(
    "list_runs", list_runs.sync_detailed(client=client, config_id=config.id), 200, RunPage
)
assert [r.id for r in runs.data] == [run.id], runs
summary = answer(
    "get_run_summary", get_run_summary.sync_detailed(run.id, client=client), 200, RunSummary
)
assert summary.counts.approved == 1 and sum(summary.histogram) == total, summary
count = answer(
    "count_bulk_approve",
    count_bulk_approve.sync_detailed(run.id, client=client, min_confidence=0.5),
    200,
    BulkCount,
)
still_pending = [
    r
    for r in results
    if r.id != target.id and r.status == ReviewStatus.PENDING and r.confidence >= 0.5
]
assert count.count == len(still_pending), (count, len(still_pending))
finished = answer("cancel_run", cancel_run.sync_detailed(run.id, client=client), 409, ErrorEnvelope)
assert finished.code == "conflict", finished

print(
    json.dumps(
        {
            "ok": True,
            "reference_rows": reference.row_count,
            "documents": documents.row_count,
            "config_id": config.id,
            "run_id": run.id,
            "run_status": str(detail.status),
            "results": total,
            "pages": pages,
            "reviewed_result_id": back.id,
            "reviewed_status": str(back.status),
            "responses_checked": checked,
        }
    )
)
sys.exit(0)
