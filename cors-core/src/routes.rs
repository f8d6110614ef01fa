//! A whole service's policies: the default policy, named policies and the route table
//! that picks one of them (or none) by request path.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value as Json};

use crate::config::{file_text, parse_document, read_file};
use crate::error::{Format, Key, PolicyError, Problem, ProblemKind, Scope};
use crate::path::{PathPattern, RouteIndex};
use crate::{Policy, PolicyConfig};

/// The route target that switches CORS handling off.
pub const OFF: &str = "off";
/// The route target naming the default (top-level) policy.
pub const DEFAULT: &str = "default";

/// One `[[routes]]` entry: the path patterns it applies to and the policy it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteConfig {
    /// Path patterns (no query): `*` is one segment, `**` any number of segments (none
    /// included), a segment may be a glob (`*.json`, `v{1,2}`); literal segments compare
    /// percent-decoded.
    pub paths: Vec<String>,
    /// A named policy (`[policies.NAME]`), `"default"` for the top-level policy, or
    /// `"off"`: no CORS handling at all (no CORS headers, no `Vary`, preflights reach the
    /// application).
    pub policy: String,
}

/// A whole-service policy file: the default policy (the top-level keys, exactly those of
/// a single-policy file), named policies (`[policies.NAME]`, the same keys) and routes
/// (`[[routes]]`, first match wins, in file order).
///
/// ```
/// let config = cors_core::ServiceConfig::from_toml_str(r#"
///     allow_origins = ["https://app.example.com"]
///
///     [policies.public]
///     allow_origins = ["*"]
///
///     [[routes]]
///     paths = ["/public/**", "/health"]
///     policy = "public"
///
///     [[routes]]
///     paths = ["/internal/**"]
///     policy = "off"
/// "#)?;
/// assert_eq!(config.routes.len(), 2);
/// assert_eq!(config.policies["public"].allow_origins, ["*"]);
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceConfig {
    /// The default policy: for every path no route matches.
    pub default: PolicyConfig,
    /// Named policies, by name.
    pub policies: BTreeMap<String, PolicyConfig>,
    /// The routes, in file order.
    pub routes: Vec<RouteConfig>,
    /// The keys [`ServiceConfig::apply_env`] overrode, with their variables.
    env: Vec<(Key, String)>,
}

impl From<PolicyConfig> for ServiceConfig {
    fn from(default: PolicyConfig) -> Self {
        Self {
            default,
            ..Self::default()
        }
    }
}

impl ServiceConfig {
    /// Reads a TOML file's text, reporting every problem at once with its full key
    /// (`policies.public.allow_origins`, `routes[1].paths`).
    pub fn from_toml_str(text: &str) -> Result<Self, PolicyError> {
        Self::from_value(parse_document(text, Format::Toml)?)
    }

    /// Reads a JSON document (the same schema: top-level keys, `"policies"`, `"routes"`).
    ///
    /// ```
    /// let c = cors_core::ServiceConfig::from_json_str(r#"{
    ///     "allow_origins": ["https://a.example"],
    ///     "routes": [{"paths": ["/internal/**"], "policy": "off"}]
    /// }"#)?;
    /// assert_eq!(c.routes[0].policy, "off");
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn from_json_str(text: &str) -> Result<Self, PolicyError> {
        Self::from_value(parse_document(text, Format::Json)?)
    }

    /// Reads a YAML document (the same schema).
    ///
    /// ```
    /// let c = cors_core::ServiceConfig::from_yaml_str("
    /// allow_origins: [https://a.example]
    /// policies:
    ///   public:
    ///     allow_origins: ['*']
    /// routes:
    ///   - paths: [/public/**]
    ///     policy: public
    /// ")?;
    /// assert_eq!(c.routes[0].paths, ["/public/**"]);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn from_yaml_str(text: &str) -> Result<Self, PolicyError> {
        Self::from_value(parse_document(text, Format::Yaml)?)
    }

    /// Reads a policy file; the format follows the extension as for
    /// [`PolicyConfig::from_file`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, PolicyError> {
        let path = path.as_ref();
        let (text, format) = read_file(path)?;
        Self::from_file_text(path, &text, format)
    }

    /// [`ServiceConfig::from_file`] on the file's bytes, read already: for a caller that
    /// keeps what it loaded (to tell whether the file changed since) and must load exactly
    /// those bytes, not what the file holds a moment later. `path` chooses the format and
    /// names the file in problems; it is not read.
    ///
    /// ```
    /// use std::path::Path;
    /// let c = cors_core::ServiceConfig::from_file_bytes(
    ///     Path::new("cors.yaml"),
    ///     b"allow_origins: [https://a.example]\n",
    /// )?;
    /// assert_eq!(c.default.allow_origins, ["https://a.example"]);
    ///
    /// let err = cors_core::ServiceConfig::from_file_bytes(Path::new("cors.toml"), b"\xff")
    ///     .unwrap_err();
    /// assert_eq!(err.file(), Some(Path::new("cors.toml")));
    /// assert!(err.to_string().contains("not contain valid UTF-8"));
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn from_file_bytes(path: impl AsRef<Path>, bytes: &[u8]) -> Result<Self, PolicyError> {
        let path = path.as_ref();
        let (text, format) = file_text(path, bytes.to_vec())?;
        Self::from_file_text(path, &text, format)
    }

    fn from_file_text(path: &Path, text: &str, format: Format) -> Result<Self, PolicyError> {
        parse_document(text, format)
            .and_then(Self::from_value)
            .map_err(|e| e.in_file(path))
    }

    fn from_value(value: Json) -> Result<Self, PolicyError> {
        let Json::Object(mut map) = value else {
            return Err(PolicyError::new(vec![Problem::new(
                Key::Document,
                None,
                ProblemKind::NotATable,
            )]));
        };
        let mut problems = Vec::new();
        let policies = map.remove(Key::Policies.as_str());
        let routes = map.remove(Key::Routes.as_str());
        let default = PolicyConfig::from_map(map)
            .map_err(|e| problems.extend(e.problems().iter().cloned()))
            .ok();
        let mut config = Self::default();
        match policies {
            None => {}
            Some(Json::Object(table)) => {
                for (name, v) in table {
                    let scope = Scope::Policy(name.clone());
                    let parsed = match v {
                        Json::Object(m) => PolicyConfig::from_map(m),
                        _ => Err(PolicyError::new(vec![
                            Problem::new(Key::Policies, Some(&name), ProblemKind::NotATable)
                                .with_fix(format!(
                                    "write the policy's keys under [policies.{name}]"
                                )),
                        ])),
                    };
                    match parsed {
                        Ok(p) => {
                            config.policies.insert(name, p);
                        }
                        Err(e) => problems.extend(e.in_scope(&scope)),
                    }
                }
            }
            Some(_) => problems.push(
                Problem::new(Key::Policies, None, ProblemKind::NotATable)
                    .with_fix("write each named policy as a table: [policies.NAME]"),
            ),
        }
        match routes {
            None => {}
            Some(Json::Array(list)) => {
                for (i, v) in list.into_iter().enumerate() {
                    match route(v) {
                        Ok(r) => config.routes.push(r),
                        Err(ps) => {
                            problems.extend(ps.into_iter().map(|p| p.in_scope(Scope::Route(i))))
                        }
                    }
                }
            }
            Some(_) => problems.push(
                Problem::new(
                    Key::Routes,
                    None,
                    ProblemKind::InvalidType("expected a list of routes".into()),
                )
                .with_fix("write each route as a [[routes]] table with paths and policy"),
            ),
        }
        match default {
            Some(d) if problems.is_empty() => {
                config.default = d;
                Ok(config)
            }
            _ => Err(PolicyError::new(problems)),
        }
    }

    /// Overrides the default policy's keys from environment variables, named `CORS_` and
    /// the key in upper case: `CORS_ALLOW_ORIGINS`, `CORS_ALLOW_CREDENTIALS`,
    /// `CORS_MAX_AGE`, … (every key of [`PolicyConfig`]).
    ///
    /// - Lists (`allow_origins`, `allow_methods`, `allow_headers`, `expose_headers`):
    ///   comma-separated, spaces around items ignored; empty for an empty list.
    /// - Booleans: `true` or `false`. Numbers: decimal. `CORS_MAX_AGE` empty removes
    ///   `max_age`. `CORS_LOG_LEVEL`: as in the file.
    ///
    /// Other variables are ignored. A value that cannot be read is a problem named by its
    /// variable; problems [`PolicySet::new`] then finds in an overridden key are named by
    /// the variable too.
    ///
    /// ```
    /// let mut c = cors_core::ServiceConfig::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?;
    /// c.apply_env([
    ///     ("CORS_ALLOW_ORIGINS", "https://a.example, https://b.example"),
    ///     ("CORS_MAX_AGE", "600"),
    ///     ("PATH", "/usr/bin"),
    /// ])?;
    /// assert_eq!(c.default.allow_origins, ["https://a.example", "https://b.example"]);
    /// assert_eq!(c.default.max_age, Some(600));
    ///
    /// let err = c.apply_env([("CORS_ALLOW_CREDENTIALS", "yes")]).unwrap_err();
    /// assert_eq!(err.problems()[0].full_key(), "CORS_ALLOW_CREDENTIALS");
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn apply_env<I, K, V>(&mut self, vars: I) -> Result<(), PolicyError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut doc = match serde_json::to_value(&self.default) {
            Ok(Json::Object(m)) => m,
            _ => Map::new(),
        };
        let mut problems = Vec::new();
        let mut applied = Vec::new();
        for (name, value) in vars {
            let (name, value) = (name.as_ref(), value.as_ref());
            let Some(key) = Key::ALL.into_iter().find(|k| env_name(k) == name) else {
                continue;
            };
            match env_value(&key, value) {
                Ok(Some(v)) => {
                    doc.insert(key.as_str().to_owned(), v);
                }
                Ok(None) => {
                    doc.remove(key.as_str());
                }
                Err(why) => {
                    problems.push(
                        Problem::new(key.clone(), Some(value), ProblemKind::InvalidEnvValue(why))
                            .in_scope(Scope::Env(name.to_owned())),
                    );
                    continue;
                }
            }
            applied.push((key, name.to_owned()));
        }
        if !problems.is_empty() {
            return Err(PolicyError::new(problems));
        }
        let default = PolicyConfig::from_map(doc).map_err(|e| {
            PolicyError::new(
                e.problems()
                    .iter()
                    .map(|p| rename_env(p.clone(), &applied))
                    .collect(),
            )
        })?;
        self.default = default;
        self.env = applied;
        Ok(())
    }
}

/// `CORS_` and the key in upper case.
fn env_name(key: &Key) -> String {
    format!("CORS_{}", key.as_str().to_ascii_uppercase())
}

/// A problem in a key an environment variable overrode, named by the variable.
fn rename_env(p: Problem, applied: &[(Key, String)]) -> Problem {
    match applied.iter().find(|(k, _)| k == p.key()) {
        Some((_, var)) if *p.scope() == Scope::Top => p.in_scope(Scope::Env(var.clone())),
        _ => p,
    }
}

/// Converts a variable's text to the key's JSON value (`None`: remove the key).
fn env_value(key: &Key, text: &str) -> Result<Option<Json>, String> {
    let text = text.trim();
    Ok(Some(match key {
        Key::AllowOrigins | Key::AllowMethods | Key::AllowHeaders | Key::ExposeHeaders => {
            Json::Array(
                text.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Json::String(s.to_owned()))
                    .collect(),
            )
        }
        Key::MaxAge if text.is_empty() => return Ok(None),
        Key::MaxAge | Key::PreflightStatus => text
            .parse::<u64>()
            .map(Json::from)
            .map_err(|_| "expected a whole number".to_owned())?,
        Key::LogLevel | Key::CsrfProtection => Json::String(text.to_owned()),
        _ => match text {
            "true" => Json::Bool(true),
            "false" => Json::Bool(false),
            _ => return Err("expected true or false".into()),
        },
    }))
}

/// Reads one route table.
fn route(v: Json) -> Result<RouteConfig, Vec<Problem>> {
    let Json::Object(map) = v else {
        return Err(vec![
            Problem::new(Key::Document, None, ProblemKind::NotATable)
                .with_fix("write each route as a [[routes]] table with paths and policy"),
        ]);
    };
    let mut problems = Vec::new();
    for name in map.keys() {
        if name != Key::Paths.as_str() && name != Key::RoutePolicy.as_str() {
            problems.push(
                Problem::new(Key::Unknown(name.clone()), None, ProblemKind::UnknownKey)
                    .with_fix("a route has two keys: paths and policy"),
            );
        }
    }
    let paths = match map.get(Key::Paths.as_str()) {
        None => {
            problems.push(
                Problem::new(Key::Paths, None, ProblemKind::MissingKey)
                    .with_fix("list path patterns, e.g. paths = [\"/public/**\"]"),
            );
            Vec::new()
        }
        Some(v) => match serde_json::from_value::<Vec<String>>(v.clone()) {
            Ok(p) => p,
            Err(e) => {
                problems.push(Problem::new(
                    Key::Paths,
                    None,
                    ProblemKind::InvalidType(e.to_string()),
                ));
                Vec::new()
            }
        },
    };
    let policy = match map.get(Key::RoutePolicy.as_str()) {
        Some(Json::String(s)) => s.clone(),
        None => {
            problems.push(
                Problem::new(Key::RoutePolicy, None, ProblemKind::MissingKey)
                    .with_fix("name a policy from [policies], \"default\", or \"off\""),
            );
            String::new()
        }
        Some(other) => {
            problems.push(Problem::new(
                Key::RoutePolicy,
                None,
                ProblemKind::InvalidType(format!("expected a policy name, found {other}")),
            ));
            String::new()
        }
    };
    if problems.is_empty() {
        Ok(RouteConfig { paths, policy })
    } else {
        Err(problems)
    }
}

/// Something legal in a policy file that probably does not do what its author expects:
/// a named policy no route uses, a route an earlier one shadows entirely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    key: String,
    value: Option<String>,
    message: String,
}

impl Warning {
    /// The full key (`policies.NAME`, `routes[2]`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The value concerned, if any.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// What is probably wrong, and what to do.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.key)?;
        if let Some(v) = &self.value {
            write!(f, "{v:?} ")?;
        }
        f.write_str(&self.message)
    }
}

/// What a route applies: a policy (0 is the default, `i + 1` the `i`-th named policy in
/// name order), or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Policy(usize),
    Off,
}

/// The default policy, the named policies and the route table, validated together: what a
/// whole service applies. [`PolicySet::select`] picks the policy for a request path
/// (first matching route in file order; the default when none matches), or `None` where
/// a route switches CORS off.
///
/// Adapters accept it (through a [`PolicyHandle`](crate::PolicyHandle), which also
/// reloads it) as well as a single [`Policy`].
///
/// ```
/// let set = cors_core::PolicySet::from_toml_str(r#"
///     allow_origins = ["https://app.example.com"]
///     [policies.public]
///     allow_origins = ["*"]
///     [[routes]]
///     paths = ["/public/**"]
///     policy = "public"
///     [[routes]]
///     paths = ["/internal/**"]
///     policy = "off"
/// "#)?;
/// assert_eq!(set.select("/public/a").unwrap().config().allow_origins, ["*"]);
/// assert_eq!(set.select("//public/").unwrap().config().allow_origins, ["*"]);
/// assert!(set.select("/internal/x").is_none());
/// assert_eq!(set.select("/other").unwrap().config().allow_origins, ["https://app.example.com"]);
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Clone)]
pub struct PolicySet {
    /// The default policy first, then the named ones in name order.
    policies: Vec<Policy>,
    names: Vec<String>,
    targets: Vec<Target>,
    index: RouteIndex,
    warnings: Vec<Warning>,
}

impl fmt::Debug for PolicySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicySet")
            .field("policies", &self.names)
            .field("routes", &self.targets.len())
            .finish_non_exhaustive()
    }
}

impl From<Policy> for PolicySet {
    /// A set with only a default policy: every path gets it.
    fn from(policy: Policy) -> Self {
        Self {
            policies: vec![policy],
            names: vec![DEFAULT.to_owned()],
            targets: Vec::new(),
            index: RouteIndex::default(),
            warnings: Vec::new(),
        }
    }
}

impl PolicySet {
    /// Validates a whole-service configuration: every policy, every route's patterns and
    /// policy name, all problems at once with their full keys.
    pub fn new(config: &ServiceConfig) -> Result<Self, PolicyError> {
        let mut problems = Vec::new();
        let mut policies = Vec::new();
        let mut names = vec![DEFAULT.to_owned()];
        match Policy::new(&config.default) {
            Ok(p) => policies.push(p),
            Err(e) => problems.extend(
                e.problems()
                    .iter()
                    .map(|p| rename_env(p.clone(), &config.env)),
            ),
        }
        for (name, c) in &config.policies {
            if !valid_name(name) {
                problems.push(
                    Problem::new(Key::Policies, Some(name), ProblemKind::InvalidPolicyName)
                        .with_fix("rename it, e.g. [policies.public]"),
                );
            }
            match Policy::new(c) {
                Ok(p) => policies.push(p.with_metrics_label("policy", name.clone())),
                Err(e) => problems.extend(e.in_scope(&Scope::Policy(name.clone()))),
            }
            names.push(name.clone());
        }
        let mut targets = Vec::new();
        let mut index = RouteIndex::default();
        for (i, r) in config.routes.iter().enumerate() {
            let scope = Scope::Route(i);
            let target = match r.policy.as_str() {
                OFF => Target::Off,
                name => match names.iter().position(|n| n == name) {
                    Some(at) => Target::Policy(at),
                    None => {
                        let fix = match names.iter().skip(1).find(|n| close(n, name)) {
                            Some(n) => format!("did you mean {n:?}?"),
                            None => {
                                format!("define [policies.{name}], or use \"default\" or \"off\"")
                            }
                        };
                        problems.push(
                            Problem::new(Key::RoutePolicy, Some(name), ProblemKind::UnknownPolicy)
                                .with_fix(fix)
                                .in_scope(scope.clone()),
                        );
                        Target::Off
                    }
                },
            };
            if r.paths.is_empty() {
                problems.push(
                    Problem::new(Key::Paths, None, ProblemKind::EmptyPaths)
                        .with_fix("list path patterns, e.g. paths = [\"/public/**\"]")
                        .in_scope(scope.clone()),
                );
            }
            for p in &r.paths {
                match PathPattern::parse(p) {
                    Ok(pattern) => index.push(i, pattern),
                    Err(why) => problems.push(
                        Problem::new(Key::Paths, Some(p), ProblemKind::InvalidPathPattern(why))
                            .in_scope(scope.clone()),
                    ),
                }
            }
            targets.push(target);
        }
        if !problems.is_empty() {
            return Err(PolicyError::new(problems));
        }
        let mut set = Self {
            policies,
            names,
            targets,
            index,
            warnings: Vec::new(),
        };
        set.warnings = set.find_warnings();
        Ok(set)
    }

    /// Loads, validates and builds a whole-service policy file (a single-policy file is
    /// one too: its routes are empty).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, PolicyError> {
        let path = path.as_ref();
        Self::new(&ServiceConfig::from_file(path)?).map_err(|e| e.in_file(path))
    }

    /// [`PolicySet::from_file`], then the `CORS_*` environment variables of this process
    /// over the default policy's keys ([`ServiceConfig::apply_env`]).
    pub fn from_file_and_env(path: impl AsRef<Path>) -> Result<Self, PolicyError> {
        let path = path.as_ref();
        Self::with_env(path, ServiceConfig::from_file(path)?)
    }

    /// [`PolicySet::from_file_and_env`] on the file's bytes, read already
    /// ([`ServiceConfig::from_file_bytes`]): what a reloader uses, so that the set it puts
    /// in force is built from the very bytes it compares with the file's next content.
    ///
    /// ```
    /// let bytes = br#"allow_origins = ["https://a.example"]"#;
    /// let set = cors_core::PolicySet::from_file_bytes_and_env("cors.toml", bytes)?;
    /// assert!(set.select("/").is_some());
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn from_file_bytes_and_env(
        path: impl AsRef<Path>,
        bytes: &[u8],
    ) -> Result<Self, PolicyError> {
        let path = path.as_ref();
        Self::with_env(path, ServiceConfig::from_file_bytes(path, bytes)?)
    }

    /// The `CORS_*` environment variables over `config`, then the set.
    fn with_env(path: &Path, mut config: ServiceConfig) -> Result<Self, PolicyError> {
        config
            .apply_env(
                std::env::vars_os()
                    .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
            )
            .map_err(|e| e.in_file(path))?;
        Self::new(&config).map_err(|e| e.in_file(path))
    }

    /// Loads and validates a TOML whole-service policy.
    pub fn from_toml_str(text: &str) -> Result<Self, PolicyError> {
        Self::new(&ServiceConfig::from_toml_str(text)?)
    }

    /// The policy for a request path (the path only, as the request carries it: no query),
    /// or `None` where a route switches CORS off. The first route with a matching pattern
    /// wins; no route matching means the default policy. Allocation-free for paths of up
    /// to 24 segments; only the routes whose first segment could match are tried.
    #[inline]
    pub fn select(&self, path: &str) -> Option<&Policy> {
        self.select_index(path).map(|(_, p)| p)
    }

    /// [`PolicySet::select`] with the policy's position in [`PolicySet::policies`] (0 is
    /// the default): for adapters that keep a table per policy.
    #[inline]
    pub fn select_index(&self, path: &str) -> Option<(usize, &Policy)> {
        self.select_index_by(|| path)
    }

    /// [`PolicySet::select`] with the path asked for only when the set has routes: for
    /// adapters whose framework computes the path on each call (a set of one policy, the
    /// common case, then costs no path at all).
    ///
    /// ```
    /// let set = cors_core::PolicySet::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?;
    /// let policy = set.select_by(|| unreachable!("no routes: the path is not needed"));
    /// assert!(policy.is_some());
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    #[inline]
    pub fn select_by<'p>(&self, path: impl FnOnce() -> &'p str) -> Option<&Policy> {
        self.select_index_by(path).map(|(_, p)| p)
    }

    /// [`PolicySet::select_by`] with the policy's position in [`PolicySet::policies`].
    #[inline]
    pub fn select_index_by<'p>(&self, path: impl FnOnce() -> &'p str) -> Option<(usize, &Policy)> {
        let at = if self.index.is_empty() {
            0
        } else {
            match self
                .index
                .find(path().as_bytes())
                .and_then(|r| self.targets.get(r))
            {
                None => 0,
                Some(Target::Policy(at)) => *at,
                Some(Target::Off) => return None,
            }
        };
        self.policies.get(at).map(|p| (at, p))
    }

    /// The same set with one more label on every policy's `cors_requests_total` series
    /// ([`Policy::with_metrics_label`]); named policies are labelled `policy="NAME"`
    /// already.
    #[must_use]
    pub fn with_metrics_label(mut self, name: &str, value: &str) -> Self {
        for p in &mut self.policies {
            *p = p.clone().with_metrics_label(name, value);
        }
        self
    }

    /// Describes the counters of every policy to the installed `metrics` recorder
    /// ([`Policy::register_metrics`]).
    pub fn register_metrics(&self) {
        for p in &self.policies {
            p.register_metrics();
        }
    }

    /// The default policy.
    pub fn default_policy(&self) -> &Policy {
        &self.policies[0]
    }

    /// The named policy `name` (`"default"` for the default one).
    pub fn policy(&self, name: &str) -> Option<&Policy> {
        let at = self.names.iter().position(|n| n == name)?;
        self.policies.get(at)
    }

    /// Every policy: the default first, then the named ones in name order, with their
    /// names.
    pub fn policies(&self) -> impl ExactSizeIterator<Item = (&str, &Policy)> {
        self.names.iter().map(String::as_str).zip(&self.policies)
    }

    /// How many routes the table has.
    pub fn routes(&self) -> usize {
        self.targets.len()
    }

    /// Settings that are legal but probably not what was meant: named policies no route
    /// uses, routes shadowed entirely by an earlier one.
    ///
    /// ```
    /// let set = cors_core::PolicySet::from_toml_str(r#"
    ///     allow_origins = ["https://a.example"]
    ///     [policies.unused]
    ///     allow_origins = ["*"]
    ///     [[routes]]
    ///     paths = ["/api/**"]
    ///     policy = "off"
    ///     [[routes]]
    ///     paths = ["/api/v1/*"]
    ///     policy = "default"
    /// "#)?;
    /// let keys: Vec<&str> = set.warnings().iter().map(|w| w.key()).collect();
    /// assert_eq!(keys, ["policies.unused", "routes[1]"]);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    fn find_warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        for (at, name) in self.names.iter().enumerate().skip(1) {
            if !self.targets.contains(&Target::Policy(at)) {
                out.push(Warning {
                    key: format!("policies.{name}"),
                    value: None,
                    message: "no route uses this policy; add a [[routes]] entry with policy = \"NAME\", or remove it".replace("NAME", name),
                });
            }
        }
        // A pattern covers another only if its literal first segments are the other's
        // first ones and its literal last segments the other's last ones
        // (`PathPattern::literal_ends`). With the routes indexed by those, a route is
        // compared only with the earlier routes that may cover its first pattern, where
        // comparing every pair took 27 s for 3 000 routes under `/api`.
        type Ends<'p> = Vec<&'p [u8]>;
        let mut by_ends: HashMap<Ends<'_>, HashMap<Ends<'_>, Vec<usize>>> = HashMap::new();
        for (route, p) in self.index.entries() {
            let (prefix, suffix) = p.literal_ends();
            let routes = by_ends
                .entry(prefix)
                .or_default()
                .entry(suffix)
                .or_default();
            if routes.last() != Some(&route) {
                routes.push(route);
            }
        }
        for later in 0..self.targets.len() {
            let Some(first) = self.index.patterns(later).next() else {
                continue;
            };
            let (prefix, suffix) = first.literal_ends();
            let mut may_cover: Vec<usize> = (0..=prefix.len())
                .filter_map(|n| by_ends.get(prefix.get(..n)?))
                .flat_map(|by_suffix| {
                    (0..=suffix.len())
                        .filter_map(|n| by_suffix.get(suffix.get(suffix.len() - n..)?))
                })
                .flat_map(|routes| routes.iter().copied().take_while(|&r| r < later))
                .collect();
            may_cover.sort_unstable();
            may_cover.dedup();
            let shadowed_by = may_cover.into_iter().find(|&earlier| {
                self.index
                    .patterns(later)
                    .all(|p| self.index.patterns(earlier).any(|e| e.covers(p)))
            });
            if let Some(earlier) = shadowed_by {
                out.push(Warning {
                    key: format!("routes[{later}]"),
                    value: None,
                    message: format!(
                        "never applies: routes[{earlier}] comes first and matches every path it matches (first match wins); move it above routes[{earlier}] or remove it"
                    ),
                });
            }
        }
        out
    }
}

/// Letters, digits, `-` and `_`, and not a reserved target.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name != OFF
        && name != DEFAULT
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `a` and `b` are a typo apart.
fn close(a: &str, b: &str) -> bool {
    a.len().abs_diff(b.len()) <= 2
        && a.len() <= 64
        && b.len() <= 64
        && crate::config::edit_distance(a, b) <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_has_its_full_key() {
        let err = PolicySet::from_toml_str(
            r#"
            allow_origins = ["https://a.example"]
            max_age = 100000
            [policies.public]
            allow_origins = ["*"]
            allow_credentials = true
            [policies.off]
            allow_origins = ["*"]
            [[routes]]
            paths = ["public/**", "/a//b"]
            policy = "pubic"
            [[routes]]
            paths = []
            policy = "off"
            "#,
        )
        .unwrap_err();
        let keys: Vec<String> = err.problems().iter().map(Problem::full_key).collect();
        assert_eq!(
            keys,
            [
                "max_age",
                "policies",
                "policies.public.allow_origins",
                "routes[0].policy",
                "routes[0].paths",
                "routes[0].paths",
                "routes[1].paths",
            ],
            "{err}"
        );
        assert!(
            err.to_string().contains("did you mean \"public\"?"),
            "{err}"
        );
    }

    #[test]
    fn parse_problems_are_scoped_too() {
        let err = ServiceConfig::from_toml_str(
            r#"
            allow_origins = ["https://a.example"]
            [policies.p]
            alow_origins = ["*"]
            [[routes]]
            path = ["/x"]
            policy = 3
            "#,
        )
        .unwrap_err();
        let keys: Vec<String> = err.problems().iter().map(Problem::full_key).collect();
        assert_eq!(
            keys,
            [
                "policies.p.alow_origins",
                "policies.p.allow_origins",
                "routes[0].path",
                "routes[0].paths",
                "routes[0].policy"
            ],
            "{err}"
        );
    }

    #[test]
    fn env_problems_are_named_by_the_variable() {
        let mut c =
            ServiceConfig::from_toml_str(r#"allow_origins = ["https://a.example"]"#).unwrap();
        c.apply_env([("CORS_ALLOW_ORIGINS", "https://a.example/, null")])
            .unwrap();
        let err = PolicySet::new(&c).unwrap_err();
        let keys: Vec<String> = err.problems().iter().map(Problem::full_key).collect();
        assert_eq!(keys, ["CORS_ALLOW_ORIGINS", "CORS_ALLOW_ORIGINS"], "{err}");
        let err = c.apply_env([("CORS_MAX_AGE", "ten")]).unwrap_err();
        assert_eq!(err.problems()[0].full_key(), "CORS_MAX_AGE");
        c.apply_env([("CORS_MAX_AGE", ""), ("CORS_ALLOW_CREDENTIALS", "true")])
            .unwrap();
        assert_eq!(c.default.max_age, None);
        assert!(c.default.allow_credentials);
    }

    #[test]
    fn a_single_policy_is_a_set_without_routes() {
        let set = PolicySet::from(Policy::any_origin());
        assert_eq!(set.routes(), 0);
        assert!(set.select("/anything/%2e%2e/x").is_some());
    }

    /// Which route shadows which, comparing every pair of routes (what `find_warnings`
    /// did before it indexed the routes by their patterns' literal first and last segments).
    fn shadowed_by_every_pair(set: &PolicySet) -> Vec<(usize, usize)> {
        (0..set.targets.len())
            .filter_map(|later| {
                let earlier = (0..later).find(|&earlier| {
                    let mut mine = set.index.patterns(later).peekable();
                    mine.peek().is_some()
                        && mine.all(|p| set.index.patterns(earlier).any(|e| e.covers(p)))
                })?;
                Some((later, earlier))
            })
            .collect()
    }

    /// The same from the warnings.
    fn shadowed_by_warnings(set: &PolicySet) -> Vec<(usize, usize)> {
        let index = |s: &str| s.split(['[', ']']).nth(1)?.parse().ok();
        set.warnings()
            .iter()
            .filter_map(|w| Some((index(w.key())?, index(&w.message)?)))
            .collect()
    }

    fn pattern() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let seg = prop_oneof![
            Just("a"),
            Just("b"),
            Just("v1"),
            Just("*"),
            Just("**"),
            Just("v*"),
        ];
        proptest::collection::vec(seg, 0..4).prop_map(|segs| format!("/{}", segs.join("/")))
    }

    proptest::proptest! {
        #[test]
        fn shadowed_routes_are_those_comparing_every_pair_finds(
            routes in proptest::collection::vec(proptest::collection::vec(pattern(), 1..3), 1..10),
        ) {
            let mut config = ServiceConfig::from_toml_str("allow_origins = [\"https://a.example\"]").unwrap();
            config.routes = routes
                .into_iter()
                .map(|paths| RouteConfig { paths, policy: DEFAULT.into() })
                .collect();
            let set = PolicySet::new(&config).unwrap();
            proptest::prop_assert_eq!(shadowed_by_warnings(&set), shadowed_by_every_pair(&set));
        }
    }

    #[test]
    fn a_route_is_shadowed_by_the_first_route_covering_all_its_patterns() {
        let set = PolicySet::from_toml_str(
            r#"
            allow_origins = ["https://a.example"]
            [[routes]]
            paths = ["/api/v1/**"]
            policy = "default"
            [[routes]]
            paths = ["/v*/x", "/a/**"]
            policy = "off"
            [[routes]]
            paths = ["/api/v1/x", "/api/v2/x"]
            policy = "default"
            [[routes]]
            paths = ["/v1/x", "/a/b/c"]
            policy = "default"
            [[routes]]
            paths = ["/**"]
            policy = "off"
            [[routes]]
            paths = ["/api/v2/*", "/z"]
            policy = "default"
            "#,
        )
        .unwrap();
        // routes[2]: /api/v2/x is covered by no earlier route; routes[3]: both patterns
        // by routes[1] (a glob, then `**`); routes[5]: by routes[4] only.
        assert_eq!(shadowed_by_warnings(&set), [(3, 1), (5, 4)]);
        assert_eq!(shadowed_by_every_pair(&set), [(3, 1), (5, 4)]);
    }
}
