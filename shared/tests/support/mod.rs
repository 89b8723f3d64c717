//! Test harness: every test gets its own table, queues and bucket on the local
//! emulator, created from template.yaml by the same script `make dev` uses.

#![allow(dead_code)] // each test binary uses a different part of the harness

use aws_config::{BehaviorVersion, Region, SdkConfig};
use lambda_http::{Body, Request, RequestExt, Response, http};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use tillbox::app::orders::OrderPolicy;
use tillbox::domain::access_token::{SigningKey, TokenAudience, TokenIssuer, TokenVerifier, generate_key};
use tillbox::domain::{Principal, Role};
use tillbox::inbound::http::context::{Catalog, SignIn, TableAccess};
use tillbox::inbound::http::problem::ApiError;
use tillbox::outbound::dynamodb::Table;
use tillbox::outbound::s3::Bucket;

pub struct Stack {
    pub sdk: SdkConfig,
    pub table_name: String,
    pub bucket_name: String,
    pub images_queue: String,
    pub images_dlq: String,
    pub emails_queue: String,
    pub outbox_dlq: String,
    pub asset_base: String,
    pub endpoint: String,
    issuer: TokenIssuer,
    key: SigningKey,
    jwks: String,
}

/// The repository's root: this crate lives in `shared/`.
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("shared/ has a parent").to_path_buf()
}

fn audience() -> TokenAudience {
    TokenAudience { issuer: "tillbox-test".into(), audience: "tillbox-api".into() }
}

impl Stack {
    pub async fn new() -> Self {
        let endpoint = std::env::var("AWS_ENDPOINT_URL")
            .expect("integration tests need the local emulator: run them with `make test`");
        let prefix = format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        let root = workspace_root();
        let output = std::process::Command::new(root.join(".venv/bin/python"))
            .args(["-m", "tillbox_local.commands.stack"])
            .args(["--endpoint", &endpoint, "--prefix", &prefix])
            .output()
            .expect("run python -m tillbox_local.commands.stack");
        assert!(output.status.success(), "the stack command failed: {}", String::from_utf8_lossy(&output.stderr));
        let stack: Value = serde_json::from_slice(&output.stdout).expect("the stack command prints JSON");
        let reference = |name: &str| stack["resources"][name]["ref"].as_str().expect("resource exists").to_owned();
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&endpoint)
            .load()
            .await;
        let (key, jwks) = generate_key("test-key");
        let bucket_name = reference("Bucket");
        Self {
            sdk,
            table_name: reference("Table"),
            asset_base: format!("{endpoint}/{bucket_name}"),
            bucket_name,
            images_queue: reference("ImagesQueue"),
            images_dlq: reference("ImagesDeadLetterQueue"),
            emails_queue: reference("EmailsQueue"),
            outbox_dlq: reference("OutboxDeadLetterQueue"),
            issuer: TokenIssuer::from_signing_key(&key.to_json(), audience()).expect("generated key"),
            key,
            jwks,
            endpoint,
        }
    }

    pub fn table(&self) -> Table {
        Table::new(&self.sdk, &self.table_name)
    }

    /// Items whose partition key starts with `prefix`.
    pub async fn items_with_pk(&self, prefix: &str) -> Vec<HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
        let items = self.items().await;
        items.into_iter().filter(|i| i["PK"].as_s().is_ok_and(|pk| pk.starts_with(prefix))).collect()
    }

    pub fn bucket(&self) -> Bucket {
        Bucket::new(&self.sdk, &self.bucket_name)
    }

    pub fn catalog(&self) -> Catalog {
        Catalog {
            table: self.table(),
            verifier: TokenVerifier::from_jwks(&self.jwks, &audience()).expect("generated JWKS"),
            assets: tillbox::inbound::views::AssetUrls::new(self.asset_base.clone()),
        }
    }

    pub fn verifier(&self) -> TokenVerifier {
        TokenVerifier::from_jwks(&self.jwks, &audience()).expect("generated JWKS")
    }

    pub fn access(&self) -> TableAccess {
        TableAccess { table: self.table(), verifier: self.verifier(), orders: OrderPolicy::TEMPLATE_DEFAULTS }
    }

    /// What signs guests' order links (the stack's signing key).
    pub fn order_links(&self) -> TokenIssuer {
        TokenIssuer::from_signing_key(&self.key.to_json(), audience()).expect("generated key")
    }

    pub fn sign_in(&self) -> SignIn {
        let issuer = TokenIssuer::from_signing_key(&self.key.to_json(), audience()).expect("generated key");
        SignIn { table: self.table(), issuer }
    }

    /// E-mails the emulator's SES accepted for `to`, oldest first: (subject, HTML body).
    pub fn emails_to(&self, to: &str) -> Vec<(String, String)> {
        let data = sent_mail(&self.endpoint);
        let messages = data["messages"].as_array().cloned().unwrap_or_default();
        messages
            .iter()
            .filter(|m| m["destinations"]["ToAddresses"].as_array().is_some_and(|a| a.iter().any(|t| t == to)))
            .map(|m| {
                (
                    m["subject"].as_str().unwrap_or_default().to_owned(),
                    m["body"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    pub fn token(&self, role: Role) -> String {
        self.token_for(&format!("{}-1", role.as_str()), role)
    }

    /// An access token for the user `subject`.
    pub fn token_for(&self, subject: &str, role: Role) -> String {
        let principal = Principal { subject: subject.to_owned(), role, session: None };
        self.issuer.issue(&principal, time::OffsetDateTime::now_utc())
    }

    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&self.sdk)
    }

    pub fn s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&self.sdk).force_path_style(true).build())
    }

    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.sdk)
    }

    /// Every item in the table: tests assert on stored state, not only on replies.
    pub async fn items(&self) -> Vec<HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
        self.dynamodb().scan().table_name(&self.table_name).send().await.expect("scan").items.unwrap_or_default()
    }
}

/// Builds an HTTP API request the way API Gateway hands it to a function.
pub struct Call {
    request: Request,
}

impl Call {
    /// Each call comes from its own address unless [`Call::source_ip`] says otherwise,
    /// so per-address rate limits only meet tests that are about them.
    pub fn new(method: &str, path: &str) -> Self {
        let request =
            http::Request::builder().method(method).uri(format!("https://api.test{path}")).body(Body::Empty).unwrap();
        let [a, b, c, ..] = *uuid::Uuid::new_v4().as_bytes();
        Self { request }.source_ip(&format!("10.{a}.{b}.{c}"))
    }

    pub fn source_ip(self, ip: &str) -> Self {
        let mut context = lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
        context.http.source_ip = Some(ip.to_owned());
        let context = lambda_http::request::RequestContext::ApiGatewayV2(context);
        Self { request: self.request.with_request_context(context) }
    }

    pub fn json(mut self, body: Value) -> Self {
        *self.request.body_mut() = Body::Text(body.to_string());
        self.header("content-type", "application/json")
    }

    pub fn raw(mut self, body: &str) -> Self {
        *self.request.body_mut() = Body::Text(body.to_owned());
        self
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.request.headers_mut().insert(name, value.parse().unwrap());
        self
    }

    pub fn token(self, token: &str) -> Self {
        let value = format!("Bearer {token}");
        self.header("authorization", &value)
    }

    pub fn path_param(self, name: &str, value: &str) -> Self {
        let params: HashMap<String, String> = [(name.to_owned(), value.to_owned())].into();
        Self { request: self.request.with_path_parameters(params) }
    }

    pub fn query(self, pairs: &[(&str, &str)]) -> Self {
        let params: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Self { request: self.request.with_query_string_parameters(params) }
    }

    pub fn build(self) -> Request {
        self.request
    }
}

/// A response as a client sees it.
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json reply with this status and code, naming `field` if given.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str, field: Option<&str>) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/problem+json"));
        assert_eq!(self.body["status"], status);
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        if let Some(field) = field {
            assert_eq!(self.body["field"], field, "body: {}", self.body);
        }
    }
}

/// Runs a handler result through the same conversion `tillbox::inbound::http::serve` uses.
pub fn reply(result: Result<Response<Body>, ApiError>) -> Reply {
    let response = result.unwrap_or_else(ApiError::into_response);
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = match response.body() {
        Body::Text(text) => serde_json::from_str(text).expect("JSON body"),
        Body::Binary(bytes) => serde_json::from_slice(bytes).expect("JSON body"),
        _ => Value::Null,
    };
    Reply { status, headers, body }
}

/// The e-mails the emulator's SES accepted (`/_local/mail`, see
/// infra/local/tillbox_local/moto_server.py), read with a plain HTTP/1.0 request so tests need
/// no HTTP client crate. Not `/moto-api/data.json`: that serialises the whole
/// emulator while other tests write to it, and fails now and then.
fn sent_mail(endpoint: &str) -> Value {
    use std::io::{Read, Write};
    let address = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(address).expect("connect to the emulator");
    write!(stream, "GET /_local/mail HTTP/1.0\r\nHost: {address}\r\n\r\n").expect("send request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read response");
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    serde_json::from_str(body).expect("/_local/mail is JSON")
}
