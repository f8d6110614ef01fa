//! Starts the `serve` binary for one framework on a free loopback port, and stops it
//! (killing the process) when dropped, so tests leave nothing behind.
//!
//! The binary's path is the test's to give: `env!("CARGO_BIN_EXE_serve")`, which cargo
//! sets only for cors-examples' own tests.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The frameworks `serve --framework` runs.
pub const FRAMEWORKS: [&str; 4] = ["axum", "actix", "rocket", "warp"];

/// A running `serve`.
pub struct Server {
    child: Child,
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The framework it runs.
    pub framework: &'static str,
    stderr: PathBuf,
    _dir: Option<TempDir>,
}

impl Server {
    /// What it wrote on stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The `serve` process's id (for reading `/proc/<pid>/status`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new, empty directory under the system's temporary directory, named after `tag`,
    /// this process and a counter.
    pub fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cors-test-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts the `serve` binary at `serve` as `serve --framework <framework>` with the
/// policy text given (TOML), on a free loopback port, and waits for its
/// `<framework> listening on http://<addr>` line (60 s at most). Panics (a test failure)
/// when it does not start after five ports.
pub fn start(serve: &str, framework: &'static str, policy_toml: &str) -> Server {
    let dir = TempDir::new(framework);
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, policy_toml).expect("write policy");
    let mut server = start_with(serve, framework, &policy, &[], &[]);
    server._dir = Some(dir);
    server
}

/// [`start`] with a policy file the caller keeps (and may change: `--watch`), more
/// arguments and environment variables. Its stderr goes to the file `<policy>.<port>.stderr`
/// ([`Server::stderr`]).
pub fn start_with(
    serve: &str,
    framework: &'static str,
    policy: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Server {
    let mut last_err = String::new();
    // A port picked free can be taken before serve binds it; try a few.
    for _ in 0..5 {
        let port = free_port();
        match spawn(serve, framework, policy, port, args, env) {
            Ok((child, addr, stderr)) => {
                return Server {
                    child,
                    addr,
                    framework,
                    stderr,
                    _dir: None,
                };
            }
            Err(e) => last_err = e,
        }
    }
    panic!("serve --framework {framework} did not start: {last_err}");
}

fn spawn(
    serve: &str,
    framework: &str,
    policy: &Path,
    port: u16,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<(Child, SocketAddr, PathBuf), String> {
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    // stderr goes to a file, never a pipe nobody drains (RUST_LOG=debug would fill it).
    let stderr_path = policy.with_extension(format!("{port}.stderr"));
    let stderr = std::fs::File::create(&stderr_path).map_err(|e| e.to_string())?;
    let mut child = Command::new(serve)
        .args([
            "--framework",
            framework,
            "--listen",
            &addr.to_string(),
            "--policy",
        ])
        .arg(policy)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .map_err(|e| e.to_string())?;
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.contains("listening on") {
                let _ = tx.send(line);
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(line) if line == format!("{framework} listening on http://{addr}") => {
            Ok((child, addr, stderr_path))
        }
        Ok(line) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(format!("unexpected line {line:?}"))
        }
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            Err(format!("no listening line; stderr: {err}"))
        }
    }
}

/// The first `n` lines a child writes on `stdout` (fewer if `within` runs out first):
/// what `serve` prints as each server starts listening.
pub fn first_lines(stdout: std::process::ChildStdout, n: usize, within: Duration) -> Vec<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = std::time::Instant::now() + within;
    let mut lines = Vec::new();
    while lines.len() < n && std::time::Instant::now() < deadline {
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(200)) {
            lines.push(l);
        }
    }
    lines
}
