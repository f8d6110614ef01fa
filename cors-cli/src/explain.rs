//! `cors explain POLICY_FILE --origin ORIGIN …`: offline, what a browser does with one
//! `fetch()` against a server running the policy, step by step.

use std::path::PathBuf;

use cors_core::browser::{Blocked, DEFAULT_PREFLIGHT_CACHE_SECONDS, Engine, max_age};
use cors_core::{Action, CorsRequest, Policy, PolicyConfig, PolicySet, Reason, Vary};
use serde_json::{Value as Json, json};

use crate::Format;
use crate::output::{Paint, print_json, print_preflight_need, usage};
use crate::request::{Fetch, FetchArgs, engine_lifetimes, lossy};

/// The arguments of `cors explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The policy file (TOML, JSON or YAML).
    policy_file: PathBuf,
    #[command(flatten)]
    fetch: FetchArgs,
    /// The request's path: with routes in the policy file, it picks the policy (first
    /// matching route, else the default policy).
    #[arg(long, default_value = "/")]
    path: String,
}

/// One answer of the policy and the browser's verdict on it.
#[derive(Debug)]
struct Step {
    status: u16,
    handler_status: bool,
    headers: Vec<(String, String)>,
    blocked: Option<Blocked>,
    /// Why the policy refused the request, as `(code, sentence)`.
    refused: Option<(&'static str, String)>,
    /// The policy's refusal, kept for the fix.
    refusal: Option<Refusal>,
}

/// What the policy refused, owned.
#[derive(Debug, Clone)]
enum Refusal {
    Origin(String),
    Method(String),
    Header(String),
    Malformed,
}

impl From<&Reason<'_>> for Refusal {
    fn from(r: &Reason<'_>) -> Self {
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match r {
            Reason::OriginNotAllowed { origin } => Refusal::Origin(s(origin)),
            Reason::MethodNotAllowed { method } => Refusal::Method(s(method)),
            Reason::HeaderNotAllowed { header } => Refusal::Header(s(header).to_ascii_lowercase()),
            // The origin check (csrf_protection, websocket_origin_check): listing the
            // origin is the fix too.
            Reason::CrossOriginRequest {
                origin: Some(origin),
                ..
            }
            | Reason::CrossOriginWebSocket { origin, .. } => Refusal::Origin(s(origin)),
            _ => Refusal::Malformed,
        }
    }
}

/// Evaluates one request view with the policy and collects the answer.
fn answer(policy: &Policy, view: &CorsRequest<'_>) -> Step {
    let d = policy.evaluate(view);
    let (status, handler_status) = match d.action() {
        Action::Respond { status } => (status.as_u16(), false),
        Action::Forward => (200, true),
    };
    let mut headers: Vec<(String, String)> = d
        .headers()
        .map(|h| {
            (
                h.name.as_str().to_owned(),
                String::from_utf8_lossy(h.value.as_bytes()).into_owned(),
            )
        })
        .collect();
    if d.vary() != Vary::None {
        headers.push(("vary".into(), d.vary().as_str().into()));
    }
    Step {
        status,
        handler_status,
        headers,
        blocked: None,
        refused: d.reason().map(|r| (r.code(), r.to_string())),
        refusal: d.reason().map(Refusal::from),
    }
}

/// Runs the command; returns the exit code.
pub(crate) fn run(args: &Args, format: Format) -> u8 {
    let policy = match PolicySet::from_file(&args.policy_file) {
        Ok(set) => set.select(&args.path).cloned(),
        Err(e) => return usage("explain", format, &format!("the policy is not valid: {e}")),
    };
    let Fetch {
        req,
        shown_headers,
        mut warnings,
    } = match args.fetch.fetch() {
        Ok(f) => f,
        Err(message) => return usage("explain", format, &message),
    };
    let method = lossy(req.method());
    let need = req.preflight();

    let mut preflight = None;
    if need.is_needed() {
        let acrh = need.request_headers();
        let mut view = CorsRequest::new(b"OPTIONS");
        view.push_origin(args.fetch.origin.as_bytes());
        view.push_request_method(req.method());
        if let Some(acrh) = &acrh {
            view.push_request_headers(acrh.as_bytes());
        }
        let mut step = answer_or_off(policy.as_ref(), &view);
        if step.handler_status {
            warnings.push(
                "preflight_continue: the preflight's status is your handler's (200 assumed here); \
                 anything but 2xx fails it"
                    .into(),
            );
        }
        step.blocked = req.preflight_check(step.status, &step.headers).err();
        if step.blocked.is_none() {
            warnings.extend(cache_note(&step.headers));
        }
        preflight = Some(step);
    }
    let mut actual = None;
    if preflight.as_ref().is_none_or(|p| p.blocked.is_none()) {
        let mut view = CorsRequest::new(req.method());
        view.push_origin(args.fetch.origin.as_bytes());
        let mut step = answer_or_off(policy.as_ref(), &view);
        step.blocked = req.cors_check(&step.headers).err();
        actual = Some(step);
    }

    let failed = [("preflight", &preflight), ("actual request", &actual)]
        .into_iter()
        .find_map(|(name, s)| {
            s.as_ref()
                .filter(|s| s.blocked.is_some())
                .map(|s| (name, s))
        });
    let (why, fix) = match failed {
        None => (None, None),
        Some((name, step)) => (
            Some(top_why(name, step)),
            match &policy {
                Some(policy) => fix(
                    policy.config(),
                    &args.fetch.origin,
                    args.fetch.credentials,
                    step,
                ),
                None => Some(format!(
                    "a route in the policy file has policy = \"off\" for {}: point it at a policy that allows {} (or let the application answer CORS itself)",
                    args.path, args.fetch.origin
                )),
            },
        ),
    };
    if policy.is_none() {
        warnings.push(format!(
            "CORS is off for {} (a route with policy = \"off\"): the application's own answer is assumed to be a 200 without CORS headers",
            args.path
        ));
    }
    let allowed = failed.is_none();

    match format {
        Format::Json => print_json(&json!({
            "origin": args.fetch.origin,
            "method": method,
            "headers": shown_headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
            "credentials": args.fetch.credentials,
            "preflight": preflight.as_ref().map(step_json),
            "actual": actual.as_ref().map(step_json),
            "allowed": allowed,
            "why": why,
            "fix": fix,
            "warnings": warnings,
        })),
        Format::Text => {
            let paint = Paint::stdout();
            let headers = if shown_headers.is_empty() {
                "no headers".to_owned()
            } else {
                shown_headers
                    .iter()
                    .map(|(n, v)| format!("{n}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let credentials = if args.fetch.credentials {
                "include"
            } else {
                "omit"
            };
            println!(
                "{} {method} {} from {}, {headers}, credentials {credentials}",
                paint.bold("request:"),
                args.path,
                args.fetch.origin
            );
            print_preflight_need(paint, &need);
            if let Some(step) = &preflight {
                print_step(paint, "preflight", step);
            }
            if let Some(step) = &actual {
                print_step(paint, "actual", step);
            }
            match &why {
                None => println!("{} {}", paint.bold("result:"), paint.green("allowed")),
                Some(why) => println!("{} {}: {why}", paint.bold("result:"), paint.red("blocked")),
            }
            if let Some(fix) = &fix {
                println!("{} {fix}", paint.bold("fix:"));
            }
            for w in &warnings {
                println!("{}: {w}", paint.yellow("warning"));
            }
        }
    }
    u8::from(!allowed)
}

/// The policy's answer; where a route switches CORS off, the application's, assumed to be
/// a 200 without CORS headers.
fn answer_or_off(policy: Option<&Policy>, view: &CorsRequest<'_>) -> Step {
    match policy {
        Some(p) => answer(p, view),
        None => Step {
            status: 200,
            handler_status: true,
            headers: Vec::new(),
            blocked: None,
            refused: None,
            refusal: None,
        },
    }
}

/// How long each engine caches an allowed preflight's answer, when it matters.
fn cache_note(headers: &[(String, String)]) -> Option<String> {
    match max_age(headers) {
        None => Some(format!(
            "no Access-Control-Max-Age: browsers cache this preflight's answer {DEFAULT_PREFLIGHT_CACHE_SECONDS} s only (set max_age)"
        )),
        Some(s) if s > Engine::WebKit.max_age_cap() => Some(format!(
            "Access-Control-Max-Age: {s}: browsers cache this preflight's answer {}",
            engine_lifetimes(headers)
        )),
        Some(_) => None,
    }
}

fn step_json(step: &Step) -> Json {
    json!({
        "status": step.status,
        "headers": step.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
        "verdict": if step.blocked.is_some() { "blocked" } else { "ok" },
        "why": step.blocked.as_ref().map(|b| format!("{}: {b}", b.code())),
    })
}

fn print_step(paint: Paint, name: &str, step: &Step) {
    let mut line = format!("{}", step.status);
    if step.handler_status {
        line.push_str(" (your handler's status)");
    }
    for (n, v) in &step.headers {
        line.push_str(&format!(", {n}: {v}"));
    }
    if step.headers.is_empty() {
        line.push_str(", no CORS headers");
    }
    println!("{} {line}", paint.bold(&format!("{name} answer:")));
    let verdict = match &step.blocked {
        None => paint.green("ok"),
        Some(b) => format!("{}: {}: {b}", paint.red("blocked"), b.code()),
    };
    println!("{} {verdict}", paint.bold(&format!("{name} verdict:")));
}

/// The reason code and a plain sentence: the policy's refusal when it refused, the
/// browser's failed check otherwise.
fn top_why(name: &str, step: &Step) -> String {
    let blocked = step
        .blocked
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    match &step.refused {
        Some((code, reason)) => {
            format!("{code}: the policy refused the {name} ({reason}), so {blocked}")
        }
        None => {
            let code = step.blocked.as_ref().map_or("", Blocked::code);
            format!("{code}: the browser refuses the {name}'s answer: {blocked}")
        }
    }
}

/// The smallest change to the policy file that allows the request, checked by validating
/// the changed policy; or why it must not be made.
fn fix(config: &PolicyConfig, origin: &str, credentials: bool, step: &Step) -> Option<String> {
    let try_change = |change: String, apply: &dyn Fn(&mut PolicyConfig)| {
        let mut changed = config.clone();
        apply(&mut changed);
        match Policy::new(&changed) {
            Ok(_) => change,
            Err(e) => {
                let why = e
                    .problems()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                format!("do not {change}: the policy would refuse it ({why})")
            }
        }
    };
    match &step.refusal {
        Some(Refusal::Origin(o)) if o == "null" => Some(
            "do not trust \"null\": it is the opaque origin of sandboxed pages, file: pages and \
             redirects, so trusting it trusts everyone"
                .into(),
        ),
        Some(Refusal::Origin(o)) => {
            let o = o.clone();
            Some(try_change(format!("add {o:?} to allow_origins"), &|c| {
                c.allow_origins.push(o.clone());
            }))
        }
        Some(Refusal::Method(m)) => {
            let m = m.clone();
            let upper = m.to_ascii_uppercase();
            let note = if upper != m && config.allow_methods.contains(&upper) {
                format!(
                    " (or send {upper:?}: the policy lists it, but fetch() sends {m:?} as \
                     written and methods compare byte for byte)"
                )
            } else {
                String::new()
            };
            Some(
                try_change(format!("add {m:?} to allow_methods"), &|c| {
                    c.allow_methods.push(m.clone());
                }) + &note,
            )
        }
        Some(Refusal::Header(h)) => {
            let h = h.clone();
            let note = if h == "authorization" && config.allow_headers.iter().any(|x| x == "*") {
                " (\"*\" never covers authorization)"
            } else {
                ""
            };
            Some(
                try_change(format!("add {h:?} to allow_headers"), &|c| {
                    c.allow_headers.push(h.clone());
                }) + note,
            )
        }
        Some(Refusal::Malformed) => None,
        None => match &step.blocked {
            Some(Blocked::AnyOriginWithCredentials) if credentials => Some(format!(
                "do not combine credentials with \"*\": browsers refuse Access-Control-Allow-Origin: * \
                 on credentialed requests, and a policy cannot allow both; either send the request \
                 without credentials, or {}",
                try_change(
                    format!("replace \"*\" in allow_origins by {origin:?} and set allow_credentials = true"),
                    &|c| {
                        c.allow_origins = vec![origin.to_owned()];
                        c.allow_credentials = true;
                    }
                )
            )),
            Some(Blocked::CredentialsNotAllowed { .. }) => Some(try_change(
                "set allow_credentials = true (only if pages must send cookies or HTTP authentication)"
                    .into(),
                &|c| c.allow_credentials = true,
            )),
            _ => None,
        },
    }
}
