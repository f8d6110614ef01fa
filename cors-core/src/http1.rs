//! Decisions for `http` 1.x requests and responses (feature `http`): the glue every
//! adapter on `http` 1.x (tower/axum, warp, hyper) needs, written once.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY};
use http::{HeaderMap, HeaderValue, Method};

use crate::{
    Action, AnswerTemplates, CorsHeader, CorsRequest, Pending, Policy, PolicyValue,
    ResponseHeaders, Value,
};

/// A decision on an `http` 1.x request, owned, so that it can outlive the request (which
/// moves on to the handler): echoed values are clones of the request's own
/// `HeaderValue`s and the policy's values are its precomputed `HeaderValue`s, cloned when
/// written: reference counts, never byte copies.
///
/// ```
/// use cors_core::{Action, Policy, http1::PendingHeaders};
///
/// let policy = Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?;
/// let req = http::Request::get("/").header("origin", "https://a.example").body(())?;
/// let pending = PendingHeaders::decide(&policy, req.method(), req.headers());
/// assert_eq!(pending.action(), Action::Forward);
///
/// let mut res = http::Response::new(());
/// res.headers_mut().insert("access-control-allow-origin", "*".parse()?); // the handler's own
/// res.headers_mut().insert("vary", "accept-encoding".parse()?);
/// pending.write_to(res.headers_mut());
/// assert_eq!(res.headers()["access-control-allow-origin"], "https://a.example");
/// let vary: Vec<_> = res.headers().get_all("vary").iter().collect();
/// assert_eq!(vary, ["accept-encoding", "origin"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a pending decision does nothing until it is written onto a response"]
pub struct PendingHeaders {
    pending: Pending<HeaderValue>,
    values: &'static HttpValues,
}

impl PendingHeaders {
    /// Decides on a request ([`Policy::decide`]) from its method and headers (reading
    /// `Sec-Fetch-Site`, `Host` and `Upgrade` only when the policy's origin checks need
    /// them: [`CorsRequest::from_http_for`]).
    pub fn decide(policy: &Policy, method: &Method, headers: &HeaderMap) -> Self {
        // Built in place (the view is a few hundred bytes): no copy of it.
        let mut view = CorsRequest::new(method.as_str().as_bytes());
        let origin = view.push_http_cors_headers(method, headers);
        if view.needs_site_headers(policy) {
            view.push_http_site_headers(headers);
        }
        Self {
            pending: policy.decide(&view, |v| match (v, origin) {
                // The first `Origin` value, kept from the view's loop: no second lookup.
                (Value::Origin(b), Some(first)) if std::ptr::eq(first.as_bytes(), b) => {
                    Some(first.clone())
                }
                _ => owned(v, headers),
            }),
            values: policy.values(),
        }
    }

    /// What the adapter does ([`Pending::action`]).
    pub fn action(&self) -> Action {
        self.pending.action()
    }

    /// Writes the decision onto a response's headers ([`Pending::write_to`]): the
    /// handler's response, or the adapter's empty answer.
    ///
    /// An answer is a clone of the policy's template for answers of its shape (written
    /// once by [`Pending::write_to`] with placeholders for the echoed values), with the
    /// echoed values put in their places: two allocations and a copy instead of hashing
    /// every line into the map, the same lines in the same order.
    pub fn write_to(self, headers: &mut HeaderMap) {
        let Self { pending, values } = self;
        let write = |pending: Pending<HeaderValue>, map: &mut HeaderMap| {
            pending.write_to(&mut Map { map, values });
        };
        if headers.is_empty() {
            // An answer's new map (`write_answer` writes any other decision with `write`).
            pending.write_answer(
                headers,
                &values.answers,
                HeaderValue::from_static(""),
                write,
                |map, h, v| {
                    map.insert(h.http_name(), v);
                },
            );
        } else {
            write(pending, headers);
        }
    }
}

/// A policy's values as `http` 1.x header values, and the templates of its answers
/// ([`Pending::write_answer`]): one per distinct set of values, kept for the life of the
/// process and shared by every policy with those values, so that a decision carried to
/// the response refers to them without a reference count (which every core would write
/// on every request: BENCHMARKS.md, eighth round).
pub(crate) struct HttpValues {
    values: [Option<HeaderValue>; CorsHeader::ALL.len()],
    answers: AnswerTemplates<HeaderMap>,
}

/// The key of [`HttpValues::interned`]: each header's text (interned, see [`PolicyValue`]).
type Texts = [Option<&'static str>; CorsHeader::ALL.len()];

impl HttpValues {
    /// No values: what a policy holds until its own are set.
    pub(crate) fn none() -> &'static Self {
        static NONE: HttpValues = HttpValues {
            values: [const { None }; CorsHeader::ALL.len()],
            answers: AnswerTemplates::new(),
        };
        &NONE
    }

    /// The values `value` gives each header, stored once per distinct set.
    pub(crate) fn interned<'p>(
        value: impl Fn(CorsHeader) -> Option<&'p PolicyValue>,
    ) -> &'static Self {
        static SETS: OnceLock<Mutex<HashMap<Texts, &'static HttpValues>>> = OnceLock::new();
        let texts: Texts = CorsHeader::ALL.map(|h| value(h).map(PolicyValue::as_str));
        crate::value::kept(&SETS).entry(texts).or_insert_with(|| {
            Box::leak(Box::new(HttpValues {
                values: CorsHeader::ALL.map(|h| value(h).map(|v| v.http_value().clone())),
                answers: AnswerTemplates::new(),
            }))
        })
    }
}

impl std::fmt::Debug for HttpValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpValues")
            .field("values", &self.values)
            .finish_non_exhaustive()
    }
}

/// An `http` 1.x header map and the policy values it writes.
struct Map<'a> {
    map: &'a mut HeaderMap,
    values: &'static HttpValues,
}

impl ResponseHeaders for Map<'_> {
    type Value = HeaderValue;

    fn policy_value(&self, header: CorsHeader) -> Option<HeaderValue> {
        self.values.values.get(header as usize)?.clone()
    }

    fn any_name(&self, mut pred: impl FnMut(&str) -> bool) -> bool {
        self.map.keys().any(|k| pred(k.as_str()))
    }

    fn remove(&mut self, header: CorsHeader) {
        self.map.remove(header.http_name());
    }

    fn append(&mut self, header: CorsHeader, value: HeaderValue) {
        self.map.append(header.http_name(), value);
    }

    fn append_static(&mut self, header: CorsHeader, value: &'static str) {
        // A method name from the core's table: visible ASCII, so `from_static` accepts it.
        self.append(header, HeaderValue::from_static(value));
    }

    fn vary(&self) -> impl Iterator<Item = &[u8]> {
        self.map.get_all(VARY).iter().map(HeaderValue::as_bytes)
    }

    fn remove_vary(&mut self) {
        self.map.remove(VARY);
    }

    fn append_vary(&mut self, line: crate::VaryLine) {
        self.map.append(VARY, crate::vary::http_value(line));
    }

    fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional);
    }
}

/// The request's own `HeaderValue` for a value echoed from it (found by address: a
/// reference count, no copy). `decide` never asks for the policy's own values: they are
/// written from [`ResponseHeaders::policy_value`].
fn owned(value: Value<'_>, request: &HeaderMap) -> Option<HeaderValue> {
    let (name, bytes) = match value {
        Value::Policy(_) => return None,
        Value::Origin(b) => (ORIGIN, b),
        Value::RequestMethod(b) => (ACCESS_CONTROL_REQUEST_METHOD, b),
        Value::RequestHeaders(b) => (ACCESS_CONTROL_REQUEST_HEADERS, b),
    };
    request
        .get_all(name)
        .iter()
        .find(|v| std::ptr::eq(v.as_bytes(), bytes))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_lines_beyond_the_inline_slots_are_kept_in_order() {
        let policy = Policy::from_toml_str(
            "allow_origins = [\"https://a.example\"]\nallow_headers = [\"*\"]\nallow_credentials = true\nmax_age = 5\nallow_private_network = true",
        )
        .unwrap();
        let mut req = http::Request::options("/")
            .header("origin", "https://a.example")
            .header("access-control-request-method", "GET")
            .header("access-control-request-private-network", "true");
        for line in ["x-a", "x-b", "x-c", "x-d"] {
            req = req.header("access-control-request-headers", line);
        }
        let req = req.body(()).unwrap();
        let view = CorsRequest::from_http(req.method(), req.headers());
        let d = policy.evaluate(&view);
        assert!(d.is_allowed());
        assert_eq!(
            d.headers().len(),
            9,
            "ACAO, ACAC, ACAM, 4 × ACAH, ACMA, ACAPN"
        );
        let pending = PendingHeaders::decide(&policy, req.method(), req.headers());
        let mut out = HeaderMap::new();
        pending.write_to(&mut out);
        let acah: Vec<_> = out.get_all("access-control-allow-headers").iter().collect();
        assert_eq!(acah, ["x-a", "x-b", "x-c", "x-d"]);
        assert_eq!(out["access-control-max-age"], "5");
        assert_eq!(out["access-control-allow-private-network"], "true");
        assert_eq!(out.len(), 10, "9 decided headers and Vary");
    }

    #[test]
    fn policies_with_the_same_values_share_them_and_their_templates() {
        let a =
            "allow_origins = [\"https://a.example\"]\nallow_methods = [\"PUT\"]\nmax_age = 4711";
        let b =
            "allow_origins = [\"https://b.example\"]\nallow_methods = [\"PUT\"]\nmax_age = 4711";
        let c =
            "allow_origins = [\"https://a.example\"]\nallow_methods = [\"PUT\"]\nmax_age = 4712";
        let [a, b, c] = [a, b, c].map(|t| Policy::from_toml_str(t).unwrap());
        assert!(std::ptr::eq(a.values(), b.values()), "same values, one set");
        assert!(!std::ptr::eq(a.values(), c.values()));
        // One template, each answer with its own origin.
        for (policy, origin) in [(&a, "https://a.example"), (&b, "https://b.example")] {
            let req = http::Request::options("/")
                .header("origin", origin)
                .header("access-control-request-method", "PUT")
                .body(())
                .unwrap();
            let pending = PendingHeaders::decide(policy, req.method(), req.headers());
            let mut out = HeaderMap::new();
            pending.write_to(&mut out);
            assert_eq!(out["access-control-allow-origin"], origin);
            assert_eq!(out["access-control-max-age"], "4711");
        }
        assert_eq!(
            format!("{:?}", a.values().answers),
            "AnswerTemplates { built: 1 }"
        );
    }

    #[test]
    fn a_pending_decision_moves_without_a_memcpy_call() {
        // Adapters move it into and through response futures several times per request;
        // past about 128 bytes each move is a `memcpy` call (about 30 instructions).
        let size = std::mem::size_of::<PendingHeaders>();
        assert!(size <= 128, "{size} bytes");
    }

    #[test]
    fn echoed_values_are_the_requests_own() {
        let policy = Policy::from_toml_str("allow_origins = [\"https://a.example\"]").unwrap();
        let req = http::Request::get("/")
            .header("origin", "https://a.example")
            .body(())
            .unwrap();
        let view = CorsRequest::from_http(req.method(), req.headers());
        let d = policy.evaluate(&view);
        let Some(Value::Origin(bytes)) = d.header(CorsHeader::AllowOrigin) else {
            panic!("{d:?}");
        };
        let own = owned(Value::Origin(bytes), req.headers()).unwrap();
        assert!(std::ptr::eq(
            own.as_bytes(),
            req.headers()["origin"].as_bytes()
        ));
        // Bytes not from the map are not found.
        assert!(owned(Value::Origin(b"https://a.example"), req.headers()).is_none());
    }
}
