//! A real browser proves it: headless Chromium runs `fetch` calls from a page on one
//! loopback origin against `serve` on others, for every framework, and reports what it
//! could read.
//!
//! Chromium, the page server and the SKIPPED / `CORS_REQUIRE_BROWSER` rule are
//! `cors_testkit::browser`'s.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use cors_testkit::browser::{Browser, available as browser_available};
use cors_testkit::serve::{Server, TempDir, start};
use serde_json::Value;

const SERVE: &str = env!("CARGO_BIN_EXE_serve");

const MAIN_PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>CORS browser test</title>
<body><script>
const q = new URLSearchParams(location.search);
const A = q.get('a'), P = q.get('p'), W = q.get('w');
async function attempt(f) { try { return await f(); } catch (e) { return 'blocked'; } }
async function run() {
  const r = {};
  r.simple = await attempt(async () => { const res = await fetch(A + '/');
    return {status: res.status, body: await res.text(), exposed: res.headers.get('x-custom'), unexposed: res.headers.get('vary')}; });
  r.preflighted_put = await attempt(async () => { const res = await fetch(A + '/echo', {method: 'PUT',
    headers: {'content-type': 'application/json', 'x-requested-with': 'browser'}, body: JSON.stringify({a: 1})});
    return {status: res.status, body: await res.text()}; });
  r.cookie_first = await attempt(async () => (await fetch(A + '/whoami', {credentials: 'include'})).text());
  r.cookie_sent = await attempt(async () => (await fetch(A + '/whoami', {credentials: 'include'})).text());
  r.cookie_omitted = await attempt(async () => (await fetch(A + '/whoami', {credentials: 'omit'})).text());
  r.method_outside_policy = await attempt(async () => (await fetch(A + '/echo', {method: 'PROPFIND'})).status);
  r.header_outside_policy = await attempt(async () => (await fetch(A + '/echo', {headers: {'x-secret': '1'}})).status);
  r.error_500 = await attempt(async () => { const res = await fetch(A + '/error'); return {status: res.status, body: await res.text()}; });
  r.not_found = await attempt(async () => (await fetch(A + '/no-such-route')).status);
  r.any_origin = await attempt(async () => (await fetch(P + '/')).text());
  r.any_origin_with_credentials = await attempt(async () => (await fetch(P + '/', {credentials: 'include'})).text());
  r.port_wildcard = await attempt(async () => (await fetch(W + '/')).text());
  for (const [k, base] of [['max_age_600', A], ['max_age_0', W]]) {
    for (let i = 0; i < 2; i++) {
      r[k + '_' + i] = await attempt(async () => (await fetch(base + '/echo?cache', {method: 'PUT',
        headers: {'x-requested-with': 'cache'}})).text());
    }
  }
  await fetch('/report?page=main', {method: 'POST', body: JSON.stringify(r)});
}
const frame = document.createElement('iframe');
frame.src = q.get('other') + '/other.html?a=' + encodeURIComponent(A);
document.body.appendChild(frame);
run();
</script>"#;

const OTHER_PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>unlisted origin</title>
<script>
const A = new URLSearchParams(location.search).get('a');
(async () => {
  let r;
  try { r = await (await fetch(A + '/')).text(); } catch (e) { r = 'blocked'; }
  await fetch('/report?page=other', {method: 'POST', body: JSON.stringify({unlisted_origin: r})});
})();
</script>"#;

/// Debug mode's page: one failing preflight per check (method, header, origin) against
/// a server with `debug = true` (`d` and, for the origin, `do`) and the same against one
/// with `debug = false` (`n`, `no`), one after another; each URL's query names the case.
const DEBUG_PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>debug mode</title>
<script>
const q = new URLSearchParams(location.search);
async function attempt(url, init) { try { return (await fetch(url, init)).status; } catch (e) { return 'blocked'; } }
(async () => {
  const r = {};
  for (const [mode, a, o] of [['on', q.get('d'), q.get('do')], ['off', q.get('n'), q.get('no')]]) {
    r['method_' + mode] = await attempt(a + '/echo?method-' + mode, {method: 'DELETE'});
    r['header_' + mode] = await attempt(a + '/echo?header-' + mode, {headers: {'x-nope': '1'}});
    r['origin_' + mode] = await attempt(o + '/echo?origin-' + mode, {method: 'PUT'});
  }
  await fetch('/report?page=debug', {method: 'POST', body: JSON.stringify(r)});
})();
</script>"#;

/// The pages served on the page origin; each report's JSON body goes to `reports`.
fn page_server(reports: mpsc::Sender<(String, Value)>) -> SocketAddr {
    let (tx, rx) = mpsc::channel::<(String, Vec<u8>)>();
    std::thread::spawn(move || {
        for (page, body) in rx {
            if let Ok(v) = serde_json::from_slice(&body) {
                let _ = reports.send((page, v));
            }
        }
    });
    let pages = [
        ("/main.html", MAIN_PAGE),
        ("/debug.html", DEBUG_PAGE),
        ("/other.html", OTHER_PAGE),
    ];
    cors_testkit::browser::page_server(
        pages
            .iter()
            .map(|(p, h)| ((*p).to_owned(), (*h).to_owned()))
            .collect(),
        tx,
    )
}

/// A TCP proxy in front of `target` that counts the preflights for `/echo?cache`.
fn counting_proxy(target: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("proxy");
    let addr = listener.local_addr().expect("addr");
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().map_while(Result::ok) {
            let Ok(upstream) = TcpStream::connect(target) else {
                continue;
            };
            let (mut c_read, mut u_write) = (
                client.try_clone().expect("clone"),
                upstream.try_clone().expect("clone"),
            );
            let (mut u_read, mut c_write) = (upstream, client);
            let counter = counter.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 16 * 1024];
                let mut tail: Vec<u8> = Vec::new();
                while let Ok(n) = c_read.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    tail.extend_from_slice(&buf[..n]);
                    let needle = b"OPTIONS /echo?cache ";
                    let hits = tail.windows(needle.len()).filter(|w| w == needle).count();
                    counter.fetch_add(hits, Ordering::SeqCst);
                    let keep = tail.len().saturating_sub(needle.len() - 1);
                    tail.drain(..keep);
                    if u_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = u_write.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut u_read, &mut c_write);
                let _ = c_write.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (addr, count)
}

struct Run {
    main: HashMap<String, Value>,
    other: HashMap<String, Value>,
    preflights_600: usize,
    preflights_0: usize,
}

fn run_browser(framework: &'static str) -> Option<Run> {
    if !browser_available() {
        return None;
    }
    let (tx, rx) = mpsc::channel();
    let page = page_server(tx.clone());
    let other = page_server(tx);
    let page_origin = format!("http://{page}");

    let main_policy = format!(
        r#"allow_origins = ["{page_origin}"]
allow_methods = ["PUT", "DELETE", "PATCH"]
allow_headers = ["content-type", "x-requested-with"]
expose_headers = ["x-custom"]
allow_credentials = true
max_age = 600
"#
    );
    let public_policy = "allow_origins = [\"*\"]\n";
    let wildcard_policy = r#"allow_origins = ["http://127.0.0.1:*"]
allow_methods = ["PUT"]
allow_headers = ["x-requested-with"]
max_age = 0
"#;
    let servers: [Server; 3] = [
        start(SERVE, framework, &main_policy),
        start(SERVE, framework, public_policy),
        start(SERVE, framework, wildcard_policy),
    ];
    let (a, count_600) = counting_proxy(servers[0].addr);
    let (w, count_0) = counting_proxy(servers[2].addr);
    let url = format!(
        "{page_origin}/main.html?a=http://{a}&p=http://{}&w=http://{w}&other=http://{other}",
        servers[1].addr
    );
    let browser = Browser::open(&url);
    let mut pages: HashMap<String, HashMap<String, Value>> = HashMap::new();
    while pages.len() < 2 {
        match rx.recv_timeout(Duration::from_secs(90)) {
            Ok((name, Value::Object(map))) => {
                pages.insert(name, map.into_iter().collect());
            }
            Ok(_) => {}
            Err(_) => panic!(
                "{framework}: the browser did not report (got {:?})",
                pages.keys()
            ),
        }
    }
    drop(browser);
    Some(Run {
        main: pages.remove("main").unwrap_or_default(),
        other: pages.remove("other").unwrap_or_default(),
        preflights_600: count_600.load(Ordering::SeqCst),
        preflights_0: count_0.load(Ordering::SeqCst),
    })
}

fn check(framework: &'static str) {
    let Some(run) = run_browser(framework) else {
        return;
    };
    let r = |k: &str| run.main.get(k).cloned().unwrap_or(Value::Null);
    let blocked = Value::from("blocked");
    let mut failures = Vec::new();
    let mut expect = |name: &str, got: Value, want: Value| {
        if got != want {
            failures.push(format!("{name}: got {got}, want {want}"));
        }
    };
    expect(
        "simple GET: exposed header readable, unexposed not",
        r("simple"),
        serde_json::json!({"status": 200, "body": "ok", "exposed": "1", "unexposed": null}),
    );
    expect(
        "preflighted PUT with a custom header and a JSON body",
        r("preflighted_put"),
        serde_json::json!({"status": 200, "body": "PUT"}),
    );
    expect(
        "credentialed: no cookie yet",
        r("cookie_first"),
        Value::from(""),
    );
    expect(
        "credentialed: the API's cookie is sent back",
        r("cookie_sent"),
        Value::from("sid=s3cret"),
    );
    expect(
        "credentials omitted: no cookie",
        r("cookie_omitted"),
        Value::from(""),
    );
    expect(
        "method outside the policy",
        r("method_outside_policy"),
        blocked.clone(),
    );
    expect(
        "header outside the policy",
        r("header_outside_policy"),
        blocked.clone(),
    );
    expect(
        "500 readable",
        r("error_500"),
        serde_json::json!({"status": 500, "body": "boom"}),
    );
    expect("404 readable", r("not_found"), Value::from(404));
    expect("* allows any page", r("any_origin"), Value::from("ok"));
    expect(
        "* refuses credentials",
        r("any_origin_with_credentials"),
        blocked.clone(),
    );
    expect("port wildcard", r("port_wildcard"), Value::from("ok"));
    for k in [
        "max_age_600_0",
        "max_age_600_1",
        "max_age_0_0",
        "max_age_0_1",
    ] {
        expect(k, r(k), Value::from("PUT"));
    }
    expect(
        "page on an unlisted origin",
        run.other
            .get("unlisted_origin")
            .cloned()
            .unwrap_or(Value::Null),
        blocked,
    );
    expect(
        "max_age 600: one preflight for two requests",
        Value::from(run.preflights_600),
        Value::from(1),
    );
    expect(
        "max_age 0: a preflight for each request",
        Value::from(run.preflights_0),
        Value::from(2),
    );
    assert!(
        failures.is_empty(),
        "{framework} in Chromium:\n{}",
        failures.join("\n")
    );
}

#[test]
fn chromium_axum() {
    check("axum");
}

#[test]
fn chromium_actix() {
    check("actix");
}

#[test]
fn chromium_rocket() {
    check("rocket");
}

#[test]
fn chromium_warp() {
    check("warp");
}

/// The CORS error Chromium's console shows for each URL whose query is `case`, from a
/// console log (`Browser::open_logging`).
fn console_errors(log: &str) -> HashMap<String, String> {
    let mut errors = HashMap::new();
    for line in log.lines().filter(|l| l.contains("INFO:CONSOLE")) {
        let Some((_, rest)) = line.split_once("Access to fetch at '") else {
            continue;
        };
        let Some((url, rest)) = rest.split_once('\'') else {
            continue;
        };
        let Some((_, message)) = rest.split_once("has been blocked by CORS policy: ") else {
            continue;
        };
        let message = message.split("\", source:").next().unwrap_or(message);
        let case = url.rsplit_once('?').map_or(url, |(_, q)| q);
        errors.insert(case.to_owned(), message.to_owned());
    }
    errors
}

/// The failing preflight of each check, over raw HTTP: status and `access-control-*`
/// headers, sorted by name.
fn preflight_answer(
    server: &Server,
    origin: &str,
    method: &str,
    headers: Option<&str>,
) -> (u16, Vec<(String, String)>) {
    let mut h = vec![
        ("origin".to_owned(), origin.as_bytes().to_vec()),
        (
            "access-control-request-method".to_owned(),
            method.as_bytes().to_vec(),
        ),
    ];
    if let Some(v) = headers {
        h.push((
            "access-control-request-headers".to_owned(),
            v.as_bytes().to_vec(),
        ));
    }
    let req = cors_examples::TestRequest {
        method: "OPTIONS".into(),
        path: "/echo".into(),
        headers: h,
    };
    let res = cors_examples::raw_http::send(server.addr, &req).expect("preflight");
    // Sorted: actix-web's header map does not keep the order headers were added in.
    let mut cors: Vec<(String, String)> = res
        .headers
        .iter()
        .filter(|(n, _)| n.starts_with("access-control-"))
        .map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned()))
        .collect();
    cors.sort();
    (res.status, cors)
}

/// Debug mode in Chromium: with `debug = true` the console names the failing check
/// (method, header; origin as without debug mode), with `debug = false` the answers are
/// those of a policy without the key (403, no CORS header) and the console says only
/// that `Access-Control-Allow-Origin` is missing.
fn check_debug(framework: &'static str) {
    if !browser_available() {
        return;
    }
    let (tx, rx) = mpsc::channel();
    let page = page_server(tx);
    let page_origin = format!("http://{page}");
    let policy = |origin: &str, debug: bool| {
        format!(
            "allow_origins = [\"{origin}\"]\nallow_methods = [\"PUT\"]\nallow_headers = [\"x-ok\"]\nallow_credentials = true\ndebug = {debug}\n"
        )
    };
    let elsewhere = "https://app.example.com";
    let plain = format!(
        "allow_origins = [\"{page_origin}\"]\nallow_methods = [\"PUT\"]\nallow_headers = [\"x-ok\"]\nallow_credentials = true\n"
    );
    let servers: [Server; 5] = [
        start(SERVE, framework, &policy(&page_origin, true)),
        start(SERVE, framework, &policy(elsewhere, true)),
        start(SERVE, framework, &policy(&page_origin, false)),
        start(SERVE, framework, &policy(elsewhere, false)),
        start(SERVE, framework, &plain),
    ];
    let dir = TempDir::new("console");
    let log_path = dir.path().join("chromium.log");
    let url = format!(
        "{page_origin}/debug.html?d=http://{}&do=http://{}&n=http://{}&no=http://{}",
        servers[0].addr, servers[1].addr, servers[2].addr, servers[3].addr
    );
    let browser = Browser::open_logging(&url, Some(&log_path));
    let report = match rx.recv_timeout(Duration::from_secs(90)) {
        Ok((_, Value::Object(map))) => map,
        other => panic!("{framework}: the debug page did not report: {other:?}"),
    };
    // Console lines are written as the page runs; the report comes after the last fetch.
    std::thread::sleep(Duration::from_millis(500));
    drop(browser);
    for (case, status) in &report {
        assert_eq!(
            status,
            &Value::from("blocked"),
            "{framework}: {case} was not refused"
        );
    }
    assert_eq!(report.len(), 6, "{framework}: {report:?}");
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    let errors = console_errors(&log);
    let no_acao = "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.";
    let want = [
        (
            "method-on",
            "Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response.",
        ),
        (
            "header-on",
            "Request header field x-nope is not allowed by Access-Control-Allow-Headers in preflight response.",
        ),
        ("origin-on", no_acao),
        ("method-off", no_acao),
        ("header-off", no_acao),
        ("origin-off", no_acao),
    ];
    for (case, message) in want {
        assert_eq!(
            errors.get(case).map(String::as_str),
            Some(message),
            "{framework}: console for {case}; all CORS errors: {errors:#?}"
        );
    }

    // Over raw HTTP: debug off answers exactly as a policy without the key; debug on
    // differs only for allowed origins, and never shows an unlisted origin anything.
    let o = page_origin.as_str();
    for (method, headers) in [("DELETE", None), ("PUT", Some("x-nope"))] {
        let off = preflight_answer(&servers[2], o, method, headers);
        assert_eq!(
            off,
            preflight_answer(&servers[4], o, method, headers),
            "{framework}"
        );
        assert_eq!(off, (403, vec![]), "{framework}: {method} {headers:?}");
    }
    for server in [&servers[1], &servers[3]] {
        assert_eq!(
            preflight_answer(server, o, "PUT", None),
            (403, vec![]),
            "{framework}"
        );
    }
    let acao = ("access-control-allow-origin".to_owned(), o.to_owned());
    let acac = (
        "access-control-allow-credentials".to_owned(),
        "true".to_owned(),
    );
    let acam = (
        "access-control-allow-methods".to_owned(),
        "GET,HEAD,POST,PUT".to_owned(),
    );
    let acah = ("access-control-allow-headers".to_owned(), "x-ok".to_owned());
    assert_eq!(
        preflight_answer(&servers[0], o, "DELETE", None),
        (204, vec![acac.clone(), acam.clone(), acao.clone()]),
        "{framework}"
    );
    assert_eq!(
        preflight_answer(&servers[0], o, "PUT", Some("x-nope")),
        (204, vec![acac, acah, acam, acao]),
        "{framework}"
    );
}

#[test]
fn chromium_debug_mode_axum() {
    check_debug("axum");
}

#[test]
fn chromium_debug_mode_actix() {
    check_debug("actix");
}

#[test]
fn chromium_debug_mode_rocket() {
    check_debug("rocket");
}

#[test]
fn chromium_debug_mode_warp() {
    check_debug("warp");
}
