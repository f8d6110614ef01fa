//! `cors`: a command-line doctor for CORS.
//!
//! - `cors check POLICY_FILE`: validates a policy file (every problem, with a fix) and
//!   warns about settings that are legal but will not do what their author expects.
//! - `cors explain POLICY_FILE --origin ORIGIN …`: offline, what a browser does with one
//!   `fetch()` against a server running that policy: whether it preflights, what the
//!   policy answers, the browser's verdict at each step, and the smallest fix.
//! - `cors probe URL --origin ORIGIN …`: the same question against a live server: the
//!   real preflight and actual request, redirects followed as browsers follow them.
//!
//! Every command takes `--format text|json`. Exit codes: 0 valid or allowed, 1 invalid or
//! blocked, 2 usage, I/O or network error.
#![forbid(unsafe_code)]

mod check;
mod explain;
mod output;
mod probe;
mod request;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// A command-line doctor for CORS: check a policy file, explain what a browser does.
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
pub(crate) enum Format {
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check { policy_file } => check::run(&policy_file, cli.format),
        Command::Explain(args) => explain::run(&args, cli.format),
        Command::Probe(args) => probe::run(&args, cli.format),
    };
    ExitCode::from(code)
}
