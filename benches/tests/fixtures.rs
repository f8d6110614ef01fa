//! Every framework fixture answers what the benchmarks claim to measure, so that no bench
//! silently times an error: simple requests are 200 with our CORS headers on `ours` and
//! `native`; preflights are 204 from our adapters, whatever status the native crate
//! answers (pinned below) with its CORS headers, and 404/405 from the bare apps.

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
    framework: Framework,
    kind: Kind,
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

#[test]
fn every_fixture_answers_as_expected() {
    for framework in Framework::ALL {
        for kind in Kind::ALL {
            let mut check = Check {
                framework,
                kind,
                seen: Vec::new(),
            };
            visit(framework, kind, &mut check);
            let Check { seen, .. } = check;
            let id = format!("{}-{}", check.framework, check.kind);
            assert_eq!(seen.len(), 3, "{id}");
            for (variant, probe) in seen {
                eprintln!("{id}/{variant}: {probe:?}");
                let cors = variant != Variant::Bare;
                match (kind, variant) {
                    (Kind::Simple, _) => assert_eq!(probe.status, 200, "{id}/{variant}"),
                    (Kind::Preflight, Variant::Bare) => assert!(
                        matches!(probe.status, 404 | 405),
                        "{id}/{variant}: {}",
                        probe.status
                    ),
                    (Kind::Preflight, Variant::Ours) => {
                        assert_eq!(probe.status, 204, "{id}/{variant}")
                    }
                    (Kind::Preflight, Variant::Native) => assert_eq!(
                        probe.status,
                        native_preflight_status(framework),
                        "{id}/{variant}"
                    ),
                }
                let origin = probe.allow_origin.as_deref();
                if cors {
                    assert_eq!(origin, Some(cors_benches::ORIGIN), "{id}/{variant}");
                } else {
                    assert_eq!(origin, None, "{id}/{variant}");
                }
                if cors && kind == Kind::Preflight {
                    let headers = probe.allow_headers.unwrap_or_default().to_lowercase();
                    assert!(
                        headers.contains(cors_benches::PREFLIGHT_HEADER),
                        "{id}/{variant}: allow-headers {headers:?}"
                    );
                }
            }
        }
    }
}
