//! Configuration errors: every problem of a policy, reported at once.

use std::fmt;

use crate::origin::OriginSyntax;

/// What is wrong with one part of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The policy file is not valid TOML, JSON or YAML.
    Syntax(String),
    /// The policy file is not a table of keys.
    NotATable,
    /// A key the policy does not know.
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A key's value has the wrong type.
    InvalidType(String),
    /// `allow_origins` is empty (and no predicate was given).
    EmptyOrigins,
    /// `null` is not an origin a policy may trust.
    NullOrigin,
    /// `file:` origins are opaque; browsers send `null` for them.
    FileOrigin,
    /// Not an origin in serialized form.
    OriginSyntax(OriginSyntax),
    /// A wildcard where none can be.
    BadWildcard(&'static str),
    /// `*` beside other origins.
    AnyOriginWithOthers,
    /// `*` as an origin together with credentials.
    AnyOriginWithCredentials,
    /// An `http://` origin that is not loopback, together with credentials.
    InsecureOriginWithCredentials,
    /// A subdomain pattern directly on a public suffix, together with credentials.
    PublicSuffixPatternWithCredentials,
    /// Not a method token.
    InvalidMethod,
    /// A method browsers refuse to send (CONNECT, TRACE, TRACK).
    ForbiddenMethod,
    /// Not a header name.
    InvalidHeaderName,
    /// A header name pages can never set.
    ForbiddenRequestHeader,
    /// A CORS response header listed as a request header.
    ResponseHeaderInAllowHeaders,
    /// `set-cookie` can never be exposed.
    SetCookieExposed,
    /// `*` in `expose_headers` together with credentials.
    AnyExposeWithCredentials,
    /// `max_age` above 86400.
    MaxAgeTooLarge,
    /// `preflight_status` outside 200..=299.
    PreflightStatusOutOfRange,
}

impl ProblemKind {
    fn explain(&self) -> String {
        match self {
            Self::Syntax(e) => format!("cannot be read: {e}"),
            Self::NotATable => "is not a table of keys".into(),
            Self::UnknownKey => "is not a policy key".into(),
            Self::MissingKey => "is required".into(),
            Self::InvalidType(e) => format!("has the wrong type: {e}"),
            Self::EmptyOrigins => "is empty, so no origin would be allowed".into(),
            Self::NullOrigin => "is the opaque origin sent by sandboxed pages, file: pages and redirects; trusting it trusts everyone".into(),
            Self::FileOrigin => "is a file: origin; browsers send such pages' origin as null, which cannot be trusted".into(),
            Self::OriginSyntax(s) => s.explain().into(),
            Self::BadWildcard(why) => (*why).into(),
            Self::AnyOriginWithOthers => "is listed beside \"*\", which already allows every origin".into(),
            Self::AnyOriginWithCredentials => "allows every origin, which browsers refuse together with credentials".into(),
            Self::InsecureOriginWithCredentials => "is plain http on a non-loopback host; with credentials, anyone on the network path could read credentialed responses".into(),
            Self::PublicSuffixPatternWithCredentials => "opens every site under a public suffix, owned by anyone, to credentialed requests".into(),
            Self::InvalidMethod => "is not a method name (an HTTP token)".into(),
            Self::ForbiddenMethod => "is a method browsers never send".into(),
            Self::InvalidHeaderName => "is not a header name (an HTTP token)".into(),
            Self::ForbiddenRequestHeader => "is a header browsers never let a page set, so allowing it has no effect".into(),
            Self::ResponseHeaderInAllowHeaders => "is a CORS response header, not a request header".into(),
            Self::SetCookieExposed => "can never be exposed to a page".into(),
            Self::AnyExposeWithCredentials => "exposes every header, which browsers ignore together with credentials".into(),
            Self::MaxAgeTooLarge => "is above 86400 seconds (24 hours)".into(),
            Self::PreflightStatusOutOfRange => "is not a 2xx status; browsers treat anything else as a failed preflight".into(),
        }
    }
}

/// One problem in a policy: the key, the offending value, why, and a fix where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key (`allow_origins`, …), or the file for syntax errors.
    pub key: String,
    /// The offending value, when there is one.
    pub value: Option<String>,
    /// What is wrong.
    pub kind: ProblemKind,
    /// How to fix it, when there is a clear fix.
    pub fix: Option<String>,
}

impl Problem {
    pub(crate) fn new(key: &str, value: Option<&str>, kind: ProblemKind) -> Self {
        Self {
            key: key.to_owned(),
            value: value.map(str::to_owned),
            kind,
            fix: None,
        }
    }

    pub(crate) fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.key)?;
        if let Some(v) = &self.value {
            write!(f, "{v:?} ")?;
        }
        f.write_str(&self.kind.explain())?;
        if let Some(fix) = &self.fix {
            write!(f, "; {fix}")?;
        }
        Ok(())
    }
}

/// A policy that cannot be built, with every problem it has.
///
/// ```
/// let err = cors_core::Policy::builder()
///     .allow_origins(["https://example.com/", "null"])
///     .max_age(std::time::Duration::from_secs(100_000))
///     .build()
///     .unwrap_err();
/// assert_eq!(err.problems().len(), 3);
/// assert!(err.to_string().contains("did you mean \"https://example.com\"?"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    problems: Vec<Problem>,
}

impl PolicyError {
    pub(crate) fn new(problems: Vec<Problem>) -> Self {
        Self { problems }
    }

    /// Every problem, in the order of the keys.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Whether some problem is of this kind.
    pub fn has(&self, pred: impl Fn(&ProblemKind) -> bool) -> bool {
        self.problems.iter().any(|p| pred(&p.kind))
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "invalid CORS policy ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}
