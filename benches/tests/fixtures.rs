//! Every framework fixture answers what the benchmarks claim to measure, so that no bench
//! silently times an error: simple requests are 200 with our CORS headers on `floor`,
//! `ours`, `native` (and warp's `ours-tower`); preflights are 204 from our adapters and
//! the floors, whatever status the native crate answers (pinned below) with its CORS
//! headers, and 404/405 from the bare apps. The floor writes exactly our adapter's header
//! lines, so that it cannot drift from what it is the floor of.

use cors_benches::{Fixture, Framework, Kind, Probe, Variant, Visitor, visit};

/// The status each native crate answers an allowed preflight with.
fn native_preflight_status(f: Framework) -> u16 {
    match f {
        // tower-http, actix-cors and warp::cors answer 200 OK; rocket_cors 204 No Content.
        Framework::Axum | Framework::Actix | Framework::Warp => 200,
        Framework::Rocket => 204,
    }
}

struct Check {
    seen: Vec<(Variant, Probe)>,
}

impl Visitor for Check {
    fn visit<F: Fixture>(&mut self, variant: Variant, fixture: F) {
        let probe = fixture.probe();
        // `send` agrees with `probe` (same app, same request).
        assert_eq!(fixture.send(fixture.request()), probe.status);
        self.seen.push((variant, probe));
    }
}

fn probes(framework: Framework, kind: Kind) -> Vec<(Variant, Probe)> {
    let mut check = Check { seen: Vec::new() };
    visit(framework, kind, &mut check);
    check.seen
}

/// Every framework and kind: its id (`axum-simple`) and the probes of all its variants.
fn groups() -> impl Iterator<Item = (Framework, Kind, String, Vec<(Variant, Probe)>)> {
    Framework::ALL.into_iter().flat_map(|framework| {
        Kind::EVERY.into_iter().map(move |kind| {
            (
                framework,
                kind,
                format!("{framework}-{kind}"),
                probes(framework, kind),
            )
        })
    })
}

fn probe_of(seen: &[(Variant, Probe)], v: Variant) -> &Probe {
    &seen
        .iter()
        .find(|(w, _)| *w == v)
        .unwrap_or_else(|| panic!("no {v} fixture"))
        .1
}

#[test]
fn every_fixture_answers_as_expected() {
    for (framework, kind, id, seen) in groups() {
        let variants: Vec<Variant> = seen.iter().map(|(v, _)| *v).collect();
        assert_eq!(variants, framework.variants(), "{id}");
        for (variant, probe) in seen {
            eprintln!("{id}/{variant}: {probe:?}");
            let cors = variant != Variant::Bare;
            match (kind, variant) {
                (Kind::Simple, _) => assert_eq!(probe.status, 200, "{id}/{variant}"),
                (_, Variant::Bare) => assert!(
                    matches!(probe.status, 404 | 405),
                    "{id}/{variant}: {}",
                    probe.status
                ),
                (_, Variant::Native) => assert_eq!(
                    probe.status,
                    native_preflight_status(framework),
                    "{id}/{variant}"
                ),
                (_, _) => {
                    assert_eq!(
                        probe.status,
                        cors_benches::PREFLIGHT_STATUS,
                        "{id}/{variant}"
                    )
                }
            }
            let origin = probe.allow_origin.as_deref();
            if cors {
                assert_eq!(origin, Some(cors_benches::ORIGIN), "{id}/{variant}");
            } else {
                assert_eq!(origin, None, "{id}/{variant}");
            }
            if cors && kind.is_preflight() {
                let headers = probe.allow_headers.unwrap_or_default().to_lowercase();
                assert!(
                    headers.contains(cors_benches::PREFLIGHT_HEADER),
                    "{id}/{variant}: allow-headers {headers:?}"
                );
            }
        }
    }
}

/// The floor writes exactly what ours writes: the same status and the same header lines
/// (all of them, not only the CORS ones), and the lines it adds over the bare app are
/// the ones `cors_benches::floor_lines` names.
#[test]
fn the_floor_writes_exactly_our_header_lines() {
    for (framework, kind, id, seen) in groups() {
        let floor = probe_of(&seen, Variant::Floor);
        let ours = probe_of(&seen, Variant::Ours);
        assert_eq!(floor.status, ours.status, "{id}");
        assert_eq!(floor.headers, ours.headers, "{id}: floor vs ours");
        // The CORS lines and Vary, in the order our adapter writes them.
        let cors: Vec<(&str, &str)> = ours
            .headers
            .iter()
            .filter(|(n, _)| is_cors_line(n))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let mut want = cors_benches::floor_lines(kind).to_vec();
        want.sort_by(|a, b| a.0.cmp(b.0));
        assert_eq!(cors, want, "{id}: our CORS lines vs floor_lines");
        if framework == Framework::Warp {
            // The tower path writes the same lines as the filter wrapper.
            let tower = probe_of(&seen, Variant::OursTower);
            assert_eq!(tower.status, ours.status, "{id}");
            assert_eq!(tower.headers, ours.headers, "{id}: ours-tower vs ours");
        }
    }
}

#[test]
fn measure_runs_the_variants_each_framework_has_and_no_other() {
    // `benches/instructions.rs` measures through `measure`; a variant it cannot build
    // must not pass as measured.
    for f in Framework::ALL {
        for v in Variant::ALL {
            let has = f.variants().contains(&v);
            assert_eq!(
                cors_benches::measure(f, Kind::Simple, v, 1, 1),
                has,
                "{f}-simple-{}",
                v.name()
            );
        }
    }
}

#[test]
fn core_cases_decide_as_they_evaluate() {
    // `profile decide CASE` measures `Policy::decide` (the adapters' call, with its
    // recorded decisions for allowed requests) on the cases `core CASE` evaluates: both
    // must decide alike, or the two counts would compare different work.
    for case in cors_benches::core_cases() {
        let mut req = cors_core::CorsRequest::new(case.method.as_bytes());
        for (n, v) in &case.headers {
            req.push_header(n.as_bytes(), v);
        }
        let policy = match &case.routes {
            None => Some(case.policy.clone()),
            Some((handle, path)) => handle.load().select(path).cloned(),
        };
        let expected = policy.map_or(0, |p| {
            let d = p.evaluate(&req);
            d.headers().len() + usize::from(d.action() == cors_core::Action::Forward)
        });
        assert_eq!(case.decide(), expected, "{}", case.id);
    }
}

/// Whether a probe's (lower-case) header name is one CORS writes: `Access-Control-*` or
/// `Vary`.
fn is_cors_line(name: &str) -> bool {
    name.starts_with("access-control-") || name == "vary"
}

/// The CORS header names of a probe, sorted, once each.
fn cors_names(p: &Probe) -> Vec<&str> {
    let mut names: Vec<&str> = p
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| is_cors_line(n))
        .collect();
    names.dedup();
    names
}

/// What each native crate writes beside our lines (pinned, so that `native − floor` in
/// BENCHMARKS.md is read against the right lines): tower-http, rocket_cors and
/// `warp::cors()` write no `Vary` although their `Access-Control-Allow-Origin` echoes
/// the request's origin (a shared cache may then answer another origin with it), and
/// `warp::cors()` adds `Access-Control-Expose-Headers` to its preflight answer, where it
/// means nothing. actix-cors writes the same names as ours.
#[test]
fn native_crates_write_these_cors_lines_beside_ours() {
    for (framework, kind, id, seen) in groups() {
        let ours = cors_names(probe_of(&seen, Variant::Ours));
        let native = cors_names(probe_of(&seen, Variant::Native));
        let only_ours: Vec<&str> = ours
            .iter()
            .copied()
            .filter(|n| !native.contains(n))
            .collect();
        let only_native: Vec<&str> = native
            .iter()
            .copied()
            .filter(|n| !ours.contains(n))
            .collect();
        let (want_ours, want_native): (&[&str], &[&str]) = match (framework, kind) {
            (Framework::Actix, _) => (&[], &[]),
            (Framework::Axum | Framework::Rocket, _) | (Framework::Warp, Kind::Simple) => {
                (&["vary"], &[])
            }
            (Framework::Warp, _) => (&["vary"], &["access-control-expose-headers"]),
        };
        assert_eq!(only_ours, want_ours, "{id}: lines native does not write");
        assert_eq!(only_native, want_native, "{id}: lines ours does not write");
    }
}
