//! Whole-service policy files against `serve` on every framework, over HTTP: the policy is
//! chosen by the path the framework routes by, whatever its spelling; `--watch` reloads
//! under load without a failed or mixed response; an invalid file keeps the old policy;
//! a ConfigMap-style symlink swap reloads; `CORS_*` variables override the file.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cors_examples::{TestRequest, TestResponse, raw_http};
use cors_testkit::h;
use cors_testkit::serve::{self, FRAMEWORKS, Server, TempDir};

const SERVE: &str = env!("CARGO_BIN_EXE_serve");

fn get(server: &Server, path: &str, origin: &str) -> TestResponse {
    let req = TestRequest::new("GET", path, &[h("origin", origin)]);
    raw_http::send(server.addr, &req)
        .unwrap_or_else(|e| panic!("{} GET {path}: {e}", server.framework))
}

fn acao(res: &TestResponse) -> Option<String> {
    res.values("access-control-allow-origin")
        .first()
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// `/echo` keeps the strict default policy; every other path is public.
const ECHO_STRICT: &str = r#"
allow_origins = ["https://app.example.com"]
allow_credentials = true

[policies.public]
allow_origins = ["*"]

[[routes]]
paths = ["/echo"]
policy = "default"

[[routes]]
paths = ["/**"]
policy = "public"
"#;

#[test]
fn every_spelling_of_a_path_gets_that_paths_policy_on_every_framework() {
    let spellings = [
        "/echo",
        "/%65cho",
        "/ec%68o",
        "//echo",
        "/echo/",
        "/echo//",
        "/./echo",
        "/x/../echo",
        "/%2e/echo",
        "/x/%2e%2e/echo",
    ];
    for framework in FRAMEWORKS {
        let server = serve::start(SERVE, framework, ECHO_STRICT);
        // The test can fail: another path is public.
        let other = get(&server, "/vary", "https://evil.example");
        assert_eq!(acao(&other).as_deref(), Some("*"), "{framework} /vary");
        let mut reached = Vec::new();
        for path in spellings {
            let res = get(&server, path, "https://evil.example");
            // Whether or not the framework routes this spelling to the /echo handler, it
            // is /echo's policy that answers: never the public one.
            assert_eq!(
                acao(&res),
                None,
                "{framework} GET {path}: /echo's strict policy must apply\n{}",
                res.describe()
            );
            let ok = get(&server, path, "https://app.example.com");
            assert_eq!(
                acao(&ok).as_deref(),
                Some("https://app.example.com"),
                "{framework} GET {path}\n{}",
                ok.describe()
            );
            if res.status == 200 {
                reached.push(path);
            }
        }
        assert!(reached.contains(&"/echo"), "{framework}: {reached:?}");
        eprintln!("{framework}: the /echo handler answers {reached:?}");
    }
}

/// Two policies whose answers to the same preflight differ in every CORS header.
fn generation(n: usize) -> String {
    let (origin, method) = if n.is_multiple_of(2) {
        ("https://a.example", "PUT")
    } else {
        ("https://b.example", "PATCH")
    };
    format!(
        "allow_origins = [\"{origin}\"]\nallow_methods = [\"{method}\"]\nmax_age = {}\n",
        100 + n % 2
    )
}

/// The preflight sent under load, and the answers each generation gives it.
fn preflight() -> TestRequest {
    TestRequest::new(
        "OPTIONS",
        "/echo",
        &[
            h("origin", "https://a.example"),
            h("access-control-request-method", "PUT"),
        ],
    )
}

/// `Some(true)` for generation A's answer, `Some(false)` for B's, `None` for anything
/// else (a mix, a failure).
fn classify(res: &TestResponse) -> Option<bool> {
    let cors = res.cors_headers();
    let a: Vec<(String, Vec<u8>)> = vec![
        h("access-control-allow-origin", "https://a.example"),
        h("access-control-allow-methods", "GET,HEAD,POST,PUT"),
        h("access-control-max-age", "100"),
    ];
    let mut sorted = cors.clone();
    sorted.sort();
    let mut a_sorted = a.clone();
    a_sorted.sort();
    if res.status == 204 && sorted == a_sorted {
        Some(true)
    } else if res.status == 403 && cors.is_empty() {
        Some(false)
    } else {
        None
    }
}

#[test]
fn watch_reloads_under_load_with_no_failed_or_mixed_response() {
    for framework in FRAMEWORKS {
        let dir = TempDir::new("watch-load");
        let path = dir.path().join("policy.toml");
        std::fs::write(&path, generation(0)).expect("write");
        let server = serve::start_with(SERVE, framework, &path, &["--watch"], &[]);
        let addr = server.addr;
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new((0usize, 0usize)));
        let failures = Arc::new(Mutex::new(Vec::<String>::new()));
        let sent = Arc::new(AtomicUsize::new(0));
        let clients: Vec<_> = (0..4)
            .map(|_| {
                let (stop, seen, failures, sent) =
                    (stop.clone(), seen.clone(), failures.clone(), sent.clone());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        sent.fetch_add(1, Ordering::Relaxed);
                        match raw_http::send(addr, &preflight()) {
                            Ok(res) => match classify(&res) {
                                Some(true) => seen.lock().unwrap().0 += 1,
                                Some(false) => seen.lock().unwrap().1 += 1,
                                None => failures.lock().unwrap().push(res.describe()),
                            },
                            Err(e) => failures.lock().unwrap().push(e.to_string()),
                        }
                    }
                })
            })
            .collect();
        // Switch generations while the clients run; wait for each to be in force.
        for n in 1..=6 {
            std::fs::write(&path, generation(n)).expect("write");
            let want_a = n.is_multiple_of(2);
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let res = raw_http::send(addr, &preflight()).expect("send");
                if classify(&res) == Some(want_a) {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "{framework}: generation {n} never took effect; stderr:\n{}",
                    server.stderr()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.join().expect("client");
        }
        let failures = failures.lock().unwrap();
        assert!(
            failures.is_empty(),
            "{framework}: {} of {} responses failed or mixed generations:\n{}",
            failures.len(),
            sent.load(Ordering::Relaxed),
            failures
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
        let (a, b) = *seen.lock().unwrap();
        assert!(a > 0 && b > 0, "{framework}: A {a}, B {b}");
        let reloads = server.stderr().matches("CORS policy reloaded").count();
        assert!(reloads >= 6, "{framework}: {reloads} reloads logged");
    }
}

#[test]
fn an_invalid_file_while_watching_keeps_the_old_policy_and_the_process() {
    let dir = TempDir::new("watch-invalid");
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, "allow_origins = [\"https://a.example\"]\n").expect("write");
    let mut server =
        serve::start_with(SERVE, "axum", &path, &["--watch"], &[("RUST_LOG", "debug")]);
    std::fs::write(
        &path,
        "allow_origins = [\"null\"]\n[[routes]]\npaths = [\"x\"]\npolicy = \"nope\"\n",
    )
    .expect("write");
    // The watcher may first read the file half-written (one more refused reload, also
    // keeping the old policy); the whole file's problems follow.
    let keys = ["allow_origins", "routes[0].paths", "routes[0].policy"];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let stderr = server.stderr();
        if stderr.contains("not reloaded") && keys.iter().all(|k| stderr.contains(k)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not every problem named:\n{stderr}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!server.stderr().contains("CORS policy reloaded"));
    assert!(server.is_running());
    let res = get(&server, "/echo", "https://a.example");
    assert_eq!(acao(&res).as_deref(), Some("https://a.example"));
    // Still watching: a valid file is taken.
    std::fs::write(&path, "allow_origins = [\"https://b.example\"]\n").expect("write");
    let deadline = Instant::now() + Duration::from_secs(10);
    while acao(&get(&server, "/echo", "https://b.example")).is_none() {
        assert!(Instant::now() < deadline, "stderr:\n{}", server.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn a_configmap_symlink_swap_reloads() {
    use std::os::unix::fs::symlink;
    // A Kubernetes ConfigMap volume: policy.toml -> ..data/policy.toml, ..data -> ..v1;
    // an update writes ..v2 and renames a new ..data link over the old one.
    let dir = TempDir::new("configmap");
    let d = dir.path();
    std::fs::create_dir(d.join("..v1")).expect("v1");
    std::fs::write(
        d.join("..v1/policy.toml"),
        "allow_origins = [\"https://a.example\"]\n",
    )
    .expect("write");
    symlink("..v1", d.join("..data")).expect("link");
    symlink("..data/policy.toml", d.join("policy.toml")).expect("link");
    let server = serve::start_with(SERVE, "warp", &d.join("policy.toml"), &["--watch"], &[]);
    assert_eq!(
        acao(&get(&server, "/echo", "https://a.example")).as_deref(),
        Some("https://a.example")
    );
    std::fs::create_dir(d.join("..v2")).expect("v2");
    std::fs::write(
        d.join("..v2/policy.toml"),
        "allow_origins = [\"https://b.example\"]\n",
    )
    .expect("write");
    symlink("..v2", d.join("..data_tmp")).expect("link");
    std::fs::rename(d.join("..data_tmp"), d.join("..data")).expect("swap");
    let deadline = Instant::now() + Duration::from_secs(10);
    while acao(&get(&server, "/echo", "https://b.example")).is_none() {
        assert!(Instant::now() < deadline, "stderr:\n{}", server.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(acao(&get(&server, "/echo", "https://a.example")), None);
}

#[test]
fn cors_variables_override_the_file_and_bad_ones_are_named() {
    let dir = TempDir::new("env");
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, "allow_origins = [\"https://a.example\"]\n").expect("write");
    let server = serve::start_with(
        SERVE,
        "actix",
        &path,
        &[],
        &[(
            "CORS_ALLOW_ORIGINS",
            "https://env.example, https://env2.example",
        )],
    );
    assert_eq!(
        acao(&get(&server, "/echo", "https://env2.example")).as_deref(),
        Some("https://env2.example")
    );
    assert_eq!(acao(&get(&server, "/echo", "https://a.example")), None);
    drop(server);

    let out = std::process::Command::new(SERVE)
        .args(["--framework", "axum", "--listen", "127.0.0.1:0", "--policy"])
        .arg(&path)
        .env("CORS_ALLOW_CREDENTIALS", "yes")
        .env("CORS_ALLOW_ORIGINS", "https://a.example/")
        .output()
        .expect("serve runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("CORS_ALLOW_CREDENTIALS"), "{stderr}");
    assert!(stderr.contains("expected true or false"), "{stderr}");
}
