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

/// The origin checks' page: cross-site form POSTs (into an iframe each, so that the page
/// stays) and WebSockets, against `e` (a server with `csrf_protection = "enforce"` and
/// `websocket_origin_check = true`) and `o` (the same list, both keys off); the unlisted
/// page (`role=unlisted`) also frames the page again on the listed origin and on the
/// same-site origin. The form results are read from the servers' side (a recording
/// proxy): a cross-origin frame cannot be read. Each query names the case.
const CSRF_PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>origin checks</title>
<body><script>
const q = new URLSearchParams(location.search);
const role = q.get('role'), E = q.get('e'), O = q.get('o');
function post(base, tag) {
  return new Promise(done => {
    const frame = document.createElement('iframe');
    frame.name = tag;
    document.body.appendChild(frame);
    const timer = setTimeout(() => done('timeout'), 10000);
    frame.onload = () => {
      try { if (frame.contentWindow.location.href === 'about:blank') return; } catch (e) {}
      clearTimeout(timer);
      done('loaded');
    };
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = base + '/echo?' + tag;
    form.target = tag;
    const input = document.createElement('input');
    input.name = 'amount';
    input.value = '100';
    form.appendChild(input);
    document.body.appendChild(form);
    form.submit();
  });
}
function socket(base, tag) {
  return new Promise(done => {
    let s;
    try { s = new WebSocket(base.replace('http:', 'ws:') + '/ws?' + tag); } catch (e) { return done('error'); }
    const timer = setTimeout(() => done('timeout'), 10000);
    s.onopen = () => s.send('ping');
    s.onmessage = ev => { clearTimeout(timer); done('echo:' + ev.data); s.close(); };
    s.onerror = () => { clearTimeout(timer); done('failed'); };
  });
}
(async () => {
  const r = {};
  if (role === 'unlisted') {
    for (const [name, origin] of [['listed', q.get('listed')], ['samesite', q.get('samesite')]]) {
      const frame = document.createElement('iframe');
      frame.src = origin + '/csrf.html?role=' + name + '&e=' + encodeURIComponent(E) + '&o=' + encodeURIComponent(O);
      document.body.appendChild(frame);
    }
    r.form_enforce = await post(E, 'unlisted-enforce');
    r.form_off = await post(O, 'unlisted-off');
    r.ws_enforce = await socket(E, 'unlisted-enforce');
    r.ws_off = await socket(O, 'unlisted-off');
  } else {
    r.form_enforce = await post(E, role + '-enforce');
    r.ws_enforce = await socket(E, role + '-enforce');
  }
  await fetch('/report?page=' + role, {method: 'POST', body: JSON.stringify(r)});
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
        ("/csrf.html", CSRF_PAGE),
    ];
    cors_testkit::browser::page_server(
        pages
            .iter()
            .map(|(p, h)| ((*p).to_owned(), (*h).to_owned()))
            .collect(),
        tx,
    )
}

/// What a TCP proxy saw on each connection: the client's bytes and the server's.
type Transcripts = Arc<std::sync::Mutex<Vec<(Vec<u8>, Vec<u8>)>>>;

/// A TCP proxy in front of `target` that records every connection's bytes both ways.
fn recording_proxy(target: SocketAddr) -> (SocketAddr, Transcripts) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("proxy");
    let addr = listener.local_addr().expect("addr");
    let transcripts: Transcripts = Arc::default();
    let all = transcripts.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().map_while(Result::ok) {
            let Ok(upstream) = TcpStream::connect(target) else {
                continue;
            };
            let slot = {
                let mut all = all.lock().expect("transcripts");
                all.push((Vec::new(), Vec::new()));
                all.len() - 1
            };
            let relay = |mut from: TcpStream, mut to: TcpStream, upstream: bool| {
                let all = all.clone();
                std::thread::spawn(move || {
                    let mut buf = vec![0u8; 16 * 1024];
                    while let Ok(n) = from.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        if let Some((c, s)) = all.lock().expect("transcripts").get_mut(slot) {
                            if upstream { c } else { s }.extend_from_slice(&buf[..n]);
                        }
                        if to.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = to.shutdown(std::net::Shutdown::Write);
                });
            };
            relay(
                client.try_clone().expect("clone"),
                upstream.try_clone().expect("clone"),
                true,
            );
            relay(upstream, client, false);
        }
    });
    (addr, transcripts)
}

/// The heads of the HTTP/1.1 messages in one direction of a connection, lower-case, in
/// order: bodies skipped by `Content-Length` or chunked framing, and nothing read past a
/// WebSocket handshake (a request with `Upgrade`, a 101 answer).
fn heads(bytes: &[u8]) -> Vec<String> {
    fn find(bytes: &[u8], needle: &[u8], from: usize) -> Option<usize> {
        bytes
            .get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| from + i)
    }
    let mut heads = Vec::new();
    let mut at = 0;
    while let Some(end) = find(bytes, b"\r\n\r\n", at) {
        let head = String::from_utf8_lossy(&bytes[at..end]).to_ascii_lowercase();
        at = end + 4;
        let header = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
        };
        let upgrade = header("upgrade:").is_some() || head.starts_with("http/1.1 101");
        if header("transfer-encoding:").is_some_and(|v| v.contains("chunked")) {
            while let Some(line_end) = find(bytes, b"\r\n", at) {
                let size = String::from_utf8_lossy(&bytes[at..line_end]);
                let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
                    .unwrap_or(0);
                at = line_end + 2 + size + 2;
                if size == 0 {
                    break;
                }
            }
        } else {
            at += header("content-length:")
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
        }
        heads.push(head);
        if upgrade {
            break;
        }
    }
    heads
}

/// The request whose request line starts with `start` (lower-case) in the transcripts,
/// and the head of the response to it (requests and responses paired in order on their
/// connection), both lower-case.
fn exchange(transcripts: &Transcripts, start: &str) -> Option<(String, String)> {
    let all = transcripts.lock().expect("transcripts");
    all.iter().find_map(|(client, server)| {
        let requests = heads(client);
        let n = requests.iter().position(|r| r.starts_with(start))?;
        let response = heads(server).into_iter().nth(n).unwrap_or_default();
        Some((requests[n].clone(), response))
    })
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

/// CSRF protection and the WebSocket origin check in Chromium. The API (`serve`) is on
/// 127.0.0.1; the pages are on `localhost` (another site: Chromium sends
/// `Sec-Fetch-Site: cross-site`), one origin listed and one not, and on another port of
/// 127.0.0.1 (unlisted; the same site, so `same-site`). A cross-site HTML form POST from
/// the unlisted origin is refused with `enforce` and reaches the handler with the keys
/// off; the same from the listed origin reaches the handler; `new WebSocket(...)` from an
/// unlisted origin fails with the check on (and connects with it off), from the listed
/// one it connects and echoes.
fn check_origin_checks(framework: &'static str) {
    if !browser_available() {
        return;
    }
    let (tx, rx) = mpsc::channel();
    let unlisted = page_server(tx.clone());
    let listed = page_server(tx.clone());
    let same_site = page_server(tx);
    let listed_origin = format!("http://localhost:{}", listed.port());
    let policy = |checks: bool| {
        let mut p = format!(
            "allow_origins = [\"{listed_origin}\"]\nallow_methods = [\"PUT\"]\nallow_credentials = true\n"
        );
        if checks {
            p.push_str("csrf_protection = \"enforce\"\nwebsocket_origin_check = true\n");
        }
        p
    };
    let servers: [Server; 2] = [
        start(SERVE, framework, &policy(true)),
        start(SERVE, framework, &policy(false)),
    ];
    let (e, enforce) = recording_proxy(servers[0].addr);
    let (o, off) = recording_proxy(servers[1].addr);
    let url = format!(
        "http://localhost:{}/csrf.html?role=unlisted&e=http://{e}&o=http://{o}&listed={listed_origin}&samesite=http://{same_site}",
        unlisted.port()
    );
    let browser = Browser::open(&url);
    let mut pages: HashMap<String, HashMap<String, Value>> = HashMap::new();
    while pages.len() < 3 {
        match rx.recv_timeout(Duration::from_secs(90)) {
            Ok((name, Value::Object(map))) => {
                pages.insert(name, map.into_iter().collect());
            }
            Ok(_) => {}
            Err(_) => panic!("{framework}: the pages did not all report (got {pages:?})"),
        }
    }
    drop(browser);
    let got = |page: &str, key: &str| {
        pages
            .get(page)
            .and_then(|p| p.get(key))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut failures = Vec::new();
    let echo = Value::from("echo:ping");
    let failed = Value::from("failed");
    for (page, key, want) in [
        ("unlisted", "ws_enforce", &failed),
        ("unlisted", "ws_off", &echo),
        ("listed", "ws_enforce", &echo),
        ("samesite", "ws_enforce", &failed),
    ] {
        if got(page, key) != *want {
            failures.push(format!("{page} {key}: got {}, want {want}", got(page, key)));
        }
    }
    // The form POSTs, as the servers saw them: the request's Sec-Fetch-Site, and whether
    // the handler answered (its `x-custom` header) or the policy did (an empty 403).
    let handler = "x-custom: 1";
    for (proxy, tag, site, reached) in [
        (&enforce, "unlisted-enforce", "cross-site", false),
        (&off, "unlisted-off", "cross-site", true),
        (&enforce, "listed-enforce", "cross-site", true),
        (&enforce, "samesite-enforce", "same-site", false),
    ] {
        let Some((request, response)) = exchange(proxy, &format!("post /echo?{tag} ")) else {
            failures.push(format!("{tag}: no such request reached the server"));
            continue;
        };
        if !request.contains(&format!("\r\nsec-fetch-site: {site}")) {
            failures.push(format!("{tag}: not a {site} request: {request}"));
        }
        let status = if reached {
            "http/1.1 200"
        } else {
            "http/1.1 403"
        };
        if !response.starts_with(status) || response.contains(handler) != reached {
            failures.push(format!(
                "{tag}: handler {} expected, got {response:?}",
                if reached { "reached" } else { "not reached" }
            ));
        }
    }
    // The refused handshakes never reached a WebSocket handler: a 403, not a 101.
    for tag in ["unlisted-enforce", "samesite-enforce"] {
        match exchange(&enforce, &format!("get /ws?{tag} ")) {
            Some((request, response)) => {
                if !request.contains("\r\nupgrade: websocket")
                    || !response.starts_with("http/1.1 403")
                {
                    failures.push(format!("ws {tag}: {request:?} answered {response:?}"));
                }
            }
            None => failures.push(format!("ws {tag}: no handshake reached the server")),
        }
    }
    match exchange(&enforce, "get /ws?listed-enforce ") {
        Some((_, response)) if response.starts_with("http/1.1 101") => {}
        other => failures.push(format!("ws listed-enforce: {other:?}")),
    }
    assert!(
        failures.is_empty(),
        "{framework} in Chromium:\n{}",
        failures.join("\n")
    );
}

#[test]
fn chromium_origin_checks_axum() {
    check_origin_checks("axum");
}

#[test]
fn chromium_origin_checks_actix() {
    check_origin_checks("actix");
}

#[test]
fn chromium_origin_checks_rocket() {
    check_origin_checks("rocket");
}

#[test]
fn chromium_origin_checks_warp() {
    check_origin_checks("warp");
}
