//! Route selection: any spelling of a path selects the same route; no input panics.

use cors_core::{PolicySet, ServiceConfig};
use proptest::prelude::*;

const SERVICE: &str = r#"
allow_origins = ["https://a.example"]
[policies.p1]
allow_origins = ["https://p1.example"]
[policies.p2]
allow_origins = ["https://p2.example"]
[policies.p3]
allow_origins = ["https://p3.example"]
[[routes]]
paths = ["/a/*/c", "/b/**"]
policy = "p1"
[[routes]]
paths = ["/**/x.json", "/a/**"]
policy = "p2"
[[routes]]
paths = ["/c", "/d/e"]
policy = "off"
[[routes]]
paths = ["/*"]
policy = "p3"
"#;

/// Which policy (by its only origin) a path selects; "off" where CORS is off.
fn chosen(set: &PolicySet, path: &str) -> String {
    set.select(path)
        .map_or("off".into(), |p| p.config().allow_origins[0].clone())
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("c".to_owned()),
        Just("d".to_owned()),
        Just("e".to_owned()),
        Just("x.json".to_owned()),
        "[a-z]{1,3}",
    ]
}

/// Respellings a browser or a framework treats as the same path.
fn respell(segments: &[String], how: &[u8]) -> String {
    let mut out = String::new();
    for (i, s) in segments.iter().enumerate() {
        let h = how.get(i).copied().unwrap_or(0);
        out.push('/');
        if h & 1 != 0 {
            out.push('/'); // an empty segment
        }
        if h & 2 != 0 {
            out.push_str("./"); // a dot segment
        }
        if h & 4 != 0 {
            out.push_str("zz/%2E%2e/"); // a segment and its removal
        }
        if h & 8 != 0 {
            // Percent-encode the first character.
            let mut chars = s.chars();
            if let Some(c) = chars.next() {
                out.push_str(&format!("%{:02X}", c as u32));
                out.push_str(chars.as_str());
                continue;
            }
        }
        out.push_str(s);
    }
    if how.last().is_some_and(|h| h & 16 != 0) {
        out.push('/');
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_spelling_selects_the_same_route(
        segments in proptest::collection::vec(segment(), 0..6),
        how in proptest::collection::vec(any::<u8>(), 0..7),
    ) {
        let set = PolicySet::from_toml_str(SERVICE).unwrap();
        let plain = format!("/{}", segments.join("/"));
        let spelled = respell(&segments, &how);
        prop_assert_eq!(chosen(&set, &plain), chosen(&set, &spelled), "{} vs {}", plain, spelled);
    }

    #[test]
    fn any_path_and_any_pattern_never_panic(path in any::<String>(), patterns in proptest::collection::vec(any::<String>(), 0..4), name in any::<String>()) {
        let mut config = ServiceConfig::from_toml_str("allow_origins = [\"https://a.example\"]").unwrap();
        config.policies.insert(name.clone(), config.default.clone());
        config.routes.push(cors_core::RouteConfig { paths: patterns, policy: name });
        if let Ok(set) = PolicySet::new(&config) {
            let _ = set.select(&path);
            let _ = set.warnings();
        }
        let set = PolicySet::from_toml_str(SERVICE).unwrap();
        let _ = set.select(&path);
    }
}

#[test]
fn the_table_picks_in_file_order() {
    let set = PolicySet::from_toml_str(SERVICE).unwrap();
    for (path, want) in [
        ("/a/b/c", "https://p1.example"),
        ("/b", "https://p1.example"),
        ("/b/x.json", "https://p1.example"),
        ("/q/x.json", "https://p2.example"),
        ("/a/b", "https://p2.example"),
        ("/c", "off"),
        ("/d/e", "off"),
        ("/d", "https://p3.example"),
        ("/d/f", "https://a.example"),
        ("/", "https://a.example"),
    ] {
        assert_eq!(chosen(&set, path), want, "{path}");
    }
}
