//! `tillbox-admin`: operator commands that must not be HTTP endpoints.
//! `tillbox-admin --help` lists them; `tillbox-admin <command> --help` explains one.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tillbox::app::outbox::Start;
use tillbox::domain::access_token::{TokenAudience, TokenIssuer, generate_key};
use tillbox::domain::{EventId, Principal, Role, Timestamp};
use tillbox::outbound::dynamodb::Table;

#[derive(Parser)]
#[command(name = "tillbox-admin", version, about = "Operator commands for a Tillbox deployment.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate an access-token signing key and print its JWKS.
    ///
    /// Writes the key to --out (store it as the SSM SecureString the sign-in
    /// functions read) and prints the JWKS to deploy as `JwtJwks`.
    Keygen {
        /// The key id (`kid`) tokens will name.
        #[arg(long)]
        kid: String,
        /// Where to write the private signing key (JSON).
        #[arg(long)]
        out: PathBuf,
        /// The JWKS deployed now: its keys are printed beside the new one, so
        /// tokens signed before a rotation stay valid until the old key is dropped.
        #[arg(long, value_name = "JWKS_FILE")]
        keep: Option<PathBuf>,
    },
    /// Mint an access token without signing in (tests, scripts).
    Token(TokenArgs),
    /// Make an account an admin, or create one (needs TABLE_NAME).
    ///
    /// Promotes an existing account, or creates a verified admin with the password
    /// read from the first line of stdin: the first admin of a fresh deployment,
    /// through the same use case and audit trail as the API.
    CreateAdmin {
        /// The admin's e-mail address.
        #[arg(long)]
        email: String,
    },
    /// Publish outbox events again, after an outbox alarm (needs TABLE_NAME).
    ///
    /// Writes every event from the one named (or from a time) up to now to the
    /// outbox again; consumers skip what they handled already (docs/operations.md).
    Republish(RepublishArgs),
    /// Check the audit trail against its locked archive (needs TABLE_NAME and
    /// AUDIT_ARCHIVE_BUCKET).
    ///
    /// Lists every record rewritten in the table since it was archived, archived
    /// but gone from the table (deleted or expired), or never archived; exits
    /// non-zero if there is any (docs/security.md, "Audit records").
    AuditVerify(AuditVerifyArgs),
    /// Give products stored before variants their one variant (needs TABLE_NAME).
    ///
    /// Run once right after deploying the release that brought variants (docs/operations.md,
    /// "Upgrading"). Idempotent and resumable: run it again after an interruption.
    MigrateVariants,
    /// Rebuild the product search index from the catalog (needs TABLE_NAME and
    /// BUCKET_NAME).
    ///
    /// Reads every product, whatever its status, and replaces the index with
    /// what it read, keeping changes the index job wrote meanwhile. Run it once
    /// after deploying the release that brought search, or when search and the
    /// catalog disagree (docs/operations.md, "Search").
    ReindexProducts,
    /// Print the OpenAPI document `GET /openapi.json` serves.
    ///
    /// To generate a client without a running API.
    Openapi,
}

#[derive(Args)]
struct TokenArgs {
    /// The signing key `keygen` wrote.
    #[arg(long)]
    key: PathBuf,
    /// The caller's role.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// The token's subject (a user id).
    #[arg(long, default_value = "cli")]
    sub: String,
    /// The stack the token is for: its name is the issuer and `<stack>-api` the
    /// audience, as the template sets them when JwtIssuer and JwtAudience are empty.
    #[arg(long, default_value = "tillbox")]
    stack: String,
    /// The issuer (`iss`), where the stack's `JwtIssuer` parameter sets one.
    #[arg(long)]
    issuer: Option<String>,
    /// The audience (`aud`), where the stack's `JwtAudience` parameter sets one.
    #[arg(long)]
    audience: Option<String>,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct RepublishArgs {
    /// Re-publish from this event id on.
    #[arg(long, value_parser = parse_event_id)]
    from: Option<EventId>,
    /// Re-publish the events since this RFC 3339 time, e.g. 2026-11-21T10:00:00Z.
    #[arg(long, value_parser = parse_time)]
    since: Option<Timestamp>,
}

#[derive(Args)]
struct AuditVerifyArgs {
    /// From this RFC 3339 time, e.g. 2026-11-01T00:00:00Z.
    #[arg(long, value_parser = parse_time)]
    since: Timestamp,
    /// Up to this time; now when left out.
    #[arg(long, value_parser = parse_time)]
    until: Option<Timestamp>,
}

fn parse_role(value: &str) -> Result<Role, String> {
    Role::parse(value).ok_or_else(|| "must be customer, staff or admin".to_owned())
}

fn parse_event_id(value: &str) -> Result<EventId, String> {
    value.parse().map_err(|_| "not an event id".to_owned())
}

fn parse_time(value: &str) -> Result<Timestamp, String> {
    time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .map(|at| at.to_offset(time::UtcOffset::UTC))
        .map_err(|_| "not an RFC 3339 time, e.g. 2026-11-21T10:00:00Z".to_owned())
}

impl TokenArgs {
    /// The issuer and audience the stack checks.
    fn claims(&self) -> TokenAudience {
        TokenAudience {
            issuer: self.issuer.clone().unwrap_or_else(|| self.stack.clone()),
            audience: self.audience.clone().unwrap_or_else(|| format!("{}-api", self.stack)),
        }
    }
}

/// The keys of a JWKS file, refused unless it is one.
fn read_jwks(path: &std::path::Path) -> Result<Vec<serde_json::Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let jwks: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    match jwks.get("keys") {
        Some(serde_json::Value::Array(keys)) => Ok(keys.clone()),
        _ => Err(format!("{} is not a JWKS: it has no \"keys\" array", path.display())),
    }
}

/// The new key first, then the kept ones; a kept key with the new `kid` would make
/// verification ambiguous, so it is refused.
fn with_kept_keys(new_jwks: &str, kept: Vec<serde_json::Value>, kid: &str) -> Result<String, String> {
    if kept.iter().any(|key| key.get("kid").and_then(|k| k.as_str()) == Some(kid)) {
        return Err(format!("the kept JWKS already has a key with kid {kid}: choose another --kid"));
    }
    let mut jwks: serde_json::Value = serde_json::from_str(new_jwks).map_err(|e| e.to_string())?;
    if let Some(serde_json::Value::Array(keys)) = jwks.get_mut("keys") {
        keys.extend(kept);
    }
    Ok(jwks.to_string())
}

fn token(args: TokenArgs) -> Result<String, String> {
    let key = std::fs::read_to_string(&args.key).map_err(|e| format!("cannot read {}: {e}", args.key.display()))?;
    let audience = args.claims();
    let issuer = TokenIssuer::from_signing_key(&key, audience).map_err(|e| e.to_string())?;
    let principal = Principal { subject: args.sub, role: args.role, session: None };
    Ok(issuer.issue(&principal, time::OffsetDateTime::now_utc()))
}

async fn table() -> Result<Table, String> {
    // The whole credentials chain (profiles, SSO, a credentials helper), unlike the
    // functions' `wiring::sdk`: an operator runs this from their own machine.
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    tillbox::wiring::table(&sdk).map_err(|e| e.to_string())
}

async fn create_admin(email: &str) -> Result<String, String> {
    let mut password = String::new();
    std::io::stdin().read_line(&mut password).map_err(|e| format!("cannot read the password: {e}"))?;
    let table = table().await?;
    let now = time::OffsetDateTime::now_utc();
    let password = password.trim_end_matches(['\r', '\n']);
    let (user, created) = tillbox::app::accounts::bootstrap_admin(&table, "system:tillbox-admin", email, password, now)
        .await
        .map_err(|e| e.to_string())?;
    let verb = if created { "created" } else { "promoted" };
    Ok(format!("{verb} admin {} ({})", user.email.as_str(), user.id))
}

async fn republish(args: RepublishArgs) -> Result<String, String> {
    let start = match (args.from, args.since) {
        (Some(id), _) => Start::Event(id),
        (None, Some(at)) => Start::Time(at),
        (None, None) => unreachable!("clap requires one of --from and --since"),
    };
    let table = table().await?;
    let print = |event: &tillbox::domain::Event| {
        println!("{} {} {}", tillbox::domain::format_timestamp(event.occurred_at), event.id, event.kind.name());
    };
    let now = time::OffsetDateTime::now_utc();
    let count = tillbox::app::outbox::republish(&table, start, now, print).await.map_err(|e| e.to_string())?;
    Ok(format!("re-published {count} events"))
}

async fn migrate_variants() -> Result<String, String> {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let table = tillbox::wiring::table(&sdk).map_err(|e| e.to_string())?;
    let report = tillbox::app::catalog::upgrade::upgrade_products(&table).await.map_err(|e| e.to_string())?;
    Ok(format!(
        "{} products given their variant; {} upgraded meanwhile by another run; nothing else left to upgrade",
        report.upgraded, report.skipped
    ))
}

async fn reindex_products() -> Result<String, String> {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let table = tillbox::wiring::table(&sdk).map_err(|e| e.to_string())?;
    let bucket = tillbox::wiring::bucket(&sdk).map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let indexed = tillbox::app::search::rebuild(&bucket, &table).await.map_err(|e| e.to_string())?;
    Ok(format!("{indexed} products indexed in {:.1} s", started.elapsed().as_secs_f64()))
}

async fn audit_verify(args: AuditVerifyArgs) -> Result<String, String> {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let table = tillbox::wiring::table(&sdk).map_err(|e| e.to_string())?;
    let bucket = tillbox::config::audit_archive_bucket().map_err(|e| e.to_string())?;
    let archive = tillbox::outbound::audit_archive::AuditArchiveBucket::new(&sdk, bucket);
    let now = time::OffsetDateTime::now_utc();
    let until = args.until.unwrap_or(now);
    // The stream reaches the archive within seconds; a minute is ample.
    let settled = now - time::Duration::minutes(1);
    let found = tillbox::app::audit::archive::verify(&table, &archive, args.since, until, settled)
        .await
        .map_err(|e| e.to_string())?;
    let line = |record: &tillbox::domain::AuditRecord| {
        format!(
            "{} {} {} {} {}",
            tillbox::domain::format_timestamp(record.at),
            record.id,
            record.actor,
            record.action,
            record.target
        )
    };
    let mut report = Vec::new();
    for (kept, now) in &found.rewritten {
        report.push(format!(
            "rewritten: {}\n  archived: {}\n  table:    {}",
            kept.id,
            serde_json::json!(kept),
            serde_json::json!(now)
        ));
    }
    report.extend(found.missing.iter().map(|r| format!("missing from the table: {}", line(r))));
    report.extend(found.unarchived.iter().map(|r| format!("not archived: {}", line(r))));
    if found.is_empty() {
        Ok("the audit trail matches its archive".to_owned())
    } else {
        Err(format!("the audit trail does not match its archive:\n{}", report.join("\n")))
    }
}

async fn run(command: Command) -> Result<String, String> {
    match command {
        Command::Keygen { kid, out, keep } => {
            let kept = keep.map(|path| read_jwks(&path)).transpose()?;
            let (key, jwks) = generate_key(&kid);
            std::fs::write(&out, key.to_json()).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            match kept {
                Some(kept) => with_kept_keys(&jwks, kept, &kid),
                None => Ok(jwks),
            }
        }
        Command::Token(args) => token(args),
        Command::CreateAdmin { email } => create_admin(&email).await,
        Command::Republish(args) => republish(args).await,
        Command::AuditVerify(args) => audit_verify(args).await,
        Command::MigrateVariants => migrate_variants().await,
        Command::ReindexProducts => reindex_products().await,
        Command::Openapi => Ok(tillbox::inbound::http::openapi::document_json().to_owned()),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run(Cli::parse().command).await {
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("tillbox-admin").chain(args.iter().copied()))
    }

    #[test]
    fn the_commands_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_is_an_answer_and_mistakes_are_refused() {
        assert_eq!(parse(&["--help"]).err().map(|e| e.kind()), Some(ErrorKind::DisplayHelp));
        let misspelt = parse(&["token", "--key", "k.json", "--rol", "staff"]).err().expect("refused");
        assert_eq!(misspelt.kind(), ErrorKind::UnknownArgument);
        let role = parse(&["token", "--key", "k.json", "--role", "boss"]).err().expect("refused");
        assert_eq!(role.kind(), ErrorKind::ValueValidation);
        let both =
            parse(&["republish", "--from", "0190f3a6-7c4e-7000-8000-000000000000", "--since", "2026-11-21T10:00:00Z"]);
        assert_eq!(both.err().map(|e| e.kind()), Some(ErrorKind::ArgumentConflict));
        assert_eq!(parse(&["republish"]).err().map(|e| e.kind()), Some(ErrorKind::MissingRequiredArgument));
    }

    #[test]
    fn a_token_names_the_stack_it_is_for() {
        let claims = |args: &[&str]| {
            let mut all = vec!["token", "--key", "k.json", "--role", "staff"];
            all.extend_from_slice(args);
            let Ok(Cli { command: Command::Token(token) }) = parse(&all) else { panic!("parsed") };
            let TokenAudience { issuer, audience } = token.claims();
            (issuer, audience)
        };
        assert_eq!(claims(&[]), ("tillbox".into(), "tillbox-api".into()));
        assert_eq!(claims(&["--stack", "tillbox-staging"]), ("tillbox-staging".into(), "tillbox-staging-api".into()));
        assert_eq!(claims(&["--issuer", "https://shop.example.com"]).0, "https://shop.example.com");
    }

    #[test]
    fn a_rotation_keeps_the_deployed_keys_after_the_new_one() {
        let (_, new) = generate_key("2027-05");
        let kept = vec![serde_json::json!({"kid": "2026-11", "kty": "OKP"})];
        let jwks: serde_json::Value =
            serde_json::from_str(&with_kept_keys(&new, kept.clone(), "2027-05").unwrap()).unwrap();
        let kids: Vec<_> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
        assert_eq!(kids, ["2027-05", "2026-11"]);
        let clash = with_kept_keys(&new, kept, "2026-11").unwrap_err();
        assert!(clash.contains("kid 2026-11"), "{clash}");
    }

    #[test]
    fn a_time_is_read_as_utc() {
        let Ok(Cli { command: Command::Republish(args) }) =
            parse(&["republish", "--since", "2026-11-21T11:00:00+01:00"])
        else {
            panic!("parsed")
        };
        assert_eq!(args.since, Some(time::macros::datetime!(2026-11-21 10:00 UTC)));
    }
}
