//! `serve`: the example routes on axum, actix-web, rocket and warp, all from one policy file.
//!
//! ```text
//! cargo run --release -p cors-examples --bin serve -- \
//!     [--framework all|axum|actix|rocket|warp] [--policy FILE] [--listen HOST:PORT] \
//!     [--metrics HOST:PORT] [--watch] [--no-cors]
//! ```
//!
//! The policy file may be a whole-service file (named policies, `[[routes]]`); `CORS_*`
//! environment variables override its default policy's keys (`CORS_ALLOW_ORIGINS`, …).
//! `--watch` reloads the file when it changes (also when a Kubernetes ConfigMap volume
//! swaps its symlink): a valid new file is in force for the next request, an invalid one
//! is logged with every problem and the old policy stays.
//!
//! With `--framework all` (the default) axum listens on PORT, actix-web on PORT+1, rocket
//! on PORT+2 and warp on PORT+3. Set `RUST_LOG=cors=debug` to see every rejected CORS request.
//! `--metrics HOST:PORT` serves the Prometheus text of `cors_requests_total` at
//! `GET /metrics` on that separate listener, each server's series labelled
//! `framework="axum"` (`actix`, `rocket`, `warp`).
//! `--no-cors` runs the same routes without the CORS middleware (no policy is loaded), as
//! the baseline for load runs.

use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;

use cors_core::{PolicyHandle, PolicySource};
use cors_examples::{actix_app, axum_app, metrics_app, rocket_app, warp_app, watch};

const USAGE: &str = "usage: serve [--framework all|axum|actix|rocket|warp] [--policy FILE] \
[--listen HOST:PORT] [--metrics HOST:PORT] [--watch] [--no-cors]
  --framework  one framework on PORT, or all four on PORT..PORT+3 (axum, actix, rocket, warp)
  --policy     a policy file (TOML, or JSON/YAML by extension), routes and named policies
               allowed; CORS_* variables override its default policy (CORS_ALLOW_ORIGINS=a,b)
  --watch      reload the policy file when it changes; an invalid one keeps the old policy
  --metrics    Prometheus text of cors_requests_total{kind,outcome,reason,framework} at
               GET /metrics on this separate listener
  --no-cors    the same routes without the CORS middleware (--policy is not read); a baseline
  RUST_LOG=cors=debug prints one line per rejected CORS request";

type RunFn =
    fn(Option<PolicySource>, SocketAddr) -> Result<(), Box<dyn std::error::Error + Send + Sync>>;

const FRAMEWORKS: [(&str, RunFn); 4] = [
    ("axum", axum_app::run_with),
    ("actix", actix_app::run_with),
    ("rocket", rocket_app::run_with),
    ("warp", warp_app::run_with),
];

struct Args {
    framework: String,
    policy: String,
    listen: String,
    metrics: Option<String>,
    watch: bool,
    no_cors: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        framework: "all".into(),
        policy: concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml").into(),
        listen: "127.0.0.1:3000".into(),
        metrics: None,
        watch: false,
        no_cors: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (flag.clone(), None),
        };
        let slot = match name.as_str() {
            "--framework" => &mut args.framework,
            "--policy" => &mut args.policy,
            "--listen" => &mut args.listen,
            "--metrics" => args.metrics.insert(String::new()),
            "--no-cors" if inline.is_none() => {
                args.no_cors = true;
                continue;
            }
            "--watch" if inline.is_none() => {
                args.watch = true;
                continue;
            }
            "-h" | "--help" => return Err(String::new()),
            _ => return Err(format!("unknown argument {flag:?}")),
        };
        *slot = match inline.or_else(|| it.next()) {
            Some(v) => v,
            None => return Err(format!("{name} needs a value")),
        };
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let mut loaded = None;
    let policy = if args.no_cors {
        eprintln!("CORS is off (--no-cors): the routes answer without CORS headers");
        None
    } else {
        // Loaded from the bytes read once: `--watch` compares with them.
        let (bytes, set) = watch::load(args.policy.as_ref());
        loaded = bytes;
        match set {
            Ok(set) => {
                for (name, p) in set.policies() {
                    if p.config().debug {
                        eprintln!(
                            "warning: {}: {name}: debug = true: refused preflights from allowed \
                             origins are answered with the allowed methods and headers, so that \
                             browsers name the failing check; turn it off in production",
                            args.policy
                        );
                    }
                }
                for w in set.warnings() {
                    eprintln!("warning: {}: {w}", args.policy);
                }
                Some(set)
            }
            Err(e) => {
                // Problems found in the file already name it.
                match e.file() {
                    Some(_) => eprintln!("error: {e}"),
                    None => eprintln!("error: {}: {e}", args.policy),
                }
                return ExitCode::FAILURE;
            }
        }
    };
    let base = match args.listen.to_socket_addrs().map(|mut a| a.next()) {
        Ok(Some(addr)) => addr,
        _ => {
            eprintln!("error: --listen {:?} is not HOST:PORT", args.listen);
            return ExitCode::from(2);
        }
    };
    let metrics = match &args.metrics {
        None => None,
        Some(listen) => match listen.to_socket_addrs().map(|mut a| a.next()) {
            Ok(Some(addr)) => Some(addr),
            _ => {
                eprintln!("error: --metrics {listen:?} is not HOST:PORT");
                return ExitCode::from(2);
            }
        },
    };
    let selected: Vec<(usize, &str, RunFn)> = FRAMEWORKS
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| args.framework == "all" || args.framework == *name)
        .map(|(i, (name, run))| (i, *name, *run))
        .collect();
    if selected.is_empty() {
        eprintln!("error: unknown framework {:?}\n{USAGE}", args.framework);
        return ExitCode::from(2);
    }
    let offset = |i: usize| -> Option<SocketAddr> {
        let port = base
            .port()
            .checked_add(if args.framework == "all" { i as u16 } else { 0 })?;
        Some(SocketAddr::new(base.ip(), port))
    };

    if args.watch && policy.is_none() {
        eprintln!("error: --watch needs a policy (not --no-cors)");
        return ExitCode::from(2);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let mut handles: Vec<(&'static str, PolicyHandle)> = Vec::new();
    if let Some(addr) = metrics {
        let handle = match metrics_app::install() {
            Ok(h) => h,
            Err(e) => {
                eprintln!("error: --metrics: {e}");
                return ExitCode::FAILURE;
            }
        };
        let tx = tx.clone();
        std::thread::spawn(move || {
            let result = metrics_app::run(handle, addr).map_err(|e| e.to_string());
            let _ = tx.send(("metrics", addr, result));
        });
    }
    for (i, name, run) in selected {
        let Some(addr) = offset(i) else {
            eprintln!("error: port {} + {i} is out of range", base.port());
            return ExitCode::from(2);
        };
        // One policy file, shared; each framework's decisions counted under its own label.
        let policy = policy.clone().map(|set| {
            let set = set.with_metrics_label("framework", name);
            set.register_metrics();
            // A handle only with --watch: without, nothing reloads, and a fixed set costs
            // no atomic load per request.
            if !args.watch {
                return PolicySource::from(set);
            }
            let handle = PolicyHandle::new(set);
            handles.push((name, handle.clone()));
            PolicySource::from(handle)
        });
        let tx = tx.clone();
        std::thread::spawn(move || {
            let result = run(policy, addr).map_err(|e| e.to_string());
            let _ = tx.send((name, addr, result));
        });
    }
    if args.watch {
        if let Some((_, first)) = handles.first() {
            first.register_metrics();
        }
        let path = std::path::PathBuf::from(&args.policy);
        let tx = tx.clone();
        std::thread::spawn(move || {
            let result = watch::watch(&path, loaded, |set| {
                // Counted and logged once, for the first framework; the others follow.
                let mut it = handles.iter();
                let Some((name, first)) = it.next() else {
                    return;
                };
                if let Ok(set) = &set {
                    for (name, h) in it {
                        h.replace(set.clone().with_metrics_label("framework", name));
                    }
                }
                // Logged by the handle: every problem, or the reload.
                let _ = first.reload(set.map(|s| s.with_metrics_label("framework", name)));
            })
            .map_err(|e| e.to_string());
            let _ = tx.send(("watch", SocketAddr::from(([0, 0, 0, 0], 0)), result));
        });
    }
    drop(tx);
    // Servers run until killed; any that stops (a bind error, say) stops the whole process.
    match rx.recv() {
        Ok((name, addr, Err(e))) => {
            eprintln!("error: {name} on {addr}: {e}");
            ExitCode::FAILURE
        }
        Ok((name, addr, Ok(()))) => {
            eprintln!("{name} on {addr} stopped");
            ExitCode::SUCCESS
        }
        Err(_) => ExitCode::FAILURE,
    }
}
