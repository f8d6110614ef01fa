//! A response's header lines in memory, written through cors-core's `ResponseHeaders`:
//! what the core's own tests and property tests write decisions onto.

use cors_core::{CorsHeader, Policy, ResponseHeaders};

/// One header line of a [`Lines`] response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A CORS response header and its value.
    Cors(CorsHeader, Vec<u8>),
    /// A `Vary` line.
    Vary(Vec<u8>),
    /// Any other header (the handler's own), name as written.
    Other(String, Vec<u8>),
}

impl Line {
    fn name(&self) -> &str {
        match self {
            Line::Cors(h, _) => h.as_str(),
            Line::Vary(_) => "vary",
            Line::Other(n, _) => n,
        }
    }
}

/// A response's header lines, in order, and the policy whose precomputed values are
/// written.
///
/// ```
/// use cors_core::{CorsHeader, CorsRequest, Policy};
/// use cors_testkit::headers::{Line, Lines};
///
/// let policy = Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#).unwrap();
/// let mut req = CorsRequest::new(b"GET");
/// req.push_origin(b"https://a.example");
/// let mut res = Lines::new(&policy);
/// policy.decide(&req, |v| Some(v.as_bytes().to_vec())).write_to(&mut res);
/// assert_eq!(res.lines, [
///     Line::Cors(CorsHeader::AllowOrigin, b"https://a.example".to_vec()),
///     Line::Vary(b"origin".to_vec()),
/// ]);
/// ```
#[derive(Debug, Clone)]
pub struct Lines<'p> {
    /// The lines, in order.
    pub lines: Vec<Line>,
    policy: &'p Policy,
}

impl<'p> Lines<'p> {
    /// An empty response.
    pub fn new(policy: &'p Policy) -> Self {
        Self {
            lines: Vec::new(),
            policy,
        }
    }

    /// The CORS header lines, in order.
    pub fn cors(&self) -> Vec<(CorsHeader, Vec<u8>)> {
        self.lines
            .iter()
            .filter_map(|l| match l {
                Line::Cors(h, v) => Some((*h, v.clone())),
                _ => None,
            })
            .collect()
    }

    /// The `Vary` line values, in order.
    pub fn vary_lines(&self) -> Vec<Vec<u8>> {
        self.lines
            .iter()
            .filter_map(|l| match l {
                Line::Vary(v) => Some(v.clone()),
                _ => None,
            })
            .collect()
    }
}

impl ResponseHeaders for Lines<'_> {
    type Value = Vec<u8>;

    fn policy_value(&self, header: CorsHeader) -> Option<Vec<u8>> {
        self.policy.value(header).map(|v| v.as_bytes().to_vec())
    }

    fn any_name(&self, mut pred: impl FnMut(&str) -> bool) -> bool {
        self.lines.iter().any(|l| pred(l.name()))
    }

    fn remove(&mut self, header: CorsHeader) {
        self.lines
            .retain(|l| !l.name().eq_ignore_ascii_case(header.as_str()));
    }

    fn append(&mut self, header: CorsHeader, value: Vec<u8>) {
        self.lines.push(Line::Cors(header, value));
    }

    fn append_static(&mut self, header: CorsHeader, value: &'static str) {
        self.append(header, value.as_bytes().to_vec());
    }

    fn vary(&self) -> impl Iterator<Item = &[u8]> {
        self.lines.iter().filter_map(|l| match l {
            Line::Vary(v) => Some(&v[..]),
            Line::Other(n, v) if n.eq_ignore_ascii_case("vary") => Some(&v[..]),
            _ => None,
        })
    }

    fn remove_vary(&mut self) {
        self.lines
            .retain(|l| !l.name().eq_ignore_ascii_case("vary"));
    }

    fn append_vary(&mut self, line: cors_core::VaryLine) {
        self.lines
            .push(Line::Vary(line.as_str().as_bytes().to_vec()));
    }
}
