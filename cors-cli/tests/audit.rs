//! `cors audit` against canned misconfigured servers (`cors_testkit::canned`): one
//! class each, one with every class, a correct one, and hostile ones. (`serve` with the
//! bundled policy is audited in cors-examples' tests, where the binary is.)

use std::collections::BTreeSet;

use cors_testkit::canned::{Seen, Server};
use serde_json::Value;

const TRUSTED: &str = "https://app.example.com";

mod common;
use common::cors;

fn audit_json(args: &[&str]) -> (i32, Value) {
    common::cors_json("audit", args)
}

/// The classes found, each with its severity.
fn classes(json: &Value) -> BTreeSet<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["class"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn set(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|(c, s)| ((*c).to_owned(), (*s).to_owned()))
        .collect()
}

fn finding<'j>(json: &'j Value, class: &str) -> &'j Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["class"] == class)
        .unwrap_or_else(|| panic!("no {class}: {json:#}"))
}

/// A server whose answer for each request comes from `allow(origin)` (Some(credentials)
/// when the origin is allowed), with `Vary: Origin` when `vary`, and preflights that
/// list `GET, POST` and `content-type` unless the echo flags say otherwise.
#[derive(Clone, Copy)]
struct Spec {
    allow: fn(&str) -> Option<bool>,
    vary: bool,
    /// `Access-Control-Allow-Credentials: true` on every answer, allowed or not.
    always_credentials: bool,
    echo_method: bool,
    echo_headers: bool,
}

const EXACT: Spec = Spec {
    allow: |o| (o == TRUSTED).then_some(true),
    vary: true,
    always_credentials: false,
    echo_method: false,
    echo_headers: false,
};

fn server(spec: Spec) -> Server {
    Server::start(move |seen: &Seen| {
        let origin = seen.header("origin").unwrap_or("");
        let mut lines = Vec::new();
        let allowed = (spec.allow)(origin);
        if let Some(credentials) = allowed {
            lines.push(("access-control-allow-origin".to_owned(), origin.to_owned()));
            if credentials {
                lines.push(("access-control-allow-credentials".into(), "true".into()));
            }
        }
        if allowed.is_none() && spec.always_credentials {
            lines.push(("access-control-allow-credentials".into(), "true".into()));
        }
        if spec.vary {
            lines.push(("vary".into(), "Origin".into()));
        }
        if seen.method == "OPTIONS" {
            let method = match seen.header("access-control-request-method") {
                Some(m) if spec.echo_method => m.to_owned(),
                _ => "GET, POST".to_owned(),
            };
            let headers = match seen.header("access-control-request-headers") {
                Some(h) if spec.echo_headers => h.to_owned(),
                _ => "content-type".to_owned(),
            };
            lines.push(("access-control-allow-methods".into(), method));
            lines.push(("access-control-allow-headers".into(), headers));
            return (204, lines);
        }
        (200, lines)
    })
}

fn audit(spec: Spec, trusted: &[&str]) -> (i32, Value, Server) {
    let s = server(spec);
    let url = s.url("/api");
    let mut args = vec![url.as_str()];
    for t in trusted {
        args.extend(["--trusted", t]);
    }
    let (code, json) = audit_json(&args);
    assert_eq!(json["url"], url);
    (code, json, s)
}

/// Every finding's shape: exactly the five keys, a request and an answer in the evidence.
fn check_shape(json: &Value) {
    let top: BTreeSet<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(top, BTreeSet::from(["url", "findings"]), "{json:#}");
    for f in json["findings"].as_array().unwrap() {
        let keys: BTreeSet<&str> = f.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["class", "severity", "origin", "evidence", "fix"]),
            "{f:#}"
        );
        let evidence: Vec<&str> = f["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert!(evidence[0].starts_with("> "), "{f:#}");
        assert!(evidence.iter().any(|l| l.starts_with("< ")), "{f:#}");
        assert!(!f["fix"].as_str().unwrap().is_empty());
    }
}

#[test]
fn a_correct_server_has_no_findings() {
    let (code, json, s) = audit(EXACT, &[TRUSTED]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(classes(&json), set(&[]));
    check_shape(&json);
    // What was sent: the crafted origins, the trusted one, two preflights.
    let origins: BTreeSet<String> = s
        .seen()
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.header("origin").unwrap().to_owned())
        .collect();
    let want: BTreeSet<String> = [
        "https://evil.net",
        "null",
        "https://app.example.com.evil.net",
        "https://evilapp.example.com",
        "https://appxexample.com",
        "http://app.example.com",
        TRUSTED,
    ]
    .iter()
    .map(|o| (*o).to_owned())
    .collect();
    assert_eq!(origins, want);
    let preflights: Vec<(Option<String>, Option<String>)> = s
        .seen()
        .iter()
        .filter(|r| r.method == "OPTIONS")
        .map(|r| {
            (
                r.header("access-control-request-method").map(str::to_owned),
                r.header("access-control-request-headers")
                    .map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        preflights,
        [
            (Some("CORSAUDIT".to_owned()), None),
            (Some("GET".to_owned()), Some("x-cors-audit".to_owned()))
        ]
    );
}

const ORIGIN_CLASSES: [&str; 6] = [
    "origin-reflected",
    "null-origin-allowed",
    "prefix-match",
    "suffix-match",
    "unescaped-dot",
    "http-origin-allowed",
];

#[test]
fn an_arbitrary_origin_reflected_with_credentials_is_high() {
    let spec = Spec {
        allow: |_| Some(true),
        ..EXACT
    };
    let (code, json, _s) = audit(spec, &[TRUSTED]);
    assert_eq!(code, 1, "{json:#}");
    check_shape(&json);
    // Reflecting every origin allows every crafted one, each its own finding.
    let want: Vec<(&str, &str)> = ORIGIN_CLASSES
        .iter()
        .map(|c| {
            let sev = if *c == "http-origin-allowed" {
                "medium"
            } else {
                "high"
            };
            (*c, sev)
        })
        .collect();
    assert_eq!(classes(&json), set(&want));
    let f = finding(&json, "origin-reflected");
    assert_eq!(f["origin"], "https://evil.net");
    let evidence: Vec<&str> = f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(
        evidence,
        [
            format!("> GET {}", json["url"].as_str().unwrap()).as_str(),
            "> origin: https://evil.net",
            "< 200",
            "< access-control-allow-origin: https://evil.net",
            "< access-control-allow-credentials: true",
            "< vary: Origin",
        ]
    );
}

#[test]
fn an_arbitrary_origin_reflected_without_credentials_is_low() {
    let spec = Spec {
        allow: |_| Some(false),
        ..EXACT
    };
    let (code, json, _s) = audit(spec, &[TRUSTED]);
    assert_eq!(code, 1, "{json:#}");
    let want: Vec<(&str, &str)> = ORIGIN_CLASSES.iter().map(|c| (*c, "low")).collect();
    assert_eq!(classes(&json), set(&want));
}

#[test]
fn the_null_origin_trusted() {
    let spec = Spec {
        allow: |o| (o == TRUSTED || o == "null").then_some(true),
        ..EXACT
    };
    let (code, json, _s) = audit(spec, &[TRUSTED]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(classes(&json), set(&[("null-origin-allowed", "high")]));
    assert_eq!(finding(&json, "null-origin-allowed")["origin"], "null");
}

#[test]
fn a_prefix_match() {
    let spec = Spec {
        allow: |o| o.starts_with(TRUSTED).then_some(true),
        ..EXACT
    };
    let (code, json, _s) = audit(spec, &[TRUSTED]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(classes(&json), set(&[("prefix-match", "high")]));
    assert_eq!(
        finding(&json, "prefix-match")["origin"],
        "https://app.example.com.evil.net"
    );
}

#[test]
fn a_suffix_match() {
    let spec = Spec {
        allow: |o| (o.starts_with("https://") && o.ends_with("app.example.com")).then_some(true),
        ..EXACT
    };
    let (code, json, _s) = audit(spec, &[TRUSTED]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(classes(&json), set(&[("suffix-match", "high")]));
    assert_eq!(
        finding(&json, "suffix-match")["origin"],
        "https://evilapp.example.com"
    );
}

/// `^https://app.example.com$` as a regex whose dots are not escaped.
fn unescaped(o: &str) -> Option<bool> {
    let pattern = TRUSTED.as_bytes();
    let o = o.as_bytes();
    (o.len() == pattern.len() && o.iter().zip(pattern).all(|(c, p)| p == &b'.' || c == p))
        .then_some(true)
}

#[test]
fn an_unescaped_dot() {
    let spec = Spec {
        allow: unescaped,
        ..EXACT
    };
    let (code, json, _s) = audit(spec, &[TRUSTED]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(classes(&json), set(&[("unescaped-dot", "high")]));
    assert_eq!(
        finding(&json, "unescaped-dot")["origin"],
        "https://appxexample.com"
    );
}

#[test]
fn http_trusted_beside_https() {
    let spec = Spec {
        allow: |o| (o == TRUSTED || o == "http://app.example.com").then_some(true),
        ..EXACT
    };
    let (code, json, _s) = audit(spec, &[TRUSTED]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(classes(&json), set(&[("http-origin-allowed", "medium")]));
    // Trusting both on purpose: nothing to report.
    let (code, json, _s) = audit(spec, &[TRUSTED, "http://app.example.com"]);
    assert_eq!(code, 0, "{json:#}");
}

#[test]
fn credentials_sent_to_untrusted_origins() {
    let spec = Spec {
        always_credentials: true,
        ..EXACT
    };
    let (code, json, _s) = audit(spec, &[TRUSTED]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        classes(&json),
        set(&[("credentials-to-untrusted-origin", "low")])
    );
    let f = finding(&json, "credentials-to-untrusted-origin");
    assert_eq!(f["origin"], "https://evil.net");
    assert!(
        f["evidence"]
            .to_string()
            .contains("< access-control-allow-credentials: true")
    );
}

#[test]
fn vary_origin_missing_on_a_reflected_origin() {
    let spec = Spec {
        vary: false,
        ..EXACT
    };
    let (code, json, _s) = audit(spec, &[TRUSTED]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(classes(&json), set(&[("vary-origin-missing", "medium")]));
    let f = finding(&json, "vary-origin-missing");
    assert_eq!(f["origin"], TRUSTED);
    // The proof: the trusted origin's answer and one that differs.
    let evidence = f["evidence"].to_string();
    assert!(
        evidence.contains("< access-control-allow-origin: https://app.example.com"),
        "{evidence}"
    );
    assert!(evidence.contains("< (no CORS header)"), "{evidence}");
}

#[test]
fn one_allowed_origin_always_needs_no_vary() {
    // The same Access-Control-Allow-Origin whatever the Origin: no cache can mix answers.
    let s = Server::start(|_| {
        (
            200,
            vec![("access-control-allow-origin".into(), TRUSTED.into())],
        )
    });
    let (code, json) = audit_json(&[&s.url("/"), "--trusted", TRUSTED]);
    assert_eq!(code, 0, "{json:#}");
}

#[test]
fn any_method_reflected_in_a_credentialed_preflight() {
    let spec = Spec {
        echo_method: true,
        ..EXACT
    };
    let (code, json, _s) = audit(spec, &[TRUSTED]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(classes(&json), set(&[("method-reflected", "medium")]));
    let evidence = finding(&json, "method-reflected")["evidence"].to_string();
    assert!(
        evidence.contains("> access-control-request-method: CORSAUDIT"),
        "{evidence}"
    );
    assert!(
        evidence.contains("< access-control-allow-methods: CORSAUDIT"),
        "{evidence}"
    );
}

#[test]
fn any_header_reflected_in_a_credentialed_preflight() {
    let spec = Spec {
        echo_headers: true,
        ..EXACT
    };
    let (code, json, _s) = audit(spec, &[TRUSTED]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(classes(&json), set(&[("header-reflected", "medium")]));
}

#[test]
fn echoing_preflights_without_credentials_are_not_findings() {
    let spec = Spec {
        allow: |o| (o == TRUSTED).then_some(false),
        echo_method: true,
        echo_headers: true,
        ..EXACT
    };
    let (code, json, _s) = audit(spec, &[TRUSTED]);
    assert_eq!(code, 0, "{json:#}");
}

#[test]
fn a_server_with_every_class() {
    // Trusted `https://api.app.example.com` gives two unescaped-dot origins: the server
    // allows the first and sends credentials without an origin to the second.
    const T: &str = "https://api.app.example.com";
    let spec = Spec {
        allow: |o| (o != "https://api.appxexample.com").then_some(true),
        vary: false,
        always_credentials: true,
        echo_method: true,
        echo_headers: true,
    };
    let (code, json, _s) = audit(spec, &[T]);
    assert_eq!(code, 1, "{json:#}");
    check_shape(&json);
    let found: BTreeSet<String> = classes(&json).into_iter().map(|(c, _)| c).collect();
    let every: BTreeSet<String> = ORIGIN_CLASSES
        .iter()
        .chain(&[
            "credentials-to-untrusted-origin",
            "vary-origin-missing",
            "method-reflected",
            "header-reflected",
        ])
        .map(|c| (*c).to_owned())
        .collect();
    assert_eq!(found, every, "{json:#}");
    assert_eq!(
        finding(&json, "unescaped-dot")["origin"],
        "https://apixapp.example.com"
    );
    assert_eq!(
        finding(&json, "credentials-to-untrusted-origin")["origin"],
        "https://api.appxexample.com"
    );
}

#[test]
fn a_trusted_wildcard_covers_its_subdomains_and_catches_a_suffix_test() {
    let right = Spec {
        allow: |o| {
            o.strip_prefix("https://")
                .and_then(|h| h.strip_suffix(".example.org"))
                .is_some_and(|sub| !sub.is_empty())
                .then_some(true)
        },
        ..EXACT
    };
    let (code, json, s) = audit(right, &["https://*.example.org"]);
    assert_eq!(code, 0, "{json:#}");
    let origins: BTreeSet<String> = s
        .seen()
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.header("origin").unwrap().to_owned())
        .collect();
    assert!(origins.contains("https://evilexample.org"), "{origins:?}");
    assert!(origins.contains("https://wwwxexample.org"), "{origins:?}");
    assert!(origins.contains("https://www.example.org"), "{origins:?}");

    let ends_with = Spec {
        allow: |o| (o.starts_with("https://") && o.ends_with("example.org")).then_some(true),
        ..EXACT
    };
    let (code, json, _s) = audit(ends_with, &["https://*.example.org"]);
    assert_eq!(code, 1, "{json:#}");
    // `wwwxexample.org` ends with `example.org` too.
    assert_eq!(
        classes(&json),
        set(&[("suffix-match", "high"), ("unescaped-dot", "high")])
    );
    assert_eq!(
        finding(&json, "suffix-match")["origin"],
        "https://evilexample.org"
    );
}

#[test]
fn without_trusted_origins_the_urls_own_origin_is_trusted() {
    // Trusts only its own origin (http://127.0.0.1:PORT) and `null`.
    let s = Server::start(|seen| {
        let origin = seen.header("origin").unwrap_or("").to_owned();
        let host = seen.header("host").unwrap_or("").to_owned();
        let mut lines = vec![("vary".to_owned(), "Origin".to_owned())];
        if origin == format!("http://{host}") || origin == "null" {
            lines.push(("access-control-allow-origin".into(), origin));
        }
        (200, lines)
    });
    let (code, json) = audit_json(&[&s.url("/")]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(classes(&json), set(&[("null-origin-allowed", "low")]));
    let origins: Vec<String> = s
        .seen()
        .iter()
        .filter_map(|r| r.header("origin").map(str::to_owned))
        .collect();
    let own = format!("http://127.0.0.1:{}", s.port);
    assert!(origins.contains(&own), "{origins:?}");
    assert!(
        origins.contains(&format!("http://127.0.0.1.evil.net:{}", s.port)),
        "{origins:?}"
    );
}

#[test]
fn text_output_lists_each_origin_sent_and_each_finding() {
    let s = server(Spec {
        allow: |o| (o == TRUSTED || o == "null").then_some(true),
        ..EXACT
    });
    let out = cors(&["audit", &s.url("/"), "--trusted", TRUSTED]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!(
            "audit: {} trusting https://app.example.com\n",
            s.url("/")
        )),
        "{text}"
    );
    assert!(
        text.contains("sent: Origin: https://evil.net (origin-reflected): not allowed\n"),
        "{text}"
    );
    assert!(
        text.contains("sent: Origin: null (null-origin-allowed): allowed with credentials\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "sent: Origin: https://app.example.com (trusted): allowed with credentials\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!("sent: OPTIONS from {TRUSTED}, Access-Control-Request-Method: CORSAUDIT (method-reflected): not allowed\n")),
        "{text}"
    );
    assert!(
        text.contains("finding: high null-origin-allowed (Origin: null): "),
        "{text}"
    );
    assert!(text.contains("    > origin: null\n"), "{text}");
    assert!(
        text.contains("    fix: never allow the origin null"),
        "{text}"
    );
    assert!(text.ends_with("result: 1 finding\n"), "{text}");

    let ok = server(EXACT);
    let out = cors(&["audit", &ok.url("/"), "--trusted", TRUSTED]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with("result: nothing found\n"), "{text}");
}

#[test]
fn usage_and_network_errors_are_exit_2() {
    let free = cors_testkit::serve::free_port();
    for args in [
        vec!["audit", "ftp://example.com/"],
        vec!["audit", "not a url"],
        vec![
            "audit",
            "http://127.0.0.1:9/",
            "--trusted",
            "app.example.com",
        ],
        vec!["audit", "http://127.0.0.1:9/", "--timeout", "0"],
        vec![
            "audit",
            "http://127.0.0.1:9/",
            "--trusted",
            "https://*.127.0.0.1",
        ],
    ] {
        let mut json_args = args.clone();
        json_args.extend(["--format", "json"]);
        let out = cors(&json_args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(doc["error"].is_string(), "{args:?}: {doc}");
    }
    let url = format!("http://127.0.0.1:{free}/");
    let (code, json) = audit_json(&[&url, "--timeout", "5"]);
    assert_eq!(code, 2, "{json:#}");
    assert!(
        json["error"].as_str().unwrap().contains("failed"),
        "{json:#}"
    );
}

/// Hostile answers (garbage, huge or binary headers, a slow server) end in exit 2 or a
/// verdict, never a panic, for `probe` and `audit` alike.
#[test]
fn hostile_servers_never_make_it_panic() {
    let answers: Vec<Vec<u8>> = vec![
        b"\x00\xff\xfegarbage\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\naccess-control-allow-origin: \xff\xfe\r\ncontent-length: 0\r\n\r\n"
            .to_vec(),
        {
            let mut v = b"HTTP/1.1 200 OK\r\nx-big: ".to_vec();
            v.extend(std::iter::repeat_n(b'a', 1 << 20));
            v.extend(b"\r\ncontent-length: 0\r\n\r\n");
            v
        },
        {
            let mut v = b"HTTP/1.1 200 OK\r\n".to_vec();
            for i in 0..5000 {
                v.extend(format!("access-control-allow-origin: o{i}\r\n").as_bytes());
            }
            v.extend(b"content-length: 0\r\n\r\n");
            v
        },
        b"HTTP/1.1 99999 Nope\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n".to_vec(),
        Vec::new(),
    ];
    for answer in answers {
        let bytes = answer.clone();
        let s = Server::start_raw(move |_| bytes.clone());
        for args in [
            vec!["audit", "--format", "json", "--timeout", "5"],
            vec![
                "probe",
                "--format",
                "json",
                "--timeout",
                "5",
                "--origin",
                TRUSTED,
                "--method",
                "PUT",
            ],
        ] {
            let url = s.url("/");
            let mut all = args.clone();
            all.push(&url);
            let out = cors(&all);
            let code = out.status.code();
            assert!(
                matches!(code, Some(0..=2)),
                "{all:?} on {:?}: {code:?}\n{}",
                String::from_utf8_lossy(&answer[..answer.len().min(80)]),
                String::from_utf8_lossy(&out.stderr)
            );
            let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
                panic!(
                    "{all:?}: not JSON ({e}): {}",
                    String::from_utf8_lossy(&out.stdout)
                )
            });
            assert!(doc.is_object());
        }
    }
}
