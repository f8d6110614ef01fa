//! Attack classes against `serve` over real HTTP, on every framework: one test per class,
//! each looping over axum, actix-web, rocket and warp and asserting the safe answer
//! (status, exactly the right CORS headers or none, `Vary`), with a positive control
//! beside every refusal so that a server that refuses everything fails too.
//!
//! Rocket keeps only UTF-8 header values: it drops a non-UTF-8 line before the fairing
//! sees it (documented in cors-rocket). There, a request with such a line must get
//! exactly the answer of the same request without that line.

use std::collections::BTreeSet;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cors_examples::{TestRequest, TestResponse, raw_http};
use cors_testkit::serve::{self as server, FRAMEWORKS, Server, TempDir, free_port};

const SERVE: &str = env!("CARGO_BIN_EXE_serve");

/// Specific origins, credentials.
const CREDENTIALED: &str = r#"
allow_origins = ["https://app.example.com", "https://*.example.org", "http://localhost:*", "https://api.example.net:8443"]
allow_methods = ["GET", "POST", "PUT", "DELETE"]
allow_headers = ["content-type", "x-requested-with"]
expose_headers = ["x-custom"]
allow_credentials = true
max_age = 600
"#;

/// The same origins without credentials.
const UNCREDENTIALED: &str = r#"
allow_origins = ["https://app.example.com", "https://*.example.org", "http://localhost:*", "https://api.example.net:8443"]
allow_methods = ["GET", "POST", "PUT", "DELETE"]
allow_headers = ["content-type", "x-requested-with"]
expose_headers = ["x-custom"]
max_age = 600
"#;

/// Any origin.
const PUBLIC: &str = r#"
allow_origins = ["*"]
allow_methods = ["*"]
allow_headers = ["*"]
"#;

/// `*` methods and headers with credentials: the requested method and headers are
/// echoed, the most tempting place for an injection.
const REFLECT: &str = r#"
allow_origins = ["https://app.example.com"]
allow_methods = ["*"]
allow_headers = ["*"]
allow_credentials = true
"#;

const ALLOWED: &str = "https://app.example.com";
const PREFLIGHT_VARY: [&str; 3] = [
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
];

// ------------------------------------------------------------------ requests

/// Header lines: name, raw value.
type Lines<'a> = Vec<(&'a str, &'a [u8])>;
/// What, path, requested method, requested headers, whether allowed.
type Preflight<'a> = (&'a str, &'a str, &'a [u8], &'a [u8], bool);

fn request(method: &str, path: &str, headers: &[(&str, &[u8])]) -> TestRequest {
    TestRequest {
        method: method.into(),
        path: path.into(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.to_vec()))
            .collect(),
    }
}

/// `GET /` with this `Origin`.
fn actual(origin: &[u8]) -> TestRequest {
    request("GET", "/", &[("Origin", origin)])
}

/// `GET /whoami` with a cookie: the response sets a cookie, the juiciest to steal.
fn credentialed(origin: &[u8]) -> TestRequest {
    request(
        "GET",
        "/whoami",
        &[("Origin", origin), ("Cookie", b"sid=s3cret")],
    )
}

/// A preflight for `PUT /echo` with `content-type`, from this `Origin`.
fn preflight(origin: &[u8]) -> TestRequest {
    request(
        "OPTIONS",
        "/echo",
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", b"PUT"),
            ("Access-Control-Request-Headers", b"content-type"),
        ],
    )
}

fn send(server: &Server, req: &TestRequest) -> Result<TestResponse, String> {
    raw_http::send(server.addr, req).map_err(|e| format!("no response: {e}"))
}

/// Starts `serve` for every framework with this policy (in parallel).
fn start_all(policy: &str) -> Vec<Server> {
    std::thread::scope(|s| {
        let handles: Vec<_> = FRAMEWORKS
            .iter()
            .map(|fw| s.spawn(move || server::start(SERVE, fw, policy)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("start serve"))
            .collect()
    })
}

// ------------------------------------------------------------------ responses

/// An actual request whose origin is refused: the handler's status, no CORS headers,
/// `Vary: origin`.
fn refused_actual(res: &TestResponse, status: u16) -> Result<(), String> {
    if res.status != status {
        return Err(format!(
            "status {} not {status}: {}",
            res.status,
            res.describe()
        ));
    }
    res.no_cors_headers()?;
    res.has_vary(&["origin"])
}

/// A refused preflight: 403, no CORS headers, the three preflight `Vary` items.
fn refused_preflight(res: &TestResponse) -> Result<(), String> {
    if res.status != 403 {
        return Err(format!("status {} not 403: {}", res.status, res.describe()));
    }
    res.no_cors_headers()?;
    res.has_vary(&PREFLIGHT_VARY)
}

/// `Access-Control-Allow-Origin` exactly once with this value, and
/// `Access-Control-Allow-Credentials: true` exactly once or not at all.
fn allow_origin_is(res: &TestResponse, origin: &str, credentials: bool) -> Result<(), String> {
    let acao = res.values("access-control-allow-origin");
    if acao != [origin.as_bytes()] {
        return Err(format!(
            "ACAO is not exactly {origin:?}: {}",
            res.describe()
        ));
    }
    let acac = res.values("access-control-allow-credentials");
    let want: &[&[u8]] = if credentials { &[b"true"] } else { &[] };
    if acac != want {
        return Err(format!("ACAC is not {want:?}: {}", res.describe()));
    }
    Ok(())
}

fn allowed_actual(res: &TestResponse, origin: &str, credentials: bool) -> Result<(), String> {
    if res.status != 200 {
        return Err(format!("status {} not 200: {}", res.status, res.describe()));
    }
    allow_origin_is(res, origin, credentials)?;
    res.has_vary(&["origin"])
}

fn allowed_preflight(res: &TestResponse, origin: &str, credentials: bool) -> Result<(), String> {
    if res.status != 204 {
        return Err(format!("status {} not 204: {}", res.status, res.describe()));
    }
    allow_origin_is(res, origin, credentials)?;
    if res.values("access-control-allow-methods").is_empty() {
        return Err(format!("no ACAM: {}", res.describe()));
    }
    if origin == "*" {
        // Nothing of a `*` answer depends on the origin (Fetch: CORS protocol and HTTP caches).
        if res.vary_items().iter().any(|v| v == "origin") {
            return Err(format!("a `*` answer varies on Origin: {}", res.describe()));
        }
        return res.has_vary(&PREFLIGHT_VARY[1..]);
    }
    res.has_vary(&PREFLIGHT_VARY)
}

/// Collects failures across frameworks and cases; panics listing all of them.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, fw: &str, what: &str, result: Result<(), String>) {
        if let Err(e) = result {
            self.0.push(format!("{fw}: {what}: {e}"));
        }
    }

    /// Sends `req` and applies `expect` to the response.
    fn expect(
        &mut self,
        server: &Server,
        what: &str,
        req: &TestRequest,
        expect: impl FnOnce(&TestResponse) -> Result<(), String>,
    ) {
        let result = send(server, req).and_then(|res| expect(&res));
        self.check(server.framework, what, result);
    }

    fn finish(self, class: &str, checked: usize) {
        assert!(
            self.0.is_empty(),
            "{class}: {} failures:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
        println!("{class}: {checked} checks passed on {FRAMEWORKS:?}");
    }
}

/// Every origin of `attacks` is refused on every framework — actual, credentialed and
/// preflight requests alike — while every origin of `controls` is allowed.
fn refused_everywhere(
    class: &str,
    policy: &str,
    credentials: bool,
    attacks: &[&str],
    controls: &[&str],
) {
    let servers = start_all(policy);
    let mut failures = Failures::default();
    let mut checked = 0;
    for server in &servers {
        for origin in attacks {
            let o = origin.as_bytes();
            failures.expect(
                server,
                &format!("actual from {origin:?}"),
                &actual(o),
                |r| refused_actual(r, 200),
            );
            failures.expect(
                server,
                &format!("credentialed from {origin:?}"),
                &credentialed(o),
                |r| refused_actual(r, 200),
            );
            failures.expect(
                server,
                &format!("preflight from {origin:?}"),
                &preflight(o),
                refused_preflight,
            );
            checked += 3;
        }
        for origin in controls {
            let o = origin.as_bytes();
            failures.expect(
                server,
                &format!("control actual {origin:?}"),
                &actual(o),
                |r| allowed_actual(r, origin, credentials),
            );
            failures.expect(
                server,
                &format!("control preflight {origin:?}"),
                &preflight(o),
                |r| allowed_preflight(r, origin, credentials),
            );
            checked += 2;
        }
    }
    failures.finish(class, checked);
}

// ------------------------------------------------------------------ the classes

/// An arbitrary origin is never echoed in `Access-Control-Allow-Origin`: refused with or
/// without credentials, and answered with the literal `*` (never the origin, never with
/// credentials) by an any-origin policy.
#[test]
fn origin_reflection_never_echoes_an_attacker_origin() {
    let attackers = [
        "https://evil.com",
        "https://attacker.example",
        "http://evil.com",
        "https://evil.com:8443",
        "https://app.example.com.attacker.example",
        "https://xn--pple-43d.com",
        "http://127.0.0.1:8080",
        "https://localhost",
    ];
    refused_everywhere(
        "reflection (credentials)",
        CREDENTIALED,
        true,
        &attackers,
        &[ALLOWED, "https://a.example.org", "http://localhost:5173"],
    );
    refused_everywhere(
        "reflection (no credentials)",
        UNCREDENTIALED,
        false,
        &attackers,
        &[ALLOWED, "https://a.example.org", "http://localhost:5173"],
    );

    let servers = start_all(PUBLIC);
    let mut failures = Failures::default();
    let mut checked = 0;
    for server in &servers {
        for origin in attackers {
            let o = origin.as_bytes();
            let star = |res: &TestResponse, status: u16| -> Result<(), String> {
                if res.status != status {
                    return Err(format!(
                        "status {} not {status}: {}",
                        res.status,
                        res.describe()
                    ));
                }
                allow_origin_is(res, "*", false)?;
                let echoed = res
                    .headers
                    .iter()
                    .any(|(n, v)| n.starts_with("access-control-") && v == o);
                if echoed {
                    return Err(format!("origin echoed: {}", res.describe()));
                }
                Ok(())
            };
            failures.expect(
                server,
                &format!("any-origin actual {origin:?}"),
                &actual(o),
                |r| star(r, 200),
            );
            failures.expect(
                server,
                &format!("any-origin credentialed {origin:?}"),
                &credentialed(o),
                |r| star(r, 200),
            );
            failures.expect(
                server,
                &format!("any-origin preflight {origin:?}"),
                &preflight(o),
                |r| star(r, 204),
            );
            checked += 3;
        }
    }
    failures.finish("reflection (any origin)", checked);
}

/// `Origin: null` (sandboxed pages, file: pages, redirects) gets nothing; and `serve`
/// refuses a policy that lists `null`, exiting non-zero before listening.
#[test]
fn trusted_null_is_refused() {
    let nulls = ["null", "NULL", "Null", "null, https://app.example.com"];
    refused_everywhere("null (credentials)", CREDENTIALED, true, &nulls, &[ALLOWED]);
    refused_everywhere(
        "null (no credentials)",
        UNCREDENTIALED,
        false,
        &nulls,
        &[ALLOWED],
    );

    let policies = [
        "allow_origins = [\"null\"]\nallow_credentials = true\n",
        "allow_origins = [\"https://app.example.com\", \"null\"]\nallow_credentials = true\n",
        "allow_origins = [\"null\"]\n",
    ];
    let mut failures = Failures::default();
    let mut checked = 0;
    for fw in FRAMEWORKS {
        for policy in policies {
            failures.check(fw, &format!("policy {policy:?}"), serve_refuses(fw, policy));
            checked += 1;
        }
    }
    failures.finish("null in a policy file", checked);
}

/// Runs `serve --framework fw` with this policy and expects it to exit non-zero within
/// 60 s without listening, naming `null` on stderr.
fn serve_refuses(fw: &str, policy: &str) -> Result<(), String> {
    let dir = TempDir::new("null");
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, policy).map_err(|e| e.to_string())?;
    let port = free_port();
    let mut child = Command::new(SERVE)
        .args(["--framework", fw, "--listen", &format!("127.0.0.1:{port}")])
        .arg("--policy")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => break status,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("serve still running after 60 s: the policy was accepted".into());
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let (mut out, mut err) = (String::new(), String::new());
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut err);
    }
    if status.success() {
        return Err(format!("exit status {status}; stderr: {err}"));
    }
    if out.contains("listening") {
        return Err(format!("it listened before exiting: {out}"));
    }
    if !err.contains("\"null\"") || !err.contains("invalid CORS policy") {
        return Err(format!("stderr does not name the null origin: {err}"));
    }
    Ok(())
}

/// Exact and wildcard entries match whole origins, not prefixes or suffixes.
#[test]
fn unanchored_prefix_and_suffix_matches_are_refused() {
    refused_everywhere(
        "unanchored matches",
        CREDENTIALED,
        true,
        &[
            "https://app.example.com.evil.com",
            "https://evilapp.example.com",
            "https://app.example.community",
            "https://app.example.co",
            "https://xapp.example.com",
            "https://app.example.com.",
            "https://app.example.com/",
            "https://app.example.com/evil",
            "https://app.example.com?x=1",
            "https://app.example.com#x",
            "https://app.example.com@evil.com",
            "https://evil.com#https://app.example.com",
            "https://evil.com/https://app.example.com",
            "https://app.example.com https://evil.com",
            "https://evil.com, https://app.example.com",
            "https://example.org.evil.com",
            "https://a.example.org.evil.com",
            "https://evilexample.org",
            "https://a.example.orgx",
            "https://example.org",
            "http://localhost.evil.com",
            "http://evillocalhost",
            "http://localhostx:8080",
            "https://api.example.net:8443.evil.com",
        ],
        &[
            ALLOWED,
            "https://a.example.org",
            "https://a.b.example.org",
            "http://localhost:8080",
        ],
    );
}

/// Dots in entries are literal dots, not "any character".
#[test]
fn unescaped_dots_do_not_match_any_character() {
    refused_everywhere(
        "unescaped dots (exact)",
        "allow_origins = [\"https://api.example.com\"]\nallow_methods = [\"PUT\"]\nallow_headers = [\"content-type\"]\n",
        false,
        &[
            "https://apiXexample.com",
            "https://api-example.com",
            "https://apixexample.com",
            "https://api.exampleXcom",
            "https://api.example-com",
        ],
        &["https://api.example.com"],
    );
    refused_everywhere(
        "unescaped dots (wildcard)",
        "allow_origins = [\"https://*.example.com\"]\nallow_methods = [\"PUT\"]\nallow_headers = [\"content-type\"]\n",
        false,
        &[
            "https://evil-example.com",
            "https://evilXexample.com",
            "https://a.evil-example.com",
            "https://a.exampleXcom",
            "https://example.com",
            "https://.example.com",
        ],
        &["https://a.example.com", "https://a.b.example.com"],
    );
}

/// The scheme is part of the origin: `http://` never matches an `https://` entry, nor
/// the reverse.
#[test]
fn scheme_downgrade_and_upgrade_are_refused() {
    refused_everywhere(
        "scheme confusion",
        CREDENTIALED,
        true,
        &[
            "http://app.example.com",
            "http://a.example.org",
            "http://api.example.net:8443",
            "https://localhost",
            "https://localhost:8080",
            "ws://app.example.com",
            "wss://app.example.com",
            "ftp://app.example.com",
            "//app.example.com",
            "app.example.com",
            "HTTPS://app.example.com",
            "https:/app.example.com",
            "https:app.example.com",
        ],
        &[ALLOWED, "http://localhost:8080", "http://localhost"],
    );
}

/// The port is part of the origin: a non-default port, the default port spelled out, and
/// a port on a port-less entry (or none on an entry with one) are all refused.
#[test]
fn port_confusion_is_refused() {
    refused_everywhere(
        "port confusion",
        CREDENTIALED,
        true,
        &[
            "https://app.example.com:8443",
            "https://app.example.com:443",
            "https://app.example.com:80",
            "https://app.example.com:",
            "https://app.example.com:0",
            "https://app.example.com:65536",
            "https://a.example.org:443",
            "https://a.example.org:8443",
            "https://api.example.net",
            "https://api.example.net:443",
            "https://api.example.net:8444",
            "https://api.example.net:84430",
            "https://api.example.net:08443",
            "https://api.example.net:8443:8443",
            "https://api.example.net:+8443",
            "http://localhost:99999",
            "http://localhost:-1",
        ],
        &[
            ALLOWED,
            "https://api.example.net:8443",
            "http://localhost:1",
            "http://localhost:65535",
        ],
    );
}

/// Control bytes and obs-text in `Origin`, `Access-Control-Request-Method` and
/// `Access-Control-Request-Headers` never reach a response header: a request the server
/// takes at all is refused (400 by the framework, or the CORS refusal), no `x-injected`
/// header appears, and no header value carries a control byte, a non-ASCII byte or the
/// injected text. (A CR LF pair cannot be sent inside a value: it ends the line.)
#[test]
fn header_injection_never_reaches_a_response() {
    const PAYLOADS: [&[u8]; 9] = [
        b"\rx-injected: 1",
        b"\x00x-injected: 1",
        b"\x0bx-injected: 1",
        b"\x1bx-injected: 1",
        b"\x7fx-injected: 1",
        b"\x85x-injected: 1",
        b"\xc2\x85x-injected: 1",
        b"\xffx-injected: 1",
        b"\xe2\x80\xa8x-injected: 1",
    ];
    let with = |prefix: &[u8], payload: &[u8], suffix: &[u8]| -> Vec<u8> {
        [prefix, payload, suffix].concat()
    };
    for policy in [REFLECT, PUBLIC] {
        let servers = start_all(policy);
        let mut failures = Failures::default();
        let mut checked = 0;
        let mut seen = BTreeSet::new();
        for server in &servers {
            let fw = server.framework;
            // Controls: the clean request is allowed, with the method (and with REFLECT the
            // header) echoed; so a refusal below is the payload's doing.
            let clean = request(
                "OPTIONS",
                "/echo",
                &[
                    ("Origin", ALLOWED.as_bytes()),
                    ("Access-Control-Request-Method", b"PUT"),
                    ("Access-Control-Request-Headers", b"x-a"),
                ],
            );
            failures.expect(server, "clean preflight", &clean, |r| {
                let origin = if policy == REFLECT { ALLOWED } else { "*" };
                allowed_preflight(r, origin, policy == REFLECT)?;
                if r.values("access-control-allow-methods") != [b"PUT"] {
                    return Err(format!("ACAM is not PUT: {}", r.describe()));
                }
                Ok(())
            });
            for payload in PAYLOADS {
                let origin_mid = with(b"https://app", payload, b".example.com");
                let origin_end = with(ALLOWED.as_bytes(), payload, b"");
                let method = with(b"PUT", payload, b"");
                let header_end = with(b"x-a", payload, b"");
                let header_list = with(b"x-a,", payload, b"");
                let cases: Vec<(&str, &str, Lines)> = vec![
                    ("GET", "Origin", vec![("Origin", &origin_end)]),
                    ("GET", "Origin", vec![("Origin", &origin_mid)]),
                    (
                        "OPTIONS",
                        "Origin",
                        vec![
                            ("Origin", &origin_end),
                            ("Access-Control-Request-Method", b"PUT"),
                        ],
                    ),
                    (
                        "OPTIONS",
                        "ACRM",
                        vec![
                            ("Origin", ALLOWED.as_bytes()),
                            ("Access-Control-Request-Method", &method),
                        ],
                    ),
                    (
                        "OPTIONS",
                        "ACRH",
                        vec![
                            ("Origin", ALLOWED.as_bytes()),
                            ("Access-Control-Request-Method", b"PUT"),
                            ("Access-Control-Request-Headers", &header_end),
                        ],
                    ),
                    (
                        "OPTIONS",
                        "ACRH",
                        vec![
                            ("Origin", ALLOWED.as_bytes()),
                            ("Access-Control-Request-Method", b"PUT"),
                            ("Access-Control-Request-Headers", &header_list),
                        ],
                    ),
                ];
                for (method, field, lines) in cases {
                    let path = if method == "GET" { "/" } else { "/echo" };
                    let req = request(method, path, &lines);
                    let what = format!(
                        "{method} with {field} {:?}",
                        payload.escape_ascii().to_string()
                    );
                    checked += 1;
                    let res = match raw_http::send(server.addr, &req) {
                        Ok(res) => res,
                        Err(e) => {
                            // Closing without an answer is a safe refusal too.
                            seen.insert(format!(
                                "{fw} {field} {}: closed ({e})",
                                payload.escape_ascii()
                            ));
                            continue;
                        }
                    };
                    seen.insert(format!(
                        "{fw} {method} {field} {}: {}",
                        payload.escape_ascii(),
                        res.status
                    ));
                    failures.check(fw, &what, no_injection(&res));
                    // Rocket drops a non-UTF-8 line: the answer must be that of the
                    // request without it.
                    let dropped = fw == "rocket"
                        && lines.iter().any(|(_, v)| std::str::from_utf8(v).is_err());
                    let result = if dropped {
                        let kept: Vec<(&str, &[u8])> = lines
                            .iter()
                            .filter(|(_, v)| std::str::from_utf8(v).is_ok())
                            .copied()
                            .collect();
                        send(server, &request(method, path, &kept)).and_then(|reference| {
                            res.same_cors_answer(&reference)
                                .map_err(|e| format!("the request without the dropped line {e}"))
                        })
                    } else if res.status == 400 {
                        res.no_cors_headers()
                    } else if policy == PUBLIC && field == "Origin" && method == "GET" {
                        // Any origin: the answer may be the literal `*`, never an echo.
                        if res.cors_headers().is_empty() {
                            refused_actual(&res, 200)
                        } else {
                            allow_origin_is(&res, "*", false)
                        }
                    } else if policy == PUBLIC && field == "Origin" {
                        if res.status == 403 {
                            refused_preflight(&res)
                        } else {
                            allow_origin_is(&res, "*", false)
                        }
                    } else if method == "GET" {
                        refused_actual(&res, 200)
                    } else {
                        refused_preflight(&res)
                    };
                    failures.check(fw, &what, result);
                }
            }
            // Still serving.
            failures.expect(server, "clean preflight afterwards", &clean, |r| {
                allowed_preflight(
                    r,
                    if policy == REFLECT { ALLOWED } else { "*" },
                    policy == REFLECT,
                )
            });
        }
        println!("answers: {seen:#?}");
        failures.finish("header injection", checked);
    }
}

/// No `x-injected` header, and no header value with a control byte, a non-ASCII byte or
/// the injected text.
fn no_injection(res: &TestResponse) -> Result<(), String> {
    for (name, value) in &res.headers {
        let bad_byte = value.iter().any(|&b| (b < 0x20 && b != b'\t') || b >= 0x7f);
        let injected = value
            .windows(10)
            .any(|w| w.eq_ignore_ascii_case(b"x-injected"));
        if name == "x-injected" || bad_byte || injected {
            return Err(format!("injected into the response: {}", res.describe()));
        }
    }
    Ok(())
}

/// Every response for a policy with specific origins carries `Vary: origin` — allowed,
/// refused and no-`Origin` requests, 404s and 500s included — and every preflight
/// answer, allowed or refused, the three preflight items; the handler's own `Vary` is
/// kept.
#[test]
fn every_response_varies_so_caches_cannot_be_poisoned() {
    let servers = start_all(CREDENTIALED);
    let mut failures = Failures::default();
    let mut checked = 0;
    let origins: [Option<&str>; 3] = [Some(ALLOWED), Some("https://evil.com"), None];
    let routes: [(&str, &str, u16); 6] = [
        ("GET", "/", 200),
        ("GET", "/nope", 404),
        ("GET", "/error", 500),
        ("GET", "/vary", 200),
        ("POST", "/echo", 200),
        ("OPTIONS", "/own-options", 200),
    ];
    for server in &servers {
        for origin in origins {
            for (method, path, status) in routes {
                let headers: Vec<(&str, &[u8])> = origin
                    .map(|o| ("Origin", o.as_bytes()))
                    .into_iter()
                    .collect();
                let what = format!("{method} {path} from {origin:?}");
                failures.expect(server, &what, &request(method, path, &headers), |r| {
                    if r.status != status {
                        return Err(format!(
                            "status {} not {status}: {}",
                            r.status,
                            r.describe()
                        ));
                    }
                    r.has_vary(&["origin"])?;
                    if path == "/vary" {
                        r.has_vary(&["accept-encoding"])?;
                    }
                    if r.vary_items().contains("*") {
                        return Err(format!("Vary: *: {}", r.describe()));
                    }
                    match origin {
                        Some(o) if o == ALLOWED => allow_origin_is(r, o, true),
                        _ => r.no_cors_headers(),
                    }
                });
                checked += 1;
            }
        }
        let preflights: [Preflight; 6] = [
            ("allowed", "/echo", b"PUT", b"content-type", true),
            (
                "allowed, on a 404 path",
                "/nope",
                b"PUT",
                b"content-type",
                true,
            ),
            ("refused origin", "/echo", b"PUT", b"", false),
            ("refused method", "/echo", b"PATCH", b"", false),
            ("refused header", "/echo", b"PUT", b"x-secret", false),
            ("malformed header", "/echo", b"PUT", b"a b", false),
        ];
        for (what, path, method, headers, allowed) in preflights {
            let origin: &[u8] = if what == "refused origin" {
                b"https://evil.com"
            } else {
                ALLOWED.as_bytes()
            };
            let mut lines: Vec<(&str, &[u8])> = vec![
                ("Origin", origin),
                ("Access-Control-Request-Method", method),
            ];
            if !headers.is_empty() {
                lines.push(("Access-Control-Request-Headers", headers));
            }
            failures.expect(
                server,
                &format!("preflight {what}"),
                &request("OPTIONS", path, &lines),
                |r| {
                    if allowed {
                        allowed_preflight(r, ALLOWED, true)
                    } else {
                        refused_preflight(r)
                    }
                },
            );
            checked += 1;
        }
    }
    failures.finish("Vary", checked);
}

/// rs/cors #170: an `Access-Control-Request-Headers` of thousands of commas and spaces
/// (or thousands of names) is refused at once — the CORS 403, or the framework's own
/// 431/400 for a header too large for it — not parsed quadratically. Timings are printed;
/// the 2 s bound is a sanity bound, not a performance assertion.
#[test]
fn huge_acrh_of_commas_is_refused_quickly() {
    let servers = start_all(CREDENTIALED);
    let mut failures = Failures::default();
    let mut checked = 0;
    let values: Vec<(String, Vec<u8>)> = [4 << 10, 16 << 10, 60 << 10]
        .into_iter()
        .flat_map(|size: usize| {
            [
                (format!("\", \" x {}", size / 2), b", ".repeat(size / 2)),
                (format!("\",\" x {size}"), b",".repeat(size)),
                (
                    format!("\" ,\\t\" x {}", size / 3),
                    b" ,\t".repeat(size / 3),
                ),
                (
                    format!("content-type + \",\" x {size}"),
                    [&b"content-type"[..], &b",".repeat(size)].concat(),
                ),
                (format!("\"x,\" x {}", size / 2), b"x,".repeat(size / 2)),
                // More names than the 1024 elements considered.
                (
                    format!("\"content-type,\" x {}", (size / 13).max(1025)),
                    b"content-type,".repeat((size / 13).max(1025)),
                ),
            ]
        })
        .collect();
    for server in &servers {
        for (label, value) in &values {
            let req = request(
                "OPTIONS",
                "/echo",
                &[
                    ("Origin", ALLOWED.as_bytes()),
                    ("Access-Control-Request-Method", b"PUT"),
                    ("Access-Control-Request-Headers", value),
                ],
            );
            let started = Instant::now();
            let result = send(server, &req);
            let elapsed = started.elapsed();
            println!(
                "{}: ACRH {label} ({} bytes): {} in {elapsed:?}",
                server.framework,
                value.len(),
                result
                    .as_ref()
                    .map_or_else(|e| e.clone(), |r| r.status.to_string())
            );
            let result = result.and_then(|res| {
                if elapsed > Duration::from_secs(2) {
                    return Err(format!("took {elapsed:?}"));
                }
                match res.status {
                    403 => refused_preflight(&res),
                    400 | 431 => res.no_cors_headers(),
                    _ => Err(format!("not refused: {}", res.describe())),
                }
            });
            failures.check(server.framework, &format!("ACRH {label}"), result);
            checked += 1;
        }
        failures.expect(
            server,
            "allowed preflight afterwards",
            &preflight(ALLOWED.as_bytes()),
            |r| allowed_preflight(r, ALLOWED, true),
        );
    }
    failures.finish("ACRH denial of service", checked);
}
