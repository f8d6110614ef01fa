//! A real browser for tests: headless Chromium in its own process group (killed with its
//! children on drop), and a page server that serves the test's pages on one loopback
//! origin and collects what they report.
//!
//! Chromium is `/usr/bin/chromium` (Debian's package). Without it [`available`] prints a
//! loud SKIPPED notice and returns `false`, unless `CORS_REQUIRE_BROWSER` is set (as
//! `.ci/run` does), in which case a missing browser is a test failure.
//!
//! ```no_run
//! use std::sync::mpsc;
//! use cors_testkit::browser::{self, Browser};
//!
//! if browser::available() {
//!     let (tx, rx) = mpsc::channel();
//!     let page = browser::page_server(
//!         vec![("/p.html".into(), "<script>fetch('/report?page=p', {method: 'POST', body: '1'})</script>".into())],
//!         tx,
//!     );
//!     let _chromium = Browser::open(&format!("http://{page}/p.html"));
//!     let (name, body) = rx.recv().unwrap();
//!     assert_eq!((name.as_str(), body.as_slice()), ("p", &b"1"[..]));
//! }
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use crate::serve::TempDir;

/// Where the browser is.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Whether Chromium is installed. When it is not: panics (fails the test) if
/// `CORS_REQUIRE_BROWSER` is set, else prints a loud SKIPPED notice and returns `false`.
pub fn available() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    if std::env::var_os("CORS_REQUIRE_BROWSER").is_some() {
        panic!(
            "CORS_REQUIRE_BROWSER is set but {CHROMIUM} is missing: apt-get install -y chromium"
        );
    }
    eprintln!(
        "\n\n!!!!!!!! SKIPPED: browser test needs {CHROMIUM} (apt-get install -y chromium); \
         set CORS_REQUIRE_BROWSER=1 to make its absence a failure !!!!!!!!\n"
    );
    false
}

/// A page server on a free loopback port: `GET` of a path starting with one of `pages`'
/// prefixes serves its HTML; `POST /report?page=NAME` sends `(NAME, body)` on `reports`;
/// anything else is a 404. Runs until the test process ends.
pub fn page_server(
    pages: Vec<(String, String)>,
    reports: mpsc::Sender<(String, Vec<u8>)>,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("page server");
    let addr = listener.local_addr().expect("addr");
    let pages = Arc::new(pages);
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let (reports, pages) = (reports.clone(), Arc::clone(&pages));
            std::thread::spawn(move || serve_page(stream, &pages, &reports));
        }
    });
    addr
}

fn serve_page(
    stream: TcpStream,
    pages: &[(String, String)],
    reports: &mpsc::Sender<(String, Vec<u8>)>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((n, v)) = line.split_once(':')
                && n.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let target = request_line.split(' ').nth(1).unwrap_or("/").to_owned();
        let page = pages.iter().find(|(p, _)| target.starts_with(p.as_str()));
        let (status, content_type, payload) = if let Some((_, html)) = page {
            ("200 OK", "text/html", html.as_bytes())
        } else if let Some(name) = target.strip_prefix("/report?page=") {
            let _ = reports.send((name.to_owned(), body));
            ("204 No Content", "text/plain", &b""[..])
        } else {
            ("404 Not Found", "text/plain", &b"not found"[..])
        };
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\r\n",
            payload.len()
        );
        let stream = reader.get_mut();
        if stream
            .write_all(head.as_bytes())
            .and_then(|_| stream.write_all(payload))
            .is_err()
        {
            return;
        }
    }
}

/// Chromium in its own process group, killed with all its children when dropped.
pub struct Browser {
    child: Child,
    _profile: TempDir,
}

impl Browser {
    /// Headless Chromium with a fresh profile, opening `url`.
    pub fn open(url: &str) -> Browser {
        Browser::open_logging(url, None)
    }

    /// With `console`, Chromium logs to that file (`--enable-logging=stderr --v=0`): each
    /// console message is a `INFO:CONSOLE` line.
    pub fn open_logging(url: &str, console: Option<&Path>) -> Browser {
        use std::os::unix::process::CommandExt;
        let profile = TempDir::new("chromium");
        let stderr = match console {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("console log")),
            None => Stdio::null(),
        };
        let logging: &[&str] = match console {
            Some(_) => &["--enable-logging=stderr", "--v=0"],
            None => &[],
        };
        let child = Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ])
            .args(logging)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .process_group(0)
            .spawn()
            .expect("start chromium");
        Browser {
            child,
            _profile: profile,
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
