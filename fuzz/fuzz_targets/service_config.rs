//! Whole-service policy files (named policies, routes) and route selection on arbitrary
//! input: never panic; an error always names at least one problem with a non-empty full
//! key; a built set selects a policy (or none) for any path, the same for a path and its
//! spelling with doubled slashes.
//!
//! The first byte picks TOML, JSON or YAML; the text after the first NUL byte (if any) is
//! the path. Run it with `-dict=service_config.dict`.
#![no_main]

use cors_core::{PolicySet, ServiceConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&format, rest)) = data.split_first() else {
        return;
    };
    let (doc, path) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &b"/"[..]),
    };
    let text = String::from_utf8_lossy(doc);
    let path = String::from_utf8_lossy(path);
    let parsed = match format % 3 {
        0 => ServiceConfig::from_toml_str(&text),
        1 => ServiceConfig::from_json_str(&text),
        _ => ServiceConfig::from_yaml_str(&text),
    };
    let built = parsed.and_then(|c| PolicySet::new(&c));
    match built {
        Err(e) => {
            assert!(!e.problems().is_empty());
            for p in e.problems() {
                assert!(!p.full_key().is_empty());
                let _ = p.to_string();
            }
        }
        Ok(set) => {
            let chosen = |p: &str| set.select(p).map(|p| p as *const _);
            let doubled = path.replace('/', "//");
            assert_eq!(chosen(&path), chosen(&doubled), "{path:?}");
            for w in set.warnings() {
                let _ = w.to_string();
            }
        }
    }
});
