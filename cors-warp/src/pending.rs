//! The owned, fixed-size part of a [`Decision`] that outlives the request.

use cors_core::{CorsHeader, Decision, MAX_REQUEST_HEADER_LINES, Value, Vary, names};
use http::header::VARY;
use http::{HeaderMap, HeaderValue};

/// The most headers a decision sets: five single ones plus one
/// `Access-Control-Allow-Headers` per request line.
const CAPACITY: usize = 5 + MAX_REQUEST_HEADER_LINES;

/// A decision's headers, clears and `Vary`, with every value owned: values echoed from the
/// request are clones of the request's own `HeaderValue`s and policy values are clones of
/// the policy's precomputed ones (reference counts, never byte copies). No heap allocation.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    headers: [Option<(CorsHeader, HeaderValue)>; CAPACITY],
    clears: &'static [CorsHeader],
    vary: Vary,
}

impl Pending {
    /// Takes what the decision says out of it; `request` holds the headers it was built from.
    pub(crate) fn new(d: &Decision<'_>, request: &HeaderMap) -> Self {
        let mut headers = [const { None }; CAPACITY];
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

    /// Fills the headers of a response the adapter answers with itself.
    pub(crate) fn write_answer(self, out: &mut HeaderMap) {
        out.reserve(self.count() + 1);
        for (name, value) in self.headers.into_iter().flatten() {
            out.append(name.http_name(), value);
        }
        if self.vary != Vary::None {
            out.append(VARY, HeaderValue::from_static(self.vary.as_str()));
        }
    }

    /// Applies the decision to a forwarded response's headers: removes the cleared CORS
    /// headers, appends ours, then appends one `Vary` line for the items still missing.
    pub(crate) fn apply(self, out: &mut HeaderMap) {
        for name in self.clears {
            out.remove(name.http_name());
        }
        out.reserve(self.count() + 1);
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

/// Logs why a request was rejected, if it was.
pub(crate) fn log(d: &Decision<'_>) {
    if let Some(reason) = d.reason() {
        tracing::debug!(reason = %reason, kind = d.kind().as_str(), "CORS request rejected");
    }
}
