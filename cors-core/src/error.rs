//! Configuration errors: every problem of a policy, reported at once, typed so that a
//! program can match on them.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::origin::OriginSyntax;

/// A key of a policy file (a field of [`PolicyConfig`](crate::PolicyConfig)), or the
/// document as a whole.
///
/// ```
/// use cors_core::Key;
/// assert_eq!(Key::from("max_age"), Key::MaxAge);
/// assert_eq!(Key::MaxAge.as_str(), "max_age");
/// assert_eq!(Key::from("maxage"), Key::Unknown("maxage".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Key {
    /// `allow_origins`
    AllowOrigins,
    /// `allow_methods`
    AllowMethods,
    /// `allow_headers`
    AllowHeaders,
    /// `expose_headers`
    ExposeHeaders,
    /// `allow_credentials`
    AllowCredentials,
    /// `max_age`
    MaxAge,
    /// `allow_private_network`
    AllowPrivateNetwork,
    /// `preflight_status`
    PreflightStatus,
    /// `preflight_continue`
    PreflightContinue,
    /// `dangerously_allow_insecure_origins`
    DangerouslyAllowInsecureOrigins,
    /// `log_level`
    LogLevel,
    /// `debug`
    Debug,
    /// `policies`: the table of named policies.
    Policies,
    /// `routes`: the list of routes.
    Routes,
    /// `paths`, in a route: the path patterns it applies to.
    Paths,
    /// `policy`, in a route: the named policy it applies, or `"off"`.
    RoutePolicy,
    /// `csrf_protection`
    CsrfProtection,
    /// `websocket_origin_check`
    WebsocketOriginCheck,
    /// The document as a whole: it cannot be read, is not valid TOML, JSON or YAML, or is
    /// not a table of keys.
    Document,
    /// A key the policy does not know, as written.
    Unknown(String),
}

impl Key {
    /// Every key a policy has, in the order of [`PolicyConfig`](crate::PolicyConfig)'s fields.
    pub const ALL: [Key; 14] = [
        Key::AllowOrigins,
        Key::AllowMethods,
        Key::AllowHeaders,
        Key::ExposeHeaders,
        Key::AllowCredentials,
        Key::MaxAge,
        Key::AllowPrivateNetwork,
        Key::PreflightStatus,
        Key::PreflightContinue,
        Key::DangerouslyAllowInsecureOrigins,
        Key::LogLevel,
        Key::Debug,
        Key::CsrfProtection,
        Key::WebsocketOriginCheck,
    ];

    /// The key as written in a policy file; `"policy"` for [`Key::Document`].
    ///
    /// ```
    /// assert_eq!(cors_core::Key::AllowOrigins.as_str(), "allow_origins");
    /// assert_eq!(cors_core::Key::Document.as_str(), "policy");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            Key::AllowOrigins => "allow_origins",
            Key::AllowMethods => "allow_methods",
            Key::AllowHeaders => "allow_headers",
            Key::ExposeHeaders => "expose_headers",
            Key::AllowCredentials => "allow_credentials",
            Key::MaxAge => "max_age",
            Key::AllowPrivateNetwork => "allow_private_network",
            Key::PreflightStatus => "preflight_status",
            Key::PreflightContinue => "preflight_continue",
            Key::DangerouslyAllowInsecureOrigins => "dangerously_allow_insecure_origins",
            Key::LogLevel => "log_level",
            Key::Debug => "debug",
            Key::Policies => "policies",
            Key::Routes => "routes",
            Key::Paths => "paths",
            Key::RoutePolicy => "policy",
            Key::CsrfProtection => "csrf_protection",
            Key::WebsocketOriginCheck => "websocket_origin_check",
            Key::Document => "policy",
            Key::Unknown(name) => name,
        }
    }
}

impl From<&str> for Key {
    /// The key with this name; a name the policy does not know becomes [`Key::Unknown`]
    /// (`"policy"` too: it names no key).
    fn from(name: &str) -> Self {
        Key::ALL
            .into_iter()
            .find(|k| k.as_str() == name)
            .unwrap_or_else(|| Key::Unknown(name.to_owned()))
    }
}

impl fmt::Display for Key {
    /// The key as written; an unknown key's control characters (a newline, …) escaped, so
    /// that every problem stays on one line, and an empty one written `""`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // An empty key (`"" = 1`) shows as such, never as nothing.
            Key::Unknown(name) if name.is_empty() => f.write_str("\"\""),
            Key::Unknown(name) if name.chars().any(char::is_control) => {
                write!(f, "{}", name.escape_debug())
            }
            _ => f.write_str(self.as_str()),
        }
    }
}

/// The format of a policy document.
///
/// ```
/// assert_eq!(cors_core::Format::Yaml.to_string(), "YAML");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// TOML (<https://toml.io>).
    Toml,
    /// JSON (RFC 8259).
    Json,
    /// YAML 1.2 (one document).
    Yaml,
}

impl Format {
    /// The format's name: `"TOML"`, `"JSON"` or `"YAML"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Toml => "TOML",
            Format::Json => "JSON",
            Format::Yaml => "YAML",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with one part of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The policy file cannot be read: it is missing, not readable, or not UTF-8. The path
    /// is [`PolicyError::file`].
    #[non_exhaustive]
    Unreadable {
        /// The I/O error's kind (`NotFound`, `PermissionDenied`, `InvalidData` for a file
        /// that is not UTF-8, …).
        error: std::io::ErrorKind,
        /// The I/O error's message.
        message: String,
    },
    /// The document is not valid TOML, JSON or YAML.
    #[non_exhaustive]
    Syntax {
        /// The format it was read as.
        format: Format,
        /// The line of the error, from 1.
        line: usize,
        /// The column of the error, from 1, in characters (not bytes) for every format.
        /// When a parser gives no position (rare: errors found only at the end of the
        /// document), line and column point just past the end of the document.
        column: usize,
        /// The parser's message, without the position.
        message: String,
    },
    /// The document is not a table of keys (a list, a string, empty YAML, …).
    NotATable,
    /// A key the policy does not know; the problem's key is [`Key::Unknown`].
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A key's value has the wrong type (the message is serde's).
    InvalidType(String),
    /// `allow_origins` is empty (and no predicate was given).
    EmptyOrigins,
    /// `null` is not an origin a policy may trust.
    NullOrigin,
    /// `file:` origins are opaque; browsers send `null` for them.
    FileOrigin,
    /// Not an origin in serialized form.
    OriginSyntax(OriginSyntax),
    /// A host with an `xn--` label that is not valid Punycode (or not in the form browsers
    /// write it): browsers refuse such a URL, so no request comes from it.
    InvalidPunycode,
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
    /// `set-cookie` and `set-cookie2` can never be exposed (forbidden response-header names).
    SetCookieExposed,
    /// A CORS response header (`access-control-*`) in `expose_headers`: the policy sets
    /// them itself, and browsers never expose them to a page.
    CorsResponseHeaderExposed,
    /// A request header (`origin`, `access-control-request-*`) in `expose_headers`:
    /// responses do not carry it.
    RequestHeaderExposed,
    /// `*` in `expose_headers` together with credentials.
    AnyExposeWithCredentials,
    /// `max_age` above 86400.
    MaxAgeTooLarge,
    /// `preflight_status` outside 200..=299.
    PreflightStatusOutOfRange,
    /// A route names a policy the file does not define.
    UnknownPolicy,
    /// A policy name that cannot be used (`"off"`, empty, or not letters, digits, `-`, `_`).
    InvalidPolicyName,
    /// A path pattern that is not valid (the message says why).
    InvalidPathPattern(String),
    /// A route with no path patterns.
    EmptyPaths,
    /// An environment variable's value that cannot be read as the key's type (the message
    /// says what was expected).
    InvalidEnvValue(String),
    /// `csrf_protection` or `websocket_origin_check` on together with `allow_origins =
    /// ["*"]`: the check trusts the origins CORS allows, so it would trust every one.
    OriginCheckWithAnyOrigin,
}

impl ProblemKind {
    fn explain(&self) -> String {
        match self {
            Self::Unreadable { message, .. } => format!("cannot be read: {message}"),
            Self::Syntax { format, message, .. } => format!("invalid {format}: {message}"),
            Self::NotATable => "is not a table of keys".into(),
            Self::UnknownKey => "is not a policy key".into(),
            Self::MissingKey => "is required".into(),
            Self::InvalidType(e) => format!("has the wrong type: {e}"),
            Self::EmptyOrigins => "is empty, so no origin would be allowed".into(),
            Self::NullOrigin => "is the opaque origin sent by sandboxed pages, file: pages and redirects; trusting it trusts everyone".into(),
            Self::FileOrigin => "is a file: origin; browsers send such pages' origin as null, which cannot be trusted".into(),
            Self::OriginSyntax(s) => s.explain().into(),
            Self::InvalidPunycode => "has an xn-- label that is not valid Punycode; browsers refuse such a host, so no request comes from it".into(),
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
            Self::SetCookieExposed => "is a forbidden response header name; browsers never expose it to a page".into(),
            Self::CorsResponseHeaderExposed => "is a CORS response header the policy sets itself; browsers never expose it".into(),
            Self::RequestHeaderExposed => "is a request header; responses do not carry it".into(),
            Self::AnyExposeWithCredentials => "exposes every header, which browsers ignore together with credentials".into(),
            Self::MaxAgeTooLarge => "is above 86400 seconds (24 hours), the longest any browser caches a preflight".into(),
            Self::PreflightStatusOutOfRange => "is not a 2xx status; browsers treat anything else as a failed preflight".into(),
            Self::UnknownPolicy => "is not a policy defined under [policies] (nor \"off\")".into(),
            Self::InvalidPolicyName => "cannot name a policy: use letters, digits, '-' and '_', and not \"off\"".into(),
            Self::InvalidPathPattern(why) => format!("is not a valid path pattern: {why}"),
            Self::EmptyPaths => "is empty, so the route would never apply".into(),
            Self::InvalidEnvValue(why) => format!("cannot be read: {why}"),
            Self::OriginCheckWithAnyOrigin => "trusts the origins allow_origins allows, and allow_origins is \"*\": every origin would be trusted and nothing refused".into(),
        }
    }
}

/// One problem in a policy: the key, the offending value, what is wrong, and a fix where
/// there is one.
///
/// ```
/// use cors_core::{Key, OriginSyntax, ProblemKind};
/// let err = cors_core::Policy::builder()
///     .allow_origins(["https://example.com/"])
///     .build()
///     .unwrap_err();
/// let p = &err.problems()[0];
/// assert_eq!(p.key(), &Key::AllowOrigins);
/// assert_eq!(p.value(), Some("https://example.com/"));
/// assert_eq!(p.kind(), &ProblemKind::OriginSyntax(OriginSyntax::TrailingSlash));
/// assert_eq!(p.fix(), Some("did you mean \"https://example.com\"?"));
/// assert_eq!(p.to_string(),
///     "allow_origins: \"https://example.com/\" has a trailing slash; browsers send origins \
///      without one; did you mean \"https://example.com\"?");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    key: Key,
    value: Option<String>,
    kind: ProblemKind,
    fix: Option<String>,
    scope: Scope,
}

/// Where in a policy file a problem's key is: the top level (the default policy), a named
/// policy, a route, or an environment variable that overrides a key.
///
/// ```
/// let err = cors_core::PolicySet::from_toml_str(r#"
///     allow_origins = ["https://a.example"]
///     [policies.public]
///     allow_origins = ["https://b.example/"]
///     [[routes]]
///     paths = ["/public/**"]
///     policy = "publik"
/// "#).unwrap_err();
/// let keys: Vec<String> = err.problems().iter().map(|p| p.full_key()).collect();
/// assert_eq!(keys, ["policies.public.allow_origins", "routes[0].policy"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scope {
    /// A top-level key: the default policy, or the document.
    #[default]
    Top,
    /// A key of the named policy `[policies.NAME]`.
    Policy(String),
    /// A key of the route at this index of `routes` (from 0, in file order).
    Route(usize),
    /// The environment variable that overrides the key.
    Env(String),
}

impl Problem {
    pub(crate) fn new(key: impl Into<Key>, value: Option<&str>, kind: ProblemKind) -> Self {
        Self {
            key: key.into(),
            value: value.map(str::to_owned),
            kind,
            fix: None,
            scope: Scope::Top,
        }
    }

    /// The same problem, found in `scope` (a named policy, a route, a variable).
    pub(crate) fn in_scope(mut self, scope: Scope) -> Self {
        if self.scope == Scope::Top && self.key != Key::Document {
            self.scope = scope;
        }
        self
    }

    /// The same problem with a fix.
    pub(crate) fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// The key the problem is in; [`Key::Document`] for problems of the whole document.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The offending value, when there is one (an element of a list, a number).
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// What is wrong.
    pub fn kind(&self) -> &ProblemKind {
        &self.kind
    }

    /// How to fix it, when there is a clear fix.
    pub fn fix(&self) -> Option<&str> {
        self.fix.as_deref()
    }

    /// Where the key is ([`Scope::Top`] for the default policy's keys).
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The key with its place in the file, as written: `"allow_origins"`,
    /// `"policies.public.allow_origins"`, `"routes[1].paths"`, or the environment
    /// variable (`"CORS_ALLOW_ORIGINS"`).
    ///
    /// ```
    /// let err = cors_core::Policy::from_toml_str("allow_origins = []").unwrap_err();
    /// assert_eq!(err.problems()[0].full_key(), "allow_origins");
    /// ```
    pub fn full_key(&self) -> String {
        match &self.scope {
            Scope::Top => self.key.to_string(),
            Scope::Policy(name) => format!("policies.{}.{}", name.escape_debug(), self.key),
            Scope::Route(i) => format!("routes[{i}].{}", self.key),
            Scope::Env(var) => var.clone(),
        }
    }

    /// Writes the problem, prefixed by `file` when the problem came from one.
    fn write(&self, f: &mut fmt::Formatter<'_>, file: Option<&Path>) -> fmt::Result {
        match (&self.kind, file) {
            (ProblemKind::Syntax { line, column, .. }, Some(file)) => {
                write!(f, "{}:{line}:{column}: ", file.display())?;
            }
            (ProblemKind::Syntax { line, column, .. }, None) => {
                write!(f, "line {line}, column {column}: ")?;
            }
            (_, Some(file)) if self.key == Key::Document => write!(f, "{}: ", file.display())?,
            // An environment variable is not in the file.
            (_, Some(_)) if matches!(self.scope, Scope::Env(_)) => {
                write!(f, "{}: ", self.full_key())?
            }
            (_, Some(file)) => write!(f, "{}: {}: ", file.display(), self.full_key())?,
            (_, None) => write!(f, "{}: ", self.full_key())?,
        }
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

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, None)
    }
}

/// A policy that cannot be built, with every problem it has (never none).
///
/// ```
/// let err = cors_core::Policy::builder()
///     .allow_origins(["https://example.com/", "null"])
///     .max_age(std::time::Duration::from_secs(100_000))
///     .build()
///     .unwrap_err();
/// assert_eq!(err.problems().len(), 3);
/// assert!(err.to_string().contains("did you mean \"https://example.com\"?"));
/// assert_eq!(err.file(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    problems: Vec<Problem>,
    file: Option<PathBuf>,
}

impl PolicyError {
    pub(crate) fn new(problems: Vec<Problem>) -> Self {
        Self {
            problems,
            file: None,
        }
    }

    /// The same problems, found in `scope`.
    pub(crate) fn in_scope(self, scope: &Scope) -> Vec<Problem> {
        self.problems
            .into_iter()
            .map(|p| p.in_scope(scope.clone()))
            .collect()
    }

    /// The same problems, found in `file`.
    pub(crate) fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.to_owned());
        self
    }

    /// Every problem, in the order of the keys.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The policy file the problems were found in, when the policy came from one.
    ///
    /// ```
    /// let err = cors_core::PolicyConfig::from_file("/no/such/policy.toml").unwrap_err();
    /// assert_eq!(err.file(), Some(std::path::Path::new("/no/such/policy.toml")));
    /// assert!(err.to_string().contains("/no/such/policy.toml: cannot be read"));
    /// ```
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
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
            f.write_str("\n  - ")?;
            p.write(f, self.file.as_deref())?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}
