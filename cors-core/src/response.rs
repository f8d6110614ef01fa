//! The one thing an adapter implements to write decisions: access to a response's headers.

use crate::{CorsHeader, VaryLine};

/// A response's headers, as the core writes a decision onto them.
///
/// This is the whole response side of an adapter: [`Pending::write_to`](crate::Pending::write_to)
/// owns the order of operations (look for stale CORS headers, remove what the decision
/// clears, append its headers, merge `Vary`) and calls these few primitives. A new
/// framework needs a request view ([`CorsRequest`](crate::CorsRequest)) and this trait.
///
/// A toy adapter over a `Vec` of header lines:
///
/// ```
/// use cors_core::{Action, CorsHeader, CorsRequest, Policy, ResponseHeaders, Value, VaryLine};
///
/// /// A response's header lines, and the policy whose precomputed values it writes.
/// struct Lines<'a> {
///     lines: Vec<(String, String)>,
///     policy: &'a Policy,
/// }
///
/// impl ResponseHeaders for Lines<'_> {
///     type Value = String;
///     fn policy_value(&self, header: CorsHeader) -> Option<String> {
///         self.policy.value(header).map(|v| v.as_str().to_owned())
///     }
///     fn any_name(&self, mut pred: impl FnMut(&str) -> bool) -> bool {
///         self.lines.iter().any(|(n, _)| pred(n))
///     }
///     fn remove(&mut self, header: CorsHeader) {
///         self.lines.retain(|(n, _)| !n.eq_ignore_ascii_case(header.as_str()));
///     }
///     fn append(&mut self, header: CorsHeader, value: String) {
///         self.lines.push((header.as_str().to_owned(), value));
///     }
///     fn vary(&self) -> impl Iterator<Item = &[u8]> {
///         self.lines.iter().filter(|(n, _)| n.eq_ignore_ascii_case("vary")).map(|(_, v)| v.as_bytes())
///     }
///     fn remove_vary(&mut self) {
///         self.lines.retain(|(n, _)| !n.eq_ignore_ascii_case("vary"));
///     }
///     fn append_vary(&mut self, line: VaryLine) {
///         self.lines.push(("vary".to_owned(), line.as_str().to_owned()));
///     }
///     fn append_static(&mut self, header: CorsHeader, value: &'static str) {
///         self.lines.push((header.as_str().to_owned(), value.to_owned()));
///     }
/// }
///
/// let policy = Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?;
/// let mut req = CorsRequest::new(b"GET");
/// req.push_origin(b"https://a.example");
/// // Echoed request values (here the origin) become the adapter's value type.
/// let pending = policy.decide(&req, |v: Value<'_>| String::from_utf8(v.as_bytes().to_vec()).ok());
/// assert_eq!(pending.action(), Action::Forward);
///
/// // The handler's response, with its own (wrong) CORS header and a Vary line.
/// let mut res = Lines { lines: vec![
///     ("Access-Control-Allow-Origin".into(), "*".into()),
///     ("Vary".into(), "accept-encoding".into()),
/// ], policy: &policy };
/// pending.write_to(&mut res);
/// assert_eq!(res.lines, [
///     ("Vary".to_owned(), "accept-encoding".to_owned()),
///     ("access-control-allow-origin".to_owned(), "https://a.example".to_owned()),
///     ("vary".to_owned(), "origin".to_owned()),
/// ]);
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
pub trait ResponseHeaders {
    /// The framework's header value type.
    type Value;

    /// The policy's precomputed value for `header` ([`Policy::value`](crate::Policy::value))
    /// in the framework's type. Adapters convert every policy value once, at start-up, and
    /// clone it here (a reference count, not a copy).
    fn policy_value(&self, header: CorsHeader) -> Option<Self::Value>;

    /// Whether `pred` holds for the name of some header of the response (the core looks
    /// for stale CORS headers before removing any, since most responses have none).
    fn any_name(&self, pred: impl FnMut(&str) -> bool) -> bool;

    /// Removes every line of `header`.
    fn remove(&mut self, header: CorsHeader);

    /// Appends one line of `header`, keeping the lines already there.
    fn append(&mut self, header: CorsHeader, value: Self::Value);

    /// Appends one line of `header` with static text: an answer to a policy that allows
    /// any method names the requested one in `Access-Control-Allow-Methods` this way when
    /// it is a standard method (`GET`, `HEAD`, `POST`, `PUT`, `DELETE`, `PATCH`,
    /// `OPTIONS`), so that the decision keeps no value of the request for it (and a
    /// browser's preflight no more than fit inline, allocating nothing). The text is
    /// always a valid header value.
    fn append_static(&mut self, header: CorsHeader, value: &'static str);

    /// The values of the response's `Vary` lines, in order.
    fn vary(&self) -> impl Iterator<Item = &[u8]>;

    /// Removes every `Vary` line (only called on an answer that carries stale ones).
    fn remove_vary(&mut self);

    /// Appends one `Vary` line with this value: one of seven, so an adapter may write it
    /// from a table indexed by [`VaryLine::index`] ([`VaryLine::LINES`] in its value type).
    fn append_vary(&mut self, line: VaryLine);

    /// Makes room for `additional` more header lines before an answer is written; a map
    /// that grows in steps may reserve once instead. Does nothing by default.
    fn reserve(&mut self, additional: usize) {
        let _ = additional;
    }
}
