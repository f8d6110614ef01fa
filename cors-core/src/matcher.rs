//! Origin matching: exact origins, `*`, subdomain patterns, port wildcards,
//! one-label globs and a predicate. Lookups are hash-map probes keyed by the
//! request's host (or its suffixes), so their cost grows with the origin's
//! length, not with the number of configured origins.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::origin::{self, HostKind, Origin, OriginSyntax};

/// Hash maps keyed by configuration, probed with request data: foldhash, randomly seeded
/// (lookups never insert, so probing cannot degrade the tables).
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Up to this many exact origins are compared one by one instead of hashed.
const FEW: usize = 4;

/// A user-supplied origin predicate.
pub(crate) type Predicate = Arc<dyn Fn(&str) -> bool + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PortRule {
    /// No explicit port (the scheme's default).
    Default,
    Exact(u16),
    /// `:*`, any port including the default.
    Any,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Rule {
    scheme: Box<str>,
    port: PortRule,
}

impl Rule {
    fn matches(&self, o: &Origin<'_>) -> bool {
        *self.scheme == *o.scheme
            && match self.port {
                PortRule::Default => o.port.is_none(),
                PortRule::Exact(p) => o.port == Some(p),
                PortRule::Any => true,
            }
    }
}

/// A configured origin, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pattern {
    Any,
    Exact {
        rule: Rule,
        host: String,
        loopback: bool,
    },
    /// `scheme://*.base`: one or more labels below `base`, never `base` itself.
    Subdomain {
        rule: Rule,
        base: String,
    },
    /// `scheme://glob.rest`: one label matching `glob`, directly below `rest`.
    Glob {
        rule: Rule,
        label: String,
        rest: String,
    },
}

/// Why a configured origin pattern is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatternError {
    Syntax(OriginSyntax),
    /// An `xn--` label that browsers would not accept.
    Punycode,
    Wildcard(&'static str),
}

/// Whether every `xn--` label of a domain is valid Punycode in the form browsers write it.
/// Configuration only (it allocates); the request path compares bytes and never decodes.
fn punycode_ok(host: &str) -> bool {
    if !host.split('.').any(|label| label.starts_with("xn--")) {
        return true;
    }
    matches!(url::Host::parse(host), Ok(url::Host::Domain(d)) if d == host)
}

impl Pattern {
    /// The domain whose subdomains the pattern opens, for the public-suffix check.
    pub fn wildcard_base(&self) -> Option<&str> {
        match self {
            Self::Subdomain { base, .. } => Some(base),
            Self::Glob { rest, .. } => Some(rest),
            _ => None,
        }
    }

    pub fn scheme(&self) -> Option<&str> {
        match self {
            Self::Any => None,
            Self::Exact { rule, .. } | Self::Subdomain { rule, .. } | Self::Glob { rule, .. } => {
                Some(&rule.scheme)
            }
        }
    }

    /// Whether every origin the pattern matches is on a loopback host.
    pub fn is_loopback(&self) -> bool {
        match self {
            Self::Exact { loopback, .. } => *loopback,
            Self::Subdomain { base, .. } | Self::Glob { rest: base, .. } => {
                origin::is_loopback_domain(base)
            }
            Self::Any => false,
        }
    }

    /// Parses one configured origin or pattern.
    pub fn parse(s: &str) -> Result<Self, PatternError> {
        if s == "*" {
            return Ok(Self::Any);
        }
        let (body, any_port) = match s.strip_suffix(":*") {
            Some(b) => (b, true),
            None => (s, false),
        };
        if !body.contains('*') {
            let o = origin::parse(body.as_bytes()).map_err(PatternError::Syntax)?;
            if o.kind == HostKind::Domain && !punycode_ok(o.host) {
                return Err(PatternError::Punycode);
            }
            return Ok(Self::Exact {
                rule: rule(o.scheme, o.port, any_port)?,
                host: o.host.to_owned(),
                loopback: o.is_loopback(),
            });
        }
        let Some((scheme, rest)) = body.split_once("://") else {
            return Err(PatternError::Syntax(OriginSyntax::NoScheme));
        };
        if scheme.contains('*') {
            return Err(PatternError::Wildcard(
                "has a wildcard in its scheme; list each scheme explicitly",
            ));
        }
        let Some((label, base)) = rest.split_once('.') else {
            return Err(PatternError::Wildcard(
                "matches hosts without a fixed domain; use \"*\" to allow every origin, or a pattern like https://*.example.com",
            ));
        };
        if base.contains('*') {
            return Err(PatternError::Wildcard(
                "has a wildcard outside the leftmost label of its host; only the leftmost label may have one, as in https://*.example.com or https://pr-*.example.com",
            ));
        }
        // Validate everything but the wildcard label as an origin.
        let fixed = format!("{scheme}://{base}");
        let o = origin::parse(fixed.as_bytes()).map_err(PatternError::Syntax)?;
        if o.kind != HostKind::Domain {
            return Err(PatternError::Wildcard(
                "puts a wildcard in an IP address; list the addresses explicitly",
            ));
        }
        if !punycode_ok(o.host) {
            return Err(PatternError::Punycode);
        }
        let rule = rule(o.scheme, o.port, any_port)?;
        let base = o.host.to_owned();
        if label == "*" {
            return Ok(Self::Subdomain { rule, base });
        }
        if label.bytes().any(|c| c.is_ascii_uppercase()) {
            return Err(PatternError::Syntax(OriginSyntax::UppercaseHost));
        }
        if label.len() > 63
            || !label.bytes().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_' | b'*')
            })
        {
            return Err(PatternError::Wildcard(
                "has a leftmost label that is not a glob of letters, digits, '-', '_' and '*'",
            ));
        }
        Ok(Self::Glob {
            rule,
            label: label.to_owned(),
            rest: base,
        })
    }
}

fn rule(scheme: &str, port: Option<u16>, any_port: bool) -> Result<Rule, PatternError> {
    let port = match (port, any_port) {
        (Some(_), true) => {
            return Err(PatternError::Wildcard(
                "has both a port and a port wildcard; keep one",
            ));
        }
        (_, true) => PortRule::Any,
        (Some(p), false) => PortRule::Exact(p),
        (None, false) => PortRule::Default,
    };
    Ok(Rule {
        scheme: scheme.into(),
        port,
    })
}

/// The exact origins of an [`OriginMatcher`].
#[derive(Debug)]
enum Exact {
    /// At most [`FEW`], compared one by one: comparing a few byte strings (most differ in
    /// length) costs less than hashing the request's origin.
    Few(Vec<Box<[u8]>>),
    /// More, hashed.
    Many(HashSet<Box<[u8]>, foldhash::fast::RandomState>),
}

impl Default for Exact {
    fn default() -> Self {
        Self::Few(Vec::new())
    }
}

impl Exact {
    /// The origins, each once, in the form that is cheapest to look up.
    fn new(origins: HashSet<Box<[u8]>, foldhash::fast::RandomState>) -> Self {
        if origins.len() <= FEW {
            Self::Few(origins.into_iter().collect())
        } else {
            Self::Many(origins)
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::Few(list) => list.len(),
            Self::Many(set) => set.len(),
        }
    }

    /// Whether `raw` is one of the origins, byte for byte.
    #[inline]
    fn contains(&self, raw: &[u8]) -> bool {
        match self {
            Self::Few(list) => list.iter().any(|e| **e == *raw),
            Self::Many(set) => set.contains(raw),
        }
    }
}

/// The compiled set of allowed origins.
#[derive(Default)]
pub(crate) struct OriginMatcher {
    any: bool,
    /// Exact origins (fixed or default port), byte for byte: configured origins are in
    /// serialized form, so a request origin equal to one is valid without parsing it.
    exact: Exact,
    /// Whether anything but `exact` can match, so that a miss there needs a parse.
    needs_parse: bool,
    hosts: Map<Box<str>, Vec<Rule>>,
    subdomains: Map<Box<str>, Vec<Rule>>,
    globs: Map<Box<str>, Vec<(Rule, GlobSet)>>,
    predicate: Option<Predicate>,
}

impl fmt::Debug for OriginMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginMatcher")
            .field("any", &self.any)
            .field("exact", &self.exact.len())
            .field("hosts", &self.hosts.len())
            .field("subdomains", &self.subdomains.len())
            .field("globs", &self.globs.len())
            .field("predicate", &self.predicate.is_some())
            .finish()
    }
}

impl OriginMatcher {
    /// Compiles valid patterns; a glob that globset refuses is reported as its index.
    pub fn build(patterns: &[Pattern], predicate: Option<Predicate>) -> Result<Self, usize> {
        let mut m = OriginMatcher {
            predicate,
            ..Self::default()
        };
        let mut globs: HashMap<(Box<str>, Rule), (GlobSetBuilder, usize)> = HashMap::new();
        let mut exact = HashSet::default();
        m.needs_parse = m.predicate.is_some();
        for (i, p) in patterns.iter().enumerate() {
            match p {
                Pattern::Any => m.any = true,
                Pattern::Exact { rule, host, .. } if rule.port != PortRule::Any => {
                    let port = match rule.port {
                        PortRule::Exact(p) => format!(":{p}"),
                        _ => String::new(),
                    };
                    let origin = format!("{}://{host}{port}", rule.scheme);
                    exact.insert(origin.into_bytes().into_boxed_slice());
                }
                Pattern::Exact { rule, host, .. } => {
                    m.needs_parse = true;
                    push_unique(&mut m.hosts, host, rule);
                }
                Pattern::Subdomain { rule, base } => {
                    m.needs_parse = true;
                    push_unique(&mut m.subdomains, base, rule);
                }
                Pattern::Glob { rule, label, rest } => {
                    m.needs_parse = true;
                    let glob = Glob::new(label).map_err(|_| i)?;
                    let entry = globs
                        .entry((rest.as_str().into(), rule.clone()))
                        .or_insert_with(|| (GlobSetBuilder::new(), i));
                    entry.0.add(glob);
                }
            }
        }
        for ((rest, rule), (builder, first)) in globs {
            let set = builder.build().map_err(|_| first)?;
            m.globs.entry(rest).or_default().push((rule, set));
        }
        m.exact = Exact::new(exact);
        Ok(m)
    }

    pub fn allows_any(&self) -> bool {
        self.any
    }

    /// Whether the request's `Origin` value is allowed. Never allocates.
    ///
    /// Inline: the common cases (any origin, an exact one, no pattern to try) cost a few
    /// comparisons; only patterns need the origin parsed (`allows_parsed`).
    #[inline]
    pub fn allows(&self, raw: &[u8]) -> bool {
        self.any || self.exact.contains(raw) || (self.needs_parse && self.allows_parsed(raw))
    }

    /// Whether a pattern (host rules, subdomains, globs, the predicate) allows `raw`.
    fn allows_parsed(&self, raw: &[u8]) -> bool {
        let Ok(o) = origin::parse(raw) else {
            return false;
        };
        if let Some(rules) = self.hosts.get(o.host)
            && rules.iter().any(|r| r.matches(&o))
        {
            return true;
        }
        if o.kind == HostKind::Domain {
            if !self.subdomains.is_empty() {
                for (i, _) in o.host.match_indices('.') {
                    if let Some(rules) = self.subdomains.get(&o.host[i + 1..])
                        && rules.iter().any(|r| r.matches(&o))
                    {
                        return true;
                    }
                }
            }
            if !self.globs.is_empty()
                && let Some((label, rest)) = o.host.split_once('.')
                && let Some(sets) = self.globs.get(rest)
                && sets
                    .iter()
                    .any(|(r, set)| r.matches(&o) && set.is_match(label))
            {
                return true;
            }
        }
        if let Some(pred) = &self.predicate {
            // `parse` succeeded, so the value is ASCII.
            if let Ok(s) = std::str::from_utf8(raw) {
                return pred(s);
            }
        }
        false
    }
}

fn push_unique(map: &mut Map<Box<str>, Vec<Rule>>, key: &str, rule: &Rule) {
    let rules = map.entry(key.into()).or_default();
    if !rules.contains(rule) {
        rules.push(rule.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(patterns: &[&str]) -> OriginMatcher {
        let ps: Vec<Pattern> = patterns
            .iter()
            .map(|p| Pattern::parse(p).unwrap())
            .collect();
        OriginMatcher::build(&ps, None).unwrap()
    }

    #[test]
    fn exact_and_ports() {
        let m = matcher(&[
            "https://a.example.com",
            "http://localhost:*",
            "http://x.test:8080",
        ]);
        assert!(m.allows(b"https://a.example.com"));
        assert!(!m.allows(b"http://a.example.com"));
        assert!(!m.allows(b"https://a.example.com:8443"));
        assert!(!m.allows(b"https://a.example.com."));
        assert!(m.allows(b"http://localhost"));
        assert!(m.allows(b"http://localhost:1234"));
        assert!(!m.allows(b"https://localhost:1234"));
        assert!(m.allows(b"http://x.test:8080"));
        assert!(!m.allows(b"http://x.test:8081"));
        assert!(!m.allows(b"http://x.test"));
    }

    #[test]
    fn subdomains_never_the_apex() {
        let m = matcher(&["https://*.example.com"]);
        assert!(m.allows(b"https://a.example.com"));
        assert!(m.allows(b"https://a.b.example.com"));
        assert!(!m.allows(b"https://example.com"));
        assert!(!m.allows(b"https://evilexample.com"));
        assert!(!m.allows(b"https://a.example.com.evil.com"));
        assert!(!m.allows(b"http://a.example.com"));
    }

    #[test]
    fn globs_stay_in_one_label() {
        let m = matcher(&["https://pr-*.preview.example.com"]);
        assert!(m.allows(b"https://pr-12.preview.example.com"));
        assert!(!m.allows(b"https://pr-1.x.preview.example.com"));
        assert!(!m.allows(b"https://qr-1.preview.example.com"));
        assert!(!m.allows(b"https://preview.example.com"));
    }

    #[test]
    fn trailing_dot_hosts_match_only_themselves() {
        let m = matcher(&[
            "http://localhost.:3000",
            "https://*.example.com.",
            "https://pr-*.preview.example.net.",
            "http://app.test.:*",
        ]);
        assert!(m.allows(b"http://localhost.:3000"));
        assert!(!m.allows(b"http://localhost:3000"));
        assert!(m.allows(b"https://a.example.com."));
        assert!(m.allows(b"https://a.b.example.com."));
        assert!(!m.allows(b"https://a.example.com"));
        assert!(!m.allows(b"https://example.com."));
        assert!(m.allows(b"https://pr-7.preview.example.net."));
        assert!(!m.allows(b"https://pr-7.preview.example.net"));
        assert!(m.allows(b"http://app.test.:8080"));
        assert!(m.allows(b"http://app.test."));
        assert!(!m.allows(b"http://app.test:8080"));
        // And the other way round: patterns without the dot never match dotted hosts.
        let m = matcher(&["https://*.example.com", "http://localhost:*"]);
        assert!(!m.allows(b"https://a.example.com."));
        assert!(!m.allows(b"http://localhost.:3000"));
        assert!(
            Pattern::parse("http://localhost.:3000")
                .unwrap()
                .is_loopback()
        );
        assert!(Pattern::parse("http://*.localhost.").unwrap().is_loopback());
    }

    #[test]
    fn a_few_exact_origins_and_many_match_alike() {
        // Up to `FEW` exact origins are compared one by one, more are hashed.
        let origins: Vec<String> = (0..FEW + 3)
            .map(|i| format!("https://app{i}.example.com"))
            .collect();
        for n in [1, FEW, FEW + 1, FEW + 3] {
            let patterns: Vec<&str> = origins.iter().take(n).map(String::as_str).collect();
            let m = matcher(&patterns);
            match &m.exact {
                Exact::Few(list) => assert!(n <= FEW && list.len() == n, "{n}"),
                Exact::Many(set) => assert!(n > FEW && set.len() == n, "{n}"),
            }
            for (i, o) in origins.iter().enumerate() {
                assert_eq!(m.allows(o.as_bytes()), i < n, "{n} {o}");
            }
            assert!(!m.allows(b"https://app0.example.co"));
            assert!(!m.allows(b"https://app0.example.com:443"));
            assert!(!m.allows(b""));
        }
    }

    #[test]
    fn punycode_must_decode() {
        for ok in [
            "xn--bcher-kva.example",
            "xn--bcher-kva.example.",
            "a.xn--p1ai",
            "xn--e1afmkfd.xn--p1ai",
            "example.com",
        ] {
            assert!(punycode_ok(ok), "{ok}");
        }
        for bad in ["xn--f", "xn--", "xn--a", "xn--ss-", "a.xn--a-ecp.ru"] {
            assert!(!punycode_ok(bad), "{bad}");
        }
        for p in [
            "http://xn--f",
            "https://xn--f.example.com",
            "https://*.xn--f.example",
            "https://pr-*.xn--a.example",
            "http://xn--f:*",
        ] {
            assert_eq!(Pattern::parse(p), Err(PatternError::Punycode), "{p}");
        }
        assert!(Pattern::parse("https://*.xn--bcher-kva.example").is_ok());
    }

    #[test]
    fn pattern_errors() {
        assert!(matches!(
            Pattern::parse("https://api.*.example.com"),
            Err(PatternError::Wildcard(_))
        ));
        assert!(matches!(
            Pattern::parse("https://*"),
            Err(PatternError::Wildcard(_))
        ));
        assert!(matches!(
            Pattern::parse("*://a.com"),
            Err(PatternError::Wildcard(_))
        ));
        assert!(matches!(
            Pattern::parse("http://*.127.0.0.1"),
            Err(PatternError::Wildcard(_))
        ));
        assert!(matches!(
            Pattern::parse("http://localhost:3000:*"),
            Err(PatternError::Wildcard(_)) | Err(PatternError::Syntax(_))
        ));
        assert_eq!(
            Pattern::parse("https://*.example.com/"),
            Err(PatternError::Syntax(OriginSyntax::TrailingSlash))
        );
    }
}
