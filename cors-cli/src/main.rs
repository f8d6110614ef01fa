//! `cors`: a command-line doctor for CORS (see the `cors_cli` library for the commands).
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(cors_cli::main())
}
