//! The policy file: one format for every framework, loaded from TOML, JSON or YAML.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{PolicyError, Problem, ProblemKind};
use crate::matcher::{Pattern, PatternError};
use crate::origin::OriginSyntax;
use crate::token;

/// The keys of a policy file. Every field but `allow_origins` has a default.
///
/// It derives serde's traits with `deny_unknown_fields`, so the same keys load from any
/// serde format; [`PolicyConfig::from_toml_str`] and [`PolicyConfig::from_json_str`]
/// also report every unknown key and wrong type at once.
///
/// ```
/// let config = cors_core::PolicyConfig::from_toml_str(r#"
///     allow_origins = ["https://app.example.com", "http://localhost:*"]
///     allow_methods = ["GET", "PUT"]
///     max_age = 600
/// "#).unwrap();
/// assert_eq!(config.preflight_status, 204);
/// let policy = cors_core::Policy::new(&config).unwrap();
/// # let _ = policy;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Allowed origins: exact (`https://app.example.com`), `*` (any), subdomain patterns
    /// (`https://*.example.com`), port wildcards (`http://localhost:*`) and one-label
    /// globs (`https://pr-*.preview.example.com`). Required, non-empty.
    pub allow_origins: Vec<String>,
    /// Allowed methods besides the always-allowed GET, HEAD and POST; `*` = any.
    #[serde(default)]
    pub allow_methods: Vec<String>,
    /// Allowed request headers; `*` = any (Authorization must still be listed).
    #[serde(default)]
    pub allow_headers: Vec<String>,
    /// Response headers a page may read; `*` = all (not with credentials).
    #[serde(default)]
    pub expose_headers: Vec<String>,
    /// Whether pages may send cookies and read credentialed responses.
    #[serde(default)]
    pub allow_credentials: bool,
    /// How long (seconds, 0..=86400) a browser may cache a preflight; absent = not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u64>,
    /// Whether to answer Private Network Access preflights with
    /// `Access-Control-Allow-Private-Network: true`.
    #[serde(default)]
    pub allow_private_network: bool,
    /// Status of a successful preflight answer, 200..=299.
    #[serde(default = "default_preflight_status")]
    pub preflight_status: u16,
    /// Whether successful preflights reach the handler (with CORS headers added).
    #[serde(default)]
    pub preflight_continue: bool,
    /// Allow `http://` non-loopback origins together with credentials.
    #[serde(default)]
    pub dangerously_allow_insecure_origins: bool,
}

fn default_preflight_status() -> u16 {
    204
}

const KEYS: [&str; 10] = [
    "allow_origins",
    "allow_methods",
    "allow_headers",
    "expose_headers",
    "allow_credentials",
    "max_age",
    "allow_private_network",
    "preflight_status",
    "preflight_continue",
    "dangerously_allow_insecure_origins",
];

impl Default for PolicyConfig {
    /// No origins (which does not validate), every other key at its default.
    fn default() -> Self {
        Self {
            allow_origins: Vec::new(),
            allow_methods: Vec::new(),
            allow_headers: Vec::new(),
            expose_headers: Vec::new(),
            allow_credentials: false,
            max_age: None,
            allow_private_network: false,
            preflight_status: default_preflight_status(),
            preflight_continue: false,
            dangerously_allow_insecure_origins: false,
        }
    }
}

impl PolicyConfig {
    /// Reads a TOML policy, reporting every unknown key, missing key and wrong type.
    ///
    /// ```
    /// let err = cors_core::PolicyConfig::from_toml_str("allow_origin = [1]\nmax_age = -1").unwrap_err();
    /// assert_eq!(err.problems().len(), 3); // unknown key, missing allow_origins, bad max_age
    /// assert!(err.to_string().contains("did you mean allow_origins?"));
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Self, PolicyError> {
        let value: serde_json::Value = toml::from_str(text).map_err(|e| {
            PolicyError::new(vec![Problem::new(
                "policy",
                None,
                ProblemKind::Syntax(format!("invalid TOML: {}", e.message())),
            )])
        })?;
        Self::from_value(value)
    }

    /// Reads a JSON policy, reporting every unknown key, missing key and wrong type.
    ///
    /// ```
    /// let c = cors_core::PolicyConfig::from_json_str(r#"{"allow_origins": ["*"]}"#).unwrap();
    /// assert_eq!(c.allow_origins, ["*"]);
    /// ```
    pub fn from_json_str(text: &str) -> Result<Self, PolicyError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            PolicyError::new(vec![Problem::new(
                "policy",
                None,
                ProblemKind::Syntax(format!("invalid JSON: {e}")),
            )])
        })?;
        Self::from_value(value)
    }

    /// Reads a policy file: JSON when the name ends in `.json`, TOML otherwise.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, PolicyError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            PolicyError::new(vec![Problem::new(
                &path.display().to_string(),
                None,
                ProblemKind::Syntax(e.to_string()),
            )])
        })?;
        if path.extension().is_some_and(|e| e == "json") {
            Self::from_json_str(&text)
        } else {
            Self::from_toml_str(&text)
        }
    }

    /// Converts a parsed document key by key, collecting every problem.
    fn from_value(value: serde_json::Value) -> Result<Self, PolicyError> {
        let serde_json::Value::Object(map) = value else {
            return Err(PolicyError::new(vec![Problem::new(
                "policy",
                None,
                ProblemKind::NotATable,
            )]));
        };
        let mut problems = Vec::new();
        for key in map.keys() {
            if !KEYS.contains(&key.as_str()) {
                let mut p = Problem::new(key, None, ProblemKind::UnknownKey);
                if let Some(k) = closest_key(key) {
                    p = p.fix(format!("did you mean {k}?"));
                }
                problems.push(p);
            }
        }
        if !map.contains_key("allow_origins") {
            problems.push(
                Problem::new("allow_origins", None, ProblemKind::MissingKey)
                    .fix("list the origins that may read responses, e.g. allow_origins = [\"https://app.example.com\"]"),
            );
        }
        // Check each known key on its own, so one bad value does not hide the others.
        let mut clean = serde_json::Map::new();
        for key in KEYS {
            let Some(v) = map.get(key) else { continue };
            let mut probe = serde_json::Map::new();
            probe.insert(key.to_owned(), v.clone());
            if !map.contains_key("allow_origins") || key != "allow_origins" {
                probe
                    .entry("allow_origins")
                    .or_insert(serde_json::Value::Array(vec![]));
            }
            match serde_json::from_value::<PolicyConfig>(serde_json::Value::Object(probe)) {
                Ok(_) => {
                    clean.insert(key.to_owned(), v.clone());
                }
                Err(e) => problems.push(Problem::new(
                    key,
                    None,
                    ProblemKind::InvalidType(e.to_string()),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(PolicyError::new(problems));
        }
        serde_json::from_value(serde_json::Value::Object(clean)).map_err(|e| {
            PolicyError::new(vec![Problem::new(
                "policy",
                None,
                ProblemKind::InvalidType(e.to_string()),
            )])
        })
    }

    /// Every problem of this configuration, in key order; empty when it is valid.
    ///
    /// `has_predicate` says whether an origin predicate complements `allow_origins`
    /// (which may then be empty).
    pub(crate) fn problems(&self, has_predicate: bool) -> (Vec<Problem>, Vec<Pattern>) {
        let mut problems = Vec::new();
        let patterns = self.check_origins(has_predicate, &mut problems);
        self.check_methods(&mut problems);
        self.check_headers(&mut problems);
        if let Some(m) = self.max_age
            && m > 86_400
        {
            problems.push(
                Problem::new("max_age", Some(&m.to_string()), ProblemKind::MaxAgeTooLarge)
                    .fix("use at most 86400; Chromium caps it at 7200 and Firefox at 86400"),
            );
        }
        if !(200..=299).contains(&self.preflight_status) {
            problems.push(
                Problem::new(
                    "preflight_status",
                    Some(&self.preflight_status.to_string()),
                    ProblemKind::PreflightStatusOutOfRange,
                )
                .fix("use 204 (the default) or 200"),
            );
        }
        (problems, patterns)
    }

    fn check_origins(&self, has_predicate: bool, problems: &mut Vec<Problem>) -> Vec<Pattern> {
        const KEY: &str = "allow_origins";
        if self.allow_origins.is_empty() && !has_predicate {
            problems.push(Problem::new(KEY, None, ProblemKind::EmptyOrigins).fix(
                "list origins such as \"https://app.example.com\", or \"*\" for a public API",
            ));
        }
        let any = self.allow_origins.iter().any(|o| o == "*");
        let mut patterns = Vec::new();
        for o in &self.allow_origins {
            let value = Some(o.as_str());
            if o.eq_ignore_ascii_case("null") {
                problems.push(Problem::new(KEY, value, ProblemKind::NullOrigin).fix(
                    "remove it; serve the page from a real origin and list that origin instead",
                ));
                continue;
            }
            if o.len() >= 5 && o[..5].eq_ignore_ascii_case("file:") {
                problems.push(
                    Problem::new(KEY, value, ProblemKind::FileOrigin)
                        .fix("serve the page over http://localhost and list that origin"),
                );
                continue;
            }
            let pattern = match Pattern::parse(o) {
                Ok(p) => p,
                Err(PatternError::Syntax(s)) => {
                    let mut p = Problem::new(KEY, value, ProblemKind::OriginSyntax(s));
                    if let Some(fix) = suggest_origin(o, s) {
                        p = p.fix(format!("did you mean {fix:?}?"));
                    }
                    problems.push(p);
                    continue;
                }
                Err(PatternError::Wildcard(why)) => {
                    problems.push(Problem::new(KEY, value, ProblemKind::BadWildcard(why)));
                    continue;
                }
            };
            if any && pattern != Pattern::Any {
                problems.push(
                    Problem::new(KEY, value, ProblemKind::AnyOriginWithOthers)
                        .fix("remove either \"*\" or the other origins"),
                );
            }
            if self.allow_credentials {
                self.check_credentialed_origin(&pattern, o, problems);
            }
            patterns.push(pattern);
        }
        patterns
    }

    fn check_credentialed_origin(&self, pattern: &Pattern, o: &str, problems: &mut Vec<Problem>) {
        const KEY: &str = "allow_origins";
        let value = Some(o);
        if *pattern == Pattern::Any {
            problems.push(
                Problem::new(KEY, value, ProblemKind::AnyOriginWithCredentials)
                    .fix("list the origins explicitly, or set allow_credentials = false"),
            );
            return;
        }
        if pattern.scheme() == Some("http")
            && !pattern.is_loopback()
            && !self.dangerously_allow_insecure_origins
        {
            problems.push(
                Problem::new(KEY, value, ProblemKind::InsecureOriginWithCredentials).fix(format!(
                    "use {:?}, or set dangerously_allow_insecure_origins = true if you accept the risk",
                    o.replacen("http://", "https://", 1)
                )),
            );
        }
        if let Some(base) = pattern.wildcard_base()
            && !pattern.is_loopback()
            && psl::suffix_str(base) == Some(base)
        {
            problems.push(
                Problem::new(KEY, value, ProblemKind::PublicSuffixPatternWithCredentials)
                    .fix(format!("list your own sites under {base} explicitly")),
            );
        }
    }

    fn check_methods(&self, problems: &mut Vec<Problem>) {
        const KEY: &str = "allow_methods";
        for m in &self.allow_methods {
            if m == "*" {
                continue;
            }
            let value = Some(m.as_str());
            if !token::is_token(m.as_bytes()) {
                let mut p = Problem::new(KEY, value, ProblemKind::InvalidMethod);
                let trimmed = m.trim();
                if trimmed != m && token::is_token(trimmed.as_bytes()) {
                    p = p.fix(format!("did you mean {trimmed:?}?"));
                }
                problems.push(p);
            } else if token::is_forbidden_method(m) {
                problems
                    .push(Problem::new(KEY, value, ProblemKind::ForbiddenMethod).fix("remove it"));
            }
        }
    }

    fn check_headers(&self, problems: &mut Vec<Problem>) {
        for h in &self.allow_headers {
            if h == "*" {
                continue;
            }
            let key = "allow_headers";
            let value = Some(h.as_str());
            let lower = h.to_ascii_lowercase();
            if !token::is_token(h.as_bytes()) {
                problems.push(header_name_problem(key, h));
            } else if token::is_forbidden_request_header(&lower) {
                problems.push(
                    Problem::new(key, value, ProblemKind::ForbiddenRequestHeader).fix("remove it"),
                );
            } else if token::is_cors_response_header(&lower) {
                problems.push(
                    Problem::new(key, value, ProblemKind::ResponseHeaderInAllowHeaders)
                        .fix("remove it; the policy sets CORS response headers itself"),
                );
            }
        }
        for h in &self.expose_headers {
            let key = "expose_headers";
            let value = Some(h.as_str());
            if h == "*" {
                if self.allow_credentials {
                    problems.push(
                        Problem::new(key, value, ProblemKind::AnyExposeWithCredentials)
                            .fix("list the headers to expose explicitly"),
                    );
                }
                continue;
            }
            let lower = h.to_ascii_lowercase();
            if !token::is_token(h.as_bytes()) {
                problems.push(header_name_problem(key, h));
            } else if lower == "set-cookie" || lower == "set-cookie2" {
                problems
                    .push(Problem::new(key, value, ProblemKind::SetCookieExposed).fix("remove it"));
            }
        }
    }
}

fn header_name_problem(key: &str, h: &str) -> Problem {
    let mut p = Problem::new(key, Some(h), ProblemKind::InvalidHeaderName);
    let trimmed = h.trim().trim_end_matches(':');
    if trimmed != h && token::is_token(trimmed.as_bytes()) {
        p = p.fix(format!("did you mean {trimmed:?}?"));
    } else if h.contains(',') {
        p = p.fix("list each header as its own string");
    }
    p
}

/// The serialized origin a browser would send for what the user wrote, if it differs.
fn suggest_origin(o: &str, syntax: OriginSyntax) -> Option<String> {
    let (body, port_wild) = match o.trim().strip_suffix(":*") {
        Some(b) => (b, ":*"),
        None => (o.trim(), ""),
    };
    let candidate = if syntax == OriginSyntax::NoScheme && !body.contains("://") {
        format!("https://{body}")
    } else {
        body.to_owned()
    };
    // Keep a leading wildcard label out of the URL parser's way.
    let (wild, parse_me) = match candidate.split_once("://*.") {
        Some((s, rest)) => ("*.", format!("{s}://{rest}")),
        None => ("", candidate),
    };
    let url = url::Url::parse(&parse_me).ok()?;
    let origin = url.origin();
    if !origin.is_tuple() {
        return None;
    }
    let mut s = origin.ascii_serialization();
    if !wild.is_empty() {
        s = s.replacen("://", "://*.", 1);
    }
    s.push_str(port_wild);
    (s != o).then_some(s)
}

/// The known key nearest to `key`, if it is near enough to be a typo.
fn closest_key(key: &str) -> Option<&'static str> {
    KEYS.iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let s = |o| {
            suggest_origin(
                o,
                Pattern::parse(o)
                    .err()
                    .map_or(OriginSyntax::Empty, |e| match e {
                        PatternError::Syntax(s) => s,
                        _ => OriginSyntax::Empty,
                    }),
            )
        };
        assert_eq!(
            s("https://example.com/").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(
            s("https://Example.COM:443/x?y").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(s("example.com").as_deref(), Some("https://example.com"));
        assert_eq!(
            s("https://*.Example.com/").as_deref(),
            Some("https://*.example.com")
        );
        assert_eq!(
            s("http://localhost/:*").as_deref(),
            Some("http://localhost:*")
        );
        assert_eq!(
            s("https://bücher.example").as_deref(),
            Some("https://xn--bcher-kva.example")
        );
        assert_eq!(closest_key("allow_origin"), Some("allow_origins"));
        assert_eq!(closest_key("maxage"), Some("max_age"));
        assert_eq!(closest_key("zzzzzzzzzzzzzzzzzzzz"), None);
    }
}
