//! `cargo bench -p cors-benches`: `core/*` measures `Policy::evaluate` alone; the
//! framework groups `F-K` measure one request through the bare app, through our adapter
//! and through the framework's own CORS crate, in one run.
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

criterion_group!(benches, core, frameworks);
criterion_main!(benches);
