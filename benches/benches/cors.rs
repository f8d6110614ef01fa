//! `cargo bench -p cors-benches`: `core/*` measures `Policy::evaluate` alone; the
//! framework groups `F-K` measure a request through the bare app, through our adapter and
//! through the framework's own CORS crate, in one run.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn core(c: &mut Criterion) {
    let mut group = c.benchmark_group("core");
    for case in cors_benches::core_cases() {
        group.bench_function(case.id, |b| b.iter(|| black_box(case.run())));
    }
    group.finish();
}

criterion_group!(benches, core);
criterion_main!(benches);
