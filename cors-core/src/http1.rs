//! Applying a [`Decision`] to `http` 1.x header maps (feature `http`): the translation
//! that every adapter on `http` 1.x (tower/axum, warp, hyper) needs, written once.

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY};
use http::{HeaderMap, HeaderValue};

use crate::{CorsHeader, Decision, Detached, Policy, Value};

/// A decision's headers, clears and `Vary`, owned, so that it can outlive the request
/// (which moves on to the handler): a [`Detached`] decision whose echoed values are clones
/// of the request's own `HeaderValue`s, and the policy, whose precomputed `HeaderValue`s
/// are cloned when the headers are written: reference counts, never byte copies, no heap
/// allocation.
///
/// ```
/// use cors_core::{CorsRequest, Policy, http1::PendingHeaders};
///
/// let policy = Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?;
/// let req = http::Request::get("/").header("origin", "https://a.example").body(())?;
/// let view = CorsRequest::from_http(req.method(), req.headers());
/// let decision = policy.evaluate(&view);
/// let pending = PendingHeaders::new(&policy, &decision, req.headers());
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
    detached: Detached<HeaderValue>,
    policy: Policy,
}

impl PendingHeaders {
    /// Takes what the decision (made by `policy`) says out of it; `request` holds the
    /// headers the decision's request view was built from.
    pub fn new(policy: &Policy, d: &Decision<'_>, request: &HeaderMap) -> Self {
        Self {
            detached: Detached::new(policy, d, |_, v| owned(v, request)),
            policy: policy.clone(),
        }
    }

    /// Appends every decided header to `out`.
    fn write(self, out: &mut HeaderMap) {
        let policy = &self.policy;
        self.detached.write(
            |h| policy.value(h).map(|v| v.http_value().clone()),
            |h, v| {
                out.append(h.http_name(), v);
            },
        );
    }

    /// Fills the headers of a response the adapter answers with itself
    /// ([`Action::Respond`](crate::Action::Respond)).
    ///
    /// Reserves room for one more header than it writes: the `Content-Length` that the
    /// framework or server adds to the answer afterwards (axum, hyper), which would
    /// otherwise grow the map again (two more allocations).
    pub fn write_answer(self, out: &mut HeaderMap) {
        out.reserve(self.detached.len() + 2);
        let vary = self.detached.vary();
        self.write(out);
        if let Some(vary) = vary.http_value() {
            out.append(VARY, vary);
        }
    }

    /// Applies the decision to a forwarded response's headers
    /// ([`Action::Forward`](crate::Action::Forward)): removes the cleared CORS headers,
    /// appends ours, then appends one `Vary` line for the items still missing.
    pub fn apply(self, out: &mut HeaderMap) {
        let clears = self.detached.clears();
        // Most responses carry no CORS header of their own: look before removing.
        let has_cors_header = !clears.is_empty()
            && out
                .keys()
                .any(|k| CorsHeader::is_access_control_name(k.as_str()));
        if has_cors_header {
            for name in clears {
                out.remove(name.http_name());
            }
        }
        let vary = self.detached.vary();
        self.write(out);
        let extra = vary.http_append_to(out.get_all(VARY).iter().map(HeaderValue::as_bytes));
        if let Some(extra) = extra {
            out.append(VARY, extra);
        }
    }
}

/// The owned value for a decision's value: the request's own `HeaderValue` when the value
/// is echoed from it, the policy's precomputed one otherwise.
fn owned(value: Value<'_>, request: &HeaderMap) -> Option<HeaderValue> {
    let (name, bytes) = match value {
        Value::Policy(v) => return Some(v.http_value().clone()),
        Value::Origin(b) => (ORIGIN, b),
        Value::RequestMethod(b) => (ACCESS_CONTROL_REQUEST_METHOD, b),
        Value::RequestHeaders(b) => (ACCESS_CONTROL_REQUEST_HEADERS, b),
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
    use crate::CorsRequest;

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
        let mut out = HeaderMap::new();
        PendingHeaders::new(&policy, &d, req.headers()).write_answer(&mut out);
        let acah: Vec<_> = out.get_all("access-control-allow-headers").iter().collect();
        assert_eq!(acah, ["x-a", "x-b", "x-c", "x-d"]);
        assert_eq!(out["access-control-max-age"], "5");
        assert_eq!(out["access-control-allow-private-network"], "true");
        assert_eq!(out.len(), 10, "9 decided headers and Vary");
    }
}
