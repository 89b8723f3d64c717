//! The HTTP API's `$default` route: every request no route takes. API Gateway
//! would answer those with a bare `{"message":"Not Found"}` whatever the method;
//! here a path the API has answers 405 with the methods it takes (`Allow`, RFC
//! 9110 §15.5.6), and any other path a problem+json 404. The routes are read from
//! the OpenAPI document, which a test holds equal to the template's.

use super::openapi::ApiDoc;
use super::problem::ApiError;
use super::response::Reply;
use lambda_http::Request;
use lambda_http::http::StatusCode;
use std::sync::OnceLock;
use utoipa::OpenApi;

/// A documented path, split into segments (`None` for a `{parameter}`), and the
/// methods it takes, upper-case and sorted.
struct Route {
    segments: Vec<Option<String>>,
    methods: Vec<String>,
}

impl Route {
    fn literals(&self) -> usize {
        self.segments.iter().filter(|segment| segment.is_some()).count()
    }

    fn matches(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        parts.len() == self.segments.len()
            && self.segments.iter().zip(&parts).all(|(segment, part)| match segment {
                Some(literal) => literal == part,
                None => !part.is_empty(),
            })
    }
}

fn routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let document = serde_json::to_value(ApiDoc::openapi()).expect("the document serialises");
        let paths = document["paths"].as_object().cloned().unwrap_or_default();
        paths
            .into_iter()
            .map(|(path, item)| {
                let segments = path
                    .trim_start_matches('/')
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                    .collect();
                let mut methods: Vec<String> = item
                    .as_object()
                    .map(|ops| ops.keys().map(|m| m.to_ascii_uppercase()).collect())
                    .unwrap_or_default();
                methods.sort();
                Route { segments, methods }
            })
            .collect()
    })
}

/// What a request no route took is answered with.
pub fn refusal(path: &str) -> ApiError {
    // The resource is the most specific route the path matches: /admin/exports/orders
    // is the export request, not an export called "orders".
    let matching: Vec<&Route> = routes().iter().filter(|route| route.matches(path)).collect();
    let most_literal = matching.iter().map(|route| route.literals()).max().unwrap_or(0);
    let allowed: Vec<&str> = matching
        .into_iter()
        .filter(|route| route.literals() == most_literal)
        .flat_map(|route| route.methods.iter().map(String::as_str))
        .collect();
    if allowed.is_empty() {
        return ApiError::new(StatusCode::NOT_FOUND, "no_route", "the API has no such path; /docs lists every route");
    }
    let mut allowed = allowed;
    allowed.sort_unstable();
    allowed.dedup();
    let allow = allowed.join(", ");
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", format!("this path takes {allow}"))
        .with_header("allow", allow)
}

/// `$default`: any method, any path no other route takes.
pub async fn unrouted(request: Request) -> Result<Reply, ApiError> {
    Err(refusal(request.uri().path()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_path_names_its_methods_and_an_unknown_one_is_a_problem() {
        let trace = refusal("/products");
        assert_eq!((trace.status, trace.code), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
        let response = trace.into_response();
        assert_eq!(response.headers()["allow"], "GET, POST");
        assert_eq!(response.headers()["content-type"], "application/problem+json");

        let item = refusal("/products/0190f3a6-7c4e-7000-8000-000000000000").into_response();
        assert_eq!(item.headers()["allow"], "DELETE, GET, PATCH");
        // The literal route is the resource, though GET would reach /admin/exports/{id}.
        assert_eq!(refusal("/admin/exports/orders").into_response().headers()["allow"], "POST");
        assert_eq!(
            refusal("/admin/exports/0190f3a6-7c4e-7000-8000-000000000000").into_response().headers()["allow"],
            "GET"
        );

        for unknown in ["/nope", "/products/a/b/c", "/", "/products//images"] {
            let refusal = refusal(unknown);
            assert_eq!((refusal.status, refusal.code), (StatusCode::NOT_FOUND, "no_route"), "{unknown}");
        }
    }
}
