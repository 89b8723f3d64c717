//! Operator commands that must not be HTTP endpoints.
//!
//! ```text
//! tillbox-admin keygen --kid <id> --out <private-key.pem>   # prints the JWKS to deploy
//! tillbox-admin token --key <private-key.pem> --kid <id> --role <customer|staff|admin>
//!                     [--sub <user id>] [--issuer <iss>] [--audience <aud>]
//! ```
//! `token` mints an access token through the same module that verifies them; until
//! sign-in exists it is how staff get one.

use std::collections::HashMap;
use std::process::ExitCode;
use tillbox::auth::{TokenAudience, TokenIssuer, generate_key};
use tillbox::domain::{Principal, Role};

fn flags(args: &[String]) -> Result<HashMap<&str, &str>, String> {
    args.chunks(2)
        .map(|pair| match pair {
            [name, value] if name.starts_with("--") => Ok((&name[2..], value.as_str())),
            _ => Err(format!("expected `--flag value` pairs, got {pair:?}")),
        })
        .collect()
}

fn run(args: &[String]) -> Result<String, String> {
    let (command, rest) = args.split_first().ok_or("usage: tillbox-admin <keygen|token> [--flag value]...")?;
    let flags = flags(rest)?;
    let flag = |name: &str| flags.get(name).copied().ok_or(format!("--{name} is required"));
    match command.as_str() {
        "keygen" => {
            let (pem, jwks) = generate_key(flag("kid")?);
            std::fs::write(flag("out")?, pem).map_err(|e| format!("cannot write the key: {e}"))?;
            Ok(jwks)
        }
        "token" => {
            let pem = std::fs::read(flag("key")?).map_err(|e| format!("cannot read the key: {e}"))?;
            let audience = TokenAudience {
                issuer: flags.get("issuer").copied().unwrap_or("tillbox").to_owned(),
                audience: flags.get("audience").copied().unwrap_or("tillbox-api").to_owned(),
            };
            let issuer = TokenIssuer::from_pem(flag("kid")?, &pem, audience).map_err(|e| e.to_string())?;
            let role = Role::parse(flag("role")?).ok_or("--role must be customer, staff or admin")?;
            let subject = flags.get("sub").copied().unwrap_or("cli").to_owned();
            Ok(issuer.issue(&Principal { subject, role, session: None }, time::OffsetDateTime::now_utc()))
        }
        other => Err(format!("unknown command `{other}`; use keygen or token")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
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
