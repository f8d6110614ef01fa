//! One conformance suite: every shared case (cors-testkit's `cases.toml`) through each of
//! the four adapters, in process and over real HTTP against `serve`. Every adapter must
//! produce the status, CORS headers and Vary items the core decides.

use cors_core::PolicySet;
use cors_examples::{
    TestRequest, TestResponse, actix_app, axum_app, raw_http, rocket_app, warp_app,
};
use cors_testkit::cases::{self, Sent};
use cors_testkit::serve::{self, Server};

const SERVE: &str = env!("CARGO_BIN_EXE_serve");

type InProcess = fn(&PolicySet, &TestRequest) -> TestResponse;

const IN_PROCESS: [(&str, InProcess); 4] = [
    ("axum", axum_app::in_process),
    ("actix", actix_app::in_process),
    ("rocket", rocket_app::in_process),
    ("warp", warp_app::in_process),
];

/// Cases a framework's in-process test client cannot express; they run over HTTP only.
fn in_process_impossible(framework: &str) -> &'static [&'static str] {
    match framework {
        // Rocket's local client takes header values as strings.
        "rocket" => &["non-UTF-8 origin"],
        _ => &[],
    }
}

fn run_in_process(framework: &str, run: InProcess) {
    let expected_skips = in_process_impossible(framework);
    cases::load().run_every_case(framework, expected_skips, |policy, case| {
        let res = run(policy, &case.request());
        if res.status == 0 {
            Sent::Skipped
        } else {
            Sent::Answer(res)
        }
    });
}

#[test]
fn axum_in_process() {
    run_in_process(IN_PROCESS[0].0, IN_PROCESS[0].1);
}

#[test]
fn actix_in_process() {
    run_in_process(IN_PROCESS[1].0, IN_PROCESS[1].1);
}

#[test]
fn rocket_in_process() {
    run_in_process(IN_PROCESS[2].0, IN_PROCESS[2].1);
}

#[test]
fn warp_in_process() {
    run_in_process(IN_PROCESS[3].0, IN_PROCESS[3].1);
}

/// Every case over HTTP, one `serve` per policy (cases run grouped by policy).
fn run_over_http(framework: &'static str) {
    let suite = cases::load();
    let mut server: Option<(String, Server)> = None;
    let label = format!("{framework} over HTTP");
    suite.run_every_case(&label, &[], |_, case| {
        if server
            .as_ref()
            .is_none_or(|(policy, _)| *policy != case.policy)
        {
            drop(server.take());
            let config = suite.policy_file(&case.policy);
            server = Some((case.policy.clone(), serve::start(SERVE, framework, &config)));
        }
        let (_, running) = server.as_ref().expect("a server runs this case's policy");
        match raw_http::send(running.addr, &case.request()) {
            Ok(res) => Sent::Answer(res),
            Err(e) => Sent::Failed(e.to_string()),
        }
    });
}

#[test]
fn axum_over_http() {
    run_over_http("axum");
}

#[test]
fn actix_over_http() {
    run_over_http("actix");
}

#[test]
fn rocket_over_http() {
    run_over_http("rocket");
}

#[test]
fn warp_over_http() {
    run_over_http("warp");
}

/// `serve`'s `GET /ws` over HTTP on every framework, with `websocket_origin_check` on: a
/// handshake from a listed origin is switched (101) and echoes a text frame; one from an
/// unlisted origin is refused with 403 before any WebSocket handler runs; one without
/// `Origin` (not a browser) is switched.
#[test]
fn websocket_handshakes_over_http() {
    use std::io::{Read, Write};
    let policy = "allow_origins = [\"https://app.example.com\"]\nwebsocket_origin_check = true\n";
    /// Sends a handshake, returns the status and, when switched, the echo of a masked
    /// "hi" text frame.
    fn handshake(addr: std::net::SocketAddr, origin: Option<&str>) -> (u16, Vec<u8>) {
        let mut s = std::net::TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
        let req = format!(
            "GET /ws HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{origin}\r\n"
        );
        s.write_all(req.as_bytes()).expect("write");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        let status = String::from_utf8_lossy(&head)
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        if status != 101 {
            return (status, Vec::new());
        }
        // A masked text frame "hi" (mask 1,2,3,4); the echo comes back unmasked.
        let mask = [1u8, 2, 3, 4];
        let mut frame = vec![0x81, 0x80 | 2];
        frame.extend_from_slice(&mask);
        frame.extend(b"hi".iter().zip(mask).map(|(b, m)| b ^ m));
        s.write_all(&frame).expect("frame");
        let mut echo = [0u8; 4];
        let got = s
            .read_exact(&mut echo)
            .map(|_| echo.to_vec())
            .unwrap_or_default();
        (status, got)
    }
    for framework in ["axum", "actix", "rocket", "warp"] {
        let server = serve::start(SERVE, framework, policy);
        let echo = vec![0x81, 2, b'h', b'i'];
        assert_eq!(
            handshake(server.addr, Some("https://app.example.com")),
            (101, echo.clone()),
            "{framework}: listed origin"
        );
        assert_eq!(
            handshake(server.addr, Some("https://evil.example")),
            (403, Vec::new()),
            "{framework}: unlisted origin"
        );
        assert_eq!(
            handshake(server.addr, None),
            (101, echo),
            "{framework}: no Origin"
        );
    }
}
