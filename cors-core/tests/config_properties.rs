//! Property tests for configuration: arbitrary Unicode in every key of a policy (built
//! directly and through the builder) and arbitrary bytes through every loader give `Ok` or
//! a `PolicyError` naming at least one problem, never a panic.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cors_core::{Key, Policy, PolicyConfig, PolicyError, ProblemKind};
use proptest::prelude::*;

/// Pieces that reach the validator's corners: multibyte, combining, right-to-left, emoji,
/// NUL, byte order mark, and the syntax of origins, patterns and header names.
const PIECES: &[&str] = &[
    "пример.рф",
    "abcdé",
    "é",
    "e\u{301}",
    "\u{301}",
    "\u{202e}",
    "\u{200f}",
    "אב",
    "العربية",
    "🦀",
    "👩\u{200d}💻",
    "\0",
    "\u{feff}",
    "\u{a0}",
    "ﬁ",
    "ß",
    "İ",
    "\u{ff0e}",
    "\u{3002}",
    "\u{10ffff}",
    "file:",
    "FILE:",
    "null",
    "*",
    "https://",
    "http://",
    "://",
    "*.",
    ":*",
    ":443",
    ":8080",
    "xn--",
    "xn--f",
    "xn--bcher-kva",
    "localhost",
    "localhost.",
    "127.0.0.1",
    "[::1]",
    ".",
    "/",
    "example.com",
    "pr-*",
    "access-control-",
    "set-cookie",
    "origin",
    "x-a",
    ",",
    " ",
    "TRACE",
];

/// Arbitrary Unicode: any string, or a mix of the pieces above and arbitrary characters.
fn unicode() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(
            prop_oneof![
                prop::sample::select(PIECES).prop_map(str::to_owned),
                any::<char>().prop_map(String::from),
                "[a-z0-9.-]{1,8}",
            ],
            0..8,
        )
        .prop_map(|parts| parts.concat()),
    ]
}

fn strings() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(unicode(), 0..4)
}

/// A configuration with arbitrary strings in every list key and arbitrary scalars.
fn config(max_age: impl Strategy<Value = u64>) -> impl Strategy<Value = PolicyConfig> {
    (
        (strings(), strings(), strings(), strings()),
        (
            any::<bool>(),
            prop::option::of(max_age),
            any::<bool>(),
            any::<u16>(),
            any::<bool>(),
            any::<bool>(),
            (
                prop::sample::select(&cors_core::LogLevel::ALL[..]),
                any::<bool>(),
                prop::sample::select(&cors_core::CsrfProtection::ALL[..]),
                any::<bool>(),
            ),
        ),
    )
        .prop_map(
            |(
                (o, m, h, e),
                (c, age, pn, status, cont, insecure, (log_level, debug, csrf, websocket)),
            )| {
                PolicyConfig {
                    allow_origins: o,
                    allow_methods: m,
                    allow_headers: h,
                    expose_headers: e,
                    allow_credentials: c,
                    max_age: age,
                    allow_private_network: pn,
                    preflight_status: status,
                    preflight_continue: cont,
                    dangerously_allow_insecure_origins: insecure,
                    log_level,
                    debug,
                    csrf_protection: csrf,
                    websocket_origin_check: websocket,
                }
            },
        )
}

fn via_builder(c: &PolicyConfig) -> Result<Policy, PolicyError> {
    let mut b = Policy::builder()
        .allow_origins(c.allow_origins.iter().cloned())
        .allow_methods(c.allow_methods.iter().cloned())
        .allow_headers(c.allow_headers.iter().cloned())
        .expose_headers(c.expose_headers.iter().cloned())
        .allow_credentials(c.allow_credentials)
        .allow_private_network(c.allow_private_network)
        .preflight_status(c.preflight_status)
        .preflight_continue(c.preflight_continue)
        .dangerously_allow_insecure_origins(c.dangerously_allow_insecure_origins)
        .log_level(c.log_level)
        .debug(c.debug)
        .csrf_protection(c.csrf_protection)
        .websocket_origin_check(c.websocket_origin_check);
    if let Some(m) = c.max_age {
        b = b.max_age(Duration::from_secs(m));
    }
    b.build()
}

/// An error names at least one problem and shows every one of them.
fn refused(e: &PolicyError) -> Result<(), TestCaseError> {
    prop_assert!(!e.problems().is_empty());
    let shown = e.to_string();
    prop_assert!(shown.starts_with("invalid CORS policy ("));
    prop_assert_eq!(shown.lines().count(), e.problems().len() + 1);
    Ok(())
}

/// A problem of a value names it, and a problem names the key the value is in.
fn values_are_where_they_say(c: &PolicyConfig, e: &PolicyError) -> Result<(), TestCaseError> {
    for p in e.problems() {
        let Some(v) = p.value() else { continue };
        let list = match p.key() {
            Key::AllowOrigins => &c.allow_origins,
            Key::AllowMethods => &c.allow_methods,
            Key::AllowHeaders => &c.allow_headers,
            Key::ExposeHeaders => &c.expose_headers,
            _ => continue,
        };
        prop_assert!(list.iter().any(|s| s == v), "{:?} not in {:?}", v, p.key());
    }
    Ok(())
}

fn loaded(r: Result<PolicyConfig, PolicyError>) -> Result<(), TestCaseError> {
    match r {
        Err(e) => refused(&e),
        Ok(c) => match Policy::new(&c) {
            Err(e) => refused(&e),
            Ok(p) => {
                prop_assert_eq!(p.config(), &c);
                Ok(())
            }
        },
    }
}

static FILES: AtomicUsize = AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn unicode_in_every_key_is_a_policy_or_problems(c in config(any::<u64>())) {
        let direct = Policy::new(&c);
        let built = via_builder(&c);
        match (&direct, &built) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.config(), &c);
                prop_assert_eq!(b.config(), &c);
            }
            (Err(a), Err(b)) => {
                refused(a)?;
                values_are_where_they_say(&c, a)?;
                // The builder speaks the policy file's vocabulary: the same problems.
                prop_assert_eq!(a.problems(), b.problems());
            }
            _ => prop_assert!(false, "Policy::new and the builder disagree on {:?}", c),
        }
    }

    #[test]
    fn unicode_values_survive_every_format(c in config(0u64..=i64::MAX as u64)) {
        // What a program writes in any of the three formats loads back unchanged.
        let toml = toml::to_string(&c).unwrap();
        prop_assert_eq!(&PolicyConfig::from_toml_str(&toml).unwrap(), &c, "{}", toml);
        let json = serde_json::to_string(&c).unwrap();
        prop_assert_eq!(&PolicyConfig::from_json_str(&json).unwrap(), &c, "{}", json);
        let yaml = serde_yaml_ng::to_string(&c).unwrap();
        prop_assert_eq!(&PolicyConfig::from_yaml_str(&yaml).unwrap(), &c, "{}", yaml);
        loaded(Ok(c))?;
    }

    #[test]
    fn arbitrary_bytes_through_every_loader(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            unicode().prop_map(String::into_bytes),
            // Documents that are nearly right, with Unicode where values go.
            (unicode(), unicode()).prop_map(|(a, b)| {
                format!("allow_origins = [{a:?}]\nexpose_headers = [{b:?}]\n").into_bytes()
            }),
            (unicode(), unicode()).prop_map(|(a, b)| {
                format!("{{\"allow_origins\": [\"{a}\"], \"{b}\": 1}}").into_bytes()
            }),
            (unicode(), unicode()).prop_map(|(a, b)| {
                format!("allow_origins:\n  - {a}\n{b}: [x]\n").into_bytes()
            }),
        ],
    ) {
        let text = String::from_utf8_lossy(&bytes);
        loaded(PolicyConfig::from_toml_str(&text))?;
        loaded(PolicyConfig::from_json_str(&text))?;
        loaded(PolicyConfig::from_yaml_str(&text))?;
        // The same bytes, unchanged, as a file of each kind.
        let dir = std::env::temp_dir().join(format!("cors-core-config-properties-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let n = FILES.fetch_add(1, Ordering::Relaxed);
        for ext in ["toml", "json", "yaml", "yml", "txt"] {
            let path = dir.join(format!("{n}.{ext}"));
            std::fs::write(&path, &bytes).unwrap();
            let r = PolicyConfig::from_file(&path);
            std::fs::remove_file(&path).unwrap();
            if let Err(e) = &r {
                prop_assert_eq!(e.file(), Some(path.as_path()));
                if std::str::from_utf8(&bytes).is_err() {
                    let unreadable = matches!(
                        e.problems(),
                        [p] if matches!(p.kind(), ProblemKind::Unreadable { error: std::io::ErrorKind::InvalidData, .. })
                    );
                    prop_assert!(unreadable, "{}", e);
                }
            }
            loaded(r)?;
        }
    }
}
