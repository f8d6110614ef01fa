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

#[library_benchmark]
#[bench::axum_simple_bare(Framework::Axum, Kind::Simple, Variant::Bare)]
#[bench::axum_simple_floor(Framework::Axum, Kind::Simple, Variant::Floor)]
#[bench::axum_simple_ours(Framework::Axum, Kind::Simple, Variant::Ours)]
#[bench::axum_simple_native(Framework::Axum, Kind::Simple, Variant::Native)]
#[bench::axum_preflight_bare(Framework::Axum, Kind::Preflight, Variant::Bare)]
#[bench::axum_preflight_floor(Framework::Axum, Kind::Preflight, Variant::Floor)]
#[bench::axum_preflight_ours(Framework::Axum, Kind::Preflight, Variant::Ours)]
#[bench::axum_preflight_native(Framework::Axum, Kind::Preflight, Variant::Native)]
#[bench::actix_simple_bare(Framework::Actix, Kind::Simple, Variant::Bare)]
#[bench::actix_simple_floor(Framework::Actix, Kind::Simple, Variant::Floor)]
#[bench::actix_simple_ours(Framework::Actix, Kind::Simple, Variant::Ours)]
#[bench::actix_simple_native(Framework::Actix, Kind::Simple, Variant::Native)]
#[bench::actix_preflight_bare(Framework::Actix, Kind::Preflight, Variant::Bare)]
#[bench::actix_preflight_floor(Framework::Actix, Kind::Preflight, Variant::Floor)]
#[bench::actix_preflight_ours(Framework::Actix, Kind::Preflight, Variant::Ours)]
#[bench::actix_preflight_native(Framework::Actix, Kind::Preflight, Variant::Native)]
#[bench::rocket_simple_bare(Framework::Rocket, Kind::Simple, Variant::Bare)]
#[bench::rocket_simple_floor(Framework::Rocket, Kind::Simple, Variant::Floor)]
#[bench::rocket_simple_ours(Framework::Rocket, Kind::Simple, Variant::Ours)]
#[bench::rocket_simple_native(Framework::Rocket, Kind::Simple, Variant::Native)]
#[bench::rocket_preflight_bare(Framework::Rocket, Kind::Preflight, Variant::Bare)]
#[bench::rocket_preflight_floor(Framework::Rocket, Kind::Preflight, Variant::Floor)]
#[bench::rocket_preflight_ours(Framework::Rocket, Kind::Preflight, Variant::Ours)]
#[bench::rocket_preflight_native(Framework::Rocket, Kind::Preflight, Variant::Native)]
#[bench::warp_simple_bare(Framework::Warp, Kind::Simple, Variant::Bare)]
#[bench::warp_simple_floor(Framework::Warp, Kind::Simple, Variant::Floor)]
#[bench::warp_simple_ours(Framework::Warp, Kind::Simple, Variant::Ours)]
#[bench::warp_simple_native(Framework::Warp, Kind::Simple, Variant::Native)]
#[bench::warp_simple_ours_tower(Framework::Warp, Kind::Simple, Variant::OursTower)]
#[bench::warp_preflight_bare(Framework::Warp, Kind::Preflight, Variant::Bare)]
#[bench::warp_preflight_floor(Framework::Warp, Kind::Preflight, Variant::Floor)]
#[bench::warp_preflight_ours(Framework::Warp, Kind::Preflight, Variant::Ours)]
#[bench::warp_preflight_native(Framework::Warp, Kind::Preflight, Variant::Native)]
#[bench::warp_preflight_ours_tower(Framework::Warp, Kind::Preflight, Variant::OursTower)]
#[bench::axum_browser_preflight_floor(Framework::Axum, Kind::BrowserPreflight, Variant::Floor)]
#[bench::axum_browser_preflight_ours(Framework::Axum, Kind::BrowserPreflight, Variant::Ours)]
#[bench::axum_browser_preflight_native(Framework::Axum, Kind::BrowserPreflight, Variant::Native)]
#[bench::actix_browser_preflight_floor(Framework::Actix, Kind::BrowserPreflight, Variant::Floor)]
#[bench::actix_browser_preflight_ours(Framework::Actix, Kind::BrowserPreflight, Variant::Ours)]
#[bench::actix_browser_preflight_native(Framework::Actix, Kind::BrowserPreflight, Variant::Native)]
#[bench::rocket_browser_preflight_floor(Framework::Rocket, Kind::BrowserPreflight, Variant::Floor)]
#[bench::rocket_browser_preflight_ours(Framework::Rocket, Kind::BrowserPreflight, Variant::Ours)]
#[bench::rocket_browser_preflight_native(
    Framework::Rocket,
    Kind::BrowserPreflight,
    Variant::Native
)]
#[bench::warp_browser_preflight_floor(Framework::Warp, Kind::BrowserPreflight, Variant::Floor)]
#[bench::warp_browser_preflight_ours(Framework::Warp, Kind::BrowserPreflight, Variant::Ours)]
#[bench::warp_browser_preflight_native(Framework::Warp, Kind::BrowserPreflight, Variant::Native)]
#[bench::warp_browser_preflight_ours_tower(
    Framework::Warp,
    Kind::BrowserPreflight,
    Variant::OursTower
)]
fn request(f: Framework, k: Kind, v: Variant) -> bool {
    let ran = cors_benches::measure(f, k, v, WARMUP, 1);
    assert!(ran, "no fixture {f}-{}-{}", k.name(), v.name());
    black_box(ran)
}

library_benchmark_group!(name = frameworks, benchmarks = request);

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
