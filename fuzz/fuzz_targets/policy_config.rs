//! The policy loaders and the validator on arbitrary input: never panic; an error always
//! names at least one problem, and a built policy keeps the rules every policy keeps.
//!
//! The first byte picks the route: TOML, JSON or YAML text (any bytes, UTF-8 or not), or a
//! structure-aware `PolicyConfig` whose every key gets arbitrary Unicode strings (built
//! directly with `Policy::new` and through `Policy::builder`). Run it with
//! `-dict=policy_config.dict` so that keys and multibyte values come up early.
#![no_main]

use cors_core::{Policy, PolicyConfig, PolicyError};
use libfuzzer_sys::arbitrary::{self, Unstructured};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&route, rest)) = data.split_first() else {
        return;
    };
    match route % 4 {
        0 => load(rest, PolicyConfig::from_toml_str),
        1 => load(rest, PolicyConfig::from_json_str),
        2 => load(rest, PolicyConfig::from_yaml_str),
        _ => {
            let _ = structured(&mut Unstructured::new(rest));
        }
    }
});

/// Text through one loader; non-UTF-8 bytes are decoded lossily so they still reach it.
fn load(bytes: &[u8], loader: fn(&str) -> Result<PolicyConfig, PolicyError>) {
    let text = String::from_utf8_lossy(bytes);
    match loader(&text) {
        Err(e) => refused(&e),
        Ok(config) => built(&config, Policy::new(&config)),
    }
}

/// A configuration with arbitrary strings in every key, built both ways.
fn structured(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let config = PolicyConfig {
        allow_origins: u.arbitrary()?,
        allow_methods: u.arbitrary()?,
        allow_headers: u.arbitrary()?,
        expose_headers: u.arbitrary()?,
        allow_credentials: u.arbitrary()?,
        max_age: u.arbitrary()?,
        allow_private_network: u.arbitrary()?,
        preflight_status: u.arbitrary()?,
        preflight_continue: u.arbitrary()?,
        dangerously_allow_insecure_origins: u.arbitrary()?,
        log_level: *u.choose(&cors_core::LogLevel::ALL)?,
        debug: u.arbitrary()?,
        csrf_protection: *u.choose(&cors_core::CsrfProtection::ALL)?,
        websocket_origin_check: u.arbitrary()?,
    };
    let direct = Policy::new(&config);
    built(&config, direct.clone());
    let mut b = Policy::builder()
        .allow_origins(config.allow_origins.iter().cloned())
        .allow_methods(config.allow_methods.iter().cloned())
        .allow_headers(config.allow_headers.iter().cloned())
        .expose_headers(config.expose_headers.iter().cloned())
        .allow_credentials(config.allow_credentials)
        .allow_private_network(config.allow_private_network)
        .preflight_status(config.preflight_status)
        .preflight_continue(config.preflight_continue)
        .dangerously_allow_insecure_origins(config.dangerously_allow_insecure_origins)
        .log_level(config.log_level)
        .debug(config.debug)
        .csrf_protection(config.csrf_protection)
        .websocket_origin_check(config.websocket_origin_check);
    if let Some(m) = config.max_age {
        b = b.max_age(std::time::Duration::from_secs(m));
    }
    let via_builder = b.build();
    // The builder is the same vocabulary: it accepts and refuses exactly the same.
    assert_eq!(direct.is_ok(), via_builder.is_ok());
    if let (Err(a), Err(b)) = (&direct, &via_builder) {
        assert_eq!(a.problems(), b.problems());
    }
    built(&config, via_builder);
    Ok(())
}

fn refused(e: &PolicyError) {
    assert!(!e.problems().is_empty());
    let shown = e.to_string();
    assert!(shown.starts_with("invalid CORS policy ("));
}

fn built(config: &PolicyConfig, result: Result<Policy, PolicyError>) {
    let policy = match result {
        Err(e) => return refused(&e),
        Ok(p) => p,
    };
    let c = policy.config();
    assert_eq!(c, config);
    assert!(!c.allow_origins.is_empty());
    if c.allow_credentials {
        assert!(!c.allow_origins.iter().any(|o| o == "*"));
        assert!(!c.expose_headers.iter().any(|h| h == "*"));
    }
    assert!(c.max_age.is_none_or(|m| m <= 86_400));
    assert!((200..=299).contains(&c.preflight_status));
    // Every configured origin that is not a pattern is allowed, byte for byte.
    for o in &c.allow_origins {
        if !o.contains('*') {
            let mut req = cors_core::CorsRequest::new(b"GET");
            req.push_origin(o.as_bytes());
            assert!(policy.evaluate(&req).is_allowed(), "{o:?}");
        }
    }
}
