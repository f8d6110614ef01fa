//! `cors_requests_total`: one increment per `Policy::decide`, with the kind, outcome,
//! reason and the policy's own labels, recorded by a recorder installed on this thread.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use cors_core::{CorsRequest, Policy, Value};
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, SharedString, Unit};

/// Counters by `name{label="value",…}`, the labels in the key's order.
#[derive(Default)]
struct Recorder {
    counters: Mutex<BTreeMap<String, Arc<AtomicU64>>>,
    described: Mutex<Vec<String>>,
}

impl Recorder {
    fn snapshot(&self) -> BTreeMap<String, u64> {
        let counters = self.counters.lock().unwrap();
        counters
            .iter()
            .map(|(k, v)| (k.clone(), v.load(Ordering::Relaxed)))
            .collect()
    }
}

impl metrics::Recorder for Recorder {
    fn describe_counter(&self, key: KeyName, _: Option<Unit>, _: SharedString) {
        self.described.lock().unwrap().push(key.as_str().to_owned());
    }
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={:?}", l.key(), l.value()))
            .collect();
        let name = format!("{}{{{}}}", key.name(), labels.join(","));
        let mut counters = self.counters.lock().unwrap();
        Counter::from_arc(counters.entry(name).or_default().clone())
    }
    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }
    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

const POLICY: &str = r#"
allow_origins = ["https://app.example.com"]
allow_methods = ["PUT"]
allow_headers = ["x-token"]
"#;

fn decide(policy: &Policy, method: &[u8], headers: &[(&str, &[u8])]) {
    let mut req = CorsRequest::new(method);
    for (n, v) in headers {
        req.push_header(n.as_bytes(), v);
    }
    let _ = policy.decide(&req, |v: Value<'_>| Some(v.as_bytes().to_vec()));
}

const APP: &[u8] = b"https://app.example.com";
const EVIL: &[u8] = b"https://evil.example";

/// One request of every kind, outcome and reason; `counts` lists the series each adds to.
fn traffic(policy: &Policy) {
    decide(policy, b"GET", &[]);
    decide(policy, b"GET", &[("origin", APP)]);
    decide(policy, b"GET", &[("origin", APP)]);
    decide(policy, b"GET", &[("origin", EVIL)]);
    decide(policy, b"GET", &[("origin", APP), ("origin", APP)]);
    let acrm = "access-control-request-method";
    decide(policy, b"OPTIONS", &[("origin", APP), (acrm, b"PUT")]);
    decide(policy, b"OPTIONS", &[("origin", EVIL), (acrm, b"PUT")]);
    decide(policy, b"OPTIONS", &[("origin", APP), (acrm, b"DELETE")]);
    let acrh = "access-control-request-headers";
    decide(
        policy,
        b"OPTIONS",
        &[("origin", APP), (acrm, b"PUT"), (acrh, b"x-token, x-nope")],
    );
    decide(policy, b"OPTIONS", &[("origin", APP), (acrm, b"PUT ")]);
}

fn series(kind: &str, outcome: &str, reason: &str, extra: &str) -> String {
    format!("cors_requests_total{{kind={kind:?},outcome={outcome:?},reason={reason:?}{extra}}}")
}

fn expected(extra: &str) -> BTreeMap<String, u64> {
    [
        (series("not_cors", "allowed", "", extra), 1),
        (series("actual", "allowed", "", extra), 2),
        (series("actual", "rejected", "origin-not-allowed", extra), 1),
        (series("actual", "rejected", "malformed", extra), 1),
        (series("preflight", "allowed", "", extra), 1),
        (
            series("preflight", "rejected", "origin-not-allowed", extra),
            1,
        ),
        (
            series("preflight", "rejected", "method-not-allowed", extra),
            1,
        ),
        (
            series("preflight", "rejected", "header-not-allowed", extra),
            1,
        ),
        (series("preflight", "rejected", "malformed", extra), 1),
    ]
    .into_iter()
    .collect()
}

#[test]
fn every_decision_is_counted_once_by_kind_outcome_and_reason() {
    let policy = Policy::from_toml_str(POLICY).unwrap();
    let recorder = Recorder::default();
    metrics::with_local_recorder(&recorder, || traffic(&policy));
    assert_eq!(recorder.snapshot(), expected(""));
}

#[test]
fn evaluate_alone_counts_nothing() {
    let policy = Policy::from_toml_str(POLICY).unwrap();
    let recorder = Recorder::default();
    metrics::with_local_recorder(&recorder, || {
        let mut req = CorsRequest::new(b"GET");
        req.push_origin(EVIL);
        assert!(!policy.evaluate(&req).is_allowed());
    });
    assert_eq!(recorder.snapshot(), BTreeMap::new());
}

#[test]
fn labelled_copies_count_apart_and_share_the_policy() {
    let policy = Policy::from_toml_str(POLICY).unwrap();
    let axum = policy.clone().with_metrics_label("framework", "axum");
    let warp = policy.with_metrics_label("framework", "warp");
    let recorder = Recorder::default();
    metrics::with_local_recorder(&recorder, || {
        traffic(&axum);
        traffic(&warp);
    });
    let mut both = expected(",framework=\"axum\"");
    both.extend(expected(",framework=\"warp\""));
    assert_eq!(recorder.snapshot(), both);
}

#[test]
fn register_metrics_lists_every_reachable_series_at_zero() {
    let policy = Policy::from_toml_str(POLICY)
        .unwrap()
        .with_metrics_label("framework", "actix");
    let recorder = Recorder::default();
    metrics::with_local_recorder(&recorder, || policy.register_metrics());
    let zeros: BTreeMap<String, u64> = expected(",framework=\"actix\"")
        .into_keys()
        .map(|k| (k, 0))
        .collect();
    assert_eq!(recorder.snapshot(), zeros);
    assert_eq!(*recorder.described.lock().unwrap(), ["cors_requests_total"]);
}

#[test]
fn reloads_are_counted_by_result_and_named_policies_are_labelled() {
    let recorder = Recorder::default();
    metrics::with_local_recorder(&recorder, || {
        let handle = cors_core::PolicyHandle::new(Policy::from_toml_str(POLICY).unwrap());
        handle.register_metrics();
        let ok = cors_core::PolicySet::from_toml_str(
            "allow_origins = [\"https://a.example\"]\n[policies.public]\nallow_origins = [\"*\"]\n[[routes]]\npaths = [\"/p/**\"]\npolicy = \"public\"\n",
        );
        handle.reload(ok).unwrap();
        handle
            .reload(cors_core::PolicySet::from_toml_str("allow_origins = []"))
            .unwrap_err();
        handle
            .reload(cors_core::PolicySet::from_toml_str("nonsense"))
            .unwrap_err();
        let set = handle.load();
        decide(
            set.select("/p/x").unwrap(),
            b"GET",
            &[("origin", b"https://b.example")],
        );
    });
    let counts = recorder.snapshot();
    assert_eq!(
        counts["cors_policy_reloads_total{result=\"ok\"}"], 1,
        "{counts:?}"
    );
    assert_eq!(
        counts["cors_policy_reloads_total{result=\"error\"}"], 2,
        "{counts:?}"
    );
    let public = counts.iter().find(|(k, v)| {
        k.starts_with("cors_requests_total") && k.contains("policy=\"public\"") && **v == 1
    });
    assert!(public.is_some(), "{counts:?}");
    assert!(
        recorder
            .described
            .lock()
            .unwrap()
            .iter()
            .any(|d| d == "cors_policy_reloads_total")
    );
}
/// The origin checks' requests: refused, reported, and the ones they let through.
fn origin_check_traffic(policy: &Policy) {
    let sfs = "sec-fetch-site";
    decide(policy, b"POST", &[("origin", EVIL), (sfs, b"cross-site")]);
    decide(policy, b"POST", &[(sfs, b"cross-site")]);
    decide(policy, b"POST", &[("origin", APP), (sfs, b"cross-site")]);
    decide(
        policy,
        b"GET",
        &[
            ("origin", EVIL),
            (sfs, b"cross-site"),
            ("upgrade", b"websocket"),
        ],
    );
}

#[test]
fn the_origin_checks_count_refused_and_reported_requests_apart() {
    let with = |extra: &str| Policy::from_toml_str(&format!("{POLICY}{extra}")).unwrap();
    let enforce = with("csrf_protection = \"enforce\"\nwebsocket_origin_check = true");
    let report = with("csrf_protection = \"report\"");
    let count = |policy: &Policy| {
        let recorder = Recorder::default();
        metrics::with_local_recorder(&recorder, || origin_check_traffic(policy));
        recorder.snapshot()
    };
    let enforced: BTreeMap<String, u64> = [
        (series("actual", "rejected", "cross-origin-request", ""), 1),
        (
            series("not_cors", "rejected", "cross-origin-request", ""),
            1,
        ),
        (series("actual", "allowed", "", ""), 1),
        (
            series("actual", "rejected", "cross-origin-websocket", ""),
            1,
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(count(&enforce), enforced);
    let reported: BTreeMap<String, u64> = [
        (series("actual", "reported", "cross-origin-request", ""), 1),
        (
            series("not_cors", "reported", "cross-origin-request", ""),
            1,
        ),
        (series("actual", "allowed", "", ""), 1),
        // No websocket_origin_check: CORS alone refuses the origin (the handshake goes on).
        (series("actual", "rejected", "origin-not-allowed", ""), 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(count(&report), reported);

    // Registered at zero: the checks' series only for policies that have them.
    let registered = |policy: &Policy| {
        let recorder = Recorder::default();
        metrics::with_local_recorder(&recorder, || policy.register_metrics());
        recorder.snapshot().into_keys().collect::<Vec<_>>()
    };
    let base = expected("").into_keys().collect::<Vec<_>>();
    let extra = |policy: &Policy| -> Vec<String> {
        let mut keys = registered(policy);
        keys.retain(|k| !base.contains(k));
        keys
    };
    assert_eq!(
        extra(&Policy::from_toml_str(POLICY).unwrap()),
        Vec::<String>::new()
    );
    let mut want = vec![
        series("actual", "rejected", "cross-origin-request", ""),
        series("actual", "rejected", "cross-origin-websocket", ""),
        series("not_cors", "rejected", "cross-origin-request", ""),
    ];
    want.sort();
    assert_eq!(extra(&enforce), want);
    let mut want = vec![
        series("actual", "reported", "cross-origin-request", ""),
        series("not_cors", "reported", "cross-origin-request", ""),
    ];
    want.sort();
    assert_eq!(extra(&report), want);
}
