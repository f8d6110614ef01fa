//! Loader for the shared CORS cases in `cors-core/tests/cases.toml`.
//!
//! Used by cors-core's own tests and, through `#[path]`, by the adapters' conformance
//! suite, so that every adapter is held to exactly the same cases.
#![allow(dead_code)]

use std::collections::BTreeMap;

use cors_core::{CorsHeader, Decision, Policy, PolicyConfig};
use serde::Deserialize;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    pub policies: BTreeMap<String, PolicyConfig>,
    pub cases: Vec<Case>,
}

/// One request and what must happen to it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    pub policy: String,
    pub method: String,
    #[serde(default = "default_path")]
    pub path: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub hex_headers: Vec<(String, String)>,
    pub expect: Expect,
}

fn default_path() -> String {
    "/echo".into()
}

/// What must happen.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub kind: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub http_status: Option<u16>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub vary: Vec<String>,
}

/// Loads the cases, checking that every case names a policy that builds.
pub fn load() -> Suite {
    let suite: Suite = toml::from_str(include_str!("../cases.toml")).expect("cases.toml parses");
    for case in &suite.cases {
        assert!(
            suite.policies.contains_key(&case.policy),
            "case {:?} names unknown policy {:?}",
            case.name,
            case.policy
        );
    }
    suite
}

impl Suite {
    /// Every policy, built.
    pub fn built_policies(&self) -> BTreeMap<String, Policy> {
        self.policies
            .iter()
            .map(|(name, c)| {
                let p = Policy::new(c).unwrap_or_else(|e| panic!("policy {name}: {e}"));
                (name.clone(), p)
            })
            .collect()
    }
}

/// Expands `{c*N}` into N copies of c.
fn expand(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let inner = &rest[start + 1..start + len];
        let Some((c, n)) = inner.split_once('*') else {
            break;
        };
        out.push_str(&rest[..start]);
        let n: usize = n.parse().expect("repeat count");
        out.push_str(&c.repeat(n));
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

impl Case {
    /// The request's header lines, in order, as raw bytes.
    pub fn header_lines(&self) -> Vec<(String, Vec<u8>)> {
        let mut lines: Vec<(String, Vec<u8>)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), expand(v).into_bytes()))
            .collect();
        lines.extend(self.hex_headers.iter().map(|(n, v)| (n.clone(), unhex(v))));
        lines
    }

    /// The status of the final response over HTTP.
    pub fn http_status(&self) -> u16 {
        self.expect
            .http_status
            .or(self.expect.status)
            .unwrap_or(200)
    }

    /// The Vary items the final response must carry, in order.
    pub fn http_vary(&self) -> Vec<String> {
        let mut items = Vec::new();
        if self.path == "/vary" && self.expect.status.is_none() {
            items.push("accept-encoding".to_owned());
        }
        items.extend(self.expect.vary.iter().cloned());
        items
    }

    /// Checks a core decision against the expectation.
    pub fn check_decision(&self, d: &Decision<'_>) -> Result<(), String> {
        let e = &self.expect;
        let mut errors = Vec::new();
        if d.kind().as_str() != e.kind {
            errors.push(format!("kind {} != {}", d.kind().as_str(), e.kind));
        }
        let reason = d.reason().map(|r| r.code().to_owned());
        if reason != e.reason {
            errors.push(format!("reason {reason:?} != {:?}", e.reason));
        }
        let status = match d.action() {
            cors_core::Action::Respond { status } => Some(status.as_u16()),
            cors_core::Action::Forward => None,
        };
        if status != e.status {
            errors.push(format!("status {status:?} != {:?}", e.status));
        }
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        for h in d.headers() {
            let v = String::from_utf8_lossy(h.value.as_bytes()).into_owned();
            headers
                .entry(h.name.as_str().to_owned())
                .and_modify(|old| {
                    old.push_str(", ");
                    old.push_str(&v);
                })
                .or_insert(v);
        }
        if headers != e.headers {
            errors.push(format!("headers {headers:?} != {:?}", e.headers));
        }
        let vary: Vec<String> = d.vary().items().iter().map(|s| s.to_string()).collect();
        if vary != e.vary {
            errors.push(format!("vary {vary:?} != {:?}", e.vary));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{}: {}", self.name, errors.join("; ")))
        }
    }

    /// Checks a response (status, lower-case header lines in order) against the
    /// expectation, as seen over HTTP or through an adapter in process.
    pub fn check_response(&self, status: u16, lines: &[(String, Vec<u8>)]) -> Result<(), String> {
        let mut errors = Vec::new();
        if status != self.http_status() {
            errors.push(format!("status {status} != {}", self.http_status()));
        }
        let mut cors: BTreeMap<String, String> = BTreeMap::new();
        let mut vary = Vec::new();
        for (name, value) in lines {
            let name = name.to_ascii_lowercase();
            let v = String::from_utf8_lossy(value).into_owned();
            if CorsHeader::ALL.iter().any(|h| h.as_str() == name) {
                cors.entry(name)
                    .and_modify(|old| {
                        old.push_str(", ");
                        old.push_str(&v);
                    })
                    .or_insert(v);
            } else if name == "vary" {
                vary.extend(
                    v.split(',')
                        .map(|s| s.trim().to_ascii_lowercase())
                        .filter(|s| !s.is_empty()),
                );
            }
        }
        if cors != self.expect.headers {
            errors.push(format!(
                "CORS headers {cors:?} != {:?}",
                self.expect.headers
            ));
        }
        if vary != self.http_vary() {
            errors.push(format!("Vary {vary:?} != {:?}", self.http_vary()));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{}: {}", self.name, errors.join("; ")))
        }
    }
}
