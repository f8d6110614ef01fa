//! actix-web: the example app bare, with [`cors_actix::Cors`], or with `actix-cors`;
//! requests go through actix-web's test service (`test::init_service` +
//! `test::call_service`) on the fixture's own actix system.

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
        self.sys
            .block_on(test::call_service(&self.service, req))
            .status()
            .as_u16()
    }

    fn probe(&self) -> Probe {
        let res = self
            .sys
            .block_on(test::call_service(&self.service, self.request()));
        let get = |n: &str| {
            res.headers()
                .get(n)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        Probe {
            status: res.status().as_u16(),
            allow_origin: get("access-control-allow-origin"),
            allow_headers: get("access-control-allow-headers"),
        }
    }
}
