//! What every test of the `cors` binary needs: running it as a user runs it.

use std::process::{Command, Output};

use serde_json::Value;

/// Runs the built `cors` with `args`, without colours and without any proxy from the
/// environment (the tests' servers are on loopback).
pub fn cors(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .unwrap()
}

/// `cors COMMAND --format json ARGS…`: its exit code and its one JSON document.
#[allow(dead_code)] // Not every test file runs a JSON command this way.
pub fn cors_json(command: &str, args: &[&str]) -> (i32, Value) {
    let mut all = vec![command, "--format", "json"];
    all.extend_from_slice(args);
    let out = cors(&all);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), json)
}
