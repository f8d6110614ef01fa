//! Applying a [`Decision`] to `http` 1.x header maps (feature `http`): the translation
//! that every adapter on `http` 1.x (tower/axum, warp, hyper) needs, written once.

use http::header::VARY;
use http::{HeaderMap, HeaderValue};

use crate::{CorsHeader, Decision, Value, Vary, names};

/// Headers kept inline: every single-valued CORS header, plus one
/// `Access-Control-Allow-Headers` line. Only a decision echoing several request lines
/// (`*` headers with credentials, and a preflight sending several
/// `Access-Control-Request-Headers` lines) spills the rest into a `Vec`. Small, because
/// the value is moved into and through response futures.
const INLINE: usize = 6;

/// A decision's headers, clears and `Vary`, with every value owned, so that it can
/// outlive the request (which moves on to the handler). Values echoed from the request
/// are clones of the request's own `HeaderValue`s and policy values are clones of the
/// policy's precomputed ones: reference counts, never byte copies, no heap allocation.
///
/// ```
/// use cors_core::{CorsRequest, Policy, http1::PendingHeaders};
///
/// let policy = Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?;
/// let req = http::Request::get("/").header("origin", "https://a.example").body(())?;
/// let decision = policy.evaluate(&CorsRequest::from_http(req.method(), req.headers()));
/// let pending = PendingHeaders::new(&decision, req.headers());
///
/// let mut res = http::Response::new(());
/// res.headers_mut().insert("access-control-allow-origin", "*".parse()?); // the handler's own
/// res.headers_mut().insert("vary", "accept-encoding".parse()?);
/// pending.apply(res.headers_mut());
/// assert_eq!(res.headers()["access-control-allow-origin"], "https://a.example");
/// let vary: Vec<_> = res.headers().get_all("vary").iter().collect();
/// assert_eq!(vary, ["accept-encoding", "origin"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PendingHeaders {
    headers: [Option<(CorsHeader, HeaderValue)>; INLINE],
    spilled: Vec<(CorsHeader, HeaderValue)>,
    clears: &'static [CorsHeader],
    vary: Vary,
}

impl PendingHeaders {
    /// Takes what the decision says out of it; `request` holds the headers the decision's
    /// request view was built from.
    pub fn new(d: &Decision<'_>, request: &HeaderMap) -> Self {
        let mut headers = [const { None }; INLINE];
        let mut spilled = Vec::new();
        for (i, h) in d.headers().enumerate() {
            let Some(value) = owned(h.value, request) else {
                continue;
            };
            match headers.get_mut(i) {
                Some(slot) => *slot = Some((h.name, value)),
                None => spilled.push((h.name, value)),
            }
        }
        Self {
            headers,
            spilled,
            clears: d.clears(),
            vary: d.vary(),
        }
    }

    fn count(&self) -> usize {
        self.headers.iter().flatten().count() + self.spilled.len()
    }

    fn all(self) -> impl Iterator<Item = (CorsHeader, HeaderValue)> {
        self.headers.into_iter().flatten().chain(self.spilled)
    }

    /// Fills the headers of a response the adapter answers with itself
    /// ([`Action::Respond`](crate::Action::Respond)).
    ///
    /// Reserves room for one more header than it writes: the `Content-Length` that the
    /// framework or server adds to the answer afterwards (axum, hyper), which would
    /// otherwise grow the map again (two more allocations).
    pub fn write_answer(self, out: &mut HeaderMap) {
        out.reserve(self.count() + 2);
        let vary = self.vary;
        for (name, value) in self.all() {
            out.append(name.http_name(), value);
        }
        if vary != Vary::None {
            out.append(VARY, HeaderValue::from_static(vary.as_str()));
        }
    }

    /// Applies the decision to a forwarded response's headers
    /// ([`Action::Forward`](crate::Action::Forward)): removes the cleared CORS headers,
    /// appends ours, then appends one `Vary` line for the items still missing.
    pub fn apply(self, out: &mut HeaderMap) {
        // Most responses carry no CORS header of their own: look before removing.
        let has_cors_header = !self.clears.is_empty()
            && out
                .keys()
                .any(|k| k.as_str().starts_with("access-control-"));
        if has_cors_header {
            for name in self.clears {
                out.remove(name.http_name());
            }
        }
        let vary = self.vary;
        for (name, value) in self.all() {
            out.append(name.http_name(), value);
        }
        let extra = vary.append_to(out.get_all(VARY).iter().map(HeaderValue::as_bytes));
        if let Some(extra) = extra {
            out.append(VARY, HeaderValue::from_static(extra));
        }
    }
}

/// The owned value for a decision's value: the request's own `HeaderValue` when the value
/// is echoed from it, the policy's precomputed one otherwise.
fn owned(value: Value<'_>, request: &HeaderMap) -> Option<HeaderValue> {
    let (name, bytes) = match value {
        Value::Policy(v) => return Some(v.http_value().clone()),
        Value::Origin(b) => (names::ORIGIN, b),
        Value::RequestMethod(b) => (names::ACCESS_CONTROL_REQUEST_METHOD, b),
        Value::RequestHeaders(b) => (names::ACCESS_CONTROL_REQUEST_HEADERS, b),
    };
    request
        .get_all(name)
        .iter()
        .find(|v| std::ptr::eq(v.as_bytes(), bytes))
        .cloned()
        // Only reached if the view was not built from `request`; the bytes came from a
        // header value, so this succeeds.
        .or_else(|| HeaderValue::from_bytes(bytes).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CorsRequest, Policy};

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
        let d = policy.evaluate(&CorsRequest::from_http(req.method(), req.headers()));
        assert!(d.is_allowed());
        assert_eq!(
            d.headers().len(),
            9,
            "ACAO, ACAC, ACAM, 4 × ACAH, ACMA, ACAPN"
        );
        let mut out = HeaderMap::new();
        PendingHeaders::new(&d, req.headers()).write_answer(&mut out);
        let acah: Vec<_> = out.get_all("access-control-allow-headers").iter().collect();
        assert_eq!(acah, ["x-a", "x-b", "x-c", "x-d"]);
        assert_eq!(out["access-control-max-age"], "5");
        assert_eq!(out["access-control-allow-private-network"], "true");
        assert_eq!(out.len(), 10, "9 decided headers and Vary");
    }
}
