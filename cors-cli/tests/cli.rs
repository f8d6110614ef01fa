//! The `cors` binary, run as a user runs it, on temporary policy files.

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

/// A policy file in a fresh temporary directory, removed on drop.
struct PolicyFile {
    dir: PathBuf,
    path: PathBuf,
}

impl PolicyFile {
    fn new(test: &str, name: &str, text: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("cors-cli-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        Self { dir, path }
    }

    fn path(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

impl Drop for PolicyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

mod common;
use common::cors;

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Parses stdout as exactly one JSON document.
fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

const GOOD: &str = r#"
allow_origins = ["https://app.example.com"]
allow_methods = ["PUT", "DELETE"]
allow_headers = ["content-type", "authorization"]
allow_credentials = true
max_age = 600
"#;

#[test]
fn check_valid_policy_exits_0_without_warnings() {
    let f = PolicyFile::new("check-valid", "policy.toml", GOOD);
    let out = cors(&["check", f.path()]);
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), format!("{}: valid\n", f.path()));

    let out = cors(&["check", f.path(), "--format", "json"]);
    assert_eq!(code(&out), 0);
    let v = json(&out);
    assert_eq!(keys(&v), ["file", "problems", "valid", "warnings"]);
    assert_eq!(v["file"], f.path());
    assert_eq!(v["valid"], true);
    assert_eq!(v["problems"], Value::Array(vec![]));
    assert_eq!(v["warnings"], Value::Array(vec![]));
}

#[test]
fn check_invalid_policy_lists_every_problem_and_exits_1() {
    let f = PolicyFile::new(
        "check-invalid",
        "policy.yaml",
        "allow_origins: [\"https://app.example.com/\", \"null\"]\nmax_age: 100000\n",
    );
    let out = cors(&["check", f.path(), "--format", "json"]);
    assert_eq!(code(&out), 1);
    let v = json(&out);
    assert_eq!(v["valid"], false);
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 3);
    for p in problems {
        assert_eq!(keys(p), ["fix", "key", "kind", "message", "value"]);
    }
    assert_eq!(problems[0]["key"], "allow_origins");
    assert_eq!(problems[0]["value"], "https://app.example.com/");
    assert_eq!(problems[0]["kind"], "origin-syntax");
    assert_eq!(
        problems[0]["message"],
        "has a trailing slash; browsers send origins without one"
    );
    assert_eq!(
        problems[0]["fix"],
        "did you mean \"https://app.example.com\"?"
    );
    assert_eq!(problems[1]["kind"], "null-origin");
    assert_eq!(problems[2]["key"], "max_age");
    assert_eq!(problems[2]["kind"], "max-age-too-large");
    // The file parses, so it gets its warnings too.
    assert_eq!(v["warnings"][0]["key"], "max_age");

    let out = cors(&["check", f.path()]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("{}: invalid (3 problems)", f.path()));
    assert!(
        lines[1].starts_with(
            "problem: allow_origins: \"https://app.example.com/\" has a trailing slash"
        )
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("problem: ")).count(),
        3
    );
}

#[test]
fn check_syntax_error_is_invalid_not_io() {
    let f = PolicyFile::new("check-syntax", "policy.toml", "allow_origins = [\n");
    let out = cors(&["check", f.path(), "--format", "json"]);
    assert_eq!(code(&out), 1);
    let v = json(&out);
    assert_eq!(v["problems"][0]["kind"], "syntax");
    assert_eq!(v["problems"][0]["key"], "policy");
}

#[test]
fn check_unreadable_file_exits_2() {
    let missing = std::env::temp_dir().join("cors-cli-no-such-dir/policy.toml");
    let missing = missing.to_str().unwrap();
    let out = cors(&["check", missing, "--format", "json"]);
    assert_eq!(code(&out), 2);
    let v = json(&out);
    assert_eq!(v["valid"], false);
    assert_eq!(v["problems"][0]["kind"], "unreadable");
    assert_eq!(code(&cors(&["check", missing])), 2);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&cors(&[])), 2);
    assert_eq!(code(&cors(&["check"])), 2);
    assert_eq!(code(&cors(&["check", "p.toml", "--format", "xml"])), 2);
    assert_eq!(code(&cors(&["frobnicate"])), 2);
    let f = PolicyFile::new("usage", "policy.toml", GOOD);
    // explain needs --origin.
    assert_eq!(code(&cors(&["explain", f.path()])), 2);
}

#[test]
fn check_warns_about_surprising_settings() {
    let f = PolicyFile::new(
        "check-warnings",
        "policy.json",
        r#"{
            "allow_origins": ["https://*.example.com", "http://localhost:3000"],
            "allow_methods": ["*", "GET"],
            "allow_headers": ["*"],
            "expose_headers": ["content-type"],
            "allow_credentials": true,
            "max_age": 7200,
            "allow_private_network": true,
            "preflight_continue": true,
            "debug": true,
            "dangerously_allow_insecure_origins": true
        }"#,
    );
    let out = cors(&["check", f.path(), "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let v = json(&out);
    assert_eq!(v["valid"], true);
    let warnings = v["warnings"].as_array().unwrap();
    for w in warnings {
        assert_eq!(keys(w), ["key", "message", "value"]);
    }
    let found: Vec<(&str, &str)> = warnings
        .iter()
        .map(|w| (w["key"].as_str().unwrap(), w["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("max_age", "7200"),
            ("allow_private_network", "true"),
            ("allow_headers", "*"),
            ("allow_headers", "*"),
            ("allow_methods", "*"),
            ("allow_methods", "GET"),
            ("expose_headers", "content-type"),
            ("allow_origins", "https://*.example.com"),
            ("allow_origins", "http://localhost:3000"),
            ("preflight_continue", "true"),
            ("debug", "true"),
            ("dangerously_allow_insecure_origins", "true"),
        ]
    );
    let message = |i: usize| warnings[i]["message"].as_str().unwrap();
    assert!(
        message(0).contains("WebKit 600 s, Chromium 7200 s, Firefox 7200 s"),
        "{}",
        message(0)
    );
    assert!(message(1).contains("Local Network Access"));
    assert!(message(2).contains("does not cover Authorization"));
    assert!(message(4).contains("echoes the requested method"));

    let out = cors(&["check", f.path()]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1 + found.len());
    assert!(
        text.lines().skip(1).all(|l| l.starts_with("warning: ")),
        "{text}"
    );
}

#[test]
fn check_warns_about_zero_max_age_and_not_about_authorization_when_listed() {
    let f = PolicyFile::new(
        "check-zero",
        "policy.toml",
        "allow_origins = [\"https://a.example\"]\nallow_headers = [\"*\", \"authorization\"]\nmax_age = 0\n",
    );
    let v = json(&cors(&["check", f.path(), "--format", "json"]));
    let keys: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["max_age"]);
}

fn explain(policy: &PolicyFile, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["explain", policy.path(), "--format", "json"];
    all.extend_from_slice(args);
    let out = cors(&all);
    (code(&out), json(&out))
}

const EXPLAIN_KEYS: [&str; 10] = [
    "actual",
    "allowed",
    "credentials",
    "fix",
    "headers",
    "method",
    "origin",
    "preflight",
    "warnings",
    "why",
];

fn header<'v>(step: &'v Value, name: &str) -> Option<&'v str> {
    step["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == name)
        .map(|h| h[1].as_str().unwrap())
}

#[test]
fn explain_simple_request_allowed_without_preflight() {
    let f = PolicyFile::new("explain-simple", "policy.toml", GOOD);
    let (code, v) = explain(&f, &["--origin", "https://app.example.com"]);
    assert_eq!(code, 0);
    assert_eq!(keys(&v), EXPLAIN_KEYS);
    assert_eq!(v["origin"], "https://app.example.com");
    assert_eq!(v["method"], "GET");
    assert_eq!(v["credentials"], false);
    assert_eq!(v["preflight"], Value::Null);
    assert_eq!(v["allowed"], true);
    assert_eq!(v["why"], Value::Null);
    assert_eq!(v["fix"], Value::Null);
    let actual = &v["actual"];
    assert_eq!(keys(actual), ["headers", "status", "verdict", "why"]);
    assert_eq!(actual["verdict"], "ok");
    assert_eq!(actual["why"], Value::Null);
    assert_eq!(
        header(actual, "access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(header(actual, "vary"), Some("origin"));
}

#[test]
fn explain_preflighted_request_allowed() {
    let f = PolicyFile::new("explain-preflight", "policy.toml", GOOD);
    let (code, v) = explain(
        &f,
        &[
            "--origin",
            "https://app.example.com",
            "--method",
            "put",
            "--header",
            "Content-Type: application/json",
            "--header",
            "authorization:Bearer t",
            "--credentials",
        ],
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["method"], "PUT");
    assert_eq!(v["credentials"], true);
    assert_eq!(
        v["headers"],
        serde_json::json!([
            ["Content-Type", "application/json"],
            ["authorization", "Bearer t"]
        ])
    );
    let p = &v["preflight"];
    assert_eq!(p["status"], 204);
    assert_eq!(p["verdict"], "ok");
    assert_eq!(header(p, "access-control-allow-credentials"), Some("true"));
    assert_eq!(
        header(p, "access-control-allow-headers"),
        Some("content-type,authorization")
    );
    assert_eq!(header(p, "access-control-max-age"), Some("600"));
    assert_eq!(
        header(p, "vary"),
        Some("origin, access-control-request-method, access-control-request-headers")
    );
    assert_eq!(v["actual"]["verdict"], "ok");
    assert_eq!(v["allowed"], true);
}

#[test]
fn explain_blocked_origin_has_no_actual_request_and_a_fix() {
    let f = PolicyFile::new("explain-origin", "policy.toml", GOOD);
    let (code, v) = explain(
        &f,
        &["--origin", "https://evil.example", "--method", "DELETE"],
    );
    assert_eq!(code, 1);
    assert_eq!(v["preflight"]["status"], 403);
    assert_eq!(v["preflight"]["verdict"], "blocked");
    assert_eq!(
        v["preflight"]["why"],
        "missing-allow-origin: the response has no Access-Control-Allow-Origin header"
    );
    assert_eq!(v["actual"], Value::Null);
    assert_eq!(v["allowed"], false);
    assert!(
        v["why"]
            .as_str()
            .unwrap()
            .starts_with("origin-not-allowed: "),
        "{}",
        v["why"]
    );
    assert_eq!(v["fix"], "add \"https://evil.example\" to allow_origins");

    // A simple request: the actual request is sent, its answer lacks ACAO.
    let (code, v) = explain(&f, &["--origin", "https://evil.example"]);
    assert_eq!(code, 1);
    assert_eq!(v["preflight"], Value::Null);
    assert_eq!(v["actual"]["verdict"], "blocked");
    assert_eq!(header(&v["actual"], "access-control-allow-origin"), None);
    assert_eq!(v["fix"], "add \"https://evil.example\" to allow_origins");
}

#[test]
fn explain_fix_that_the_policy_would_refuse_says_so() {
    let f = PolicyFile::new("explain-insecure", "policy.toml", GOOD);
    let (code, v) = explain(
        &f,
        &["--origin", "http://intranet.example", "--credentials"],
    );
    assert_eq!(code, 1);
    let fix = v["fix"].as_str().unwrap();
    assert!(
        fix.starts_with("do not add \"http://intranet.example\" to allow_origins"),
        "{fix}"
    );
    assert!(fix.contains("plain http"), "{fix}");

    let (_, v) = explain(&f, &["--origin", "null"]);
    assert!(
        v["fix"]
            .as_str()
            .unwrap()
            .starts_with("do not trust \"null\"")
    );
}

#[test]
fn explain_blocked_method_and_header() {
    let f = PolicyFile::new("explain-method", "policy.toml", GOOD);
    let (code, v) = explain(
        &f,
        &["--origin", "https://app.example.com", "--method", "PATCH"],
    );
    assert_eq!(code, 1);
    assert!(
        v["why"]
            .as_str()
            .unwrap()
            .starts_with("method-not-allowed: ")
    );
    assert_eq!(v["fix"], "add \"PATCH\" to allow_methods");

    // fetch() does not upper-case patch; the fix says so.
    let (code, v) = explain(
        &f,
        &["--origin", "https://app.example.com", "--method", "delete"],
    );
    assert_eq!(code, 0, "delete is normalized: {v}");
    let lenient = PolicyFile::new(
        "explain-patch",
        "policy.toml",
        "allow_origins = [\"https://a.example\"]\nallow_methods = [\"PATCH\"]\n",
    );
    let (code, v) = explain(
        &lenient,
        &["--origin", "https://a.example", "--method", "patch"],
    );
    assert_eq!(code, 1);
    assert_eq!(v["method"], "patch");
    assert_eq!(
        v["fix"],
        "add \"patch\" to allow_methods (or send \"PATCH\": the policy lists it, but fetch() \
         sends \"patch\" as written and methods compare byte for byte)"
    );

    let (code, v) = explain(
        &f,
        &[
            "--origin",
            "https://app.example.com",
            "--header",
            "X-Trace-Id: 1",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        v["why"]
            .as_str()
            .unwrap()
            .starts_with("header-not-allowed: ")
    );
    assert_eq!(v["fix"], "add \"x-trace-id\" to allow_headers");
}

#[test]
fn explain_star_headers_never_cover_authorization() {
    let f = PolicyFile::new(
        "explain-star",
        "policy.toml",
        "allow_origins = [\"*\"]\nallow_headers = [\"*\"]\n",
    );
    let (code, v) = explain(&f, &["--origin", "https://a.example", "--header", "x-a: 1"]);
    assert_eq!(code, 0, "{v}");
    let (code, v) = explain(
        &f,
        &[
            "--origin",
            "https://a.example",
            "--header",
            "Authorization: Bearer t",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        v["fix"],
        "add \"authorization\" to allow_headers (\"*\" never covers authorization)"
    );
}

#[test]
fn explain_credentials_with_any_origin_must_not_be_allowed() {
    let f = PolicyFile::new("explain-any", "policy.toml", "allow_origins = [\"*\"]\n");
    let (code, v) = explain(&f, &["--origin", "https://a.example", "--credentials"]);
    assert_eq!(code, 1);
    let actual = &v["actual"];
    assert_eq!(header(actual, "access-control-allow-origin"), Some("*"));
    assert_eq!(actual["verdict"], "blocked");
    assert!(
        actual["why"]
            .as_str()
            .unwrap()
            .starts_with("any-origin-with-credentials: ")
    );
    assert!(
        v["why"]
            .as_str()
            .unwrap()
            .starts_with("any-origin-with-credentials: ")
    );
    let fix = v["fix"].as_str().unwrap();
    assert!(
        fix.starts_with("do not combine credentials with \"*\""),
        "{fix}"
    );
    assert!(
        fix.ends_with("replace \"*\" in allow_origins by \"https://a.example\" and set allow_credentials = true"),
        "{fix}"
    );
    // Without credentials the same request is allowed.
    let (code, _) = explain(&f, &["--origin", "https://a.example"]);
    assert_eq!(code, 0);
}

#[test]
fn explain_credentials_not_allowed_by_policy() {
    let f = PolicyFile::new(
        "explain-nocred",
        "policy.toml",
        "allow_origins = [\"https://a.example\"]\n",
    );
    let (code, v) = explain(&f, &["--origin", "https://a.example", "--credentials"]);
    assert_eq!(code, 1);
    assert!(
        v["why"]
            .as_str()
            .unwrap()
            .starts_with("credentials-not-allowed: ")
    );
    assert!(
        v["fix"]
            .as_str()
            .unwrap()
            .starts_with("set allow_credentials = true")
    );
}

#[test]
fn explain_warns_and_drops_forbidden_headers() {
    let f = PolicyFile::new("explain-forbidden", "policy.toml", GOOD);
    let (code, v) = explain(
        &f,
        &[
            "--origin",
            "https://app.example.com",
            "--header",
            "Cookie: a=1",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(v["headers"], serde_json::json!([]));
    assert_eq!(v["preflight"], Value::Null);
    assert_eq!(
        v["warnings"][0],
        "fetch() drops the header Cookie: browsers never let a page set it"
    );
}

#[test]
fn explain_usage_errors_exit_2_with_one_json_document() {
    let f = PolicyFile::new("explain-usage", "policy.toml", GOOD);
    for args in [
        &["--origin", "https://app.example.com/"][..],
        &["--origin", "app.example.com"],
        &[
            "--origin",
            "https://app.example.com",
            "--header",
            "bad name: 1",
        ],
        &[
            "--origin",
            "https://app.example.com",
            "--method",
            "GET POST",
        ],
        &["--origin", "https://app.example.com", "--method", "TRACE"],
    ] {
        let (code, v) = explain(&f, args);
        assert_eq!(code, 2, "{args:?}");
        assert!(v["error"].is_string(), "{args:?}: {v}");
    }
    let bad = PolicyFile::new("explain-bad-policy", "policy.toml", "allow_origins = []\n");
    let (code, v) = explain(&bad, &["--origin", "https://a.example"]);
    assert_eq!(code, 2);
    assert!(v["error"].as_str().unwrap().contains("allow_origins"));
}

#[test]
fn explain_text_is_one_line_per_step() {
    let f = PolicyFile::new("explain-text", "policy.toml", GOOD);
    let out = cors(&[
        "explain",
        f.path(),
        "--origin",
        "https://app.example.com",
        "--method",
        "DELETE",
        "--path",
        "/items/7",
    ]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    let steps: Vec<&str> = text.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        steps,
        [
            "request",
            "preflight",
            "preflight answer",
            "preflight verdict",
            "actual answer",
            "actual verdict",
            "result",
        ]
    );
    assert!(text.starts_with(
        "request: DELETE /items/7 from https://app.example.com, no headers, credentials omit\n"
    ));
    assert!(text.contains("\npreflight: needed: the method DELETE is not GET, HEAD or POST\n"));
    assert!(text.ends_with("result: allowed\n"));

    let out = cors(&[
        "explain",
        f.path(),
        "--origin",
        "https://evil.example",
        "--method",
        "PUT",
    ]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let steps: Vec<&str> = text.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        steps,
        [
            "request",
            "preflight",
            "preflight answer",
            "preflight verdict",
            "result",
            "fix"
        ]
    );
    assert!(text.contains("\npreflight verdict: blocked: missing-allow-origin: "));
}

#[test]
fn explain_debug_mode_answer_is_still_blocked_by_the_browser() {
    let f = PolicyFile::new(
        "explain-debug",
        "policy.toml",
        "allow_origins = [\"https://a.example\"]\nallow_methods = [\"PUT\"]\ndebug = true\n",
    );
    let (code, v) = explain(&f, &["--origin", "https://a.example", "--method", "PATCH"]);
    assert_eq!(code, 1);
    let p = &v["preflight"];
    assert_eq!(p["status"], 204);
    assert_eq!(
        header(p, "access-control-allow-origin"),
        Some("https://a.example")
    );
    assert_eq!(p["verdict"], "blocked");
    assert!(
        p["why"]
            .as_str()
            .unwrap()
            .starts_with("method-not-allowed: "),
        "{p}"
    );
    assert!(
        v["why"]
            .as_str()
            .unwrap()
            .starts_with("method-not-allowed: the policy refused")
    );
    assert_eq!(v["fix"], "add \"PATCH\" to allow_methods");
}

const ROUTED: &str = r#"
allow_origins = ["https://app.example.com"]
allow_methods = ["PUT"]

[policies.public]
allow_origins = ["*"]

[policies.unused]
allow_origins = ["https://other.example"]
max_age = 86400

[[routes]]
paths = ["/public/**"]
policy = "public"

[[routes]]
paths = ["/internal/**"]
policy = "off"

[[routes]]
paths = ["/public/v1/*"]
policy = "default"
"#;

#[test]
fn check_a_whole_service_file_warns_about_unused_policies_and_shadowed_routes() {
    let f = PolicyFile::new("check-routes", "service.toml", ROUTED);
    let out = cors(&["check", f.path(), "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let v = json(&out);
    let keys: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"policies.unused"), "{keys:?}");
    assert!(keys.contains(&"routes[2]"), "{keys:?}");
    // A named policy's own warnings carry its full key.
    assert!(keys.contains(&"policies.unused.max_age"), "{keys:?}");
}

#[test]
fn check_names_every_problem_of_a_whole_service_file_by_its_full_key() {
    let text = ROUTED.replace("policy = \"public\"", "policy = \"pubic\"")
        + "\n[policies.bad]\nallow_origins = [\"null\"]\n";
    let f = PolicyFile::new("check-routes-bad", "service.toml", &text);
    let out = cors(&["check", f.path(), "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let v = json(&out);
    let keys: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["policies.bad.allow_origins", "routes[0].policy"]);
    assert!(
        stdout(&out).contains("did you mean \\\"public\\\"?"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn explain_picks_the_policy_by_path() {
    let f = PolicyFile::new("explain-routes", "service.toml", ROUTED);
    let explain = |path: &str| {
        let out = cors(&[
            "explain",
            f.path(),
            "--origin",
            "https://anyone.example",
            "--path",
            path,
            "--format",
            "json",
        ]);
        (code(&out), json(&out))
    };
    let (c, v) = explain("/public/a");
    assert_eq!(c, 0, "{v}");
    assert_eq!(v["actual"]["headers"][0][1], "*");
    let (c, v) = explain("/private");
    assert_eq!(c, 1, "{v}");
    let (c, v) = explain("/internal/x");
    assert_eq!(c, 1, "{v}");
    assert!(v["fix"].as_str().unwrap().contains("\"off\""), "{v}");
}
#[test]
fn explain_a_post_the_csrf_check_refuses_names_the_reason_and_the_fix() {
    let f = PolicyFile::new(
        "explain-csrf",
        "policy.toml",
        "allow_origins = [\"https://app.example.com\"]\ncsrf_protection = \"enforce\"\n",
    );
    let (code, v) = explain(
        &f,
        &["--origin", "https://evil.example", "--method", "POST"],
    );
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["actual"]["status"], 403, "{v}");
    assert!(
        v["why"].as_str().unwrap().contains("cross-origin-request"),
        "{v}"
    );
    assert_eq!(v["fix"], "add \"https://evil.example\" to allow_origins");
    // The same from the listed origin reaches the handler.
    let (code, v) = explain(
        &f,
        &["--origin", "https://app.example.com", "--method", "POST"],
    );
    assert_eq!(
        (code, &v["actual"]["status"]),
        (0, &Value::from(200)),
        "{v}"
    );
}
