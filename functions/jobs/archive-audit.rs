//! Audit archive job: copies every audit record written to the table (read from
//! the table's stream) to the bucket under Object Lock, and reports any other
//! change to an audit item.

use tillbox::inbound::jobs::archive_audit;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::archive_job(&sdk)?;
    tillbox::inbound::jobs::serve(|event| archive_audit::handle(&job, event)).await
}
