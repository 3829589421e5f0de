//! HTTP conformance of every Cognite entity-matching endpoint of spec B.11, its success shape
//! and each error shape of B.2: int64 ids, epoch-ms times, PascalCase statuses, `{items}`,
//! `nextCursor` pages; `{error: {code, message, missing?, duplicated?}}` as 400 naming the
//! field, 400 with `missing`, 404, 409 with `duplicated` and 401; gzip bodies, trailing slash.
//! A real server on loopback over a real SQLite workspace (tests/common), tiny inline entities.

mod common;

use std::fmt::Display;
use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::Api;
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

const EM: &str = "/api/v1/projects/matchbook/context/entitymatching";
/// The largest id Cognite hands out (2^53 - 1, spec B.2).
const MAX_ID: i64 = 9_007_199_254_740_991;
const STATUSES: [&str; 4] = ["Queued", "Running", "Completed", "Failed"];
const BAD: StatusCode = StatusCode::BAD_REQUEST;
const NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;
const CONFLICT: StatusCode = StatusCode::CONFLICT;

fn em(rest: impl Display) -> String {
    format!("{EM}{rest}")
}

fn pl(rest: impl Display) -> String {
    format!("{EM}/pipelines{rest}")
}

/// `refuse! { c, path, "field" => body, ... }`: each body, sent plain and gzip, is a 400 whose
/// message names the field.
macro_rules! refuse {
    ($c:expr, $path:expr, $($field:literal => $body:expr),+ $(,)?) => {
        $( $c.refuse(&$path, $field, $body).await; )+
    };
}

/// `has! { v, "key" => value, ... }`: each key of `v` holds the value.
macro_rules! has {
    ($v:expr, $($k:literal => $want:expr),+ $(,)?) => {
        $( assert_eq!($v[$k], json!($want), "{} in {}", $k, $v); )+
    };
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    /// A 200 with a JSON body; answers the body.
    fn ok(self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        assert!(!self.body.is_string(), "not JSON: {}", self.body);
        self.body
    }

    /// Cognite's envelope and nothing else, as JSON: `{error: {code: <status>, message,
    /// missing?, duplicated?}}`; answers `error`.
    fn err(self, status: StatusCode) -> Value {
        let (body, ct) = (&self.body, self.headers.get("content-type"));
        assert_eq!(self.status, status, "{body}");
        let json = ct.is_some_and(|c| c.to_str().unwrap().starts_with("application/json"));
        assert!(json, "{ct:?}");
        let keys: Vec<&String> = body.as_object().expect("an object").keys().collect();
        assert_eq!(keys, ["error"], "{body}");
        let e = body["error"].clone();
        assert_eq!(e["code"], status.as_u16(), "{e}");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
        for (k, v) in e.as_object().unwrap() {
            let known = ["code", "message", "missing", "duplicated"];
            assert!(known.contains(&k.as_str()), "{k} in {e}");
            if k == "missing" || k == "duplicated" {
                let ids = v.as_array().expect("a list of ids");
                let id_either = |i: &Value| {
                    i["id"].is_i64() || i["externalId"].is_string() && i.get("id").is_none()
                };
                assert!(!ids.is_empty() && ids.iter().all(id_either), "{e}");
            }
        }
        e
    }

    /// A 400 whose message names `field`.
    fn bad(self, field: &str) -> Value {
        let e = self.err(BAD);
        let named = e["message"].as_str().unwrap().contains(field);
        assert!(named, "{field} not in {e}");
        e
    }

    /// A 400 listing `ids` as missing.
    fn missing(self, ids: Value) {
        assert_eq!(self.err(BAD)["missing"], ids);
    }
}

/// Every answer carries an x-request-id (spec B.2).
async fn send(req: RequestBuilder) -> Reply {
    let r = req.send().await.expect("the server answers");
    let (status, headers) = (r.status(), r.headers().clone());
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    let id = headers.get("x-request-id").is_some_and(|v| !v.is_empty());
    assert!(id, "no x-request-id: {status} {body}");
    Reply {
        status,
        headers,
        body,
    }
}

/// The harness's server, and requests to it with the workspace key.
struct C(Api);

impl C {
    async fn start() -> C {
        C(Api::start().await)
    }

    async fn get(&self, path: impl AsRef<str>) -> Reply {
        send(self.0.req(Method::GET, path.as_ref())).await
    }

    async fn post(&self, path: impl AsRef<str>, body: Value) -> Reply {
        send(self.0.req(Method::POST, path.as_ref()).json(&body)).await
    }

    /// The body gzip-compressed, as Cognite's SDK sends every body.
    async fn gzip(&self, path: impl AsRef<str>, body: Value) -> Reply {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), Default::default());
        gz.write_all(body.to_string().as_bytes()).unwrap();
        let req = self.0.req(Method::POST, path.as_ref());
        let req = req.header("content-encoding", "gzip");
        let req = req.header("content-type", "application/json");
        send(req.body(gz.finish().unwrap())).await
    }

    /// A body sent verbatim (malformed JSON): a 400.
    async fn malformed(&self, path: impl AsRef<str>, text: &'static str) {
        let req = self.0.req(Method::POST, path.as_ref());
        let req = req.header("content-type", "application/json");
        send(req.body(text)).await.err(BAD);
    }

    /// The body, plain and gzip, is a 400 naming `field`.
    async fn refuse(&self, path: &str, field: &str, body: Value) {
        self.post(path, body.clone()).await.bad(field);
        self.gzip(path, body).await.bad(field);
    }

    /// Polls until the status is Completed or Failed.
    async fn finished(&self, path: impl AsRef<str>) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self.get(path.as_ref()).await.ok();
            if v["status"] == "Completed" || v["status"] == "Failed" {
                return v;
            }
            assert!(Instant::now() < deadline, "{} stayed {v}", path.as_ref());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Fits an unsupervised model and waits until it is trained; answers its id.
    async fn trained(&self, ext: &str) -> i64 {
        let (s, t) = (sources(), targets());
        let body = json!({"externalId": ext, "name": ext, "sources": s, "targets": t});
        let id = id_of(&self.post(EM, body).await.ok(), "id");
        let model = self.finished(em(format!("/{id}"))).await;
        assert_eq!(model["status"], "Completed");
        id
    }

    /// Pipelines over datasets that do not exist (their runs fail fast); answers their ids.
    async fn pipelines(&self, exts: &[&str]) -> Vec<i64> {
        let items: Vec<Value> = exts.iter().map(|e| pipeline(e, "none", "none")).collect();
        ids(&self.post(pl(""), json!({ "items": items })).await.ok())
    }
}

fn now_ms() -> i64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    now.as_millis() as i64
}

/// An int64 id in Cognite's range.
fn id_of(v: &Value, key: &str) -> i64 {
    let id = v[key].as_i64();
    let id = id.unwrap_or_else(|| panic!("{key} is not an int64 in {v}"));
    assert!((1..=MAX_ID).contains(&id), "{key} {id}");
    id
}

/// The ids of a `{items}` answer, in order.
fn ids(v: &Value) -> Vec<i64> {
    let items = v["items"].as_array().expect("items");
    items.iter().map(|m| id_of(m, "id")).collect()
}

/// `[{"id": x}]`, as `missing` lists it.
fn id(x: i64) -> Value {
    json!([{ "id": x }])
}

/// An epoch-ms time taken between `since` and now (not seconds, not a string).
fn ms(v: &Value, key: &str, since: i64) -> i64 {
    let t = v[key].as_i64();
    let t = t.unwrap_or_else(|| panic!("{key} is not int64 ms in {v}"));
    assert!(since <= t && t <= now_ms(), "{key} {t} before {since}");
    t
}

/// A job's or model's status and times: PascalCase; created <= started <= status time; an
/// errorMessage when (and only when) Failed.
fn job_shape(v: &Value, since: i64) {
    let status = v["status"].as_str().unwrap_or("");
    assert!(STATUSES.contains(&status), "{v}");
    let created = ms(v, "createdTime", since);
    let status_time = ms(v, "statusTime", created);
    match &v["startTime"] {
        Value::Null => assert_eq!(status, "Queued", "{v}"),
        _ => assert!(ms(v, "startTime", created) <= status_time, "{v}"),
    }
    let failed = v["errorMessage"].as_str().is_some_and(|m| !m.is_empty());
    assert_eq!(failed, status == "Failed", "{v}");
    assert!(failed || v["errorMessage"].is_null(), "{v}");
}

fn sources() -> Value {
    json!([{"id": 1, "externalId": "s1", "name": "KKL_21PT1019.PV"},
           {"id": 2, "externalId": "s2", "name": "KKL_23FIC0042.SP"},
           {"id": 3, "externalId": "s3", "name": "KKL_24XV0007.PV"}])
}

fn targets() -> Value {
    json!([{"id": 101, "externalId": "t1", "name": "21PT1019"},
           {"id": 102, "externalId": "t2", "name": "23FIC0042"},
           {"id": 103, "externalId": "t3", "name": "24XV0007"}])
}

fn pipeline(ext: &str, from: &str, to: &str) -> Value {
    json!({"externalId": ext, "name": ext,
           "sources": {"resource": "time_series", "dataSetIds": [{"externalId": from}]},
           "targets": {"resource": "assets", "dataSetIds": [{"externalId": to}]}})
}

/// Every B.11 endpoint, method and path (ids need not exist: the key is checked first).
const ENDPOINTS: &str = "POST ,POST /,GET /1,POST /byids,POST /list,GET ,GET /,POST /update,\
    POST /delete,POST /refit,POST /predict,GET /jobs/1,POST /pipelines,GET /pipelines,\
    GET /pipelines/1,POST /pipelines/byids,POST /pipelines/update,POST /pipelines/delete,\
    POST /pipelines/1/runs,GET /pipelines/1/runs,GET /pipelines/1/runs/1";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_endpoint_answers_401_without_a_valid_bearer_key() {
    let c = C::start().await;
    let split = |e: &'static str| e.split_once(' ').unwrap();
    let endpoints: Vec<_> = ENDPOINTS.split(',').map(split).collect();
    assert_eq!(endpoints.len(), 21);
    for (method, rest) in endpoints {
        let (method, path) = (Method::from_bytes(method.as_bytes()).unwrap(), em(rest));
        let url = format!("{}{path}", c.0.base);
        let body = json!({"items": [{"id": 1}], "id": 1});
        let bare = || match method == Method::POST {
            true => c.0.http.post(&url).json(&body),
            false => c.0.http.get(&url),
        };
        let basic = bare().basic_auth(&c.0.key, None::<&str>);
        let wrong = bare().bearer_auth("mbk_not-the-key");
        for (how, req) in [("no key", bare()), ("a wrong key", wrong), ("Basic", basic)] {
            let e = send(req).await.err(StatusCode::UNAUTHORIZED);
            assert!(e.get("missing").is_none(), "{method} {path}, {how}: {e}");
        }
        // With the key the same request gets past the gate, to Cognite's own answers.
        let r = send(bare().bearer_auth(&c.0.key)).await;
        let passed = r.status != StatusCode::UNAUTHORIZED && r.body.get("statusCode").is_none();
        assert!(passed, "{method} {path}: {}", r.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fit_answers_a_queued_model_then_completes_and_refuses_bad_bodies() {
    let c = C::start().await;
    let t0 = now_ms();
    let body = json!({"externalId": "m", "name": "n", "description": "d", "sources": sources(),
                      "targets": targets(), "featureType": "bigram", "ignoreMissingFields": true,
                      "matchFields": [{"source": "name", "target": "name"}]});
    let m = c.post(em("/"), body.clone()).await.ok();
    let id = id_of(&m, "id");
    assert_eq!(m["status"], "Queued", "{m}");
    job_shape(&m, t0);
    for key in "externalId name description featureType matchFields".split(' ') {
        assert_eq!(m[key], body[key], "{key}");
    }
    assert_eq!(m["ignoreMissingFields"], true);
    assert!(m.get("originalId").is_none(), "{m}");
    let done = c.finished(em(format!("/{id}"))).await;
    assert_eq!(done["status"], "Completed", "{done}");
    job_shape(&done, t0);
    assert!(done["startTime"].is_i64(), "{done}");
    // Supervised, gzip, no trailing slash: the classifier is kept.
    let sup = json!({"sources": sources(), "targets": targets(), "classifier": "decisiontree",
                     "trueMatches": [{"sourceExternalId": "s1", "targetId": 101}]});
    let m2 = c.gzip(EM, sup).await.ok();
    assert!(id_of(&m2, "id") != id, "{m2}");
    assert_eq!(m2["classifier"], "decisiontree");
    // A duplicate externalId, plain JSON this time: 409 naming it.
    let e = c.post(EM, body).await.err(CONFLICT);
    assert_eq!(e["duplicated"], json!([{"externalId": "m"}]));

    let t = json!([{"name": "a"}]);
    let s = json!([{"id": 1, "name": "a"}]);
    let tm = |id: i64| json!([{"sourceId": id, "targetExternalId": "t"}]);
    let tag = json!([{"source": "tag", "target": "name"}]);
    for path in [em(""), em("/")] {
        refuse! { c, path,
            "targets" => json!({"targets": "x"}),
            "targets" => json!({"sources": s}),
            "sources" => json!({"targets": t, "sources": 5}),
            "nmae" => json!({"targets": t, "nmae": "x"}),
            "externalId" => json!({"targets": t, "externalId": "x".repeat(256)}),
            "name" => json!({"targets": t, "name": "x".repeat(257)}),
            "description" => json!({"targets": t, "description": "x".repeat(501)}),
            "ignoreMissingFields" => json!({"targets": t, "ignoreMissingFields": "yes"}),
            "featureType" => json!({"targets": t, "featureType": "trigram"}),
            "sources[0].tag" => json!({"targets": t, "sources": s, "matchFields": tag}),
            "classifier" => json!({"targets": t, "sources": s, "classifier": "svm",
                                   "trueMatches": tm(1)}),
            "trueMatches[0]" => json!({"targets": t, "sources": s, "trueMatches": tm(9)}),
        }
    }
    c.malformed(EM, "{\"targets\": [").await;
    c.malformed(EM, "{\"targets\": [{\"name\": \"a\"}]} trailing")
        .await;
    // None of the refused bodies made a model.
    assert_eq!(ids(&c.get(EM).await.ok()).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn models_are_read_by_id_byids_and_lists_with_missing_ids_and_bad_limits_refused() {
    let c = C::start().await;
    let (a, b) = (c.trained("a").await, c.trained("b").await);
    let m = c.get(em(format!("/{a}"))).await.ok();
    assert_eq!((m["id"].as_i64(), &m["externalId"]), (Some(a), &json!("a")));
    let x = b + 100;
    c.get(em(format!("/{x}"))).await.missing(id(x));
    c.get(em("/abc")).await.bad("abc");

    // byids: in the request's order, by id and externalId; unknown ones listed or left out.
    let by = json!({"items": [{"externalId": "b"}, {"id": a}]});
    assert_eq!(ids(&c.gzip(em("/byids"), by).await.ok()), [b, a]);
    let mut unknown = json!({"items": [{"id": a}, {"externalId": "zz"}, {"id": x}]});
    let gone = json!([{"externalId": "zz"}, {"id": x}]);
    c.post(em("/byids"), unknown.clone()).await.missing(gone);
    unknown["ignoreUnknownIds"] = json!(true);
    assert_eq!(ids(&c.post(em("/byids"), unknown).await.ok()), [a]);
    let many: Vec<Value> = (1..=1001).map(|i| json!({ "id": i })).collect();
    refuse! { c, em("/byids"),
        "items" => json!({}),
        "items" => json!({"items": []}),
        "items" => json!({"items": many}),
        "items" => json!({"items": [{"id": "x"}]}),
    }

    // list: filters match exactly; a limit; bad filters and limits name the field.
    let by_name = json!({"filter": {"name": "b"}});
    assert_eq!(ids(&c.post(em("/list"), by_name).await.ok()), [b]);
    let first = json!({"filter": {"featureType": "simple"}, "limit": 1});
    assert_eq!(ids(&c.gzip(em("/list"), first).await.ok()), [a]);
    let none = json!({"filter": {"name": "nope"}});
    let v = c.post(em("/list"), none).await.ok();
    assert_eq!(v, json!({"items": []}));
    refuse! { c, em("/list"),
        "limit" => json!({"limit": 0}),
        "limit" => json!({"limit": "ten"}),
        "nmae" => json!({"filter": {"nmae": "a"}}),
        "originalId" => json!({"filter": {"originalId": "a"}}),
    }
    // GET list, with and without the trailing slash.
    for path in [em(""), em("/")] {
        assert_eq!(ids(&c.get(&path).await.ok()), [a, b]);
        assert_eq!(ids(&c.get(format!("{path}?limit=1")).await.ok()), [a]);
        c.get(format!("{path}?limit=0")).await.bad("limit");
        c.get(format!("{path}?limit=abc")).await.bad("limit");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_list_filter_finds_unsupervised_models_by_the_classifier_they_show() {
    let c = C::start().await;
    let a = c.trained("a").await;
    let filter = json!({"filter": {"classifier": "Unsupervised"}});
    assert_eq!(ids(&c.post(em("/list"), filter).await.ok()), [a]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn update_and_delete_are_all_or_nothing_and_name_missing_ids() {
    let c = C::start().await;
    let (a, b) = (c.trained("a").await, c.trained("b").await);
    let set = json!({"items": [{"externalId": "a", "update": {"name": {"set": "A"}}},
                               {"id": b, "update": {"description": {"set": "B"}}}]});
    let v = c.gzip(em("/update"), set).await.ok();
    assert_eq!(ids(&v), [a, b]);
    let (va, vb) = (&v["items"][0], &v["items"][1]);
    has! { va, "name" => "A" }
    has! { vb, "description" => "B", "name" => "b" }

    // A batch with one bad item changes nothing.
    let rename = |x: Value| json!({"items": [{"id": a, "update": {"name": {"set": "x"}}}, x]});
    let x = b + 100;
    let unknown = rename(json!({"id": x, "update": {}}));
    c.post(em("/update"), unknown).await.missing(id(x));
    let unknown = rename(json!({"externalId": "zz", "update": {}}));
    let gone = json!([{"externalId": "zz"}]);
    c.post(em("/update"), unknown).await.missing(gone);
    let long = |n: usize| json!({ "set": "x".repeat(n) });
    refuse! { c, em("/update"),
        "name" => rename(json!({"id": b, "update": {"name": long(257)}})),
        "description" => rename(json!({"id": b, "update": {"description": long(501)}})),
        "externalId" => rename(json!({"update": {"name": {"set": "x"}}})),
        "update" => rename(json!({"id": b})),
        "name" => rename(json!({"id": b, "update": {"name": "x"}})),
        "classifier" => rename(json!({"id": b, "update": {"classifier": {"set": "x"}}})),
        "items" => json!({"items": []}),
    }
    let va = c.get(em(format!("/{a}"))).await.ok();
    assert_eq!(va["name"], "A", "nothing was renamed");

    let unknown = json!({"items": [{"externalId": "a"}, {"externalId": "zz"}]});
    let gone = json!([{"externalId": "zz"}]);
    c.post(em("/delete"), unknown).await.missing(gone);
    refuse! { c, em("/delete"), "items" => json!({}), "items" => json!({"items": []}) }
    c.get(em(format!("/{a}"))).await.ok();
    let lenient = json!({"items": [{"externalId": "a"}, {"id": x}], "ignoreUnknownIds": true});
    assert_eq!(c.gzip(em("/delete"), lenient).await.ok(), json!({}));
    let by_id = json!({"items": [{"id": b}]});
    assert_eq!(c.post(em("/delete"), by_id).await.ok(), json!({}));
    c.get(em(format!("/{a}"))).await.missing(id(a));
    assert_eq!(c.get(EM).await.ok(), json!({"items": []}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refit_makes_a_new_queued_model_and_refuses_unknown_or_incomplete_requests() {
    let c = C::start().await;
    let a = c.trained("a").await;
    let t0 = now_ms();
    let tm = json!([{"sourceId": 1, "targetExternalId": "t1"}]);
    let body = json!({"externalId": "a", "newExternalId": "a2", "trueMatches": tm});
    let m = c.gzip(em("/refit"), body.clone()).await.ok();
    let new = id_of(&m, "id");
    assert_ne!(new, a);
    has! { m, "originalId" => a, "externalId" => "a2", "status" => "Queued" }
    job_shape(&m, t0);
    let old = c.get(em(format!("/{a}"))).await.ok();
    assert!(old.get("originalId").is_none(), "{old}");
    has! { old, "externalId" => "a" }
    let done = c.finished(em(format!("/{new}"))).await;
    assert_eq!(done["status"], "Completed");
    // Without newExternalId the new model has none.
    let by_id = json!({"id": a, "trueMatches": tm});
    let m = c.post(em("/refit"), by_id).await.ok();
    assert!(m.get("externalId").is_none() && m["originalId"] == a, "{m}");

    let e = c.post(em("/refit"), body).await.err(CONFLICT);
    assert_eq!(e["duplicated"], json!([{"externalId": "a2"}]));
    let x = a + 100;
    let unknown = json!({"id": x, "trueMatches": tm});
    c.post(em("/refit"), unknown).await.missing(id(x));
    // An externalId that looks like a number is still listed as an externalId.
    let unknown = json!({"externalId": "42", "trueMatches": tm});
    let gone = json!([{"externalId": "42"}]);
    c.post(em("/refit"), unknown).await.missing(gone);
    refuse! { c, em("/refit"),
        "id" => json!({"trueMatches": tm}),
        "trueMatches" => json!({"id": a}),
        "trueMatches" => json!({"id": a, "trueMatches": []}),
        "trueMatches[0]" => json!({"id": a, "trueMatches": [{"sourceId": 77, "targetId": 101}]}),
        "bogus" => json!({"id": a, "trueMatches": tm, "bogus": 1}),
    }
    c.malformed(em("/refit"), "{\"id\": ").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn predict_answers_a_job_with_a_token_and_jobs_answer_sorted_matches() {
    let c = C::start().await;
    let model = c.trained("a").await;
    let t0 = now_ms();
    let body = json!({"externalId": "a", "sources": sources(), "targets": targets(),
                      "numMatches": 2, "scoreThreshold": 0.0});
    let r = c.gzip(em("/predict"), body).await;
    let token = r.headers.get("x-job-token");
    assert!(token.is_some_and(|t| !t.is_empty()), "{:?}", r.headers);
    let job = r.ok();
    let job_id = id_of(&job, "jobId");
    assert_eq!(job["status"], "Queued", "{job}");
    job_shape(&job, t0);
    assert!(job.get("items").is_none(), "{job}");
    let done = c.finished(em(format!("/jobs/{job_id}"))).await;
    assert_eq!(done["status"], "Completed", "{done}");
    job_shape(&done, t0);
    let items = done["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "one item per source");
    for (item, source) in items.iter().zip(sources().as_array().unwrap()) {
        assert_eq!(&item["source"], source);
        let matches = item["matches"].as_array().unwrap();
        assert!(matches.iter().all(|m| m["target"].is_object()), "{item}");
        let scores = matches.iter().map(|m| m["score"].as_f64().unwrap());
        let scores: Vec<f64> = scores.collect();
        assert!(!scores.is_empty() && scores.len() <= 2, "{item}");
        let sorted = scores.windows(2).all(|w| w[0] >= w[1]);
        assert!(sorted, "best first: {scores:?}");
        assert!(scores.iter().all(|s| *s > 0.0 && *s <= 1.0), "{scores:?}");
    }
    assert_eq!(items[0]["matches"][0]["target"]["id"], 101);

    let unknown = json!({"externalId": "42"});
    let gone = json!([{"externalId": "42"}]);
    c.post(em("/predict"), unknown).await.missing(gone);
    let x = model + 9;
    let unknown = json!({ "id": x });
    c.post(em("/predict"), unknown).await.missing(id(x));
    refuse! { c, em("/predict"),
        "id" => json!({"numMatches": 1}),
        "numMatches" => json!({"externalId": "a", "numMatches": -1}),
        "numMatches" => json!({"externalId": "a", "numMatches": 101}),
        "scoreThreshold" => json!({"externalId": "a", "scoreThreshold": 1.5}),
        "targets" => json!({"externalId": "a", "targets": []}),
        "sources[0].name" => json!({"externalId": "a", "sources": [{"id": 1, "tag": "x"}]}),
        "sources" => json!({"externalId": "a", "sources": "x"}),
        "bogus" => json!({"externalId": "a", "bogus": 1}),
    }
    c.malformed(em("/predict"), "not json").await;
    let x = job_id + 1000;
    c.get(em(format!("/jobs/{x}"))).await.err(NOT_FOUND);
    c.get(em("/jobs/abc")).await.bad("abc");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pipelines_are_created_all_or_nothing_with_field_errors_and_duplicates() {
    let c = C::start().await;
    let t0 = now_ms();
    let one = json!({"items": [pipeline("a", "x", "y")]});
    let v = c.gzip(pl(""), one).await.ok();
    let p = &v["items"][0];
    id_of(p, "id");
    assert!(p["owner"].is_string() && p["externalId"] == "a", "{p}");
    let created = ms(p, "createdTime", t0);
    assert_eq!(ms(p, "lastUpdatedTime", t0), created);
    assert!(p.get("lastRun").is_none(), "never run: {p}");
    let defaults = json!({"useExistingMatches": false, "generateRules": false, "rules": [],
                          "rejectedRules": [], "replacements": [], "trueMatches": [],
                          "confirmedMatches": [], "rejectedMatches": [], "scoreThreshold": 0.5});
    for (k, want) in defaults.as_object().unwrap() {
        assert_eq!(&p[k], want, "{k}");
    }
    assert_eq!(p["sources"]["dataSetIds"], json!([{"externalId": "x"}]));

    // A taken or repeated externalId: 409 naming it, and nothing of the batch created.
    for (first, second) in [("b", "a"), ("c", "c")] {
        let two = json!({"items": [pipeline(first, "x", "y"), pipeline(second, "x", "y")]});
        let e = c.post(pl(""), two).await.err(CONFLICT);
        assert_eq!(e["duplicated"], json!([{ "externalId": second }]));
    }

    // A batch with one bad item: a 400 naming the field, and nothing of it created.
    let with = |k: &str, v: Value| {
        let mut bad = pipeline("bad", "x", "y");
        bad[k] = v;
        json!({"items": [pipeline("d", "x", "y"), bad]})
    };
    let bad_rule = json!([{"priority": 1, "conditions": [], "extractors": [
        {"entitySet": "sources", "extractorType": "regex", "field": "name", "pattern": "("}]}]);
    let no_data = json!({"resource": "assets", "dataSetIds": []});
    let no_sources = json!({"externalId": "e", "targets": no_data});
    refuse! { c, pl(""),
        "sources" => json!({ "items": [no_sources] }),
        "scoreThreshold" => with("scoreThreshold", json!(2)),
        "scoreThreshold" => with("scoreThreshold", json!("high")),
        "scheduleInterval" => with("scheduleInterval", json!(5)),
        "rules" => with("rules", bad_rule),
        "targets.dataSetIds" => with("targets", no_data),
        "bogus" => with("trueMatches", json!([{"sourceId": 1, "bogus": 2}])),
    }
    c.malformed(pl(""), "{\"items\": [").await;
    let all = c.get(pl("")).await.ok();
    assert_eq!(ids(&all).len(), 1, "only a was created: {all}");
    has! { all["items"][0], "externalId" => "a" }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_pipeline_shows_the_default_model_parameters() {
    let c = C::start().await;
    let one = json!({"items": [pipeline("a", "x", "y")]});
    let v = c.post(pl(""), one).await.ok();
    let name = json!([{"source": "name", "target": "name"}]);
    has! { v["items"][0]["modelParameters"], "featureType" => "simple", "matchFields" => name }
}

/// Follows `nextCursor` from `first` (whose pages hold at most 2) until a page has none.
async fn all_pages(c: &C, first: String) -> Vec<Value> {
    let mut items = Vec::new();
    let mut path = first.clone();
    loop {
        let page = c.get(&path).await.ok();
        let got = page["items"].as_array().expect("items");
        assert!((1..=2).contains(&got.len()), "{page}");
        items.extend(got.iter().cloned());
        let Some(cursor) = page.get("nextCursor") else {
            return items;
        };
        let cursor = cursor.as_str().expect("a string cursor");
        path = format!("{first}&cursor={cursor}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pipelines_are_listed_with_cursors_and_read_by_id_and_byids() {
    let c = C::start().await;
    let all = c.pipelines(&["a", "b", "c"]).await;
    let paged = all_pages(&c, pl("?limit=2")).await;
    let paged: Vec<i64> = paged.iter().map(|p| id_of(p, "id")).collect();
    assert_eq!(paged, all, "each once, over 2 pages");
    let v = c.get(pl("")).await.ok();
    assert!(v.get("nextCursor").is_none() && ids(&v) == all, "{v}");
    for q in ["limit=0", "limit=101", "limit=-1", "limit=abc"] {
        c.get(pl(format!("?{q}"))).await.bad("limit");
    }
    c.get(pl("?cursor=not-a-cursor")).await.bad("cursor");

    let p = c.get(pl(format!("/{}", all[1]))).await.ok();
    has! { p, "id" => all[1], "externalId" => "b" }
    let x = all[2] + 100;
    c.get(pl(format!("/{x}"))).await.err(NOT_FOUND);
    c.get(pl("/abc")).await.bad("abc");

    let by = json!({"items": [{"externalId": "c"}, {"id": all[0]}]});
    assert_eq!(ids(&c.gzip(pl("/byids"), by).await.ok()), [all[2], all[0]]);
    let mut unknown = json!({"items": [{"id": all[0]}, {"externalId": "zz"}]});
    let gone = json!([{"externalId": "zz"}]);
    c.post(pl("/byids"), unknown.clone()).await.missing(gone);
    unknown["ignoreUnknownIds"] = json!(true);
    assert_eq!(ids(&c.post(pl("/byids"), unknown).await.ok()), [all[0]]);
    refuse! { c, pl("/byids"), "items" => json!({}), "items" => json!({"items": [{"id": "x"}]}) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pipeline_update_and_delete_are_all_or_nothing_and_name_missing_or_duplicate_ids() {
    let c = C::start().await;
    let [a, b] = c.pipelines(&["a", "b"]).await[..] else {
        panic!("two pipelines")
    };
    let body = json!({"items": [
        {"externalId": "a", "update": {"name": {"set": "A"}, "scoreThreshold": {"set": 0.7}}},
        {"id": b, "update": {"externalId": {"set": "b2"}, "generateRules": {"set": true}}}]});
    let v = c.gzip(pl("/update"), body).await.ok();
    let (pa, pb) = (&v["items"][0], &v["items"][1]);
    has! { pa, "name" => "A", "scoreThreshold" => 0.7 }
    has! { pb, "externalId" => "b2", "generateRules" => true }
    assert!(ms(pa, "lastUpdatedTime", 0) >= ms(pa, "createdTime", 0));

    // A batch with one bad item changes nothing.
    let rename = |x: Value| json!({"items": [{"id": a, "update": {"name": {"set": "x"}}}, x]});
    let x = b + 100;
    let unknown = rename(json!({"id": x, "update": {}}));
    c.post(pl("/update"), unknown).await.missing(id(x));
    let unknown = rename(json!({"externalId": "b", "update": {}}));
    let gone = json!([{"externalId": "b"}]);
    c.post(pl("/update"), unknown).await.missing(gone);
    let taken = rename(json!({"id": b, "update": {"externalId": {"set": "a"}}}));
    let e = c.post(pl("/update"), taken).await.err(CONFLICT);
    assert_eq!(e["duplicated"], json!([{"externalId": "a"}]));
    let no_data = json!({"set": {"resource": "assets", "dataSetIds": []}});
    refuse! { c, pl("/update"),
        "scoreThreshold" => rename(json!({"id": b, "update": {"scoreThreshold": {"set": -1}}})),
        "name" => rename(json!({"id": b, "update": {"name": "x"}})),
        "owner" => rename(json!({"id": b, "update": {"owner": {"set": "x"}}})),
        "sources" => rename(json!({"id": b, "update": {"sources": no_data}})),
        "externalId" => rename(json!({"update": {"name": {"set": "x"}}})),
        "update" => rename(json!({"id": b})),
    }
    let pa = c.get(pl(format!("/{a}"))).await.ok();
    let kept = (&pa["name"], &pa["scoreThreshold"]);
    assert_eq!(kept, (&json!("A"), &json!(0.7)), "{pa}");

    let unknown = json!({"items": [{"id": a}, {"externalId": "zz"}]});
    let gone = json!([{"externalId": "zz"}]);
    c.post(pl("/delete"), unknown).await.missing(gone);
    c.get(pl(format!("/{a}"))).await.ok();
    refuse! { c, pl("/delete"), "items" => json!({}) }
    let lenient = json!({"items": [{"externalId": "zz"}, {"id": a}], "ignoreUnknownIds": true});
    assert_eq!(c.gzip(pl("/delete"), lenient).await.ok(), json!({}));
    let by_ext = json!({"items": [{"externalId": "b2"}]});
    assert_eq!(c.post(pl("/delete"), by_ext).await.ok(), json!({}));
    c.get(pl(format!("/{a}"))).await.err(NOT_FOUND);
    assert_eq!(c.get(pl("")).await.ok(), json!({"items": []}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pipeline_runs_are_started_listed_newest_first_and_read_completed_or_failed() {
    let c = C::start().await;
    let src = "ts_id,name\n1,KKL_21PT1019.PV\n2,KKL_23FIC0042.PV\n";
    let tgt = "asset_id,name\n101,21PT1019\n102,23FIC0042\n";
    for (kind, csv) in [("/v1/document-sets", src), ("/v1/reference-data", tgt)] {
        let column = csv.split(',').next().unwrap();
        let form = [("name", column), ("id_column", column)];
        let (s, v) = c.0.upload_bytes(kind, "t.csv", csv.into(), &form).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let mut good = pipeline("good", "ts_id", "asset_id");
    good["confirmedMatches"] = json!([{"sourceId": 2, "targetId": 102}]);
    let good = id_of(&c.post(pl(""), good).await.ok()["items"][0], "id");
    let bad = c.pipelines(&["bad"]).await[0];

    // A run, with no body: its summary, Queued; then its results.
    let t0 = now_ms();
    let start = c.0.req(Method::POST, &pl(format!("/{good}/runs")));
    let run = send(start).await.ok();
    has! { run, "status" => "Queued", "pipelineId" => good }
    job_shape(&run, t0);
    let job = id_of(&run, "jobId");
    let result = c.finished(pl(format!("/{good}/runs/{job}"))).await;
    has! { result, "status" => "Completed", "jobId" => job }
    job_shape(&result, t0);
    for key in ["matches", "suggestedRules", "generatedRules", "errors"] {
        assert!(result[key].is_array(), "{key} in {result}");
    }
    let matches = result["matches"].as_array().unwrap();
    for m in matches {
        assert!(m["source"].is_object() && m["target"].is_object(), "{m}");
        let kind = m["matchType"].as_str().unwrap();
        let score = m["score"].as_f64().unwrap();
        let model = kind == "model" && score > 0.5 && score <= 1.0;
        assert!(kind == "previously-confirmed" || model, "{m}");
    }
    let is_confirmed = |m: &&Value| m["matchType"] == "previously-confirmed";
    let confirmed = matches
        .iter()
        .find(is_confirmed)
        .expect("the confirmed match");
    has! { confirmed["target"], "id" => 102 }
    has! { confirmed, "score" => 1.0 }

    // A run that fails: Failed with its errorMessage and no results, the pipeline's lastRun.
    let failed = c.post(pl(format!("/{bad}/runs")), json!({})).await.ok();
    let failed_id = id_of(&failed, "jobId");
    let failed = c.finished(pl(format!("/{bad}/runs/{failed_id}"))).await;
    assert_eq!(failed["status"], "Failed", "{failed}");
    job_shape(&failed, t0);
    assert!(failed.get("matches").is_none(), "{failed}");
    let last = &c.get(pl(format!("/{bad}"))).await.ok()["lastRun"];
    has! { last, "jobId" => failed_id, "status" => "Failed" }

    // The list: newest first, in pages by cursor.
    for _ in 0..2 {
        c.gzip(pl(format!("/{bad}/runs")), json!({})).await.ok();
    }
    let runs = all_pages(&c, pl(format!("/{bad}/runs?limit=2"))).await;
    let jobs: Vec<i64> = runs.iter().map(|r| id_of(r, "jobId")).collect();
    assert!(runs.iter().all(|r| r["pipelineId"] == bad), "{runs:?}");
    runs.iter().for_each(|r| job_shape(r, t0));
    let newest_first = jobs.windows(2).all(|w| w[0] > w[1]);
    let three = jobs.len() == 3 && jobs[2] == failed_id;
    assert!(three && newest_first, "{jobs:?}");
    let v = c.get(pl(format!("/{bad}/runs"))).await.ok();
    let three = v["items"].as_array().map(Vec::len) == Some(3);
    assert!(three && v.get("nextCursor").is_none(), "{v}");

    // Refusals on every run path: bad pages; unknown pipelines, runs, and runs of another
    // pipeline; ids that are not numbers.
    let (runs, x, other) = (pl(format!("/{bad}/runs")), bad + 100, jobs[0]);
    for q in ["limit=0", "limit=101", "limit=abc"] {
        c.get(format!("{runs}?{q}")).await.bad("limit");
    }
    c.get(format!("{runs}?cursor=zz")).await.bad("cursor");
    c.post(pl(format!("/{x}/runs")), json!({}))
        .await
        .err(NOT_FOUND);
    let unknown = [
        format!("/{x}/runs"),
        format!("/{x}/runs/{job}"),
        format!("/{good}/runs/{other}"),
        format!("/{good}/runs/{}", other + 100),
    ];
    for path in unknown {
        c.get(pl(path)).await.err(NOT_FOUND);
    }
    c.post(pl("/abc/runs"), json!({})).await.bad("abc");
    c.get(pl("/abc/runs")).await.bad("abc");
    c.get(pl(format!("/{good}/runs/abc"))).await.bad("abc");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn oversized_bodies_and_wrong_methods_keep_cognites_envelope() {
    let limits = api::Limits {
        max_body_bytes: 2048,
        ..api::Limits::default()
    };
    let c = C(Api::with_limits(limits).await);
    let big = json!({"targets": [{"name": "x".repeat(4096)}]});
    let large = StatusCode::PAYLOAD_TOO_LARGE;
    c.post(EM, big.clone()).await.err(large);
    // Compressed it is small; inflated it is too large.
    c.gzip(EM, big).await.err(large);
    let wrong = StatusCode::METHOD_NOT_ALLOWED;
    send(c.0.req(Method::DELETE, &em("/1"))).await.err(wrong);
    send(c.0.req(Method::PUT, &pl(""))).await.err(wrong);
}
