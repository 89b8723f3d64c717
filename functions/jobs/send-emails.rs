//! E-mail job: sends the e-mail each event on the `emails` queue calls for (SES).

use tillbox::inbound::jobs::{send_emails, serve_sqs};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::email_job(&sdk).await?;
    serve_sqs(|event| send_emails::handle(&job, event)).await
}
