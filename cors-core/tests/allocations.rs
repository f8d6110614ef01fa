//! Zero heap allocations per decision, counted by a global allocator, for every kind of
//! decision. (Speed is measured in the benchmarks, never here.)

use cors_core::{CorsRequest, Policy};

/// Heap allocations on this thread during ten runs of `f`, after one warm-up run
/// (which fills lazily initialised caches such as globset's regex pools).
fn allocations_during(f: impl Fn()) -> usize {
    f();
    let info = allocation_counter::measure(|| {
        for _ in 0..10 {
            f();
        }
    });
    info.count_total as usize
}

fn policy(toml: &str) -> Policy {
    Policy::from_toml_str(toml).unwrap()
}

fn check(
    name: &str,
    policy: &Policy,
    method: &[u8],
    headers: &[(&str, &[u8])],
    allowed: Option<bool>,
) {
    let run = || {
        let mut req = CorsRequest::new(method);
        for (n, v) in headers {
            req.push_header(n.as_bytes(), v);
        }
        let d = policy.evaluate(&req);
        if let Some(a) = allowed {
            assert_eq!(d.is_allowed(), a, "{name}");
        }
        // Touch everything an adapter reads.
        let mut total = 0;
        for h in d.headers() {
            total += h.value.as_bytes().len() + h.name.as_str().len();
        }
        total += d.vary().as_str().len();
        std::hint::black_box(total);
    };
    assert_eq!(allocations_during(run), 0, "{name} allocated");
}

const BASIC: &str = r#"
allow_origins = ["https://app.example.com", "https://*.example.org", "https://pr-*.preview.example.net", "http://localhost:*"]
allow_methods = ["GET", "PUT", "PATCH"]
allow_headers = ["content-type", "x-requested-with"]
expose_headers = ["x-custom"]
allow_credentials = true
max_age = 600
"#;

#[test]
fn no_allocation_for_any_decision() {
    let p = policy(BASIC);
    let o: &[u8] = b"https://app.example.com";
    let evil: &[u8] = b"https://evil.example.com";
    check("no origin", &p, b"GET", &[], None);
    check("simple allowed", &p, b"GET", &[("origin", o)], Some(true));
    check(
        "simple rejected",
        &p,
        b"GET",
        &[("origin", evil)],
        Some(false),
    );
    check(
        "preflight allowed",
        &p,
        b"OPTIONS",
        &[
            ("origin", o),
            ("access-control-request-method", b"PUT"),
            (
                "access-control-request-headers",
                b"Content-Type, x-requested-with",
            ),
        ],
        Some(true),
    );
    check(
        "preflight rejected (header)",
        &p,
        b"OPTIONS",
        &[
            ("origin", o),
            ("access-control-request-method", b"PUT"),
            ("access-control-request-headers", b"x-nope"),
        ],
        Some(false),
    );
    check(
        "preflight rejected (origin)",
        &p,
        b"OPTIONS",
        &[("origin", evil), ("access-control-request-method", b"PUT")],
        Some(false),
    );
    check(
        "subdomain pattern",
        &p,
        b"GET",
        &[("origin", b"https://a.b.example.org")],
        Some(true),
    );
    check(
        "glob",
        &p,
        b"GET",
        &[("origin", b"https://pr-7.preview.example.net")],
        Some(true),
    );
    check(
        "glob miss",
        &p,
        b"GET",
        &[("origin", b"https://qr-7.preview.example.net")],
        Some(false),
    );
    check(
        "port wildcard",
        &p,
        b"GET",
        &[("origin", b"http://localhost:8080")],
        Some(true),
    );
    let hostile = ", ".repeat(32 * 1024);
    check(
        "hostile acrh",
        &p,
        b"OPTIONS",
        &[
            ("origin", o),
            ("access-control-request-method", b"PUT"),
            ("access-control-request-headers", hostile.as_bytes()),
        ],
        Some(false),
    );
}

#[test]
fn no_allocation_with_one_or_a_thousand_origins() {
    let one = policy("allow_origins = [\"https://o500.example.com\"]");
    let list: Vec<String> = (0..1000)
        .map(|i| format!("\"https://o{i}.example.com\""))
        .collect();
    let many = policy(&format!("allow_origins = [{}]", list.join(",")));
    for (name, p) in [("1 origin", &one), ("1000 origins", &many)] {
        check(
            name,
            p,
            b"GET",
            &[("origin", b"https://o500.example.com")],
            Some(true),
        );
        check(
            name,
            p,
            b"GET",
            &[("origin", b"https://o5000.example.com")],
            Some(false),
        );
    }
}

#[test]
fn no_allocation_when_echoing_and_for_any_origin() {
    let reflect = policy(
        "allow_origins = [\"https://app.example.com\"]\nallow_methods = [\"*\"]\nallow_headers = [\"*\"]\nallow_credentials = true",
    );
    check(
        "echo",
        &reflect,
        b"OPTIONS",
        &[
            ("origin", b"https://app.example.com"),
            ("access-control-request-method", b"PATCH"),
            ("access-control-request-headers", b"x-a"),
            ("access-control-request-headers", b"x-b"),
        ],
        Some(true),
    );
    let any = Policy::any_origin();
    check(
        "any origin",
        &any,
        b"GET",
        &[("origin", b"https://x.example")],
        Some(true),
    );
}

#[test]
fn no_allocation_to_decide_count_and_report_without_a_recorder_or_subscriber() {
    // `decide` also counts the decision (`cors_requests_total`, through the `metrics`
    // facade) and reports a rejection (`tracing`): with no recorder or subscriber
    // installed, neither allocates, with or without the policy's own labels.
    let plain = policy(BASIC);
    let labelled = plain.clone().with_metrics_label("framework", "test");
    for p in [&plain, &labelled] {
        for (method, headers) in [
            (&b"GET"[..], &[][..]),
            (b"GET", &[("origin", &b"https://app.example.com"[..])][..]),
            (b"GET", &[("origin", b"https://evil.example")]),
            (
                b"OPTIONS",
                &[
                    ("origin", b"https://app.example.com"),
                    ("access-control-request-method", b"DELETE"),
                ],
            ),
        ] {
            let run = || {
                let mut req = CorsRequest::new(method);
                for (n, v) in headers {
                    req.push_header(n.as_bytes(), v);
                }
                // `Option<&[u8]>`: owning by reference keeps the conversion itself free.
                let pending = p.decide(&req, |v| Some(v.as_bytes().len()));
                std::hint::black_box(pending.len());
            };
            assert_eq!(allocations_during(run), 0, "{method:?} {headers:?}");
        }
    }
}

#[test]
fn the_counter_counts() {
    assert!(allocations_during(|| drop(std::hint::black_box(vec![1u8; 8]))) >= 10);
}

#[test]
fn choosing_a_route_allocates_nothing() {
    let mut text = String::from(
        "allow_origins = [\"https://a.example\"]\n[policies.public]\nallow_origins = [\"*\"]\n[policies.files]\nallow_origins = [\"https://f.example\"]\n",
    );
    for i in 0..100 {
        text.push_str(&format!(
            "[[routes]]\npaths = [\"/svc{i}/**\"]\npolicy = \"public\"\n"
        ));
    }
    text.push_str("[[routes]]\npaths = [\"/**/*.json\", \"/v{1,2}/*\"]\npolicy = \"files\"\n");
    text.push_str("[[routes]]\npaths = [\"/internal/**\"]\npolicy = \"off\"\n");
    let handle = cors_core::PolicyHandle::new(cors_core::PolicySet::from_toml_str(&text).unwrap());
    for (path, origins) in [
        ("/svc42/a/b", Some("*")),
        ("/%73vc99//x/../y", Some("*")),
        ("/other/data.json", Some("https://f.example")),
        ("/v2/x", Some("https://f.example")),
        ("/internal/x", None),
        ("/", Some("https://a.example")),
        (
            "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w",
            Some("https://a.example"),
        ),
    ] {
        let run = || {
            let set = handle.load();
            let got = set.select(path).map(|p| p.config().allow_origins[0].len());
            assert_eq!(got, origins.map(str::len), "{path}");
        };
        assert_eq!(allocations_during(run), 0, "{path} allocated");
    }
}

#[test]
fn no_allocation_to_decide_a_browsers_preflight_to_a_policy_that_allows_anything() {
    // Any method and any header with credentials: the answer names the method, the
    // headers and the origin, all from the request. A standard method is written from
    // static text, so the decision keeps two echoed values, which fit inline.
    let reflect = policy(
        "allow_origins = [\"https://app.example.com\"]\nallow_methods = [\"*\"]\nallow_headers = [\"*\"]\nallow_credentials = true",
    );
    for method in ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let run = || {
            let mut req = CorsRequest::new(b"OPTIONS");
            req.push_header(b"origin", b"https://app.example.com");
            req.push_header(b"access-control-request-method", method.as_bytes());
            req.push_header(b"access-control-request-headers", b"content-type,x-a");
            let pending = reflect.decide(&req, |v| Some(v.as_bytes().len()));
            assert_eq!(pending.len(), 4, "{method}");
            std::hint::black_box(pending.len());
        };
        assert_eq!(allocations_during(run), 0, "{method}");
    }
}

/// A recorder that does on every registration what real ones do
/// (`metrics-exporter-prometheus` and `metrics-util`'s registry call `Key::to_retained`)
/// and hands out one shared counter: what is left of counting is ours.
struct Retaining(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl metrics::Recorder for Retaining {
    fn describe_counter(
        &self,
        _: metrics::KeyName,
        _: Option<metrics::Unit>,
        _: metrics::SharedString,
    ) {
    }
    fn describe_gauge(
        &self,
        _: metrics::KeyName,
        _: Option<metrics::Unit>,
        _: metrics::SharedString,
    ) {
    }
    fn describe_histogram(
        &self,
        _: metrics::KeyName,
        _: Option<metrics::Unit>,
        _: metrics::SharedString,
    ) {
    }
    fn register_counter(&self, key: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Counter {
        drop(std::hint::black_box(key.to_retained()));
        metrics::Counter::from_arc(self.0.clone())
    }
    fn register_gauge(&self, _: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Gauge {
        metrics::Gauge::noop()
    }
    fn register_histogram(
        &self,
        _: &metrics::Key,
        _: &metrics::Metadata<'_>,
    ) -> metrics::Histogram {
        metrics::Histogram::noop()
    }
}

#[test]
fn no_allocation_to_count_with_a_recorder_that_retains_keys() {
    // The caller's labels are owned strings: a key built from them is copied by every
    // `to_retained`, unless the policy keeps its keys retained already.
    let labelled = policy(BASIC)
        .with_metrics_label("framework", "test")
        .with_metrics_label("policy", "api");
    let recorder = Retaining(Default::default());
    metrics::with_local_recorder(&recorder, || {
        let run = || {
            let mut req = CorsRequest::new(b"GET");
            req.push_origin(b"https://app.example.com");
            let pending = labelled.decide(&req, |v| Some(v.as_bytes().len()));
            std::hint::black_box(pending.len());
        };
        assert_eq!(allocations_during(run), 0);
    });
    // Counted: the warm-up run and ten more.
    assert_eq!(recorder.0.load(std::sync::atomic::Ordering::Relaxed), 11);
}
