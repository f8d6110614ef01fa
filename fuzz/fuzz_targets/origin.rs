//! The request-origin parser: never panics; what it accepts is clean serialized form,
//! and an exact policy for an accepted origin allows it and echoes it byte for byte.
#![no_main]

use cors_core::{CorsHeader, CorsRequest, Policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if cors_core::check_origin(data).is_err() {
        return;
    }
    assert!(data.is_ascii() && !data.iter().any(|b| *b <= b' ' || *b == 0x7f));
    let text = std::str::from_utf8(data).expect("ascii");
    assert!(text.contains("://") && !text.ends_with('/'));
    // Every accepted origin can be configured, and then matches exactly itself.
    let policy = match Policy::builder().allow_origin(text).build() {
        Ok(p) => p,
        // `*`-bearing values are patterns, not origins; file: is refused on purpose.
        Err(_) => return,
    };
    let mut req = CorsRequest::new(b"GET");
    req.push_origin(data);
    let d = policy.evaluate(&req);
    assert!(d.is_allowed(), "{text}");
    assert_eq!(d.header(CorsHeader::AllowOrigin).map(|v| v.as_bytes()), Some(data));
});
