use anyhow::Context;

use crate::configuration::Settings;
use crate::shutdown;
use crate::startup::Application;
use crate::telemetry;

pub async fn run() -> anyhow::Result<()> {
    let settings = Settings::from_env().context("configuration error")?;
    telemetry::init(settings.log_format);

    let application = Application::build(&settings).await?;
    first_run(&application, &settings).await?;
    tracing::info!(
        address = %application.local_addr(),
        public_url = %application.public_url(),
        "dlrhub is listening"
    );

    let stop = application.stopper();
    shutdown::cancel_on_signal(stop.clone());
    let server = tokio::spawn(application.run_until_stopped());
    // The requests in flight, then the forwarding workers' claims: each up to the grace.
    shutdown::wait_with_grace(server, &stop, settings.shutdown_grace * 2).await
}

/// With no user at all, creates the first admin and prints its password once to the
/// terminal (stderr: stdout carries the logs, which are often shipped elsewhere, and a
/// password has no business there).
async fn first_run(application: &Application, settings: &Settings) -> anyhow::Result<()> {
    let email = &settings.access.first_admin_email;
    let created =
        auth::users::ensure_first_admin(application.pool(), &auth::Passwords::default(), email)
            .await
            .context("creating the first admin")?;
    if let Some(password) = created {
        eprintln!(
            "\n  dlrhub has no users yet, so it created an admin:\n\n    email:    {email}\n    password: {password}\n\n  This password is shown only once. Sign in at {} and change it (Account page).\n  Lost it? `dlrhub user reset-password {email}`.\n",
            application.public_url()
        );
    }
    Ok(())
}
