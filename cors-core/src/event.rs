//! The one place a rejected request is reported.

use crate::reason::Escaped;
use crate::request::Field;
use crate::{CorsRequest, Decision, Reason};

/// Emits one `debug` event, target `cors`, for a rejected CORS request (nothing for
/// allowed requests and requests that are not CORS requests), with the request kind, the
/// reason code and the request's values, escaped and truncated.
#[inline]
pub(crate) fn rejected(req: &CorsRequest<'_>, d: &Decision<'_>) {
    if let Some(reason) = d.reason() {
        emit(req, d, reason);
    }
}

#[cold]
fn emit(req: &CorsRequest<'_>, d: &Decision<'_>, reason: &Reason<'_>) {
    fn field<'a>(f: Field<'a>) -> Option<&'a [u8]> {
        match f {
            Field::Absent => None,
            Field::One(v) | Field::Repeated(v) => Some(v),
        }
    }
    fn shown(v: Option<&[u8]>) -> Option<tracing::field::DisplayValue<Escaped<'_>>> {
        v.map(Escaped).map(tracing::field::display)
    }
    let header = match reason {
        Reason::HeaderNotAllowed { header } => Some(*header),
        _ => None,
    };
    tracing::debug!(
        target: "cors",
        kind = d.kind().as_str(),
        reason = reason.code(),
        origin = shown(field(req.origin())),
        method = shown(field(req.request_method())),
        header = shown(header),
        "CORS request rejected: {reason}"
    );
}
