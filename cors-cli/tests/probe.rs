//! `cors probe` against tiny live servers that answer canned HTTP/1.1 responses, each
//! recording the requests it saw (`cors_testkit::canned`).

use std::net::TcpListener;

use cors_testkit::canned::{Seen, Server, lines as h};
use serde_json::Value;

const PAGE: &str = "https://app.example.com";

mod common;
use common::cors;

fn probe_json(args: &[&str]) -> (i32, Value) {
    common::cors_json("probe", args)
}

/// A server that answers CORS correctly for PAGE, with credentials.
fn correct(seen: &Seen) -> (u16, Vec<(String, String)>) {
    if seen.method == "OPTIONS" {
        (
            204,
            h(&[
                ("access-control-allow-origin", PAGE),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "GET, PUT, DELETE"),
                ("access-control-allow-headers", "content-type, x-trace-id"),
                ("access-control-max-age", "7200"),
                ("vary", "Origin"),
            ]),
        )
    } else {
        (
            200,
            h(&[
                ("access-control-allow-origin", PAGE),
                ("access-control-allow-credentials", "true"),
                ("vary", "Origin"),
            ]),
        )
    }
}

#[test]
fn a_correct_server_is_allowed_and_sees_what_a_browser_sends() {
    let server = Server::start(correct);
    let url = server.url("/items/1");
    let (code, json) = probe_json(&[
        &url,
        "--origin",
        PAGE,
        "--method",
        "put",
        "--header",
        "Content-Type: application/json",
        "--header",
        "X-Trace-Id: 7",
        "--credentials",
    ]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["allowed"], true);
    assert_eq!(json["url"], url);
    assert_eq!(json["method"], "PUT");
    assert_eq!(json["preflight"]["status"], 204);
    assert_eq!(json["preflight"]["verdict"], "ok");
    assert_eq!(json["actual"]["status"], 200);
    assert_eq!(json["actual"]["verdict"], "ok");
    assert_eq!(json["why"], Value::Null);
    assert_eq!(json["redirects"].as_array().unwrap().len(), 0);
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("WebKit 600 s, Chromium 7200 s, Firefox 7200 s"),
        "{warnings}"
    );
    assert!(!warnings.contains("Vary: Origin"), "{warnings}");

    let seen = server.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    let (pre, act) = (&seen[0], &seen[1]);
    assert_eq!(pre.method, "OPTIONS");
    assert_eq!(pre.target, "/items/1");
    assert_eq!(pre.header("origin"), Some(PAGE));
    assert_eq!(pre.count("origin"), 1);
    assert_eq!(pre.header("access-control-request-method"), Some("PUT"));
    assert_eq!(
        pre.header("access-control-request-headers"),
        Some("content-type,x-trace-id")
    );
    assert_eq!(pre.header("x-trace-id"), None);
    assert_eq!(act.method, "PUT");
    assert_eq!(act.header("origin"), Some(PAGE));
    assert_eq!(act.header("content-type"), Some("application/json"));
    assert_eq!(act.header("x-trace-id"), Some("7"));
    assert_eq!(act.header("access-control-request-method"), None);
}

#[test]
fn a_simple_request_sends_no_preflight() {
    let server = Server::start(correct);
    let (code, json) = probe_json(&[&server.url("/"), "--origin", PAGE, "--credentials"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["preflight"], Value::Null);
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].header("origin"), Some(PAGE));
    assert_eq!(seen[0].header("access-control-request-headers"), None);
}

#[test]
fn no_allow_origin_on_a_500_is_blocked() {
    let server = Server::start(|_| (500, h(&[("content-type", "text/plain")])));
    let (code, json) = probe_json(&[&server.url("/"), "--origin", PAGE]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["allowed"], false);
    assert_eq!(json["actual"]["status"], 500);
    assert_eq!(json["actual"]["verdict"], "blocked");
    assert!(
        json["why"]
            .as_str()
            .unwrap()
            .starts_with("missing-allow-origin"),
        "{json:#}"
    );
}

#[test]
fn two_allow_origin_lines_are_blocked() {
    let server = Server::start(|_| {
        (
            200,
            h(&[
                ("access-control-allow-origin", PAGE),
                ("access-control-allow-origin", PAGE),
                ("vary", "Origin"),
            ]),
        )
    });
    let (code, json) = probe_json(&[&server.url("/"), "--origin", PAGE]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        json["actual"]["headers"][0][0],
        "access-control-allow-origin"
    );
    assert_eq!(
        json["actual"]["headers"][1][0],
        "access-control-allow-origin"
    );
    assert!(
        json["why"]
            .as_str()
            .unwrap()
            .starts_with("multiple-allow-origin"),
        "{json:#}"
    );
}

#[test]
fn any_origin_with_credentials_is_blocked_and_allowed_without() {
    let server = Server::start(|_| (200, h(&[("access-control-allow-origin", "*")])));
    let (code, json) = probe_json(&[&server.url("/"), "--origin", PAGE, "--credentials"]);
    assert_eq!(code, 1, "{json:#}");
    assert!(
        json["why"]
            .as_str()
            .unwrap()
            .starts_with("any-origin-with-credentials"),
        "{json:#}"
    );
    let (code, json) = probe_json(&[&server.url("/"), "--origin", PAGE]);
    assert_eq!(code, 0, "{json:#}");
    // `*` needs no Vary: Origin.
    assert!(!json["warnings"].to_string().contains("Vary"), "{json:#}");
}

#[test]
fn a_header_missing_from_allow_headers_blocks_the_preflight_and_no_actual_request_is_sent() {
    let server = Server::start(|_| {
        (
            204,
            h(&[
                ("access-control-allow-origin", PAGE),
                ("access-control-allow-methods", "GET, POST"),
                ("access-control-allow-headers", "content-type"),
                ("vary", "Origin"),
            ]),
        )
    });
    let (code, json) = probe_json(&[
        &server.url("/"),
        "--origin",
        PAGE,
        "--header",
        "x-trace-id: 1",
    ]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["preflight"]["verdict"], "blocked");
    assert_eq!(json["actual"], Value::Null);
    assert!(
        json["why"]
            .as_str()
            .unwrap()
            .starts_with("header-not-allowed"),
        "{json:#}"
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "OPTIONS");
    assert_eq!(seen[0].header("access-control-request-method"), Some("GET"));
    assert_eq!(
        seen[0].header("access-control-request-headers"),
        Some("x-trace-id")
    );
}

#[test]
fn a_redirected_preflight_is_blocked_and_not_followed() {
    let server = Server::start(|_| {
        (
            301,
            h(&[
                ("location", "/elsewhere"),
                ("access-control-allow-origin", PAGE),
                ("access-control-allow-methods", "DELETE"),
            ]),
        )
    });
    let (code, json) = probe_json(&[&server.url("/"), "--origin", PAGE, "--method", "DELETE"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["preflight"]["status"], 301);
    assert_eq!(json["actual"], Value::Null);
    assert!(
        json["why"]
            .as_str()
            .unwrap()
            .starts_with("preflight-status-not-ok"),
        "{json:#}"
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].target, "/");
}

#[test]
fn allow_credentials_true_capitalized_is_blocked_with_credentials() {
    let server = Server::start(|_| {
        (
            200,
            h(&[
                ("access-control-allow-origin", PAGE),
                ("access-control-allow-credentials", "True"),
                ("vary", "Origin"),
            ]),
        )
    });
    let (code, json) = probe_json(&[&server.url("/"), "--origin", PAGE, "--credentials"]);
    assert_eq!(code, 1, "{json:#}");
    assert!(
        json["why"]
            .as_str()
            .unwrap()
            .starts_with("credentials-not-allowed"),
        "{json:#}"
    );
}

#[test]
fn a_redirect_to_another_origin_carries_origin_null() {
    let target = Server::start(|seen| {
        let origin = seen.header("origin").unwrap_or("").to_owned();
        (
            200,
            vec![
                ("access-control-allow-origin".into(), origin),
                ("vary".into(), "Origin".into()),
            ],
        )
    });
    let next = target.url("/next");
    let first = Server::start(move |_| {
        (
            302,
            h(&[
                ("location", &next),
                ("access-control-allow-origin", PAGE),
                ("vary", "Origin"),
            ]),
        )
    });
    let (code, json) = probe_json(&[&first.url("/start"), "--origin", PAGE]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["actual"]["status"], 302);
    assert_eq!(json["actual"]["request_origin"], PAGE);
    let redirects = json["redirects"].as_array().unwrap();
    assert_eq!(redirects.len(), 1, "{json:#}");
    assert_eq!(redirects[0]["actual"]["url"], target.url("/next"));
    assert_eq!(redirects[0]["actual"]["request_origin"], "null");
    assert_eq!(redirects[0]["actual"]["verdict"], "ok");
    // The client follows nothing by itself: one request each.
    assert_eq!(first.seen().len(), 1);
    let seen = target.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].target, "/next");
    assert_eq!(seen[0].header("origin"), Some("null"));
}

#[test]
fn a_redirect_hop_without_allow_origin_is_blocked() {
    let target = Server::start(|_| (200, h(&[("access-control-allow-origin", "*")])));
    let next = target.url("/next");
    let first = Server::start(move |_| (307, h(&[("location", &next)])));
    let (code, json) = probe_json(&[&first.url("/"), "--origin", PAGE]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["actual"]["verdict"], "blocked");
    assert_eq!(json["redirects"].as_array().unwrap().len(), 0);
    assert!(target.seen().is_empty());
}

#[test]
fn a_missing_vary_origin_is_warned_about() {
    let server = Server::start(|_| (200, h(&[("access-control-allow-origin", PAGE)])));
    let out = cors(&["probe", &server.url("/"), "--origin", PAGE]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("result: allowed"), "{text}");
    assert!(
        text.contains("warning: the actual answer allows the origin https://app.example.com without Vary: Origin"),
        "{text}"
    );
}

#[test]
fn an_echoing_preflight_without_vary_is_warned_about() {
    let server = Server::start(|seen| {
        let mut lines = vec![
            ("access-control-allow-origin".to_owned(), PAGE.to_owned()),
            ("vary".to_owned(), "Origin".to_owned()),
        ];
        for (from, to) in [
            (
                "access-control-request-method",
                "access-control-allow-methods",
            ),
            (
                "access-control-request-headers",
                "access-control-allow-headers",
            ),
        ] {
            if let Some(v) = seen.header(from) {
                lines.push((to.to_owned(), v.to_owned()));
            }
        }
        (204, lines)
    });
    let (code, json) = probe_json(&[
        &server.url("/"),
        "--origin",
        PAGE,
        "--method",
        "PATCH",
        "--header",
        "x-a: 1",
    ]);
    assert_eq!(code, 0, "{json:#}");
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("allows exactly the requested method (PATCH) without Vary"),
        "{warnings}"
    );
    assert!(
        warnings.contains("allows exactly the requested headers (x-a) without Vary"),
        "{warnings}"
    );
    assert!(
        warnings.contains("no Access-Control-Max-Age: browsers cache this preflight's answer 5 s"),
        "{warnings}"
    );
}

#[test]
fn connection_refused_is_exit_2() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let (code, json) = probe_json(&[&url, "--origin", PAGE, "--timeout", "5"]);
    assert_eq!(code, 2, "{json:#}");
    assert!(
        json["error"].as_str().unwrap().contains("failed"),
        "{json:#}"
    );
    let out = cors(&["probe", &url, "--origin", PAGE]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("cors probe: "));
}

#[test]
fn usage_errors_are_exit_2() {
    for args in [
        &["probe", "ftp://example.com/", "--origin", PAGE][..],
        &["probe", "not a url", "--origin", PAGE],
        &[
            "probe",
            "http://127.0.0.1:9/",
            "--origin",
            "app.example.com",
        ],
        &[
            "probe",
            "http://127.0.0.1:9/",
            "--origin",
            PAGE,
            "--timeout",
            "0",
        ],
        &[
            "probe",
            "http://127.0.0.1:9/",
            "--origin",
            PAGE,
            "--header",
            "bad name: 1",
        ],
    ] {
        let out = cors(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn a_same_origin_probe_is_warned_about() {
    let server = Server::start(|_| (200, h(&[("access-control-allow-origin", "*")])));
    let url = server.url("/");
    let origin = format!("http://127.0.0.1:{}", server.port);
    let (code, json) = probe_json(&[&url, "--origin", &origin]);
    assert_eq!(code, 0, "{json:#}");
    assert!(
        json["warnings"].to_string().contains("same-origin request"),
        "{json:#}"
    );
    let (_, json) = probe_json(&[&url, "--origin", PAGE]);
    assert!(
        !json["warnings"].to_string().contains("same-origin"),
        "{json:#}"
    );
}

#[test]
fn a_redirected_put_is_preflighted_again_at_the_new_origin_with_origin_null() {
    let target = Server::start(|seen| {
        let origin = seen.header("origin").unwrap_or("").to_owned();
        let mut lines = vec![
            ("access-control-allow-origin".to_owned(), origin),
            ("vary".to_owned(), "Origin".to_owned()),
        ];
        if seen.method == "OPTIONS" {
            lines.push(("access-control-allow-methods".into(), "PUT".into()));
            lines.push(("access-control-max-age".into(), "60".into()));
        }
        (if seen.method == "OPTIONS" { 204 } else { 200 }, lines)
    });
    let next = target.url("/moved");
    let first = Server::start(move |seen| {
        let mut lines = h(&[
            ("access-control-allow-origin", PAGE),
            ("access-control-allow-methods", "PUT, GET"),
            ("vary", "Origin"),
        ]);
        if seen.method == "OPTIONS" {
            (204, lines)
        } else {
            lines.push(("location".into(), next.clone()));
            (307, lines)
        }
    });
    let (code, json) = probe_json(&[&first.url("/"), "--origin", PAGE, "--method", "PUT"]);
    assert_eq!(code, 0, "{json:#}");
    let hop = &json["redirects"][0];
    assert_eq!(hop["preflight"]["request_origin"], "null", "{json:#}");
    assert_eq!(hop["actual"]["status"], 200);
    let seen: Vec<(String, Option<String>)> = target
        .seen()
        .iter()
        .map(|s| (s.method.clone(), s.header("origin").map(str::to_owned)))
        .collect();
    assert_eq!(
        seen,
        [
            ("OPTIONS".to_owned(), Some("null".to_owned())),
            ("PUT".to_owned(), Some("null".to_owned()))
        ]
    );
    let methods: Vec<String> = first.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(methods, ["OPTIONS", "PUT"]);
}

#[test]
fn a_303_turns_the_request_into_a_get_without_its_content_type() {
    let target = Server::start(|_| (200, h(&[("access-control-allow-origin", "*")])));
    let next = target.url("/see-other");
    let first = Server::start(move |_| {
        (
            303,
            h(&[("location", &next), ("access-control-allow-origin", "*")]),
        )
    });
    let (code, json) = probe_json(&[
        &first.url("/"),
        "--origin",
        PAGE,
        "--method",
        "POST",
        "--header",
        "content-type: text/plain",
    ]);
    assert_eq!(code, 0, "{json:#}");
    let seen = target.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].header("content-type"), None);
    assert_eq!(first.seen()[0].method, "POST");
    assert_eq!(first.seen()[0].header("content-type"), Some("text/plain"));
}
