//! `cors check POLICY_FILE`: every problem of a policy, then warnings for settings that are
//! legal but will not do what their author expects.

use std::path::Path;

use cors_core::browser::Engine;
use cors_core::{PolicyConfig, PolicySet, Problem, ProblemKind, ServiceConfig};
use serde_json::json;

use crate::Format;
use crate::output::{Paint, print_json};

/// A setting that is legal but surprising.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Warning {
    pub(crate) key: String,
    pub(crate) value: Option<String>,
    pub(crate) message: String,
}

impl Warning {
    fn new(key: &'static str, value: Option<String>, message: impl Into<String>) -> Self {
        Self {
            key: key.to_owned(),
            value,
            message: message.into(),
        }
    }
}

/// Runs the command; returns the exit code.
pub(crate) fn run(path: &Path, format: Format) -> u8 {
    let (problems, warnings) = match PolicySet::from_file(path) {
        Ok(set) => {
            let mut out: Vec<Warning> = set
                .policies()
                .flat_map(|(name, p)| scoped(name, warnings(p.config())))
                .collect();
            out.extend(set.warnings().iter().map(|w| Warning {
                key: w.key().to_owned(),
                value: w.value().map(str::to_owned),
                message: w.message().to_owned(),
            }));
            (Vec::new(), out)
        }
        Err(e) => {
            // A file that parses but does not validate still gets its policies' warnings.
            let warnings = ServiceConfig::from_file(path)
                .map(|c| {
                    let mut out = warnings(&c.default);
                    for (name, p) in &c.policies {
                        out.extend(scoped(name, warnings(p)));
                    }
                    out
                })
                .unwrap_or_default();
            (e.problems().to_vec(), warnings)
        }
    };
    let unreadable = problems
        .iter()
        .any(|p| matches!(p.kind(), ProblemKind::Unreadable { .. }));
    let code = match (unreadable, problems.is_empty()) {
        (true, _) => 2,
        (false, true) => 0,
        (false, false) => 1,
    };
    let file = path.display().to_string();
    match format {
        Format::Json => print_json(&json!({
            "file": file,
            "valid": problems.is_empty(),
            "problems": problems.iter().map(|p| json!({
                "key": p.full_key(),
                "value": p.value(),
                "kind": kind(p.kind()),
                "message": message(p),
                "fix": p.fix(),
            })).collect::<Vec<_>>(),
            "warnings": warnings.iter().map(|w| json!({
                "key": w.key,
                "value": w.value,
                "message": w.message,
            })).collect::<Vec<_>>(),
        })),
        Format::Text => {
            let paint = Paint::stdout();
            let summary = if problems.is_empty() {
                paint.green("valid")
            } else {
                paint.red(&format!("invalid ({} problems)", problems.len()))
            };
            println!("{file}: {summary}");
            for p in &problems {
                println!("{}: {p}", paint.red("problem"));
            }
            for w in &warnings {
                let value = w
                    .value
                    .as_ref()
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default();
                println!(
                    "{}: {}{value}: {}",
                    paint.yellow("warning"),
                    w.key,
                    w.message
                );
            }
        }
    }
    code
}

/// A problem kind as a stable kebab-case string: its variant's name
/// (`OriginSyntax(TrailingSlash)` → `origin-syntax`).
pub(crate) fn kind(kind: &ProblemKind) -> String {
    let debug = format!("{kind:?}");
    let name = debug
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// What is wrong, without the key, value and fix that have their own fields.
pub(crate) fn message(p: &Problem) -> String {
    let full = p.to_string();
    let mut text = full.as_str();
    if let Some(rest) = text.strip_prefix(&format!("{}: ", p.key())) {
        text = rest;
    }
    if let Some(v) = p.value()
        && let Some(rest) = text.strip_prefix(&format!("{v:?} "))
    {
        text = rest;
    }
    if let Some(fix) = p.fix()
        && let Some(rest) = text.strip_suffix(&format!("; {fix}"))
    {
        text = rest;
    }
    text.to_owned()
}

/// The response headers a page can always read.
const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Whether an origin (or pattern) is on a loopback host.
fn is_loopback(origin: &str) -> bool {
    let Some((_, rest)) = origin.split_once("://") else {
        return false;
    };
    let host = if rest.starts_with('[') {
        rest.split_inclusive(']').next().unwrap_or(rest)
    } else {
        rest.split(':').next().unwrap_or(rest)
    };
    let host = host.trim_end_matches('.');
    host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "[::1]"
}

/// A named policy's warnings, keyed `policies.NAME.KEY` (the default policy's as they are).
fn scoped(name: &str, warnings: Vec<Warning>) -> Vec<Warning> {
    warnings
        .into_iter()
        .map(|mut w| {
            if name != "default" {
                w.key = format!("policies.{name}.{}", w.key);
            }
            w
        })
        .collect()
}

/// The warnings for a configuration (valid or not).
pub(crate) fn warnings(c: &PolicyConfig) -> Vec<Warning> {
    let mut out = Vec::new();
    let star = |list: &[String]| list.iter().any(|s| s == "*");
    if let Some(max_age) = c.max_age {
        if max_age > Engine::WebKit.max_age_cap() {
            let uses: Vec<String> = Engine::ALL
                .iter()
                .map(|e| format!("{e} {} s", max_age.min(e.max_age_cap())))
                .collect();
            out.push(Warning::new(
                "max_age",
                Some(max_age.to_string()),
                format!(
                    "browsers cap how long they cache a preflight: {}; 600 behaves the same everywhere",
                    uses.join(", ")
                ),
            ));
        } else if max_age == 0 {
            out.push(Warning::new(
                "max_age",
                Some("0".into()),
                "browsers will not cache preflights: every request that needs one pays an extra round trip",
            ));
        }
    }
    if c.allow_private_network {
        out.push(Warning::new(
            "allow_private_network",
            Some("true".into()),
            "legacy: Chrome replaced Private Network Access preflights by Local Network Access, \
             a permission the user grants that no response header can",
        ));
    }
    let authorization = c
        .allow_headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("authorization"));
    if star(&c.allow_headers) && !authorization {
        out.push(Warning::new(
            "allow_headers",
            Some("*".into()),
            "\"*\" does not cover Authorization (the Fetch standard); list \"authorization\" too if clients send it",
        ));
    }
    if star(&c.allow_headers) && c.allow_credentials {
        out.push(Warning::new(
            "allow_headers",
            Some("*".into()),
            "with allow_credentials, \"*\" echoes every requested header name: allowed origins may send any header with cookies; list the headers you read",
        ));
    }
    if star(&c.allow_methods) && c.allow_credentials {
        out.push(Warning::new(
            "allow_methods",
            Some("*".into()),
            "with allow_credentials, \"*\" echoes the requested method: allowed origins may send any method with cookies; list the methods you serve",
        ));
    }
    for m in &c.allow_methods {
        if ["GET", "HEAD", "POST"]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(m))
        {
            out.push(Warning::new(
                "allow_methods",
                Some(m.clone()),
                "is always allowed: browsers never preflight GET, HEAD or POST, so listing it changes nothing and leaving it out refuses nothing",
            ));
        }
    }
    for h in &c.expose_headers {
        if SAFELISTED_RESPONSE_HEADERS
            .iter()
            .any(|s| s.eq_ignore_ascii_case(h))
        {
            out.push(Warning::new(
                "expose_headers",
                Some(h.clone()),
                "is a CORS-safelisted response header a page can always read; listing it changes nothing",
            ));
        }
    }
    for o in &c.allow_origins {
        if is_loopback(o) {
            out.push(Warning::new(
                "allow_origins",
                Some(o.clone()),
                "is a development origin: any page served on the user's own machine can read responses; keep it out of production policies",
            ));
        } else if c.allow_credentials && o.contains('*') {
            out.push(Warning::new(
                "allow_origins",
                Some(o.clone()),
                "with allow_credentials, every matching subdomain can read credentialed responses: one taken-over or user-content subdomain exposes them",
            ));
        }
    }
    if c.preflight_continue {
        out.push(Warning::new(
            "preflight_continue",
            Some("true".into()),
            "successful preflights reach your handlers, which must answer OPTIONS with a 2xx status: a router's 404 or 405 fails every preflight",
        ));
    }
    if c.debug {
        out.push(Warning::new(
            "debug",
            Some("true".into()),
            "development mode: refused preflights from allowed origins get a 2xx answer that reveals the allowed methods and headers; turn it off in production",
        ));
    }
    if c.dangerously_allow_insecure_origins {
        out.push(Warning::new(
            "dangerously_allow_insecure_origins",
            Some("true".into()),
            "anyone on the network path of a plain http origin can read credentialed responses; use it only on networks you control",
        ));
    }
    out
}
