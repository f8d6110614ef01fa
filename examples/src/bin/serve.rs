//! `serve`: the example routes on axum, actix-web, rocket and warp, all from one policy file.
//!
//! ```text
//! cargo run --release -p cors-examples --bin serve -- \
//!     [--framework all|axum|actix|rocket|warp] [--policy FILE] [--listen HOST:PORT] \
//!     [--metrics HOST:PORT] [--no-cors]
//! ```
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

use cors_core::Policy;
use cors_examples::{actix_app, axum_app, metrics_app, rocket_app, warp_app};

const USAGE: &str = "usage: serve [--framework all|axum|actix|rocket|warp] [--policy FILE] \
[--listen HOST:PORT] [--metrics HOST:PORT] [--no-cors]
  --framework  one framework on PORT, or all four on PORT..PORT+3 (axum, actix, rocket, warp)
  --metrics    Prometheus text of cors_requests_total{kind,outcome,reason,framework} at
               GET /metrics on this separate listener
  --no-cors    the same routes without the CORS middleware (--policy is not read); a baseline
  RUST_LOG=cors=debug prints one line per rejected CORS request";

type RunFn = fn(Option<Policy>, SocketAddr) -> Result<(), Box<dyn std::error::Error + Send + Sync>>;

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
    no_cors: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        framework: "all".into(),
        policy: concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml").into(),
        listen: "127.0.0.1:3000".into(),
        metrics: None,
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

    let policy = if args.no_cors {
        eprintln!("CORS is off (--no-cors): the routes answer without CORS headers");
        None
    } else {
        match Policy::from_file(&args.policy) {
            Ok(p) => {
                if p.config().debug {
                    eprintln!(
                        "warning: {}: debug = true: refused preflights from allowed origins are \
                         answered with the allowed methods and headers, so that browsers name \
                         the failing check; turn it off in production",
                        args.policy
                    );
                }
                Some(p)
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

    let (tx, rx) = std::sync::mpsc::channel();
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
        // One policy, shared; each framework's decisions counted under its own label.
        let policy = policy
            .clone()
            .map(|p| p.with_metrics_label("framework", name));
        if let Some(p) = &policy {
            p.register_metrics();
        }
        let tx = tx.clone();
        std::thread::spawn(move || {
            let result = run(policy, addr).map_err(|e| e.to_string());
            let _ = tx.send((name, addr, result));
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
