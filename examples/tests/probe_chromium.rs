//! `cors probe`'s verdict is the browser's: for each scenario, headless Chromium runs the
//! `fetch()` from a page on one loopback origin (it resolves, or rejects with a
//! `TypeError`), and `cors probe` (in process, `cors_cli::probe`) sends the same request
//! from the same origin; they must agree. Scenarios run against `serve` with the bundled
//! policy on every framework, and against canned servers that misbehave in the ways the
//! Fetch standard's checks catch (ACAO missing on a 500; two ACAO lines; `*` with
//! credentials; a header missing from ACAH; a 3xx preflight; ACAC `True`), each beside a
//! well-behaved control, and a redirect to another origin (followed with `Origin: null`).
//!
//! Chromium and the `CORS_REQUIRE_BROWSER` rule are `cors_testkit::browser`'s.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::Duration;

use cors_testkit::browser::{self, Browser};
use cors_testkit::canned::{self, Seen};
use cors_testkit::serve::{FRAMEWORKS, Server, start};
use serde_json::{Value, json};

const SERVE: &str = env!("CARGO_BIN_EXE_serve");

/// One `fetch()`.
struct Scenario {
    name: String,
    url: String,
    method: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    credentials: bool,
    /// What both must say (`true`: the page reads the answer).
    allowed: bool,
}

fn scenario(
    name: &str,
    base: &str,
    path: &str,
    method: &'static str,
    headers: &[(&'static str, &'static str)],
    credentials: bool,
    allowed: bool,
) -> Scenario {
    // A query of its own: no scenario hits another's preflight cache entry.
    let sep = if path.contains('?') { '&' } else { '?' };
    Scenario {
        name: name.to_owned(),
        url: format!("{base}{path}{sep}scenario={name}"),
        method,
        headers: headers.to_vec(),
        credentials,
        allowed,
    }
}

/// The page: runs every scenario in turn, then posts `{name: "resolved" | "TypeError: …"}`.
fn page(scenarios: &[Scenario]) -> String {
    let list: Vec<Value> = scenarios
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "url": s.url,
                "method": s.method,
                "headers": s.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
                "credentials": if s.credentials { "include" } else { "omit" },
            })
        })
        .collect();
    format!(
        r#"<!doctype html><meta charset="utf-8"><title>probe vs Chromium</title>
<script>
const SCENARIOS = {};
(async () => {{
  const r = {{}};
  for (const s of SCENARIOS) {{
    try {{
      const res = await fetch(s.url, {{method: s.method, headers: s.headers, credentials: s.credentials}});
      await res.text();
      r[s.name] = 'resolved';
    }} catch (e) {{
      r[s.name] = (e instanceof TypeError ? 'TypeError: ' : 'other: ') + e.message;
    }}
  }}
  await fetch('/report?page=probe', {{method: 'POST', body: JSON.stringify(r)}});
}})();
</script>"#,
        Value::Array(list)
    )
}

/// Runs the scenarios in Chromium from a fresh page server's origin, then `cors probe`
/// for each from the same origin; panics with every disagreement (or a verdict both
/// share that the scenario does not expect). `None` when Chromium is missing and not
/// required.
fn compare(label: &str, scenarios: &[Scenario]) -> Option<()> {
    if !browser::available() {
        return None;
    }
    let (tx, rx) = mpsc::channel();
    let page_addr = browser::page_server(vec![("/probe.html".to_owned(), page(scenarios))], tx);
    let origin = format!("http://{page_addr}");
    let chromium = Browser::open(&format!("{origin}/probe.html"));
    let (_, body) = rx
        .recv_timeout(Duration::from_secs(90))
        .unwrap_or_else(|_| panic!("{label}: Chromium did not report"));
    drop(chromium);
    let report: BTreeMap<String, String> = serde_json::from_slice(&body).expect("report");

    let mut failures = Vec::new();
    for s in scenarios {
        let Some(outcome) = report.get(&s.name) else {
            failures.push(format!("{}: Chromium did not run it", s.name));
            continue;
        };
        let chromium_allowed = outcome == "resolved";
        if !chromium_allowed && !outcome.starts_with("TypeError: ") {
            failures.push(format!("{}: Chromium: {outcome}", s.name));
        }
        let mut args = vec![
            s.url.clone(),
            "--origin".into(),
            origin.clone(),
            "--method".into(),
            s.method.into(),
        ];
        for (n, v) in &s.headers {
            args.extend(["--header".to_owned(), format!("{n}: {v}")]);
        }
        if s.credentials {
            args.push("--credentials".into());
        }
        let (code, doc) = cors_cli::probe(&args);
        let probe_allowed = match code {
            0 => true,
            1 => false,
            _ => {
                failures.push(format!("{}: cors probe failed: {doc}", s.name));
                continue;
            }
        };
        assert_eq!(doc["allowed"], Value::from(probe_allowed), "{doc:#}");
        if probe_allowed != chromium_allowed {
            failures.push(format!(
                "{}: Chromium {outcome:?}, cors probe {} ({})",
                s.name,
                if probe_allowed { "allowed" } else { "blocked" },
                doc["why"]
            ));
        } else if probe_allowed != s.allowed {
            failures.push(format!(
                "{}: both say {} ({outcome}; {}), the scenario expects otherwise",
                s.name,
                if probe_allowed { "allowed" } else { "blocked" },
                doc["why"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{label}: cors probe against Chromium:\n{}",
        failures.join("\n")
    );
    Some(())
}

/// What the page asks of `serve` (`base`) running the bundled policy, which lists
/// `http://127.0.0.1:*` and so the page's origin.
fn serve_scenarios(base: &str) -> Vec<Scenario> {
    vec![
        scenario("get", base, "/", "GET", &[], false, true),
        scenario("get_with_credentials", base, "/", "GET", &[], true, true),
        scenario(
            "put_json_with_credentials",
            base,
            "/echo",
            "PUT",
            &[("content-type", "application/json")],
            true,
            true,
        ),
        scenario(
            "delete_with_a_listed_header",
            base,
            "/echo",
            "DELETE",
            &[("x-requested-with", "probe")],
            false,
            true,
        ),
        scenario(
            "authorization_with_credentials",
            base,
            "/echo",
            "GET",
            &[("authorization", "Bearer t")],
            true,
            true,
        ),
        scenario(
            "method_outside_the_policy",
            base,
            "/echo",
            "PROPFIND",
            &[],
            false,
            false,
        ),
        scenario(
            "header_outside_the_policy",
            base,
            "/echo",
            "GET",
            &[("x-secret", "1")],
            false,
            false,
        ),
        scenario("error_500", base, "/error", "GET", &[], false, true),
        scenario("not_found", base, "/no-such-route", "GET", &[], false, true),
    ]
}

fn check_serve(framework: &'static str) {
    let bundled = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml"))
        .expect("examples/policy.toml");
    if !browser::available() {
        return;
    }
    let servers: [Server; 2] = [
        start(SERVE, framework, &bundled),
        start(
            SERVE,
            framework,
            "allow_origins = [\"https://app.example.com\"]\n",
        ),
    ];
    let base = format!("http://{}", servers[0].addr);
    let mut scenarios = serve_scenarios(&base);
    scenarios.push(scenario(
        "page_origin_not_listed",
        &format!("http://{}", servers[1].addr),
        "/",
        "GET",
        &[],
        false,
        false,
    ));
    compare(framework, &scenarios);
}

#[test]
fn chromium_agrees_with_probe_on_serve_axum() {
    check_serve(FRAMEWORKS[0]);
}

#[test]
fn chromium_agrees_with_probe_on_serve_actix() {
    check_serve(FRAMEWORKS[1]);
}

#[test]
fn chromium_agrees_with_probe_on_serve_rocket() {
    check_serve(FRAMEWORKS[2]);
}

#[test]
fn chromium_agrees_with_probe_on_serve_warp() {
    check_serve(FRAMEWORKS[3]);
}

/// The canned answers, by the `case=` of the request's query (or its path); the request's `Origin`
/// is the one allowed unless the case says otherwise.
fn misbehaving(seen: &Seen) -> (u16, Vec<(String, String)>) {
    let origin = seen.header("origin").unwrap_or("").to_owned();
    // `?case=NAME`, or a path `/NAME` (what a redirect's `to=` can carry unescaped).
    let path = seen.target.split('?').next().unwrap_or("");
    let case = seen
        .target
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("case="))
        .unwrap_or(path.trim_start_matches('/'));
    let preflight = seen.method == "OPTIONS";
    let to = seen
        .target
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("to="))
        .unwrap_or("/");
    let line = |n: &str, v: &str| (n.to_owned(), v.to_owned());
    let acao = line("access-control-allow-origin", &origin);
    let vary = line("vary", "Origin");
    match (case, preflight) {
        ("no-acao-500", _) => (500, vec![line("content-type", "text/plain")]),
        ("acao-500", _) => (500, vec![acao, vary]),
        ("two-acao", _) => (200, vec![acao.clone(), acao, vary]),
        ("one-acao", _) => (200, vec![acao, vary]),
        ("star", _) => (200, vec![line("access-control-allow-origin", "*")]),
        ("acah-missing", true) => (
            204,
            vec![
                acao,
                vary,
                line("access-control-allow-headers", "content-type"),
            ],
        ),
        ("acah-listed", true) => (
            204,
            vec![
                acao,
                vary,
                line("access-control-allow-headers", "content-type, x-trace-id"),
            ],
        ),
        ("redirect-preflight", true) => (
            307,
            vec![
                line("location", "/?case=preflight-ok"),
                acao,
                vary,
                line("access-control-allow-methods", "PUT"),
            ],
        ),
        ("preflight-ok", true) => (
            204,
            vec![acao, vary, line("access-control-allow-methods", "PUT")],
        ),
        ("acac-capitalized", _) => (
            200,
            vec![acao, vary, line("access-control-allow-credentials", "True")],
        ),
        ("acac-true", _) => (
            200,
            vec![acao, vary, line("access-control-allow-credentials", "true")],
        ),
        ("redirect", false) => (307, vec![line("location", to), acao, vary]),
        ("fixed", _) => (
            200,
            vec![line(
                "access-control-allow-origin",
                "https://app.example.com",
            )],
        ),
        (_, _) => (200, vec![acao, vary]),
    }
}

#[test]
fn chromium_agrees_with_probe_on_misbehaving_servers() {
    if !browser::available() {
        return;
    }
    let server = canned::Server::start(misbehaving);
    let elsewhere = canned::Server::start(misbehaving);
    let base = server.url("");
    // A redirect to another origin: the next request carries `Origin: null`.
    let to_reflecting = format!("redirect&to={}", elsewhere.url("/reflect"));
    let to_fixed = format!("redirect&to={}", elsewhere.url("/fixed"));
    let c = |name: &str,
             case: &str,
             method: &'static str,
             headers: &[(&'static str, &'static str)],
             credentials: bool,
             allowed: bool| {
        scenario(
            name,
            &base,
            &format!("/?case={case}"),
            method,
            headers,
            credentials,
            allowed,
        )
    };
    let trace = [("x-trace-id", "1")];
    let scenarios = [
        c(
            "acao_missing_on_a_500",
            "no-acao-500",
            "GET",
            &[],
            false,
            false,
        ),
        c("acao_on_a_500", "acao-500", "GET", &[], false, true),
        c("two_acao_values", "two-acao", "GET", &[], false, false),
        c("one_acao_value", "one-acao", "GET", &[], false, true),
        c("star_with_credentials", "star", "GET", &[], true, false),
        c("star_without_credentials", "star", "GET", &[], false, true),
        c(
            "header_missing_from_acah",
            "acah-missing",
            "GET",
            &trace,
            false,
            false,
        ),
        c(
            "header_listed_in_acah",
            "acah-listed",
            "GET",
            &trace,
            false,
            true,
        ),
        c(
            "a_3xx_preflight",
            "redirect-preflight",
            "PUT",
            &[],
            false,
            false,
        ),
        c("a_2xx_preflight", "preflight-ok", "PUT", &[], false, true),
        c(
            "acac_capitalized_true",
            "acac-capitalized",
            "GET",
            &[],
            true,
            false,
        ),
        c("acac_true", "acac-true", "GET", &[], true, true),
        c(
            "redirect_elsewhere_allowing_null",
            &to_reflecting,
            "GET",
            &[],
            false,
            true,
        ),
        c(
            "redirect_elsewhere_allowing_the_page",
            &to_fixed,
            "GET",
            &[],
            false,
            false,
        ),
    ];
    compare("misbehaving servers", &scenarios);
    // Chromium and probe both reached the other origin, each with `Origin: null`.
    let origins: Vec<Option<String>> = elsewhere
        .seen()
        .iter()
        .map(|r| r.header("origin").map(str::to_owned))
        .collect();
    assert_eq!(origins, vec![Some("null".to_owned()); 4], "{origins:?}");
}
