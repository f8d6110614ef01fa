//! `cors audit` finds nothing on `serve` with the bundled policy (examples/policy.toml,
//! what `serve` loads by default), on every framework, trusting the URL's own origin or
//! the policy's listed origins; and finds the `http://` origin a dangerous policy allows.

use cors_testkit::serve::{FRAMEWORKS, start};
use serde_json::Value;

const SERVE: &str = env!("CARGO_BIN_EXE_serve");

fn bundled() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml"))
        .expect("examples/policy.toml")
}

fn classes(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array: {doc:#}"))
        .iter()
        .map(|f| f["class"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[test]
fn the_bundled_policy_has_no_findings_on_any_framework() {
    let policy = bundled();
    for framework in FRAMEWORKS {
        let server = start(SERVE, framework, &policy);
        for path in ["/", "/echo", "/error"] {
            let url = format!("http://{}{path}", server.addr);
            for trusted in [
                &[][..],
                &["https://app.example.com"],
                &["https://*.example.org", "http://localhost:3000"],
            ] {
                let mut args = vec![url.as_str()];
                for t in trusted {
                    args.extend(["--trusted", t]);
                }
                let (code, doc) = cors_cli::audit(&args);
                assert_eq!(
                    (code, classes(&doc)),
                    (0, vec![]),
                    "{framework} {args:?}: {doc:#}"
                );
                assert_eq!(doc["url"], url.as_str());
            }
        }
    }
}

/// The policy refuses `null` outright; `http://` needs the dangerous key, and audit
/// names what that key lets through.
#[test]
fn a_policy_allowing_http_beside_https_is_found_out() {
    let policy = "allow_origins = [\"https://app.example.com\", \"http://app.example.com\"]\nallow_credentials = true\ndangerously_allow_insecure_origins = true\n";
    for framework in FRAMEWORKS {
        let server = start(SERVE, framework, policy);
        let url = format!("http://{}/", server.addr);
        let (code, doc) = cors_cli::audit([url.as_str(), "--trusted", "https://app.example.com"]);
        assert_eq!(code, 1, "{framework}: {doc:#}");
        assert_eq!(
            classes(&doc),
            ["http-origin-allowed"],
            "{framework}: {doc:#}"
        );
    }
}
