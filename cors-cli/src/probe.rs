//! `cors probe URL --origin ORIGIN …`: what a browser does with one `fetch()` against a
//! live server, from the server's real answers.
//!
//! Sends the preflight when a browser would, then the actual request (not when the
//! preflight failed), follows the actual request's redirects as browsers do (every hop
//! CORS-checked, `Origin: null` after a hop to another origin), and runs the browser's
//! checks from [`cors_core::browser`] on every response.

use cors_core::browser::{DEFAULT_PREFLIGHT_CACHE_SECONDS, FetchRequest, Preflight, max_age};
use serde_json::{Value as Json, json};
use url::Url;

use crate::Format;
use crate::http::{Client, TimeoutArg, is_cors_line, parse_url, values, varies_on};
use crate::output::{Paint, print_json, print_preflight_need, usage};
use crate::request::{Fetch, FetchArgs, engine_lifetimes, lossy};

/// How many redirects a browser follows before failing the fetch (the Fetch standard's 20).
const MAX_REDIRECTS: usize = 20;

/// The arguments of `cors probe`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The URL the page fetches (`http://` or `https://`).
    url: String,
    #[command(flatten)]
    fetch: FetchArgs,
    #[command(flatten)]
    timeout: TimeoutArg,
}

/// One request sent and the browser's verdict on its answer.
#[derive(Debug)]
struct Step {
    url: String,
    method: String,
    /// The `Origin` header sent.
    origin: String,
    status: u16,
    /// Every response header line, names lowercased, in order.
    headers: Vec<(String, String)>,
    /// `code: sentence` when the browser refuses the answer.
    blocked: Option<String>,
}

/// One request of the chain: its preflight, if any, and the request itself.
#[derive(Debug)]
struct Hop {
    preflight: Option<Step>,
    actual: Option<Step>,
}

/// The request as the page asked for it.
struct Page {
    method: Vec<u8>,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    credentials: bool,
}

impl Page {
    fn fetch(&self, origin: &str) -> FetchRequest {
        let mut req = FetchRequest::new(origin, &self.method).credentials(self.credentials);
        for (n, v) in &self.headers {
            req = req.header(n, v);
        }
        req
    }
}

/// What browsers accept but shared caches break on, for one answer.
fn cache_warnings(kind: &str, step: &Step, acrh: Option<&str>, warnings: &mut Vec<String>) {
    let acao: Vec<&str> = values(&step.headers, "access-control-allow-origin").collect();
    if let [one] = acao.as_slice()
        && *one != "*"
        && !varies_on(&step.headers, "origin")
    {
        warnings.push(format!(
            "the {kind} answer allows the origin {one} without Vary: Origin: a shared cache can \
             serve it to another origin, which the browser then blocks (add Vary: Origin)"
        ));
    }
    if kind != "preflight" {
        return;
    }
    let acam: Vec<&str> = values(&step.headers, "access-control-allow-methods").collect();
    if acam.as_slice() == [step.request_method()]
        && !varies_on(&step.headers, "access-control-request-method")
    {
        warnings.push(format!(
            "the preflight answer allows exactly the requested method ({}) without Vary: \
             Access-Control-Request-Method: if the server echoes the request, a cache can \
             replay this answer for another method",
            step.request_method()
        ));
    }
    if let Some(acrh) = acrh {
        let acah: Vec<&str> = values(&step.headers, "access-control-allow-headers").collect();
        if let [one] = acah.as_slice()
            && one.replace(' ', "").eq_ignore_ascii_case(acrh)
            && !varies_on(&step.headers, "access-control-request-headers")
        {
            warnings.push(format!(
                "the preflight answer allows exactly the requested headers ({acrh}) without \
                 Vary: Access-Control-Request-Headers: if the server echoes the request, a \
                 cache can replay this answer for other headers"
            ));
        }
    }
}

impl Step {
    /// The method a preflight asked about (kept in the step's method as `OPTIONS <M>`).
    fn request_method(&self) -> &str {
        self.method.strip_prefix("OPTIONS ").unwrap_or(&self.method)
    }
}

/// Each engine's preflight cache lifetime for an allowed preflight's answer.
fn cache_note(headers: &[(String, String)]) -> String {
    let uses = engine_lifetimes(headers);
    match max_age(headers) {
        None => format!(
            "no Access-Control-Max-Age: browsers cache this preflight's answer \
             {DEFAULT_PREFLIGHT_CACHE_SECONDS} s ({uses})"
        ),
        Some(s) => {
            format!("Access-Control-Max-Age: {s}: browsers cache this preflight's answer {uses}")
        }
    }
}

/// The redirect target of a response, when the Fetch standard follows it.
fn location(status: u16, headers: &[(String, String)], base: &Url) -> Option<Result<Url, String>> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let loc = values(headers, "location").next()?;
    Some(
        base.join(loc)
            .map_err(|e| format!("Location {loc:?} is not a URL: {e}")),
    )
}

/// What `cors probe` found: the request, every hop, the verdict and the warnings.
pub(crate) struct Report {
    url: Url,
    origin: String,
    method: String,
    shown_headers: Vec<(String, String)>,
    credentials: bool,
    need: Preflight,
    hops: Vec<Hop>,
    why: Option<String>,
    warnings: Vec<String>,
}

/// Runs the command; returns the exit code.
pub(crate) fn run(args: &Args, format: Format) -> u8 {
    match probe(args) {
        Err(message) => usage("probe", format, &message),
        Ok(report) => {
            match format {
                Format::Json => print_json(&report.json()),
                Format::Text => report.print_text(Paint::stdout()),
            }
            report.exit_code()
        }
    }
}

/// Sends the requests a browser would and runs its checks on the answers; the usage or
/// network error otherwise.
pub(crate) fn probe(args: &Args) -> Result<Report, String> {
    let url = parse_url(&args.url)?;
    let Fetch {
        req,
        shown_headers,
        mut warnings,
    } = args.fetch.fetch()?;
    let client = Client::new(&args.timeout)?;
    if args.fetch.origin == url.origin().ascii_serialization() {
        warnings.insert(
            0,
            format!(
                "{} is the URL's own origin: a browser makes a same-origin request, which no CORS \
             check applies to (the checks below are run anyway)",
                args.fetch.origin
            ),
        );
    }
    let mut page = Page {
        method: req.method().to_vec(),
        headers: req.headers().to_vec(),
        credentials: args.fetch.credentials,
    };
    let need = req.preflight();

    let mut hops: Vec<Hop> = Vec::new();
    let mut current = url.clone();
    let mut origin = args.fetch.origin.clone();
    let mut failure: Option<String> = None;
    loop {
        let fetch = page.fetch(&origin);
        let pre = fetch.preflight();
        let mut hop = Hop {
            preflight: None,
            actual: None,
        };
        if pre.is_needed() {
            let acrh = pre.request_headers();
            let mut headers = vec![
                (b"origin".to_vec(), origin.as_bytes().to_vec()),
                (
                    b"access-control-request-method".to_vec(),
                    fetch.method().to_vec(),
                ),
            ];
            if let Some(acrh) = &acrh {
                headers.push((
                    b"access-control-request-headers".to_vec(),
                    acrh.as_bytes().to_vec(),
                ));
            }
            let answer = client
                .send(b"OPTIONS", &current, &headers)
                .map_err(|e| format!("the preflight failed: {e}"))?;
            let (status, resp) = (answer.status, answer.headers);
            let blocked = fetch
                .preflight_check(status, &resp)
                .err()
                .map(|b| format!("{}: {b}", b.code()));
            let step = Step {
                url: current.to_string(),
                method: format!("OPTIONS {}", lossy(fetch.method())),
                origin: origin.clone(),
                status,
                headers: resp,
                blocked,
            };
            cache_warnings("preflight", &step, acrh.as_deref(), &mut warnings);
            if step.blocked.is_none() {
                warnings.push(cache_note(&step.headers));
            }
            let failed = step.blocked.is_some();
            hop.preflight = Some(step);
            if failed {
                hops.push(hop);
                break;
            }
        }
        let mut headers = vec![(b"origin".to_vec(), origin.as_bytes().to_vec())];
        headers.extend(page.headers.iter().cloned());
        let answer = client
            .send(&page.method, &current, &headers)
            .map_err(|e| format!("the actual request failed: {e}"))?;
        let (status, resp) = (answer.status, answer.headers);
        let blocked = fetch
            .cors_check(&resp)
            .err()
            .map(|b| format!("{}: {b}", b.code()));
        let step = Step {
            url: current.to_string(),
            method: lossy(&page.method),
            origin: origin.clone(),
            status,
            headers: resp,
            blocked,
        };
        cache_warnings("actual", &step, None, &mut warnings);
        let next = location(step.status, &step.headers, &current);
        let failed = step.blocked.is_some();
        hop.actual = Some(step);
        hops.push(hop);
        if failed {
            break;
        }
        let next = match next {
            None => break,
            Some(Err(e)) => {
                failure = Some(format!("network-error: the redirect failed: {e}"));
                break;
            }
            Some(Ok(next)) => next,
        };
        if !matches!(next.scheme(), "http" | "https") {
            failure = Some(format!(
                "network-error: the redirect goes to {next}, not an HTTP(S) URL"
            ));
            break;
        }
        if !next.username().is_empty() || next.password().is_some() {
            failure = Some(format!(
                "redirect-with-credentials: a CORS request's redirect to a URL with a user name \
                 or password ({next}) fails"
            ));
            break;
        }
        if hops.len() > MAX_REDIRECTS {
            failure = Some(format!(
                "too-many-redirects: browsers fail a fetch after {MAX_REDIRECTS} redirects"
            ));
            break;
        }
        // The Fetch standard's "tainted origin": a hop to another origin from a URL that
        // is not the page's origin makes every later request carry `Origin: null`.
        let cur_origin = current.origin().ascii_serialization();
        if next.origin() != current.origin() && origin != cur_origin {
            origin = "null".into();
        }
        let status = hops
            .last()
            .and_then(|h| h.actual.as_ref())
            .map_or(0, |s| s.status);
        let post = page.method.eq_ignore_ascii_case(b"POST");
        let get_or_head = page.method == b"GET" || page.method == b"HEAD";
        if (matches!(status, 301 | 302) && post) || (status == 303 && !get_or_head) {
            page.method = b"GET".to_vec();
            page.headers.retain(|(n, _)| {
                let n = n.to_ascii_lowercase();
                !matches!(
                    n.as_slice(),
                    b"content-encoding"
                        | b"content-language"
                        | b"content-location"
                        | b"content-type"
                )
            });
        }
        current = next;
    }

    let why = hops
        .iter()
        .flat_map(|h| [("preflight", &h.preflight), ("actual request", &h.actual)])
        .find_map(|(name, s)| {
            s.as_ref().and_then(|s| {
                s.blocked
                    .as_ref()
                    .map(|b| format!("{b} (the {name}'s answer from {})", s.url))
            })
        })
        .or(failure);
    Ok(Report {
        url,
        origin: args.fetch.origin.clone(),
        method: lossy(req.method()),
        shown_headers,
        credentials: args.fetch.credentials,
        need,
        hops,
        why,
        warnings,
    })
}

impl Report {
    /// Whether the browser lets the page read the answer.
    pub(crate) fn allowed(&self) -> bool {
        self.why.is_none()
    }

    /// 0 allowed, 1 blocked.
    pub(crate) fn exit_code(&self) -> u8 {
        u8::from(!self.allowed())
    }

    /// The JSON document `--format json` prints.
    pub(crate) fn json(&self) -> Json {
        let first = self.hops.first();
        json!({
            "url": self.url.as_str(),
            "origin": self.origin,
            "method": self.method,
            "headers": self.shown_headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
            "credentials": self.credentials,
            "preflight": first.and_then(|h| h.preflight.as_ref()).map(step_json),
            "actual": first.and_then(|h| h.actual.as_ref()).map(step_json),
            "redirects": self.hops.iter().skip(1).map(|h| json!({
                "preflight": h.preflight.as_ref().map(step_json),
                "actual": h.actual.as_ref().map(step_json),
            })).collect::<Vec<_>>(),
            "allowed": self.allowed(),
            "why": self.why,
            "fix": Json::Null,
            "warnings": self.warnings,
        })
    }

    /// One line per step.
    fn print_text(&self, paint: Paint) {
        let headers = if self.shown_headers.is_empty() {
            "no headers".to_owned()
        } else {
            self.shown_headers
                .iter()
                .map(|(n, v)| format!("{n}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let credentials = if self.credentials { "include" } else { "omit" };
        println!(
            "{} {} {} from {}, {headers}, credentials {credentials}",
            paint.bold("request:"),
            self.method,
            self.url,
            self.origin
        );
        print_preflight_need(paint, &self.need);
        for (i, hop) in self.hops.iter().enumerate() {
            let (pre, act) = if i == 0 {
                ("preflight".to_owned(), "actual".to_owned())
            } else {
                (format!("redirect {i} preflight"), format!("redirect {i}"))
            };
            if let Some(step) = &hop.preflight {
                print_step(paint, &pre, step, i > 0);
            }
            if let Some(step) = &hop.actual {
                print_step(paint, &act, step, i > 0);
            }
        }
        match &self.why {
            None => println!("{} {}", paint.bold("result:"), paint.green("allowed")),
            Some(why) => println!("{} {}: {why}", paint.bold("result:"), paint.red("blocked")),
        }
        for w in &self.warnings {
            println!("{}: {w}", paint.yellow("warning"));
        }
    }
}

fn step_json(step: &Step) -> Json {
    json!({
        "url": step.url,
        "request_origin": step.origin,
        "status": step.status,
        "headers": step.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
        "verdict": if step.blocked.is_some() { "blocked" } else { "ok" },
        "why": step.blocked,
    })
}

fn print_step(paint: Paint, name: &str, step: &Step, redirected: bool) {
    if redirected {
        println!(
            "{} {} {} with Origin: {}",
            paint.bold(&format!("{name} request:")),
            step.method,
            step.url,
            step.origin
        );
    }
    let mut line = format!("{}", step.status);
    let mut any = false;
    for (n, v) in step.headers.iter().filter(|(n, _)| is_cors_line(n)) {
        line.push_str(&format!(", {n}: {v}"));
        any = true;
    }
    if !any {
        line.push_str(", no CORS headers");
    }
    println!("{} {line}", paint.bold(&format!("{name} answer:")));
    let verdict = match &step.blocked {
        None => paint.green("ok"),
        Some(b) => format!("{}: {b}", paint.red("blocked")),
    };
    println!("{} {verdict}", paint.bold(&format!("{name} verdict:")));
}
