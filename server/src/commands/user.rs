//! `dlrhub user ...`: manage console users from the command line (the first admin's lost
//! password, scripted set-ups). Every change is in the audit log as the command line's.

use std::io::BufRead;

use anyhow::Context;
use auth::users::{self, NewUser};
use auth::Passwords;
use domain::access::{Email, Role};

use super::{command_line, parse_app_key};
use crate::cli::UserCommand;
use crate::configuration::DatabaseSettings;

pub async fn run(command: UserCommand) -> anyhow::Result<()> {
    let database = DatabaseSettings::from_env().context("configuration error")?;
    let pool = database.pool();
    store::migrate(&pool).await?;
    let passwords = Passwords::default();
    let by = command_line();
    match command {
        UserCommand::Add {
            email,
            role,
            tenants,
            password_stdin,
        } => {
            let role: Role = role.parse().context("--role")?;
            let tenants = tenants
                .iter()
                .map(|raw| parse_app_key(raw))
                .collect::<anyhow::Result<Vec<_>>>()?;
            if role != Role::Viewer && !tenants.is_empty() {
                anyhow::bail!("--tenant only applies to viewers: {role} users see every tenant");
            }
            let new = NewUser {
                email: Email::parse(&email).context("--email")?,
                role,
                tenants,
                password: password_stdin.then(read_password).transpose()?,
            };
            let given = new.password.is_some();
            let (user, password) = users::add(&pool, &passwords, &by, new).await?;
            println!("Added {} ({}).", user.email, user.role);
            if !given {
                print_password_once(&password);
            }
            Ok(())
        }
        UserCommand::ResetPassword {
            email,
            password_stdin,
        } => {
            let email = Email::parse(&email).context("email")?;
            let user = store::users::credentials(&pool, &email)
                .await?
                .with_context(|| format!("no user has the email {email}"))?;
            let given = password_stdin.then(read_password).transpose()?;
            let was_given = given.is_some();
            let password = users::reset_password(&pool, &passwords, &by, user.id, given).await?;
            println!("The password of {email} is reset; their sessions have ended.");
            if !was_given {
                print_password_once(&password);
            }
            Ok(())
        }
        UserCommand::List => {
            for user in store::users::list(&pool).await? {
                let state = if user.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                let tenants: Vec<&str> = user.tenants.iter().map(|t| t.as_str()).collect();
                println!(
                    "{:<40} {:<8} {:<9} {}",
                    user.email,
                    user.role,
                    state,
                    tenants.join(",")
                );
            }
            Ok(())
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

fn print_password_once(password: &str) {
    println!("Password (shown once, hand it over privately): {password}");
}
