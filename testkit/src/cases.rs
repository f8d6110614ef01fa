//! The shared CORS cases (`cases.toml` beside this crate's manifest): every adapter is held
//! to exactly these, in process and over HTTP, and cors-core's decisions too.
//!
//! [`Suite::run_every_case`] (and its async twin) runs the whole table through one client
//! and checks every answer; the client says per case what it got ([`Sent`]).
//!
//! ```
//! use cors_testkit::cases;
//!
//! let suite = cases::load();
//! let policies = suite.built_policies();
//! // Every case names a policy, or a whole-service file (routes).
//! assert!(suite.cases.iter().all(|c| policies.contains_key(&c.policy) || suite.services.contains_key(&c.policy)));
//! ```

use std::collections::BTreeMap;

use cors_core::{CorsHeader, Decision, Policy, PolicyConfig, PolicySet};

use crate::{TestRequest, TestResponse};
use serde::Deserialize;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    /// The policies, by name.
    pub policies: BTreeMap<String, PolicyConfig>,
    /// Whole-service policy files (default policy, named policies, routes), by name, as
    /// TOML text; a case names one like a policy.
    #[serde(default)]
    pub services: BTreeMap<String, String>,
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

/// One request and what must happen to it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// A unique name, used in failure messages and skip lists.
    pub name: String,
    /// The name of the policy (or of the whole-service file) the case runs under.
    pub policy: String,
    /// The request method.
    pub method: String,
    /// The request path (`/echo` unless given).
    #[serde(default = "default_path")]
    pub path: String,
    /// Header lines; `{c*N}` in a value stands for N copies of `c`.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Header lines whose values are given in hex (for bytes that are not UTF-8).
    #[serde(default)]
    pub hex_headers: Vec<(String, String)>,
    /// What must happen.
    pub expect: Expect,
}

fn default_path() -> String {
    "/echo".into()
}

/// What must happen.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The decision's kind (`DecisionKind::as_str`), or `off` where a route switches
    /// CORS off (no decision: the response as the handler made it).
    pub kind: String,
    /// The refusal's reason code, if refused.
    #[serde(default)]
    pub reason: Option<String>,
    /// The status of the answer the adapter gives itself (a preflight), if any.
    #[serde(default)]
    pub status: Option<u16>,
    /// The status of the final response over HTTP, when it differs from `status` and 200.
    #[serde(default)]
    pub http_status: Option<u16>,
    /// The CORS headers, by lower-case name (repeated lines joined with `, `).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The `Vary` items the decision adds, in order.
    #[serde(default)]
    pub vary: Vec<String>,
}

/// Loads the cases, checking that every case names a policy that builds.
pub fn load() -> Suite {
    let suite: Suite = toml::from_str(include_str!("../cases.toml")).expect("cases.toml parses");
    for case in &suite.cases {
        assert!(
            suite.policies.contains_key(&case.policy) || suite.services.contains_key(&case.policy),
            "case {:?} names unknown policy {:?}",
            case.name,
            case.policy
        );
    }
    suite
}

impl Suite {
    /// The policy file of a policy or service: what `serve --policy` reads.
    pub fn policy_file(&self, name: &str) -> String {
        match self.services.get(name) {
            Some(text) => text.clone(),
            None => toml::to_string(&self.policies[name]).expect("policy toml"),
        }
    }

    /// The set a case's policy or service builds (a policy is a set without routes).
    pub fn policy_set(&self, name: &str) -> PolicySet {
        match self.services.get(name) {
            Some(text) => {
                PolicySet::from_toml_str(text).unwrap_or_else(|e| panic!("service {name}: {e}"))
            }
            None => PolicySet::from(
                Policy::new(&self.policies[name]).unwrap_or_else(|e| panic!("policy {name}: {e}")),
            ),
        }
    }

    /// The policy a case is decided by (its service's route for the case's path); `None`
    /// where a route switches CORS off.
    pub fn policy_for(&self, case: &Case) -> Option<Policy> {
        self.policy_set(&case.policy).select(&case.path).cloned()
    }

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
    /// The case's request: its method, path and [`header_lines`](Case::header_lines).
    pub fn request(&self) -> TestRequest {
        TestRequest {
            method: self.method.clone(),
            path: self.path.clone(),
            headers: self.header_lines(),
        }
    }

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

/// The suite's `basic` policy (specific origins, credentials), which most adapter-specific
/// checks run under.
pub fn basic() -> Policy {
    load()
        .built_policies()
        .remove("basic")
        .expect("cases.toml has a basic policy")
}

/// What a client got for one case, in [`Suite::run_every_case`].
#[derive(Debug)]
pub enum Sent {
    /// The response, to be checked against the case.
    Answer(TestResponse),
    /// The client cannot express this case (its name must be in the expected skips).
    Skipped,
    /// Sending failed or something the client checks itself failed: a failure, with why.
    Failed(String),
}

impl Suite {
    /// Sends every case through `send` (given the case's built policy and the case) and
    /// checks what came back: the status, CORS headers and `Vary` items
    /// ([`Case::check_response`]), and that an answer the adapter gives itself (a case
    /// with an `expect.status`) has no body and no `Content-Type`. Cases run grouped by
    /// policy, policies in name order, so a client can keep one server per policy.
    ///
    /// Panics (a test failure) when the suite has fewer than 40 cases, when any case
    /// fails, or when the skipped cases are not exactly `expected_skips` (in any order);
    /// `label` names the client in the messages.
    ///
    /// ```
    /// use cors_testkit::cases::{self, Sent};
    ///
    /// // A client that can express nothing must say so for every case.
    /// let suite = cases::load();
    /// let names: Vec<&str> = suite.policies.keys().chain(suite.services.keys()).flat_map(|p| {
    ///     suite.cases.iter().filter(move |c| &c.policy == p).map(|c| c.name.as_str())
    /// }).collect();
    /// suite.run_every_case("nothing", &names, |_, _| Sent::Skipped);
    /// ```
    pub fn run_every_case(
        &self,
        label: &str,
        expected_skips: &[&str],
        mut send: impl FnMut(&PolicySet, &Case) -> Sent,
    ) {
        let mut tally = Tally::new(self, label);
        for (policy, case) in self.by_policy() {
            let sent = send(&policy, case);
            tally.record(case, sent);
        }
        tally.finish(expected_skips);
    }

    /// [`Suite::run_every_case`] for a client that must be awaited.
    pub async fn run_every_case_async(
        &self,
        label: &str,
        expected_skips: &[&str],
        mut send: impl AsyncFnMut(&PolicySet, &Case) -> Sent,
    ) {
        let mut tally = Tally::new(self, label);
        for (policy, case) in self.by_policy() {
            let sent = send(&policy, case).await;
            tally.record(case, sent);
        }
        tally.finish(expected_skips);
    }

    /// Every case with its built policy set, grouped by policy (policies, then services,
    /// in name order).
    fn by_policy(&self) -> impl Iterator<Item = (PolicySet, &Case)> {
        self.policies
            .keys()
            .chain(self.services.keys())
            .flat_map(move |name| {
                let set = self.policy_set(name);
                self.cases
                    .iter()
                    .filter(move |c| c.policy == *name)
                    .map(move |c| (set.clone(), c))
            })
    }
}

/// The results of one run of the suite.
struct Tally<'s> {
    suite: &'s Suite,
    label: &'s str,
    failures: Vec<String>,
    skipped: Vec<&'s str>,
    checked: usize,
}

impl<'s> Tally<'s> {
    fn new(suite: &'s Suite, label: &'s str) -> Self {
        assert!(
            suite.cases.len() >= 40,
            "the suite shrank to {}",
            suite.cases.len()
        );
        Tally {
            suite,
            label,
            failures: Vec::new(),
            skipped: Vec::new(),
            checked: 0,
        }
    }

    fn record(&mut self, case: &'s Case, sent: Sent) {
        let res = match sent {
            Sent::Answer(res) => res,
            Sent::Skipped => {
                self.skipped.push(&case.name);
                return;
            }
            Sent::Failed(why) => {
                self.failures.push(format!("{}: {why}", case.name));
                return;
            }
        };
        self.checked += 1;
        if let Err(e) = case.check_response(res.status, &res.headers) {
            self.failures.push(e);
        }
        // Answered by the adapter: empty body, no Content-Type.
        if case.expect.status.is_some()
            && (!res.body.is_empty() || !res.values("content-type").is_empty())
        {
            self.failures.push(format!(
                "{}: the adapter's answer has a body or a Content-Type: {res:?}",
                case.name
            ));
        }
    }

    fn finish(self, expected_skips: &[&str]) {
        assert!(
            self.failures.is_empty(),
            "{}: {} of {} cases fail:\n{}",
            self.label,
            self.failures.len(),
            self.suite.cases.len(),
            self.failures.join("\n")
        );
        // In any order: cases run grouped by policy.
        let mut skipped = self.skipped.clone();
        let mut expected = expected_skips.to_vec();
        skipped.sort_unstable();
        expected.sort_unstable();
        assert_eq!(
            skipped, expected,
            "{}: the skipped cases are not the expected ones",
            self.label
        );
        assert_eq!(
            self.checked + self.skipped.len(),
            self.suite.cases.len(),
            "{}: not every case ran",
            self.label
        );
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::*;

    /// The answer a perfect adapter gives for `case`, built from its expectation.
    fn expected_answer(case: &Case) -> TestResponse {
        let mut headers: Vec<(String, Vec<u8>)> = case
            .expect
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), v.clone().into_bytes()))
            .collect();
        let vary = case.http_vary();
        if !vary.is_empty() {
            headers.push(("vary".to_owned(), vary.join(", ").into_bytes()));
        }
        TestResponse {
            status: case.http_status(),
            headers,
            body: Vec::new(),
        }
    }

    /// The panic message of `f`, which must panic.
    fn panic_message(f: impl FnOnce()) -> String {
        let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("the run must fail");
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    }

    #[test]
    fn right_answers_pass() {
        load().run_every_case("perfect", &[], |_, case| {
            Sent::Answer(expected_answer(case))
        });
    }

    #[test]
    fn wrong_answers_fail() {
        let suite = load();
        let msg = panic_message(|| {
            suite.run_every_case("empty", &[], |_, _| {
                Sent::Answer(TestResponse {
                    status: 200,
                    headers: Vec::new(),
                    body: Vec::new(),
                })
            })
        });
        assert!(
            msg.contains("empty: ") && msg.contains("cases fail"),
            "{msg}"
        );
    }

    #[test]
    fn an_adapter_answer_with_a_body_fails() {
        let msg = panic_message(|| {
            load().run_every_case("body", &[], |_, case| {
                let mut res = expected_answer(case);
                if case.expect.status.is_some() {
                    res.body = b"x".to_vec();
                }
                Sent::Answer(res)
            })
        });
        assert!(msg.contains("has a body or a Content-Type"), "{msg}");
    }

    #[test]
    fn failed_sends_fail() {
        let msg = panic_message(|| {
            load().run_every_case("failing", &[], |_, _| Sent::Failed("refused".into()))
        });
        assert!(msg.contains(": refused"), "{msg}");
    }

    #[test]
    fn unexpected_skips_fail() {
        let msg = panic_message(|| load().run_every_case("skipping", &[], |_, _| Sent::Skipped));
        assert!(msg.contains("not the expected ones"), "{msg}");
        // And a skip list naming a case that never skips fails too.
        let msg = panic_message(|| {
            load().run_every_case("answering", &["no such case"], |_, case| {
                Sent::Answer(expected_answer(case))
            })
        });
        assert!(msg.contains("not the expected ones"), "{msg}");
    }
}
