//! `cargo run --release -p cors-benches --bin profile -- FRAMEWORK KIND VARIANT [N]`:
//! sends N (default 10000) requests through one framework fixture in a loop, for a
//! profiler, e.g. `valgrind --tool=callgrind` (instruction counts) or
//! `valgrind --tool=dhat` (allocation sites) on `target/release/profile`. The fixture is
//! the benchmarks' own, run by [`cors_benches::measure`] (the loop is `measured`, which
//! callgrind can collect in alone); `core CASE [N]` evaluates a core case
//! (`Policy::evaluate`), `decide CASE [N]` decides it as adapters do (`Policy::decide`);
//! `decide CASE N prometheus` does so with `metrics-exporter-prometheus` installed as the
//! process's recorder (what counting costs with a real recorder: README, Metrics);
//! `axum-router-layer KIND VARIANT [N]` runs axum with `Router::layer` (the README's usage)
//! instead of the layer around the whole `Router` (variants `bare`, `ours`, `native`).
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::process::ExitCode;

use cors_benches::{Framework, Kind, Variant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    if arg(0) == "core" || arg(0) == "decide" {
        let decide = arg(0) == "decide";
        let n = arg(2).parse().unwrap_or(10_000);
        let Some(case) = cors_benches::core_cases()
            .into_iter()
            .find(|c| c.id == arg(1))
        else {
            eprintln!("no core case {:?}", arg(1));
            return ExitCode::FAILURE;
        };
        if arg(3) == "prometheus"
            && let Err(e) = cors_examples::metrics_app::install()
        {
            eprintln!("cannot install the Prometheus recorder: {e}");
            return ExitCode::FAILURE;
        }
        for _ in 0..n {
            black_box(if decide { case.decide() } else { case.run() });
        }
        return ExitCode::SUCCESS;
    }
    if arg(0) == "axum-router-layer" {
        // The allocation report's reference rows: no floor, no criterion group.
        let kind = Kind::EVERY.into_iter().find(|k| k.name() == arg(1));
        let variant = Variant::ALL.into_iter().find(|v| v.name() == arg(2));
        let Some(fixture) = kind
            .zip(variant)
            .and_then(|(k, v)| cors_benches::on_axum::fixture(k, v))
        else {
            eprintln!(
                "usage: profile axum-router-layer simple|preflight|browser-preflight bare|ours|native [N]"
            );
            return ExitCode::FAILURE;
        };
        cors_benches::measured(&fixture, arg(3).parse().unwrap_or(10_000));
        return ExitCode::SUCCESS;
    }
    let framework = Framework::ALL.into_iter().find(|f| f.name() == arg(0));
    let kind = Kind::EVERY.into_iter().find(|k| k.name() == arg(1));
    let variant = Variant::ALL.into_iter().find(|v| v.name() == arg(2));
    let (Some(framework), Some(kind), Some(variant)) = (framework, kind, variant) else {
        eprintln!(
            "usage: profile axum|actix|rocket|warp simple|preflight bare|ours|native [N]\n       profile core|decide CASE [N]"
        );
        return ExitCode::FAILURE;
    };
    let n = arg(3).parse().unwrap_or(10_000);
    if cors_benches::measure(framework, kind, variant, 0, n) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
