//! The one place a rejected request is reported.

use crate::reason::Escaped;
use crate::request::Field;
use crate::{CorsRequest, Decision, LogLevel, Reason};

/// Emits one event, target `cors`, at `level` (the policy's `log_level`), for a rejected
/// CORS request (nothing for allowed requests and requests that are not CORS requests),
/// with the request kind, the reason code and the request's values, escaped and
/// truncated: fields `kind`, `reason`, `origin`, `method` (the preflight's requested
/// method) and `header` (the first refused header, for `header-not-allowed`).
#[inline]
pub(crate) fn rejected(req: &CorsRequest<'_>, d: &Decision<'_>, level: LogLevel) {
    if let Some(reason) = d.reason()
        && level != LogLevel::Off
    {
        emit(req, d, reason, level);
    }
}

#[cold]
fn emit(req: &CorsRequest<'_>, d: &Decision<'_>, reason: &Reason<'_>, level: LogLevel) {
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
    // `tracing` fixes an event's level at its call site: one site per level.
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                target: "cors",
                $level,
                kind = d.kind().as_str(),
                reason = reason.code(),
                origin = shown(field(req.origin())),
                method = shown(field(req.request_method())),
                header = shown(header),
                "CORS request rejected: {reason}"
            )
        };
    }
    match level {
        LogLevel::Off => {}
        LogLevel::Error => event!(tracing::Level::ERROR),
        LogLevel::Warn => event!(tracing::Level::WARN),
        LogLevel::Info => event!(tracing::Level::INFO),
        LogLevel::Debug => event!(tracing::Level::DEBUG),
        LogLevel::Trace => event!(tracing::Level::TRACE),
    }
}
