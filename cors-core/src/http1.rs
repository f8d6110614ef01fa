//! Applying a [`Decision`] to `http` 1.x header maps (feature `http`): the translation
//! that every adapter on `http` 1.x (tower/axum, warp, hyper) needs, written once.

use http::header::VARY;
use http::{HeaderMap, HeaderValue};

use crate::{CorsHeader, Decision, MAX_DECISION_HEADERS, Value, Vary, names};

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
    headers: [Option<(CorsHeader, HeaderValue)>; MAX_DECISION_HEADERS],
    clears: &'static [CorsHeader],
    vary: Vary,
}

impl PendingHeaders {
    /// Takes what the decision says out of it; `request` holds the headers the decision's
    /// request view was built from.
    pub fn new(d: &Decision<'_>, request: &HeaderMap) -> Self {
        let mut headers = [const { None }; MAX_DECISION_HEADERS];
        for (slot, h) in headers.iter_mut().zip(d.headers()) {
            *slot = owned(h.value, request).map(|v| (h.name, v));
        }
        Self {
            headers,
            clears: d.clears(),
            vary: d.vary(),
        }
    }

    fn count(&self) -> usize {
        self.headers.iter().flatten().count()
    }

    /// Fills the headers of a response the adapter answers with itself
    /// ([`Action::Respond`](crate::Action::Respond)).
    ///
    /// Reserves room for one more header than it writes: the `Content-Length` that the
    /// framework or server adds to the answer afterwards (axum, hyper), which would
    /// otherwise grow the map again (two more allocations).
    pub fn write_answer(self, out: &mut HeaderMap) {
        out.reserve(self.count() + 2);
        for (name, value) in self.headers.into_iter().flatten() {
            out.append(name.http_name(), value);
        }
        if self.vary != Vary::None {
            out.append(VARY, HeaderValue::from_static(self.vary.as_str()));
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
        for (name, value) in self.headers.into_iter().flatten() {
            out.append(name.http_name(), value);
        }
        let extra = self
            .vary
            .append_to(out.get_all(VARY).iter().map(HeaderValue::as_bytes));
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
