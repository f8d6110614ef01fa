//! The request and response every client of the kit (and the examples' raw HTTP client)
//! speaks: header lines in order, values as raw bytes.

use std::collections::BTreeSet;

/// A request for an app, in process or over HTTP: method, path and raw header lines.
///
/// ```
/// use cors_testkit::{TestRequest, h};
///
/// let req = TestRequest {
///     method: "OPTIONS".into(),
///     path: "/echo".into(),
///     headers: vec![h("origin", "https://a.example"), h("access-control-request-method", "PUT")],
/// };
/// assert_eq!(req.headers.len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct TestRequest {
    /// The method.
    pub method: String,
    /// The path.
    pub path: String,
    /// Header lines in order (names as given, values as raw bytes).
    pub headers: Vec<(String, Vec<u8>)>,
}

impl TestRequest {
    /// A request with these header lines.
    pub fn new(method: &str, path: &str, headers: &[(String, Vec<u8>)]) -> TestRequest {
        TestRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            headers: headers.to_vec(),
        }
    }
}

/// A response from an app, in process or over HTTP.
///
/// ```
/// use cors_testkit::{TestResponse, h};
///
/// let res = TestResponse {
///     status: 200,
///     headers: vec![h("vary", "Accept-Encoding"), h("vary", "origin, accept-encoding")],
///     body: b"ok".to_vec(),
/// };
/// assert_eq!(res.values("vary"), [&b"Accept-Encoding"[..], b"origin, accept-encoding"]);
/// assert_eq!(res.vary_items().len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct TestResponse {
    /// The status code (0 for [`TestResponse::UNSENDABLE`]).
    pub status: u16,
    /// Header lines in order, names lower-case.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
}

impl TestResponse {
    /// What an in-process client returns when it cannot express the request (status 0,
    /// nothing else): an invalid method, path or header for that framework's client.
    pub const UNSENDABLE: TestResponse = TestResponse {
        status: 0,
        headers: Vec::new(),
        body: Vec::new(),
    };

    /// The values of every `name` line (a lower-case name), in order.
    pub fn values(&self, name: &str) -> Vec<&[u8]> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
            .collect()
    }

    /// Every `Vary` item over all `Vary` lines, lower-cased.
    pub fn vary_items(&self) -> BTreeSet<String> {
        self.values("vary")
            .into_iter()
            .flat_map(|v| {
                String::from_utf8_lossy(v)
                    .split(',')
                    .map(|i| i.trim().to_ascii_lowercase())
                    .collect::<Vec<_>>()
            })
            .filter(|i| !i.is_empty())
            .collect()
    }

    /// The `access-control-*` lines, in order.
    pub fn cors_headers(&self) -> Vec<(String, Vec<u8>)> {
        self.headers
            .iter()
            .filter(|(n, _)| n.starts_with("access-control-"))
            .cloned()
            .collect()
    }

    /// The status and every header line on one line, for failure messages (values
    /// escaped, cut at 80 bytes).
    pub fn describe(&self) -> String {
        let mut out = format!("{}", self.status);
        for (n, v) in &self.headers {
            let v = if v.len() > 80 { &v[..80] } else { v };
            out.push_str(&format!(" | {n}: {}", v.escape_ascii()));
        }
        out
    }

    /// `Ok` when the response has no `access-control-*` line; otherwise says which.
    pub fn no_cors_headers(&self) -> Result<(), String> {
        let names: Vec<String> = self.cors_headers().into_iter().map(|(n, _)| n).collect();
        if names.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "CORS headers {names:?} present: {}",
                self.describe()
            ))
        }
    }

    /// `Ok` when every one of `items` (lower-case) is among the [`vary_items`](Self::vary_items);
    /// otherwise says which are missing.
    pub fn has_vary(&self, items: &[&str]) -> Result<(), String> {
        let have = self.vary_items();
        let missing: Vec<_> = items.iter().filter(|i| !have.contains(**i)).collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("Vary lacks {missing:?}: {}", self.describe()))
        }
    }

    /// `Ok` when the response has the same status, `access-control-*` lines (in order) and
    /// `Vary` items as `reference`.
    ///
    /// ```
    /// use cors_testkit::{TestResponse, h};
    ///
    /// let a = TestResponse { status: 200, headers: vec![h("vary", "Origin")], body: b"a".to_vec() };
    /// let b = TestResponse { status: 200, headers: vec![h("vary", "origin")], body: b"b".to_vec() };
    /// assert!(a.same_cors_answer(&b).is_ok());
    /// let c = TestResponse { headers: vec![h("access-control-allow-origin", "*")], ..b };
    /// assert!(a.same_cors_answer(&c).is_err());
    /// ```
    pub fn same_cors_answer(&self, reference: &TestResponse) -> Result<(), String> {
        if self.status != reference.status
            || self.cors_headers() != reference.cors_headers()
            || self.vary_items() != reference.vary_items()
        {
            return Err(format!(
                "differs from the reference answer: {} vs {}",
                self.describe(),
                reference.describe()
            ));
        }
        Ok(())
    }
}

/// One header line.
pub fn h(name: &str, value: &str) -> (String, Vec<u8>) {
    (name.to_owned(), value.as_bytes().to_vec())
}
