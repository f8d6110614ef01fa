//! actix-web: the example app bare, with the floor middleware (`App::wrap_fn`), with
//! [`cors_actix::Cors`], or with `actix-cors`;
//! requests go through actix-web's test service (`test::init_service` +
//! `test::call_service`) on the fixture's own actix system.

use std::future::ready;

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::rt::{System, SystemRunner};
use actix_web::{App, Error, test};
use cors_examples::actix_app;

use crate::{Fixture, Kind, Probe, Variant, Visitor};

/// `actix_cors::Cors` configured like [`crate::policy`].
pub fn native_cors() -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allowed_origin(crate::ORIGIN)
        .allowed_methods(crate::METHODS)
        .allowed_headers(crate::ALLOW_HEADERS.map(HeaderName::from_static))
        .expose_headers([HeaderName::from_static(crate::EXPOSE_HEADER)])
        .supports_credentials()
        .max_age(crate::MAX_AGE as usize)
}

/// The floor's header lines as actix constants ([`crate::SIMPLE_LINES`],
/// [`crate::PREFLIGHT_LINES`]), validated at compile time.
mod lines {
    use actix_web::http::header::{self, HeaderName, HeaderValue};

    pub const SIMPLE: [(HeaderName, HeaderValue); 4] = [
        (
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static(crate::ORIGIN),
        ),
        (
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        ),
        (
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(crate::EXPOSE_HEADER),
        ),
        (header::VARY, HeaderValue::from_static("origin")),
    ];

    pub const PREFLIGHT: [(HeaderName, HeaderValue); 6] = [
        (
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static(crate::ORIGIN),
        ),
        (
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        ),
        (
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET,HEAD,POST,PUT"),
        ),
        (
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type,x-requested-with"),
        ),
        (
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        ),
        (
            header::VARY,
            HeaderValue::from_static(
                "origin, access-control-request-method, access-control-request-headers",
            ),
        ),
    ];
}

/// The actix fixture: the initialised test service, built once on its actix system.
pub struct ActixFixture<S> {
    sys: SystemRunner,
    service: S,
    kind: Kind,
}

/// Builds the `variant` of the example app for requests of kind `kind` and hands it to
/// `v` (the three variants are three service types).
pub fn visit<V: Visitor>(kind: Kind, variant: Variant, v: &mut V) {
    let sys = System::new();
    match variant {
        Variant::Bare => {
            let service = sys.block_on(test::init_service(
                App::new().configure(actix_app::configure),
            ));
            v.visit(variant, ActixFixture { sys, service, kind });
        }
        Variant::Ours => {
            let service = sys.block_on(test::init_service(actix_app::app(crate::policy())));
            v.visit(variant, ActixFixture { sys, service, kind });
        }
        Variant::Native => {
            let app = App::new()
                .wrap(native_cors())
                .configure(actix_app::configure);
            let service = sys.block_on(test::init_service(app));
            v.visit(variant, ActixFixture { sys, service, kind });
        }
        // The smallest middleware actix-web's API allows: `wrap_fn`, a closure around the
        // inner service (no boxing). Simple: await the app's response and append the
        // lines; preflight: answer without calling the app.
        Variant::Floor => match kind {
            Kind::Simple => {
                use futures_util::TryFutureExt;
                let app = App::new()
                    .wrap_fn(|req, srv| {
                        srv.call(req).map_ok(|mut res| {
                            let map = res.headers_mut();
                            for (n, v) in lines::SIMPLE {
                                map.append(n, v);
                            }
                            res
                        })
                    })
                    .configure(actix_app::configure);
                let service = sys.block_on(test::init_service(app));
                v.visit(variant, ActixFixture { sys, service, kind });
            }
            Kind::Preflight | Kind::BrowserPreflight => {
                let app = App::new()
                    .wrap_fn(|req: actix_web::dev::ServiceRequest, _| {
                        let mut res =
                            actix_web::HttpResponse::new(actix_web::http::StatusCode::NO_CONTENT);
                        let map = res.headers_mut();
                        for (n, v) in lines::PREFLIGHT {
                            map.append(n, v);
                        }
                        ready(Ok(req.into_response(res)))
                    })
                    .configure(actix_app::configure);
                let service = sys.block_on(test::init_service(app));
                v.visit(variant, ActixFixture { sys, service, kind });
            }
        },
        Variant::OursTower => {}
    }
}

impl<S, B> Fixture for ActixFixture<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Request<'a>
        = Request
    where
        S: 'a;

    fn request(&self) -> Request {
        let method =
            actix_web::http::Method::from_bytes(self.kind.method().as_bytes()).expect("method");
        let mut req = test::TestRequest::default().method(method).uri(crate::PATH);
        for (name, value) in self.kind.headers() {
            req = req.append_header((
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            ));
        }
        req.to_request()
    }

    fn send(&self, req: Request) -> u16 {
        let fut = std::pin::pin!(test::call_service(&self.service, req));
        self.sys.block_on(fut).status().as_u16()
    }

    fn probe(&self) -> Probe {
        let res = self
            .sys
            .block_on(test::call_service(&self.service, self.request()));
        Probe::new(
            res.status().as_u16(),
            res.headers()
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_bytes())),
        )
    }
}
