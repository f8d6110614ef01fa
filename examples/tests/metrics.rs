//! `serve --metrics`: known traffic to each of the four servers, then the scraped
//! `cors_requests_total` series, compared exactly, per framework.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cors_examples::TestRequest;
use cors_examples::raw_http::send;
use cors_testkit::serve::{first_lines, free_port};

const SERVE: &str = env!("CARGO_BIN_EXE_serve");
const FRAMEWORKS: [&str; 4] = ["axum", "actix", "rocket", "warp"];

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve --listen 127.0.0.1:BASE --metrics 127.0.0.1:M` with the bundled policy
/// and waits for its five `listening` lines.
fn start() -> (Killed, u16, SocketAddr) {
    let base = (0..50)
        .map(|_| free_port())
        .find(|&p| p < 65000 && (0..5).all(|i| TcpListener::bind(("127.0.0.1", p + i)).is_ok()))
        .expect("five free ports");
    let metrics: SocketAddr = format!("127.0.0.1:{}", base + 4).parse().unwrap();
    let mut child = Command::new(SERVE)
        .args(["--listen", &format!("127.0.0.1:{base}")])
        .args(["--metrics", &metrics.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Killed(child);
    let lines = first_lines(stdout, 5, Duration::from_secs(60));
    assert!(
        lines.contains(&format!("metrics listening on http://{metrics}")),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 5, "{lines:?}");
    (child, base, metrics)
}

fn request(method: &str, headers: &[(&str, &str)]) -> TestRequest {
    TestRequest {
        method: method.into(),
        path: "/".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect(),
    }
}

/// `cors_requests_total` series of a Prometheus text page: sorted labels → value.
fn scrape(text: &str) -> BTreeMap<Vec<(String, String)>, u64> {
    let mut series = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("cors_requests_total{") else {
            continue;
        };
        let (labels, value) = rest.split_once("} ").expect("a sample line");
        let mut labels: Vec<(String, String)> = labels
            .split(',')
            .map(|kv| {
                let (k, v) = kv.split_once('=').expect("label=value");
                (k.to_owned(), v.trim_matches('"').to_owned())
            })
            .collect();
        labels.sort();
        let previous = series.insert(labels, value.parse().expect("an integer count"));
        assert!(previous.is_none(), "a series twice: {line}");
    }
    series
}

fn labels(framework: &str, kind: &str, outcome: &str, reason: &str) -> Vec<(String, String)> {
    let mut l: Vec<(String, String)> = [
        ("framework", framework),
        ("kind", kind),
        ("outcome", outcome),
        ("reason", reason),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    l.sort();
    l
}

#[test]
fn scraped_counts_match_the_traffic_on_every_framework() {
    let (_serve, base, metrics) = start();
    let app = ("origin", "https://app.example.com");
    let evil = ("origin", "https://evil.example");
    let put = ("access-control-request-method", "PUT");
    // Framework i gets i + 1 rounds, so that a count landing under the wrong framework
    // label cannot go unnoticed.
    for (i, f) in FRAMEWORKS.iter().enumerate() {
        let addr: SocketAddr = format!("127.0.0.1:{}", base + i as u16).parse().unwrap();
        for _ in 0..=i {
            let traffic = [
                (request("GET", &[app]), 200, "allowed simple"),
                (request("GET", &[evil]), 200, "rejected origin"),
                (request("OPTIONS", &[app, put]), 204, "allowed preflight"),
                (
                    request(
                        "OPTIONS",
                        &[app, put, ("access-control-request-headers", "x-nope")],
                    ),
                    403,
                    "rejected preflight",
                ),
                (request("GET", &[]), 200, "not CORS"),
            ];
            for (req, status, what) in traffic {
                let res = send(addr, &req).unwrap();
                assert_eq!(res.status, status, "{f}: {what}");
            }
        }
    }
    let res = send(metrics, &request("GET", &[])).unwrap_or_else(|e| panic!("{e}"));
    let path_metrics = TestRequest {
        path: "/metrics".into(),
        ..request("GET", &[])
    };
    assert_eq!(res.status, 404, "only /metrics is served");
    let res = send(metrics, &path_metrics).unwrap();
    assert_eq!(res.status, 200);
    let content_type = res.headers.iter().find(|(n, _)| n == "content-type");
    assert_eq!(
        content_type.map(|(_, v)| v.as_slice()),
        Some(&b"text/plain; version=0.0.4; charset=utf-8"[..])
    );
    let text = String::from_utf8(res.body).unwrap();
    assert!(
        text.contains("# TYPE cors_requests_total counter"),
        "{text}"
    );
    let mut expected = BTreeMap::new();
    for (i, f) in FRAMEWORKS.iter().enumerate() {
        let n = i as u64 + 1;
        for (kind, outcome, reason, count) in [
            ("not_cors", "allowed", "", n),
            ("actual", "allowed", "", n),
            ("actual", "rejected", "origin-not-allowed", n),
            ("actual", "rejected", "malformed", 0),
            ("preflight", "allowed", "", n),
            ("preflight", "rejected", "origin-not-allowed", 0),
            ("preflight", "rejected", "method-not-allowed", 0),
            ("preflight", "rejected", "header-not-allowed", n),
            ("preflight", "rejected", "malformed", 0),
        ] {
            expected.insert(labels(f, kind, outcome, reason), count);
        }
    }
    assert_eq!(scrape(&text), expected, "{text}");
}
