"""Drive Matchbook's entity-matching REST API with Cognite's official Python SDK, unmodified.

Checks that `cognite-sdk` (version pinned in requirements.txt beside this file) works against
Matchbook's local server: fit (unsupervised and supervised), predict, job results, refit,
list, retrieve, retrieve_multiple, update, delete, and the SDK's error types.

Environment:
    MATCHBOOK_URL           base URL of the server, e.g. http://127.0.0.1:8080 (required)
    MATCHBOOK_PROJECT       project name (default: matchbook)
    MATCHBOOK_TOKEN         static bearer token (default: matchbook-dev-token)
    MATCHBOOK_JOB_TIMEOUT   seconds to wait for any model/job (default: 120)
    MATCHBOOK_DISABLE_GZIP  set to 1 to send plain JSON request bodies (default: SDK default, gzip)

Run:
    python -m venv /tmp/cognite-venv && /tmp/cognite-venv/bin/pip install -r tests/cognite/requirements.txt
    MATCHBOOK_URL=http://127.0.0.1:8080 /tmp/cognite-venv/bin/python tests/cognite/sdk_models.py

Exits 0 and prints "N passed, 0 failed" when every check passes, non-zero otherwise.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
import uuid

# Must be set before ClientConfig is built: otherwise the SDK starts a thread that asks PyPI for newer versions.
from cognite.client import global_config

global_config.disable_pypi_version_check = True
global_config.max_retries = 2  # fail fast against a local server (default 10)
global_config.max_retry_backoff = 2
if os.environ.get("MATCHBOOK_DISABLE_GZIP") == "1":
    global_config.disable_gzip = True

from cognite.client import ClientConfig, CogniteClient  # noqa: E402
from cognite.client.credentials import Token  # noqa: E402
from cognite.client.data_classes.contextualization import (  # noqa: E402
    EntityMatchingModel,
    EntityMatchingModelList,
    EntityMatchingModelUpdate,
    EntityMatchingPredictionResult,
)
from cognite.client.exceptions import CogniteAPIError, CogniteNotFoundError  # noqa: E402

URL = os.environ.get("MATCHBOOK_URL")
PROJECT = os.environ.get("MATCHBOOK_PROJECT", "matchbook")
TOKEN = os.environ.get("MATCHBOOK_TOKEN", "matchbook-dev-token")
TIMEOUT = float(os.environ.get("MATCHBOOK_JOB_TIMEOUT", "120"))
RUN = uuid.uuid4().hex[:8]  # keeps names/externalIds unique across reruns against the same server

# --- Test data: time series (sources) and assets (targets) of a process plant --------------------------------
# Every source name is "<plant>_<tag>.<suffix>"; its asset is the bare tag. Target id = source id + 100.
TAGS = [
    "21PT1019", "21TT1020", "13FV1234BU", "23LT2001", "23LIC2001", "31FT3105",
    "31PIC3106", "45TIC4501", "45XV4502", "50PSV5001", "62HS6201", "70AI7001",
]
SUFFIX = ["PV", "PV", "VW", "PV", "SP", "PV", "OP", "PV", "ZSO", "PV", "CMD", "PV"]
DESCR = [
    "Inlet separator pressure", "Inlet separator temperature", "Flow control valve", "Separator level",
    "Separator level controller", "Export gas flow", "Export pressure controller", "Heater outlet temperature",
    "Heater shutdown valve", "Relief valve", "Pump start switch", "Gas detector",
]
SOURCES = [
    {
        "id": i + 1,
        "externalId": f"ts:KKL_{tag}.{sfx}",
        "name": f"KKL_{tag}.{sfx}",
        "description": f"{d} measurement",
        "isString": False,  # non-string fields are dropped by the SDK before sending
        "metadata": {"unit": "bar", "plant": "KKL"},  # flattened by the SDK into "metadata.unit" etc.
    }
    for i, (tag, sfx, d) in enumerate(zip(TAGS, SUFFIX, DESCR))
]
TARGETS = [
    {"id": i + 101, "externalId": f"asset:{tag}", "name": tag, "description": d}
    for i, (tag, d) in enumerate(zip(TAGS, DESCR))
]
EXPECTED = {s["id"]: t["id"] for s, t in zip(SOURCES, TARGETS)}


def fresh(entities):
    # The SDK mutates the dicts it is given (adds "metadata.*" keys), so hand it copies.
    return [dict(e, metadata=dict(e["metadata"])) if "metadata" in e else dict(e) for e in entities]


# --- Tiny runner ------------------------------------------------------------------------------------------------
RESULTS: list[tuple[str, bool]] = []


def check(name):
    def deco(fn):
        def run(*args, **kwargs):
            t0 = time.time()
            try:
                out = fn(*args, **kwargs)
            except Exception:
                RESULTS.append((name, False))
                print(f"FAIL {name} ({time.time() - t0:.1f}s)")
                traceback.print_exc()
                raise
            RESULTS.append((name, True))
            print(f"ok   {name} ({time.time() - t0:.1f}s)")
            return out

        return run

    return deco


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def expect_raises(exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        return e
    except Exception as e:  # wrong type: report it clearly
        raise AssertionError(f"expected {exc_type.__name__}, got {type(e).__name__}: {e}") from e
    raise AssertionError(f"expected {exc_type.__name__}, but the call succeeded")


def build_client() -> CogniteClient:
    if not URL:
        sys.exit("MATCHBOOK_URL is not set (e.g. MATCHBOOK_URL=http://127.0.0.1:8080)")
    cfg = ClientConfig(
        client_name="matchbook-sdk-test",
        project=PROJECT,
        credentials=Token(TOKEN),
        base_url=URL,  # plain http is fine: the SDK never insists on https
        timeout=60,
    )
    return CogniteClient(cfg)


def wait_model(model: EntityMatchingModel) -> None:
    model.wait_for_completion(timeout=TIMEOUT, interval=1)
    expect(model.status == "Completed", f"model {model.id} not Completed after {TIMEOUT}s: {model}")


def wait_job(job: EntityMatchingPredictionResult) -> list[dict]:
    job.wait_for_completion(timeout=TIMEOUT, interval=1)
    expect(job.status == "Completed", f"job {job.job_id} not Completed after {TIMEOUT}s: {job}")
    result = job.get_result()
    expect(isinstance(result, dict) and "items" in result, f"job result has no 'items': {result!r}")
    return result["items"]


def raw_model(client: CogniteClient, model_id: int) -> dict:
    # client.get takes a path below base_url (no project prefix is added for it).
    return client.get(f"/api/v1/projects/{PROJECT}/context/entitymatching/{model_id}").json()


def check_prediction_items(items, n_sources, num_matches, min_correct):
    expect(len(items) == n_sources, f"expected {n_sources} result items, got {len(items)}")
    correct = 0
    for it in items:
        expect("source" in it and "matches" in it, f"result item lacks source/matches: {it}")
        sid = it["source"].get("id")
        expect(sid in EXPECTED, f"result item source not echoed with its id: {it['source']}")
        ms = it["matches"]
        expect(len(ms) <= num_matches, f"source {sid}: {len(ms)} matches > numMatches={num_matches}")
        scores = [m["score"] for m in ms]
        expect(all(0 <= s <= 1 for s in scores), f"source {sid}: score out of 0..1: {scores}")
        expect(scores == sorted(scores, reverse=True), f"source {sid}: matches not sorted by score: {scores}")
        if ms and ms[0]["target"].get("id") == EXPECTED[sid]:
            correct += 1
    expect(correct >= min_correct, f"only {correct}/{n_sources} sources have the right target on top")
    return correct


# --- Checks -------------------------------------------------------------------------------------------------------
@check("fit unsupervised model")
def fit_unsupervised(client):
    model = client.entity_matching.fit(
        sources=fresh(SOURCES), targets=fresh(TARGETS), name=f"unsup-{RUN}", description="unsupervised",
        external_id=f"unsup-{RUN}",
    )
    expect(isinstance(model, EntityMatchingModel), f"fit returned {type(model)}")
    expect(isinstance(model.id, int) and model.id > 0, f"bad model id {model.id!r}")
    expect(model.status in ("Queued", "Running", "Completed"), f"unexpected status after fit: {model.status}")
    expect(isinstance(model.created_time, int), f"createdTime missing or not int: {model.created_time!r}")
    wait_model(model)
    got = client.entity_matching.retrieve(id=model.id)
    expect(got is not None and got.status == "Completed", f"retrieve after training: {got}")
    expect(got.external_id == f"unsup-{RUN}" and got.name == f"unsup-{RUN}", f"fields not kept: {got.dump()}")
    expect(got.feature_type == "simple", f"default featureType should be 'simple', got {got.feature_type!r}")
    expect(got.match_fields == [{"source": "name", "target": "name"}], f"default matchFields: {got.match_fields!r}")
    return model


@check("predict with sources and targets; right target on top")
def predict_given(client, model):
    job = client.entity_matching.predict(
        id=model.id, sources=fresh(SOURCES), targets=fresh(TARGETS), num_matches=3
    )
    expect(isinstance(job, EntityMatchingPredictionResult), f"predict returned {type(job)}")
    expect(isinstance(job.job_id, int), f"bad jobId {job.job_id!r}")
    items = wait_job(job)
    correct = check_prediction_items(items, len(SOURCES), 3, min_correct=10)
    print(f"     {correct}/{len(SOURCES)} correct on top")


@check("predict without sources/targets (training data), score threshold")
def predict_from_training(client, model):
    job = client.entity_matching.predict(external_id=model.external_id, num_matches=1, score_threshold=0.1)
    items = wait_job(job)
    check_prediction_items(items, len(SOURCES), 1, min_correct=10)
    for it in items:
        expect(all(m["score"] > 0.1 for m in it["matches"]), f"scoreThreshold not applied: {it['matches']}")


@check("fit supervised model (randomforest, bigram, match fields, true matches)")
def fit_supervised(client):
    true_matches = [(1, 101), (2, 102), (3, 103)]  # tuples of ints -> sourceId/targetId
    true_matches += [("ts:KKL_23LT2001.PV", "asset:23LT2001")]  # tuple of strings -> source/targetExternalId
    true_matches += [{"sourceId": 5, "targetExternalId": "asset:23LIC2001"}]  # dicts are sent as given
    model = client.entity_matching.fit(
        sources=fresh(SOURCES),
        targets=fresh(TARGETS),
        true_matches=true_matches,
        match_fields=[("name", "name"), ("description", "description")],
        feature_type="bigram",
        classifier="randomforest",
        ignore_missing_fields=True,
        name=f"sup-{RUN}",
        description="supervised",
        external_id=f"sup-{RUN}",
    )
    wait_model(model)
    got = client.entity_matching.retrieve(external_id=f"sup-{RUN}")
    expect(got is not None and got.id == model.id, f"retrieve by externalId: {got}")
    expect((got.classifier or "").lower() == "randomforest", f"classifier: {got.classifier!r}")
    expect(got.feature_type == "bigram", f"featureType: {got.feature_type!r}")
    expect(
        got.match_fields == [{"source": "name", "target": "name"}, {"source": "description", "target": "description"}],
        f"matchFields: {got.match_fields!r}",
    )
    job = client.entity_matching.predict(id=model.id, sources=fresh(SOURCES), targets=fresh(TARGETS), num_matches=2)
    check_prediction_items(wait_job(job), len(SOURCES), 2, min_correct=9)
    return model


@check("refit supervised model with more true matches; originalId")
def refit(client, sup):
    new = client.entity_matching.refit(true_matches=[(6, 106), (7, 107), (8, 108)], id=sup.id)
    expect(isinstance(new, EntityMatchingModel), f"refit returned {type(new)}")
    expect(new.id != sup.id, "refit must create a new model id")
    wait_model(new)
    raw = raw_model(client, new.id)
    expect(raw.get("originalId") == sup.id, f"originalId should be {sup.id}, got {raw.get('originalId')!r}")
    expect(raw.get("externalId") is None, f"refit without newExternalId must have no externalId: {raw}")
    old = client.entity_matching.retrieve(id=sup.id)
    expect(old is not None and old.status == "Completed", "original model must be left unchanged")
    listed = client.entity_matching.list(original_id=sup.id)
    expect([m.id for m in listed] == [new.id], f"list(original_id) should give [{new.id}], got {listed.as_ids()}")
    job = client.entity_matching.predict(id=new.id, num_matches=1)
    check_prediction_items(wait_job(job), len(SOURCES), 1, min_correct=9)
    return new


@check("list models with filters and limits")
def list_models(client, unsup, sup, refitted):
    every = client.entity_matching.list(limit=-1)  # the SDK sends limit=1000000000 here
    expect(isinstance(every, EntityMatchingModelList), f"list returned {type(every)}")
    ids = set(every.as_ids())
    expect({unsup.id, sup.id, refitted.id} <= ids, f"list(limit=-1) lacks our models: {sorted(ids)}")
    by_name = client.entity_matching.list(name=f"sup-{RUN}")
    # The refit model inherits nothing in 'name' by contract; only require the original to be there.
    expect(sup.id in by_name.as_ids(), f"list(name=) lacks {sup.id}: {by_name.as_ids()}")
    expect(unsup.id not in by_name.as_ids(), "list(name=) returned a model with another name")
    by_desc = client.entity_matching.list(description="unsupervised")
    expect(unsup.id in by_desc.as_ids() and sup.id not in by_desc.as_ids(), f"list(description=): {by_desc.as_ids()}")
    by_ft = client.entity_matching.list(feature_type="bigram", classifier="randomforest")
    expect(sup.id in by_ft.as_ids() and unsup.id not in by_ft.as_ids(), f"list(feature_type, classifier): {by_ft.as_ids()}")
    one = client.entity_matching.list(limit=1)
    expect(len(one) == 1, f"list(limit=1) returned {len(one)} models")


@check("retrieve and retrieve_multiple")
def retrieve(client, unsup, sup):
    m = client.entity_matching.retrieve(id=unsup.id)
    expect(m is not None and m.id == unsup.id, f"retrieve(id): {m}")
    ms = client.entity_matching.retrieve_multiple(ids=[sup.id, unsup.id])
    expect(ms.as_ids() == [sup.id, unsup.id], f"retrieve_multiple order/ids: {ms.as_ids()}")
    mixed = client.entity_matching.retrieve_multiple(ids=[unsup.id], external_ids=[f"sup-{RUN}"])
    expect(sorted(mixed.as_ids()) == sorted([unsup.id, sup.id]), f"retrieve_multiple mixed: {mixed.as_ids()}")


@check("update name/description")
def update(client, unsup, sup):
    upd = EntityMatchingModelUpdate(id=unsup.id).name.set(f"renamed-{RUN}").description.set("new description")
    m = client.entity_matching.update(upd)
    expect(isinstance(m, EntityMatchingModel), f"update returned {type(m)}")
    expect(m.name == f"renamed-{RUN}" and m.description == "new description", f"update result: {m.dump()}")
    again = client.entity_matching.retrieve(id=unsup.id)
    expect(again.name == f"renamed-{RUN}", f"update not stored: {again.dump()}")
    # Update through a model object (mode replace_ignore_null sends only name/description).
    obj = client.entity_matching.retrieve(id=sup.id)
    obj.description = "edited via object"
    res = client.entity_matching.update([obj])
    expect(isinstance(res, EntityMatchingModelList) and res[0].description == "edited via object", f"{res}")
    by_xid = client.entity_matching.update(EntityMatchingModelUpdate(external_id=f"sup-{RUN}").name.set("sup2"))
    expect(by_xid.id == sup.id and by_xid.name == "sup2", f"update by externalId: {by_xid.dump()}")


@check("unknown ids and bad requests raise the SDK's errors")
def errors(client):
    unknown = 9_007_199_254_740_000
    expect(client.entity_matching.retrieve(id=unknown) is None, "retrieve(unknown id) should give None")
    e = expect_raises(CogniteNotFoundError, client.entity_matching.retrieve_multiple, ids=[unknown])
    expect({"id": unknown} in (e.not_found or []), f"not_found should list the id: {e.not_found!r}")
    expect(e.x_request_id, "error responses should carry an x-request-id header")
    e = expect_raises(CogniteNotFoundError, client.entity_matching.retrieve_multiple, external_ids=[f"nope-{RUN}"])
    expect({"externalId": f"nope-{RUN}"} in (e.not_found or []), f"not_found: {e.not_found!r}")
    expect_raises(CogniteNotFoundError, client.entity_matching.delete, id=unknown)
    expect_raises(CogniteNotFoundError, client.entity_matching.update, EntityMatchingModelUpdate(id=unknown).name.set("x"))
    # The SDK resolves the model (POST byids) before predict/refit, and raises ValueError itself when it is missing.
    expect_raises(ValueError, client.entity_matching.predict, id=unknown)
    # Direct GET of an unknown model / job: 400 with "missing" or 404 both map to CogniteNotFoundError.
    e = expect_raises(CogniteAPIError, raw_model, client, unknown)
    expect(e.code in (400, 404), f"GET unknown model: code {e.code}")
    e = expect_raises(CogniteAPIError, client.get, f"/api/v1/projects/{PROJECT}/context/entitymatching/jobs/{unknown}")
    expect(e.code in (400, 404), f"GET unknown job: code {e.code}")
    # Validation errors: plain CogniteAPIError with code 400 and a message.
    e = expect_raises(CogniteAPIError, client.entity_matching.fit, sources=fresh(SOURCES), targets=fresh(TARGETS),
                      feature_type="nonsense")
    expect(e.code == 400 and e.message, f"bad featureType: code {e.code}, message {e.message!r}")
    e = expect_raises(CogniteAPIError, client.entity_matching.fit, sources=fresh(SOURCES), targets=[])
    expect(e.code == 400, f"fit without targets: code {e.code}")
    # Duplicate externalId on fit: 409 with "duplicated" maps to CogniteDuplicatedError (a CogniteAPIError).
    from cognite.client.exceptions import CogniteDuplicatedError

    e = expect_raises(CogniteAPIError, client.entity_matching.fit, sources=fresh(SOURCES), targets=fresh(TARGETS),
                      external_id=f"sup-{RUN}")
    expect(isinstance(e, CogniteDuplicatedError) or e.code in (400, 409), f"duplicate externalId: {type(e)} {e.code}")


@check("delete models")
def delete(client, unsup, sup, refitted):
    client.entity_matching.delete(id=[refitted.id, unsup.id])
    client.entity_matching.delete(external_id=f"sup-{RUN}")
    for mid in (unsup.id, sup.id, refitted.id):
        expect(client.entity_matching.retrieve(id=mid) is None, f"model {mid} still retrievable after delete")
    e = expect_raises(CogniteNotFoundError, client.entity_matching.retrieve_multiple, ids=[unsup.id])
    expect({"id": unsup.id} in (e.not_found or []), f"not_found: {e.not_found!r}")
    left = set(client.entity_matching.list(limit=-1).as_ids())
    expect(not left & {unsup.id, sup.id, refitted.id}, f"deleted models still listed: {left}")


N_CHECKS = 10  # number of @check functions that main() runs


def main() -> int:
    client = build_client()
    print(f"cognite-sdk {client.version} -> {URL} project={PROJECT} gzip={not global_config.disable_gzip}")
    try:
        unsup = fit_unsupervised(client)
        predict_given(client, unsup)
        predict_from_training(client, unsup)
        sup = fit_supervised(client)
        refitted = refit(client, sup)
        list_models(client, unsup, sup, refitted)
        retrieve(client, unsup, sup)
        update(client, unsup, sup)
        errors(client)
        delete(client, unsup, sup, refitted)
    except Exception as e:
        print(f"\nstopped at first failure: {type(e).__name__}: {e}", file=sys.stderr)
    passed = sum(ok for _, ok in RESULTS)
    failed = N_CHECKS - passed  # checks not reached after a failure count as failed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
