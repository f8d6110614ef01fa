//! `cargo bench -p cors-benches --bench instructions`: instruction counts per request
//! (gungraun, callgrind underneath) for every framework fixture, with regressions flagged
//! against the previous run or a saved baseline:
//!
//! ```sh
//! cargo bench -p cors-benches --bench instructions -- --save-baseline=before   # old commit
//! cargo bench -p cors-benches --bench instructions -- --baseline=before        # new commit
//! ```
//!
//! A fixture's count is one request (built and sent) after 100 warm-up requests:
//! callgrind collects only inside [`cors_benches::measured`], so building the app and
//! warming it up are not counted. More than +3 % instructions (the workspace's rule for
//! the plain request path) is reported as a regression and fails the run.
//!
//! Needs valgrind and `gungraun-runner` at the `gungraun` version in Cargo.lock
//! (`cargo install gungraun-runner --version 0.17.2`). `benches/callgrind.sh` prints the
//! floor tables (averages over 2 000 requests, medians of five runs).

use std::hint::black_box;

use cors_benches::{Framework, Kind, Variant};
use gungraun::{
    Callgrind, EntryPoint, EventKind, LibraryBenchmarkConfig, library_benchmark,
    library_benchmark_group, main,
};

/// Warm-up requests before the measured one: lazily built state (answer templates,
/// runtime and allocator caches) is in place by then.
const WARMUP: usize = 100;

fn one(f: Framework, k: Kind, v: Variant) -> bool {
    let ran = cors_benches::measure(f, k, v, WARMUP, 1);
    assert!(ran, "no fixture {f}-{}-{}", k.name(), v.name());
    ran
}

#[library_benchmark]
#[bench::simple_bare(Kind::Simple, Variant::Bare)]
#[bench::simple_floor(Kind::Simple, Variant::Floor)]
#[bench::simple_ours(Kind::Simple, Variant::Ours)]
#[bench::simple_native(Kind::Simple, Variant::Native)]
#[bench::preflight_bare(Kind::Preflight, Variant::Bare)]
#[bench::preflight_floor(Kind::Preflight, Variant::Floor)]
#[bench::preflight_ours(Kind::Preflight, Variant::Ours)]
#[bench::preflight_native(Kind::Preflight, Variant::Native)]
fn axum(k: Kind, v: Variant) -> bool {
    black_box(one(Framework::Axum, k, v))
}

#[library_benchmark]
#[bench::simple_bare(Kind::Simple, Variant::Bare)]
#[bench::simple_floor(Kind::Simple, Variant::Floor)]
#[bench::simple_ours(Kind::Simple, Variant::Ours)]
#[bench::simple_native(Kind::Simple, Variant::Native)]
#[bench::preflight_bare(Kind::Preflight, Variant::Bare)]
#[bench::preflight_floor(Kind::Preflight, Variant::Floor)]
#[bench::preflight_ours(Kind::Preflight, Variant::Ours)]
#[bench::preflight_native(Kind::Preflight, Variant::Native)]
fn actix(k: Kind, v: Variant) -> bool {
    black_box(one(Framework::Actix, k, v))
}

#[library_benchmark]
#[bench::simple_bare(Kind::Simple, Variant::Bare)]
#[bench::simple_floor(Kind::Simple, Variant::Floor)]
#[bench::simple_ours(Kind::Simple, Variant::Ours)]
#[bench::simple_native(Kind::Simple, Variant::Native)]
#[bench::preflight_bare(Kind::Preflight, Variant::Bare)]
#[bench::preflight_floor(Kind::Preflight, Variant::Floor)]
#[bench::preflight_ours(Kind::Preflight, Variant::Ours)]
#[bench::preflight_native(Kind::Preflight, Variant::Native)]
fn rocket(k: Kind, v: Variant) -> bool {
    black_box(one(Framework::Rocket, k, v))
}

#[library_benchmark]
#[bench::simple_bare(Kind::Simple, Variant::Bare)]
#[bench::simple_floor(Kind::Simple, Variant::Floor)]
#[bench::simple_ours(Kind::Simple, Variant::Ours)]
#[bench::simple_native(Kind::Simple, Variant::Native)]
#[bench::simple_ours_tower(Kind::Simple, Variant::OursTower)]
#[bench::preflight_bare(Kind::Preflight, Variant::Bare)]
#[bench::preflight_floor(Kind::Preflight, Variant::Floor)]
#[bench::preflight_ours(Kind::Preflight, Variant::Ours)]
#[bench::preflight_native(Kind::Preflight, Variant::Native)]
#[bench::preflight_ours_tower(Kind::Preflight, Variant::OursTower)]
fn warp(k: Kind, v: Variant) -> bool {
    black_box(one(Framework::Warp, k, v))
}

library_benchmark_group!(name = frameworks, benchmarks = [axum, actix, rocket, warp]);

main!(
    config = LibraryBenchmarkConfig::default().tool(
        Callgrind::default()
            .entry_point(EntryPoint::Custom(
                "*cors_benches::fixture::measured*".to_owned()
            ))
            .soft_limits([(EventKind::Ir, 3.0)])
    );
    library_benchmark_groups = frameworks
);
