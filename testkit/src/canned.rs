//! Tiny live HTTP/1.1 servers on 127.0.0.1 that answer every request with a canned
//! response and record the requests they saw: the misbehaving (or correct) servers that
//! `cors probe`, `cors audit` and the browser tests are run against.
//!
//! Each connection gets one response and is closed (`connection: close`); a request's
//! body is read (by `content-length`) before answering, so a browser never sees its
//! upload reset.
//!
//! ```
//! use cors_testkit::canned::{Server, lines};
//!
//! let server = Server::start(|seen| {
//!     let origin = seen.header("origin").unwrap_or("null").to_owned();
//!     (200, lines(&[("access-control-allow-origin", &origin), ("vary", "Origin")]))
//! });
//! assert!(server.url("/x").starts_with("http://127.0.0.1:"));
//! assert!(server.seen().is_empty());
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request a server saw: method, target and header lines (names lowercased, values
/// trimmed), in order.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The request method.
    pub method: String,
    /// The request target (path and query).
    pub target: String,
    /// Every header line, name lowercased.
    pub headers: Vec<(String, String)>,
}

impl Seen {
    /// The first value of the header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// How many lines the header `name` (lowercase) has.
    pub fn count(&self, name: &str) -> usize {
        self.headers.iter().filter(|(n, _)| n == name).count()
    }
}

type Raw = dyn Fn(&Seen) -> Vec<u8> + Send + Sync;

/// A server on 127.0.0.1 answering each request with what its handler returns; it runs
/// until the test process ends.
pub struct Server {
    /// The port it listens on.
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// A server answering each request with the status and header lines `handler`
    /// returns (written as given, then `content-length: 0` and `connection: close`).
    pub fn start(
        handler: impl Fn(&Seen) -> (u16, Vec<(String, String)>) + Send + Sync + 'static,
    ) -> Self {
        Self::start_raw(move |seen| {
            let (status, lines) = handler(seen);
            let mut out = format!("HTTP/1.1 {status} Canned\r\n");
            for (n, v) in lines {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("content-length: 0\r\nconnection: close\r\n\r\n");
            out.into_bytes()
        })
    }

    /// A server writing exactly the bytes `handler` returns, then closing the connection
    /// (for hostile answers: garbage, huge headers).
    pub fn start_raw(handler: impl Fn(&Seen) -> Vec<u8> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a canned server");
        let port = listener.local_addr().expect("its address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let handler: Arc<Raw> = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (log, handler) = (Arc::clone(&log), Arc::clone(&handler));
                // A thread each: a browser may open a connection it never uses.
                std::thread::spawn(move || {
                    answer(stream, &*handler, &log);
                });
            }
        });
        Self { port, seen }
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The requests answered so far, in the order they were answered.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Reads one request, records it (before answering, so that a client that has its
/// answer finds it recorded), and writes the handler's bytes.
fn answer(stream: TcpStream, handler: &Raw, log: &Mutex<Vec<Seen>>) -> Option<()> {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut l = String::new();
        if reader.read_line(&mut l).ok()? == 0 {
            break;
        }
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        let (n, v) = l.split_once(':')?;
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let seen = Seen {
        method,
        target,
        headers,
    };
    let length: u64 = seen
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    std::io::copy(&mut reader.by_ref().take(length), &mut std::io::sink()).ok()?;
    let out = handler(&seen);
    log.lock().unwrap_or_else(|e| e.into_inner()).push(seen);
    let mut stream = stream;
    stream.write_all(&out).ok()?;
    stream.flush().ok()
}

/// Header lines from `(name, value)` pairs.
pub fn lines(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}
