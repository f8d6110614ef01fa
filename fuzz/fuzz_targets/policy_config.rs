//! The policy-config parser and validator on arbitrary TOML text: never panics; an
//! error always names at least one problem, and a built policy's credentials rules hold.
#![no_main]

use cors_core::{Policy, PolicyConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match PolicyConfig::from_toml_str(text) {
        Err(e) => assert!(!e.problems().is_empty()),
        Ok(config) => match Policy::new(&config) {
            Err(e) => {
                assert!(!e.problems().is_empty());
                let _ = e.to_string();
            }
            Ok(policy) => {
                let c = policy.config();
                assert!(!c.allow_origins.is_empty());
                if c.allow_credentials {
                    assert!(!c.allow_origins.iter().any(|o| o == "*"));
                    assert!(!c.expose_headers.iter().any(|h| h == "*"));
                }
                assert!(c.max_age.is_none_or(|m| m <= 86_400));
                assert!((200..=299).contains(&c.preflight_status));
            }
        },
    }
});
