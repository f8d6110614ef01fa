//! `cargo bench -p cors-benches`: `core/*` measures `Policy::evaluate` alone; the
//! framework groups `F-K` measure one request through the bare app, through our adapter
//! and through the framework's own CORS crate, in one run; `threads/*` one `http` 1.x
//! decision and write on one thread, and on two sharing a policy or with one each;
//! `config/*` building a whole-service set of many routes.
//!
//! Every app is built once, outside the timed loop; each request is built in criterion's
//! batch setup (untimed), and only sending it through the app and dropping the response
//! is timed, on the fixture's current-thread runtime (actix: its own system).

use cors_benches::{Fixture, Framework, Kind, Variant, Visitor};
use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn core(c: &mut Criterion) {
    let mut group = c.benchmark_group("core");
    for case in cors_benches::core_cases() {
        group.bench_function(case.id, |b| b.iter(|| black_box(case.run())));
    }
    group.finish();
}

/// Benches each variant of one `F-K` group as the function named after the variant.
struct Bench<'g, 'c>(&'g mut BenchmarkGroup<'c, WallTime>);

impl Visitor for Bench<'_, '_> {
    fn visit<F: Fixture>(&mut self, variant: Variant, fixture: F) {
        self.0.bench_function(variant.name(), |b| {
            b.iter_batched(
                || fixture.request(),
                |req| fixture.send(req),
                BatchSize::SmallInput,
            )
        });
    }
}

fn frameworks(c: &mut Criterion) {
    for framework in Framework::ALL {
        for kind in Kind::ALL {
            let mut group = c.benchmark_group(format!("{framework}-{kind}"));
            cors_benches::visit(framework, kind, &mut Bench(&mut group));
            group.finish();
        }
    }
}

/// What `cors-axum` does per request on `http` 1.x (decide, then write onto a response),
/// one decision per thread and iteration: on one thread, on two threads sharing one
/// policy (as a server's workers do) and on two threads with a policy each. With nothing
/// shared written per decision the two-thread cases take as long as each other
/// (BENCHMARKS.md, eighth round: shared reference counts once made sharing 60–80 %
/// slower); how much slower two threads are than one is the machine's.
fn threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("threads");
    for (id, policies) in [
        ("decide-write-1", vec![cors_benches::policy()]),
        ("decide-write-2-shared", vec![cors_benches::policy(); 2]),
        (
            "decide-write-2-own",
            vec![cors_benches::policy(), cors_benches::policy()],
        ),
    ] {
        group.bench_function(id, |b| {
            b.iter_custom(|iters| {
                let start = std::time::Instant::now();
                std::thread::scope(|s| {
                    for policy in &policies {
                        s.spawn(move || decide_write(policy, iters));
                    }
                });
                start.elapsed()
            })
        });
    }
    group.finish();
}

/// `iters` simple requests decided and written, on this thread.
fn decide_write(policy: &cors_core::Policy, iters: u64) {
    let req = http::Request::get(cors_benches::PATH)
        .header(http::header::ORIGIN, cors_benches::ORIGIN)
        .body(())
        .expect("request");
    for _ in 0..iters {
        let pending = cors_core::http1::PendingHeaders::decide(policy, req.method(), req.headers());
        let mut res = http::Response::new(());
        pending.write_to(res.headers_mut());
        black_box(res);
    }
}

/// Building a whole-service set of many routes (configuration time: a reload's cost):
/// `config/routes-N`, N routes in three shapes (`/api/vI/**` and `/api/*/itemsI` under
/// one first segment, `/sI/*/items` under their own), each policy checked and each route
/// checked for being shadowed by an earlier one. Grows about linearly (comparing every
/// pair of routes took 27 s for 3 000 routes under `/api` before the shadow check
/// indexed the routes by their literal first and last segments).
fn config(c: &mut Criterion) {
    let mut group = c.benchmark_group("config");
    group.sample_size(10);
    for n in [100, 1_000, 3_000] {
        let mut config =
            cors_core::ServiceConfig::from_toml_str("allow_origins = [\"https://a.example\"]")
                .expect("config");
        config.routes = (0..n)
            .map(|i| cors_core::RouteConfig {
                paths: vec![match i % 3 {
                    0 => format!("/api/v{i}/**"),
                    1 => format!("/api/*/items{i}"),
                    _ => format!("/s{i}/*/items"),
                }],
                policy: "default".into(),
            })
            .collect();
        group.bench_function(format!("routes-{n}"), |b| {
            b.iter(|| black_box(cors_core::PolicySet::new(&config).expect("set")))
        });
    }
    group.finish();
}

criterion_group!(benches, core, frameworks, threads, config);
criterion_main!(benches);
