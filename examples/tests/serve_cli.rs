//! The `serve` command line: an invalid policy is refused before binding, with every
//! problem printed; `--framework all` starts the four servers on consecutive ports.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use cors_testkit::serve::{TempDir, first_lines, free_port};

const SERVE: &str = env!("CARGO_BIN_EXE_serve");

/// Runs `serve --framework axum --listen 127.0.0.1:<port> --policy <policy>` to its end.
fn serve_axum(port: u16, policy: &std::path::Path) -> std::process::Output {
    Command::new(SERVE)
        .args([
            "--framework",
            "axum",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--policy",
        ])
        .arg(policy)
        .output()
        .unwrap()
}

#[test]
fn invalid_policy_exits_non_zero_before_binding_and_names_every_problem() {
    let dir = TempDir::new("cli");
    let policy = dir.path().join("bad.toml");
    std::fs::write(
        &policy,
        "allow_origins = [\"https://example.com/\", \"null\"]\nmax_age = 100000\nallow_methodz = []\n",
    )
    .unwrap();
    // Hold the port: if serve tried to bind before validating, it would fail differently.
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let out = serve_axum(port, &policy);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("allow_methodz"), "{stderr}");
    // The key problems stop loading first; fix the key and the value problems show.
    std::fs::write(
        &policy,
        "allow_origins = [\"https://example.com/\", \"null\"]\nmax_age = 100000\n",
    )
    .unwrap();
    let out = serve_axum(port, &policy);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("3 problems"), "{stderr}");
    assert!(
        stderr.contains("did you mean \"https://example.com\"?"),
        "{stderr}"
    );
    assert!(stderr.contains("\"null\""), "{stderr}");
    assert!(stderr.contains("max_age"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("listening"));
}

#[test]
fn debug_mode_is_warned_about_at_start_up() {
    let dir = TempDir::new("cli-debug");
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    for (debug, warned) in [(true, true), (false, false)] {
        let policy = dir.path().join(format!("debug-{debug}.toml"));
        std::fs::write(
            &policy,
            format!("allow_origins = [\"https://app.example.com\"]\ndebug = {debug}\n"),
        )
        .unwrap();
        // The port is held: serve warns, then fails to bind and exits.
        let out = serve_axum(port, &policy);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.contains("warning: ") && stderr.contains("debug = true"),
            warned,
            "{stderr}"
        );
    }
}

#[test]
fn unknown_arguments_are_usage_errors() {
    let out = Command::new(SERVE).arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: serve"));
    let out = Command::new(SERVE)
        .args(["--framework", "express"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn all_frameworks_start_on_consecutive_ports_with_the_bundled_policy() {
    // Find four consecutive free ports.
    let base = (0..50)
        .map(|_| free_port())
        .find(|&p| p < 65000 && (0..4).all(|i| TcpListener::bind(("127.0.0.1", p + i)).is_ok()))
        .expect("four free ports");
    let mut child = Command::new(SERVE)
        .args(["--listen", &format!("127.0.0.1:{base}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = first_lines(stdout, 4, Duration::from_secs(60));
    let _ = child.kill();
    let _ = child.wait();
    lines.sort();
    let mut expected: Vec<String> = ["axum", "actix", "rocket", "warp"]
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{f} listening on http://127.0.0.1:{}", base + i as u16))
        .collect();
    expected.sort();
    assert_eq!(lines, expected);
}

#[test]
fn yaml_and_json_policies_are_read_by_their_extension() {
    let dir = TempDir::new("cli-formats");
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    // A YAML file with a bad value: read as YAML (as TOML it would be a syntax error), the
    // problem names the file and the key.
    let yaml = dir.path().join("policy.yml");
    std::fs::write(
        &yaml,
        "allow_origins:\n  - https://example.com/\nmax_age: 600\n",
    )
    .unwrap();
    let out = serve_axum(port, &yaml);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("policy.yml: allow_origins: \"https://example.com/\" has a trailing slash"),
        "{stderr}"
    );
    // A YAML syntax error carries the file, line and column.
    std::fs::write(
        &yaml,
        "allow_origins: [\"https://a.example\"\nmax_age: 600\n",
    )
    .unwrap();
    let stderr = String::from_utf8_lossy(&serve_axum(port, &yaml).stderr).into_owned();
    assert!(stderr.contains("policy.yml:"), "{stderr}");
    assert!(stderr.contains("invalid YAML"), "{stderr}");
    // JSON likewise, with a misspelt key.
    let json = dir.path().join("policy.json");
    std::fs::write(
        &json,
        r#"{"allow_origins": ["https://a.example"], "maxage": 5}"#,
    )
    .unwrap();
    let stderr = String::from_utf8_lossy(&serve_axum(port, &json).stderr).into_owned();
    assert!(stderr.contains("did you mean max_age?"), "{stderr}");
    // An unreadable file is said to be one, not a syntax error.
    let missing = dir.path().join("missing.yaml");
    let stderr = String::from_utf8_lossy(&serve_axum(port, &missing).stderr).into_owned();
    assert!(stderr.contains("cannot be read"), "{stderr}");
    assert!(!stderr.contains("invalid YAML"), "{stderr}");
}
