//! Operator commands that must not be HTTP endpoints.
//!
//! ```text
//! tillbox-admin keygen --kid <id> --out <signing-key.json>  # prints the JWKS to deploy
//! tillbox-admin token --key <signing-key.json> --role <customer|staff|admin>
//!                     [--sub <user id>] [--issuer <iss>] [--audience <aud>]
//! tillbox-admin create-admin --email <address>   # password on stdin; needs TABLE_NAME
//! tillbox-admin republish --from <event id> | --since <RFC 3339 time>  # needs TABLE_NAME
//! tillbox-admin openapi                          # prints the OpenAPI document
//! ```
//! `keygen` writes the JSON to store as the SSM SecureString the sign-in functions
//! read. `token` mints an access token without signing in (tests, scripts).
//! `create-admin` promotes an existing account to admin, or creates a verified
//! admin with the password read from the first line of stdin: the first admin of a
//! fresh deployment, through the same use case and audit trail as the API.
//! `republish` writes every outbox event from the one named (or from a time) up to
//! now to the outbox again, after an outbox dead-letter alarm; consumers skip what
//! they handled already (docs/operations.md). `openapi` prints the document
//! `GET /openapi.json` serves, to generate a client without a running API.

use std::collections::HashMap;
use std::process::ExitCode;
use tillbox::app::outbox::Start;
use tillbox::domain::access_token::{TokenAudience, TokenIssuer, generate_key};
use tillbox::domain::{Principal, Role};
use tillbox::outbound::dynamodb::Table;

fn flags(args: &[String]) -> Result<HashMap<&str, &str>, String> {
    args.chunks(2)
        .map(|pair| match pair {
            [name, value] if name.starts_with("--") => Ok((&name[2..], value.as_str())),
            _ => Err(format!("expected `--flag value` pairs, got {pair:?}")),
        })
        .collect()
}

async fn create_admin(email: &str) -> Result<String, String> {
    let mut password = String::new();
    std::io::stdin().read_line(&mut password).map_err(|e| format!("cannot read the password: {e}"))?;
    let sdk = tillbox::outbound::aws::load().await;
    let table = Table::from_env(&sdk).map_err(|e| e.to_string())?;
    let now = time::OffsetDateTime::now_utc();
    let password = password.trim_end_matches(['\r', '\n']);
    let (user, created) = tillbox::app::accounts::bootstrap_admin(&table, "system:tillbox-admin", email, password, now)
        .await
        .map_err(|e| e.to_string())?;
    let verb = if created { "created" } else { "promoted" };
    Ok(format!("{verb} admin {} ({})", user.email.as_str(), user.id))
}

async fn republish(start: Start) -> Result<String, String> {
    let sdk = tillbox::outbound::aws::load().await;
    let table = Table::from_env(&sdk).map_err(|e| e.to_string())?;
    let now = time::OffsetDateTime::now_utc();
    let print = |event: &tillbox::domain::Event| {
        println!("{} {} {}", tillbox::domain::format_timestamp(event.occurred_at), event.id, event.kind.name());
    };
    let count = tillbox::app::outbox::republish(&table, start, now, print).await.map_err(|e| e.to_string())?;
    Ok(format!("re-published {count} events"))
}

fn republish_start(flags: &HashMap<&str, &str>) -> Result<Start, String> {
    match (flags.get("from"), flags.get("since")) {
        (Some(id), None) => id.parse().map(Start::Event).map_err(|_| format!("--from: `{id}` is not an event id")),
        (None, Some(at)) => time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
            .map(|at| Start::Time(at.to_offset(time::UtcOffset::UTC)))
            .map_err(|_| format!("--since: `{at}` is not an RFC 3339 time, e.g. 2026-11-21T10:00:00Z")),
        _ => Err("give either --from <event id> or --since <time>".into()),
    }
}

async fn run(args: &[String]) -> Result<String, String> {
    let (command, rest) = args
        .split_first()
        .ok_or("usage: tillbox-admin <keygen|token|create-admin|republish|openapi> [--flag value]...")?;
    let flags = flags(rest)?;
    let flag = |name: &str| flags.get(name).copied().ok_or(format!("--{name} is required"));
    match command.as_str() {
        "keygen" => {
            let (key, jwks) = generate_key(flag("kid")?);
            std::fs::write(flag("out")?, key.to_json()).map_err(|e| format!("cannot write the key: {e}"))?;
            Ok(jwks)
        }
        "token" => {
            let key = std::fs::read_to_string(flag("key")?).map_err(|e| format!("cannot read the key: {e}"))?;
            let audience = TokenAudience {
                issuer: flags.get("issuer").copied().unwrap_or("tillbox").to_owned(),
                audience: flags.get("audience").copied().unwrap_or("tillbox-api").to_owned(),
            };
            let issuer = TokenIssuer::from_signing_key(&key, audience).map_err(|e| e.to_string())?;
            let role = Role::parse(flag("role")?).ok_or("--role must be customer, staff or admin")?;
            let subject = flags.get("sub").copied().unwrap_or("cli").to_owned();
            Ok(issuer.issue(&Principal { subject, role, session: None }, time::OffsetDateTime::now_utc()))
        }
        "create-admin" => create_admin(flag("email")?).await,
        "republish" => republish(republish_start(&flags)?).await,
        "openapi" => Ok(tillbox::inbound::http::openapi::document_json().to_owned()),
        other => Err(format!("unknown command `{other}`; use keygen, token, create-admin, republish or openapi")),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("tillbox-admin: {message}");
            ExitCode::FAILURE
        }
    }
}
