//! `cors audit URL [--trusted ORIGIN]…`: the known CORS misconfigurations of a live
//! server, found by sending crafted `Origin`s derived from the trusted origins (or the
//! URL's own origin) and reading which ones the server allows.
//!
//! An origin counts as allowed when the answer has exactly one
//! `Access-Control-Allow-Origin`, byte-equal to it (what the browser's CORS check
//! accepts; `*` is a deliberate public API, not a finding), and as allowed with
//! credentials when [`cors_core::browser`]'s CORS check passes in credentials mode too.

use cors_core::browser::FetchRequest;
use serde_json::{Value as Json, json};
use url::{Host, Url};

use crate::Format;
use crate::http::{Answer, Client, TimeoutArg, is_cors_line, parse_url, values, varies_on};
use crate::output::{Paint, print_json, usage};

/// The arbitrary origin: nobody trusts it on purpose.
const ARBITRARY: &str = "https://evil.net";
/// The method and the header a preflight asks for, which no policy lists.
const ODD_METHOD: &str = "CORSAUDIT";
const ODD_HEADER: &str = "x-cors-audit";

/// The arguments of `cors audit`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The URL to audit (`http://` or `https://`).
    url: String,
    /// An origin the server is meant to allow (`https://app.example.com`), or every
    /// subdomain of a host (`https://*.example.com`); repeatable. Without any, the URL's
    /// own origin.
    #[arg(long = "trusted", value_name = "ORIGIN")]
    trusted: Vec<String>,
    #[command(flatten)]
    timeout: TimeoutArg,
}

/// A misconfiguration class: its stable id is the JSON `class`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    OriginReflected,
    NullOriginAllowed,
    PrefixMatch,
    SuffixMatch,
    UnescapedDot,
    HttpOriginAllowed,
    CredentialsToUntrustedOrigin,
    VaryOriginMissing,
    MethodReflected,
    HeaderReflected,
}

impl Class {
    /// The stable kebab-case id.
    fn id(self) -> &'static str {
        match self {
            Class::OriginReflected => "origin-reflected",
            Class::NullOriginAllowed => "null-origin-allowed",
            Class::PrefixMatch => "prefix-match",
            Class::SuffixMatch => "suffix-match",
            Class::UnescapedDot => "unescaped-dot",
            Class::HttpOriginAllowed => "http-origin-allowed",
            Class::CredentialsToUntrustedOrigin => "credentials-to-untrusted-origin",
            Class::VaryOriginMissing => "vary-origin-missing",
            Class::MethodReflected => "method-reflected",
            Class::HeaderReflected => "header-reflected",
        }
    }

    /// What was found, as a sentence.
    fn what(self) -> &'static str {
        match self {
            Class::OriginReflected => "an arbitrary origin is allowed (the Origin sent is echoed)",
            Class::NullOriginAllowed => {
                "the origin null is allowed, which any site can send from a sandboxed iframe"
            }
            Class::PrefixMatch => "an origin that merely starts with a trusted origin is allowed",
            Class::SuffixMatch => "an origin whose host merely ends with a trusted host is allowed",
            Class::UnescapedDot => {
                "an origin with another character in place of a dot of a trusted host is allowed"
            }
            Class::HttpOriginAllowed => {
                "the http:// twin of a trusted https:// origin is allowed: anyone on the network \
                 path can run script on it"
            }
            Class::CredentialsToUntrustedOrigin => {
                "Access-Control-Allow-Credentials: true is sent to an origin that is not allowed"
            }
            Class::VaryOriginMissing => {
                "Access-Control-Allow-Origin depends on the Origin but the answer has no \
                 Vary: Origin, so a shared cache can serve one origin's answer to another"
            }
            Class::MethodReflected => {
                "a credentialed preflight is allowed whatever method it asks for"
            }
            Class::HeaderReflected => {
                "a credentialed preflight is allowed whatever header it asks for"
            }
        }
    }

    /// The fix.
    fn fix(self) -> &'static str {
        match self {
            Class::OriginReflected => {
                "compare the request's Origin with an exact list of trusted origins and send \
                 Access-Control-Allow-Origin only for those; never echo an unchecked Origin"
            }
            Class::NullOriginAllowed => {
                "never allow the origin null: remove it from the allowed origins (sandboxed \
                 iframes, data: URLs and cross-origin redirects of any site send it)"
            }
            Class::PrefixMatch => {
                "compare whole origins (scheme, host and port) for equality, not with a prefix \
                 test such as startsWith() or a regex without a final $"
            }
            Class::SuffixMatch => {
                "match whole hosts: an exact list, or subdomains with the dot included \
                 (https://*.example.com), not a suffix test such as endsWith(\"example.com\")"
            }
            Class::UnescapedDot => {
                "escape every dot in origin regexes (\\.), or list exact origins instead of \
                 regexes"
            }
            Class::HttpOriginAllowed => {
                "allow only https:// origins beside an https:// site (remove the http:// origin \
                 from the allowed origins)"
            }
            Class::CredentialsToUntrustedOrigin => {
                "send Access-Control-Allow-Credentials: true only together with an \
                 Access-Control-Allow-Origin for an allowed origin"
            }
            Class::VaryOriginMissing => {
                "add Vary: Origin to every answer whose CORS headers depend on the Origin, \
                 refusals included"
            }
            Class::MethodReflected => {
                "answer preflights with a fixed list of allowed methods instead of echoing \
                 Access-Control-Request-Method"
            }
            Class::HeaderReflected => {
                "answer preflights with a fixed list of allowed headers instead of echoing \
                 Access-Control-Request-Headers"
            }
        }
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Severity {
    /// Another site reads credentialed answers.
    High,
    /// Exploitable with a network position or a shared cache, or one step from high.
    Medium,
    /// Another site reads what it could mostly fetch itself; sloppy but not exploitable
    /// on its own.
    Low,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// One misconfiguration and its proof.
#[derive(Debug)]
struct Finding {
    class: Class,
    severity: Severity,
    /// The `Origin` sent.
    origin: String,
    /// `> ` request lines, then `< ` answer lines (status, then CORS-related lines).
    evidence: Vec<String>,
}

/// One request sent and its answer.
#[derive(Debug)]
struct Exchange {
    method: String,
    url: String,
    /// The request's header lines.
    request: Vec<(String, String)>,
    answer: Answer,
}

impl Exchange {
    fn lines(&self) -> Vec<String> {
        let mut out = vec![format!("> {} {}", self.method, self.url)];
        out.extend(self.request.iter().map(|(n, v)| format!("> {n}: {v}")));
        out.push(format!("< {}", self.answer.status));
        let mut any = false;
        for (n, v) in self.answer.headers.iter().filter(|(n, _)| is_cors_line(n)) {
            out.push(format!("< {n}: {v}"));
            any = true;
        }
        if !any {
            out.push("< (no CORS header)".into());
        }
        out
    }

    /// The `Origin` sent.
    fn origin(&self) -> &str {
        self.request.first().map_or("", |(_, v)| v.as_str())
    }

    /// Every `Access-Control-Allow-Origin` value.
    fn acao(&self) -> Vec<&str> {
        values(&self.answer.headers, "access-control-allow-origin").collect()
    }

    /// Whether the answer allows exactly `origin` (one line, byte-equal).
    fn allows(&self, origin: &str) -> bool {
        self.acao().as_slice() == [origin]
    }

    /// Whether the browser's CORS check passes for `origin` in credentials mode.
    fn allows_credentials(&self, origin: &str) -> bool {
        FetchRequest::new(origin, "GET")
            .credentials(true)
            .cors_check(&self.answer.headers)
            .is_ok()
    }
}

/// What `cors audit` found.
pub(crate) struct Report {
    url: Url,
    trusted: Vec<Trusted>,
    /// Each request sent (`Origin: …` or the preflight's question), what it tests (a
    /// class id, or `trusted`), and whether it was allowed (with credentials).
    sent: Vec<(String, &'static str, Option<bool>)>,
    findings: Vec<Finding>,
}

/// Runs the command; returns the exit code.
pub(crate) fn run(args: &Args, format: Format) -> u8 {
    match audit(args) {
        Err(message) => usage("audit", format, &message),
        Ok(report) => {
            match format {
                Format::Json => print_json(&report.json()),
                Format::Text => report.print_text(Paint::stdout()),
            }
            report.exit_code()
        }
    }
}

/// A trusted origin, or every subdomain of a host (`https://*.example.com`).
#[derive(Debug)]
struct Trusted {
    /// As given.
    text: String,
    /// An origin it trusts: itself, or the `www.` subdomain of a wildcard's host.
    example: String,
    /// For a wildcard: the origin it is `*.` of (`https://example.com`).
    base: Option<Url>,
}

impl Trusted {
    /// `null`, an origin, or `scheme://*.host[:port]`.
    fn parse(t: &str) -> Result<Self, String> {
        let wildcard = t.split_once("://*.");
        let origin = match wildcard {
            Some((scheme, rest)) => format!("{scheme}://{rest}"),
            None => t.to_owned(),
        };
        if origin != "null"
            && let Err(syntax) = cors_core::__private::check_origin(origin.as_bytes())
        {
            return Err(format!(
                "--trusted {t:?} {}; an origin is scheme://host[:port], or \
                 scheme://*.host[:port] for every subdomain",
                syntax.explain()
            ));
        }
        let Some((scheme, rest)) = wildcard else {
            return Ok(Self {
                text: t.to_owned(),
                example: t.to_owned(),
                base: None,
            });
        };
        let base = Url::parse(&origin).map_err(|e| format!("--trusted {t:?}: {e}"))?;
        if !matches!(base.host(), Some(Host::Domain(_))) {
            return Err(format!("--trusted {t:?}: a wildcard needs a domain name"));
        }
        Ok(Self {
            text: t.to_owned(),
            example: format!("{scheme}://www.{rest}"),
            base: Some(base),
        })
    }

    /// Whether it trusts `origin`.
    fn trusts(&self, origin: &str) -> bool {
        if self.text.eq_ignore_ascii_case(origin) {
            return true;
        }
        let (Some(base), Ok(o)) = (&self.base, Url::parse(origin)) else {
            return false;
        };
        let (Some(host), Some(base_host)) = (o.host_str(), base.host_str()) else {
            return false;
        };
        o.scheme() == base.scheme()
            && o.port_or_known_default() == base.port_or_known_default()
            && host
                .strip_suffix(base_host)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'))
    }
}

/// The crafted origins for the trusted ones, each with the class it tests, without
/// duplicates and without the origins trusted.
fn crafted(trusted: &[Trusted]) -> Vec<(Class, String)> {
    let mut out = vec![
        (Class::OriginReflected, ARBITRARY.to_owned()),
        (Class::NullOriginAllowed, "null".to_owned()),
    ];
    for t in trusted {
        let Ok(u) = Url::parse(&t.example) else {
            continue;
        };
        let (scheme, port) = (
            u.scheme(),
            u.port().map(|p| format!(":{p}")).unwrap_or_default(),
        );
        match u.host() {
            Some(Host::Domain(host)) => {
                out.push((
                    Class::PrefixMatch,
                    format!("{scheme}://{host}.evil.net{port}"),
                ));
                // A wildcard's suffix test is on its base host (`endsWith("example.com")`).
                let tail = t.base.as_ref().and_then(Url::host_str).unwrap_or(host);
                out.push((Class::SuffixMatch, format!("{scheme}://evil{tail}{port}")));
                // Each dot but the last: `app.example.com` → `appxexample.com`, a name an
                // attacker can register.
                let dots: Vec<usize> = host.match_indices('.').map(|(i, _)| i).collect();
                for &i in dots.iter().rev().skip(1) {
                    let mut h = host.to_owned();
                    h.replace_range(i..=i, "x");
                    out.push((Class::UnescapedDot, format!("{scheme}://{h}{port}")));
                }
            }
            Some(Host::Ipv4(ip)) => {
                out.push((
                    Class::PrefixMatch,
                    format!("{scheme}://{ip}.evil.net{port}"),
                ));
            }
            _ => {}
        }
        if scheme == "https"
            && let Some(host) = u.host_str()
        {
            out.push((Class::HttpOriginAllowed, format!("http://{host}{port}")));
        }
    }
    let mut seen = Vec::new();
    out.retain(|(_, o)| {
        let keep = !trusted.iter().any(|t| t.trusts(o)) && !seen.contains(o);
        seen.push(o.clone());
        keep
    });
    out
}

/// Sends the crafted requests and reads which misconfigurations the answers prove; the
/// usage or network error otherwise.
pub(crate) fn audit(args: &Args) -> Result<Report, String> {
    let url = parse_url(&args.url)?;
    let given = args
        .trusted
        .iter()
        .map(|t| Trusted::parse(t))
        .collect::<Result<Vec<_>, _>>()?;
    let client = Client::new(&args.timeout)?;
    let trusted: Vec<Trusted> = if given.is_empty() {
        Trusted::parse(&url.origin().ascii_serialization())
            .into_iter()
            .collect()
    } else {
        given
    };

    let get = |origin: &str| -> Result<Exchange, String> {
        let request = vec![("origin".to_owned(), origin.to_owned())];
        let answer = client
            .send(b"GET", &url, &bytes(&request))
            .map_err(|e| format!("the request with Origin: {origin} failed: {e}"))?;
        Ok(Exchange {
            method: "GET".into(),
            url: url.to_string(),
            request,
            answer,
        })
    };

    let mut findings: Vec<Finding> = Vec::new();
    let mut sent = Vec::new();
    let mut crafted_answers = Vec::new();
    for (class, origin) in crafted(&trusted) {
        let ex = get(&origin)?;
        let credentials = ex.allows_credentials(&origin);
        if ex.allows(&origin) {
            let severity = match (credentials, class) {
                (false, _) => Severity::Low,
                (true, Class::HttpOriginAllowed) => Severity::Medium,
                (true, _) => Severity::High,
            };
            findings.push(Finding {
                class,
                severity,
                origin: origin.clone(),
                evidence: ex.lines(),
            });
            sent.push((format!("Origin: {origin}"), class.id(), Some(credentials)));
        } else {
            let acac = values(&ex.answer.headers, "access-control-allow-credentials")
                .any(|v| v.trim().eq_ignore_ascii_case("true"));
            if acac
                && !findings
                    .iter()
                    .any(|f| f.class == Class::CredentialsToUntrustedOrigin)
            {
                findings.push(Finding {
                    class: Class::CredentialsToUntrustedOrigin,
                    severity: Severity::Low,
                    origin: origin.clone(),
                    evidence: ex.lines(),
                });
            }
            sent.push((format!("Origin: {origin}"), class.id(), None));
        }
        crafted_answers.push(ex);
    }

    // `Vary: Origin` is needed as soon as the allowed origin depends on the request's:
    // an answer that allows its own Origin without it, while another Origin got another
    // `Access-Control-Allow-Origin`.
    let mut answers = Vec::new();
    for t in trusted.iter().filter(|t| t.example != "null") {
        let ex = get(&t.example)?;
        let allowed = ex
            .allows(&t.example)
            .then(|| ex.allows_credentials(&t.example));
        sent.push((format!("Origin: {}", t.example), "trusted", allowed));
        answers.push(ex);
    }
    answers.extend(crafted_answers);
    if let Some(r) = answers
        .iter()
        .find(|e| e.allows(e.origin()) && !varies_on(&e.answer.headers, "origin"))
        && let Some(other) = answers.iter().find(|e| e.acao() != r.acao())
    {
        let mut evidence = r.lines();
        evidence.extend(other.lines());
        findings.push(Finding {
            class: Class::VaryOriginMissing,
            severity: Severity::Medium,
            origin: r.origin().to_owned(),
            evidence,
        });
    }

    // Preflights from the first trusted origin, in credentials mode.
    let origin = trusted
        .iter()
        .map(|t| t.example.clone())
        .find(|t| t != "null")
        .unwrap_or_else(|| "null".into());
    let preflights = [
        (Class::MethodReflected, ODD_METHOD, None),
        (Class::HeaderReflected, "GET", Some(ODD_HEADER)),
    ];
    for (class, method, header) in preflights {
        let mut request = vec![
            ("origin".to_owned(), origin.clone()),
            (
                "access-control-request-method".to_owned(),
                method.to_owned(),
            ),
        ];
        let mut fetch = FetchRequest::new(&origin, method).credentials(true);
        if let Some(h) = header {
            request.push(("access-control-request-headers".to_owned(), h.to_owned()));
            fetch = fetch.header(h, "1");
        }
        let answer = client
            .send(b"OPTIONS", &url, &bytes(&request))
            .map_err(|e| format!("the preflight from {origin} failed: {e}"))?;
        let allowed = fetch
            .preflight_check(answer.status, &answer.headers)
            .is_ok();
        let question = match header {
            Some(h) => format!("OPTIONS from {origin}, Access-Control-Request-Headers: {h}"),
            None => format!("OPTIONS from {origin}, Access-Control-Request-Method: {method}"),
        };
        sent.push((question, class.id(), allowed.then_some(true)));
        if allowed {
            let ex = Exchange {
                method: "OPTIONS".into(),
                url: url.to_string(),
                request,
                answer,
            };
            findings.push(Finding {
                class,
                severity: Severity::Medium,
                origin: origin.clone(),
                evidence: ex.lines(),
            });
        }
    }

    Ok(Report {
        url,
        trusted,
        sent,
        findings,
    })
}

fn bytes(lines: &[(String, String)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    lines
        .iter()
        .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect()
}

impl Report {
    /// 0 nothing found, 1 findings.
    pub(crate) fn exit_code(&self) -> u8 {
        u8::from(!self.findings.is_empty())
    }

    /// The JSON document `--format json` prints.
    pub(crate) fn json(&self) -> Json {
        json!({
            "url": self.url.as_str(),
            "findings": self.findings.iter().map(|f| json!({
                "class": f.class.id(),
                "severity": f.severity.as_str(),
                "origin": f.origin,
                "evidence": f.evidence,
                "fix": f.class.fix(),
            })).collect::<Vec<_>>(),
        })
    }

    /// One line per origin sent, then each finding with its evidence and fix.
    fn print_text(&self, paint: Paint) {
        println!(
            "{} {} trusting {}",
            paint.bold("audit:"),
            self.url,
            self.trusted
                .iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        for (what, test, allowed) in &self.sent {
            let text = match allowed {
                None => "not allowed",
                Some(false) => "allowed",
                Some(true) => "allowed with credentials",
            };
            // Green when as it should be: a trusted origin allowed, a crafted one not.
            let verdict = match (*test == "trusted", allowed.is_some()) {
                (true, true) | (false, false) => paint.green(text),
                (true, false) => paint.yellow(text),
                (false, true) => paint.red(text),
            };
            println!("{} {what} ({test}): {verdict}", paint.bold("sent:"));
        }
        for f in &self.findings {
            let severity = match f.severity {
                Severity::High => paint.red(f.severity.as_str()),
                Severity::Medium | Severity::Low => paint.yellow(f.severity.as_str()),
            };
            println!(
                "{} {severity} {} (Origin: {}): {}",
                paint.bold("finding:"),
                f.class.id(),
                f.origin,
                f.class.what()
            );
            for line in &f.evidence {
                println!("    {line}");
            }
            println!("    fix: {}", f.class.fix());
        }
        match self.findings.len() {
            0 => println!("{} {}", paint.bold("result:"), paint.green("nothing found")),
            n => println!(
                "{} {}",
                paint.bold("result:"),
                paint.red(&format!("{n} finding{}", if n == 1 { "" } else { "s" }))
            ),
        }
    }
}
