//! `cors`: a command-line doctor for CORS.
//!
//! - `cors check POLICY_FILE`: validates a policy file (every problem, with a fix) and
//!   warns about settings that are legal but will not do what their author expects.
//! - `cors explain POLICY_FILE --origin ORIGIN …`: offline, what a browser does with one
//!   `fetch()` against a server running that policy: whether it preflights, what the
//!   policy answers, the browser's verdict at each step, and the smallest fix.
//! - `cors probe URL --origin ORIGIN …`: the same question against a live server: the
//!   real preflight and actual request, redirects followed as browsers follow them.
//! - `cors audit URL [--trusted ORIGIN]…`: the known CORS misconfigurations of a live
//!   server, found with crafted `Origin`s, each with its evidence and fix.
//!
//! Every command takes `--format text|json`. Exit codes: 0 valid, allowed or nothing
//! found; 1 invalid, blocked or findings; 2 usage, I/O or network error.
//!
//! The library runs `probe` and `audit` in process ([`probe`], [`audit`]) and returns the
//! exit code and the JSON document the binary would print, for tests that compare the
//! command's verdict with a real browser's.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod audit;
mod check;
mod explain;
mod http;
mod output;
mod probe;
mod request;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Value as Json, json};

/// A command-line doctor for CORS: check a policy, explain a decision, probe and audit a server.
#[derive(Debug, Parser)]
#[command(name = "cors", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Output format: short text lines, or exactly one JSON document on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    format: Format,
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One line per step, coloured when stdout is a terminal.
    Text,
    /// One JSON document.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a policy file (TOML, JSON or YAML) and warn about surprising settings.
    ///
    /// Exit 0 valid (warnings allowed), 1 invalid, 2 usage or I/O error.
    Check {
        /// The policy file.
        policy_file: PathBuf,
    },
    /// Explain, offline, what a browser does with one request against this policy.
    ///
    /// Exit 0 allowed, 1 blocked, 2 usage error (an invalid policy included).
    Explain(explain::Args),
    /// Send one request to a live server as a browser would and check its real answers.
    ///
    /// Exit 0 allowed, 1 blocked, 2 network or usage error.
    Probe(probe::Args),
    /// Look for the known CORS misconfigurations of a live server with crafted origins.
    ///
    /// Exit 0 nothing found, 1 findings, 2 network or usage error.
    Audit(audit::Args),
}

/// The `cors` binary: parses the process's arguments, runs the command, prints its
/// result, and returns the exit code (clap's own exit for `--help`, `--version` and
/// argument errors).
///
/// ```no_run
/// std::process::exit(i32::from(cors_cli::main()));
/// ```
pub fn main() -> u8 {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { policy_file } => check::run(&policy_file, cli.format),
        Command::Explain(args) => explain::run(&args, cli.format),
        Command::Probe(args) => probe::run(&args, cli.format),
        Command::Audit(args) => audit::run(&args, cli.format),
    }
}

/// `cors probe ARGS --format json`, in process: the exit code (0 allowed, 1 blocked, 2
/// usage or network error) and the JSON document the command prints (`{"error": …}` for
/// exit 2).
///
/// ```
/// let (code, doc) = cors_cli::probe(["ftp://example.com/", "--origin", "https://app.example.com"]);
/// assert_eq!(code, 2);
/// assert!(doc["error"].as_str().unwrap().contains("only http:// and https://"));
/// ```
pub fn probe<I, T>(args: I) -> (u8, Json)
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        args: probe::Args,
    }
    match parse::<Probe, _, _>("probe", args) {
        Err(e) => e,
        Ok(p) => match probe::probe(&p.args) {
            Ok(report) => (report.exit_code(), report.json()),
            Err(message) => error(&message),
        },
    }
}

/// `cors audit ARGS --format json`, in process: the exit code (0 nothing found, 1
/// findings, 2 usage or network error) and the JSON document the command prints
/// (`{"error": …}` for exit 2).
///
/// ```
/// let (code, doc) = cors_cli::audit(["https://api.example.com/", "--trusted", "app.example.com"]);
/// assert_eq!(code, 2);
/// assert!(doc["error"].as_str().unwrap().contains("--trusted"));
/// ```
pub fn audit<I, T>(args: I) -> (u8, Json)
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    #[derive(Parser)]
    struct Audit {
        #[command(flatten)]
        args: audit::Args,
    }
    match parse::<Audit, _, _>("audit", args) {
        Err(e) => e,
        Ok(a) => match audit::audit(&a.args) {
            Ok(report) => (report.exit_code(), report.json()),
            Err(message) => error(&message),
        },
    }
}

fn parse<P: Parser, I, T>(command: &str, args: I) -> Result<P, (u8, Json)>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let all = std::iter::once(OsString::from(format!("cors {command}")))
        .chain(args.into_iter().map(Into::into));
    P::try_parse_from(all).map_err(|e| error(&e.to_string()))
}

fn error(message: &str) -> (u8, Json) {
    (2, json!({ "error": message }))
}
