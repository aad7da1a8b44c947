//! `dlrhub tenant ...`: register MoEngage workspaces and manage their Sinch integration.

use anyhow::Context;
use auth::tenants;
use domain::DataCenter;
use serde_json::json;
use store::forwarding;
use store::tenants::{NewTenant, Tenant};
use store::Cipher;

use super::{command_line, parse_app_key};
use crate::cli::TenantCommand;
use crate::configuration::Settings;

pub async fn run(command: TenantCommand) -> anyhow::Result<()> {
    let settings = Settings::from_env().context("configuration error")?;
    let pool = settings.database.pool();
    store::migrate(&pool).await?;
    let cipher = settings.cipher();
    let show = |tenant: &Tenant, as_json: bool| describe(tenant, &settings, &cipher, as_json);

    let by = command_line();

    match command {
        TenantCommand::Add {
            app_key,
            name,
            dc,
            data_api_key,
        } => {
            let new = NewTenant {
                app_key: parse_app_key(&app_key)?,
                name,
                data_center: DataCenter::parse(&dc).context("--dc")?,
                moengage_api_key: data_api_key,
                demo: false,
            };
            let tenant = tenants::register(&pool, &cipher, &by, new).await?;
            println!(
                "Registered. The integration is disabled until `dlrhub tenant enable {}`.\n",
                tenant.app_key
            );
            show(&tenant, false)
        }
        TenantCommand::Enable { app_key } => {
            let app_key = parse_app_key(&app_key)?;
            let tenant = tenants::set_integration(&pool, &by, &app_key, true).await?;
            println!("The Sinch integration is enabled for {}.", tenant.app_key);
            Ok(())
        }
        TenantCommand::Disable { app_key } => {
            let app_key = parse_app_key(&app_key)?;
            let tenant = tenants::set_integration(&pool, &by, &app_key, false).await?;
            println!(
                "The Sinch integration is disabled for {}: its callbacks now answer 403.",
                tenant.app_key
            );
            Ok(())
        }
        TenantCommand::SetDataApiKey {
            app_key,
            data_api_key,
        } => {
            let app_key = parse_app_key(&app_key)?;
            let tenant =
                tenants::replace_data_api_key(&pool, &cipher, &by, &app_key, &data_api_key).await?;
            println!(
                "The Data API key of {} now ends in {}; forwarding runs with it.",
                tenant.app_key, tenant.moengage_api_key_last4
            );
            Ok(())
        }
        TenantCommand::Forwarding {
            app_key,
            rate,
            concurrency,
            full_recipient,
            bulk,
        } => {
            let app_key = parse_app_key(&app_key)?;
            let changes = forwarding::ForwardingChanges {
                rate_per_s: rate,
                concurrency,
                full_recipient,
                bulk,
            };
            let profile = tenants::set_forwarding(&pool, &cipher, &by, &app_key, changes).await?;
            println!("{app_key}: {}", describe_forwarding(&profile));
            Ok(())
        }
        TenantCommand::RotateCredentials { app_key } => {
            let app_key = parse_app_key(&app_key)?;
            let tenant =
                tenants::rotate_callback_credentials(&pool, &cipher, &by, &app_key).await?;
            println!("New callback credentials. Until the callback URL in Sinch is replaced, its calls answer 401:\n");
            println!("{}", tenant.callback_url(&settings.public_url, &cipher)?);
            Ok(())
        }
        TenantCommand::Hmac {
            app_key,
            secret,
            generate,
            off,
        } => {
            let app_key = parse_app_key(&app_key)?;
            let secret = match (secret, generate, off) {
                (_, _, true) => None,
                (_, true, _) => Some(store::cipher::random_token(40)?),
                (Some(secret), _, _) if !secret.trim().is_empty() => Some(secret.trim().to_owned()),
                _ => anyhow::bail!("give --secret S, --generate or --off"),
            };
            tenants::set_hmac_secret(&pool, &cipher, &by, &app_key, secret.as_deref()).await?;
            match (secret, generate) {
                (None, _) => println!("HMAC signatures are no longer checked for {app_key}."),
                (Some(secret), true) => println!("HMAC signing is on for {app_key}. Give Sinch this secret:\n\n{secret}"),
                (Some(_), false) => println!("HMAC signing is on for {app_key}: unsigned or badly signed callbacks answer 401."),
            }
            Ok(())
        }
        TenantCommand::Delete { app_key, confirm } => {
            let app_key = parse_app_key(&app_key)?;
            if confirm.trim() != app_key.as_str() {
                anyhow::bail!("--confirm {app_key} to delete it");
            }
            tenants::delete(&pool, &by, &app_key).await?;
            println!(
                "{app_key} is deleted: its callbacks answer 404 and nothing more is forwarded."
            );
            Ok(())
        }
        TenantCommand::List => {
            let all = store::tenants::list(&pool)
                .await
                .context("listing tenants")?;
            if all.is_empty() {
                println!("No tenants yet. Register one with `dlrhub tenant add --help`.");
            }
            for tenant in all {
                let state = if tenant.integration_enabled {
                    "enabled"
                } else {
                    "disabled"
                };
                println!(
                    "{:<28} {:<8} {:<9} {}",
                    tenant.app_key, tenant.data_center, state, tenant.name
                );
            }
            Ok(())
        }
        TenantCommand::Show { app_key, json } => {
            let app_key = parse_app_key(&app_key)?;
            let tenant = store::tenants::find(&pool, &app_key)
                .await
                .context("reading the tenant")?
                .ok_or_else(|| anyhow::anyhow!("no tenant has the workspace id {app_key}"))?;
            show(&tenant, json)?;
            if !json {
                let profile = forwarding::profile(&pool, &cipher, tenant.id).await?;
                println!("Forwarding     {}", describe_forwarding(&profile));
                let now = forwarding::leases::now(&pool, &[tenant.id]).await?;
                if let Some((_, now)) = now.first() {
                    println!("Now            {}", describe_now(now, profile.rate_per_s));
                }
            }
            Ok(())
        }
    }
}

fn describe_forwarding(profile: &forwarding::ForwardingProfile) -> String {
    let settings = format!(
        "up to {} events/s, {} requests at once, {} recipients, {}",
        profile.rate_per_s,
        profile.concurrency,
        if profile.full_recipient {
            "full"
        } else {
            "masked"
        },
        if profile.bulk {
            "bulk API"
        } else {
            "one request per customer"
        },
    );
    if !profile.paused {
        return settings;
    }
    let reason = profile.paused_reason.as_deref().unwrap_or("paused");
    format!("PAUSED ({reason}); `tenant set-data-api-key` resumes it; {settings}")
}

fn describe_now(now: &forwarding::leases::ForwardingNow, cap: u32) -> String {
    let rate = format!(
        "{:.0} of {cap} events/s, {} waiting",
        now.rate_now, now.waiting
    );
    match now.failing_since {
        Some(since) => format!(
            "MoEngage is failing for this workspace since {} (probing with one request at a time); {rate}",
            domain::shown_time::to_second(since)
        ),
        None if now.growing => format!("{rate}, the backlog grows"),
        None => rate,
    }
}

fn describe(
    tenant: &Tenant,
    settings: &Settings,
    cipher: &Cipher,
    as_json: bool,
) -> anyhow::Result<()> {
    let callback_url = tenant.callback_url(&settings.public_url, cipher).context(
        "opening the callback credentials (is DLRHUB_MASTER_KEY the one they were sealed with?)",
    )?;
    if as_json {
        let mut value = serde_json::to_value(tenant)?;
        value["callback_url"] = json!(callback_url.as_str());
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    let integration = match (
        &tenant.integration_enabled,
        &tenant.integration_changed_by,
        &tenant.integration_changed_at,
    ) {
        (true, Some(by), Some(at)) => {
            format!("enabled by {by} at {}", domain::shown_time::to_minute(*at))
        }
        (false, Some(by), Some(at)) => {
            format!("disabled by {by} at {}", domain::shown_time::to_minute(*at))
        }
        (enabled, _, _) => if *enabled { "enabled" } else { "disabled" }.to_owned(),
    };
    println!("Workspace id   {}", tenant.app_key);
    println!("Name           {}", tenant.name);
    // Where its events actually go: the configured base URL (the simulator) wins.
    let data_api =
        store::moengage::DataApi::new(settings.forwarding.base_url.as_ref().map(url::Url::as_str));
    println!(
        "Data center    {} ({})",
        tenant.data_center,
        data_api.base(tenant.data_center)
    );
    println!("Data API key   ••••{}", tenant.moengage_api_key_last4);
    println!("Integration    {integration}");
    println!(
        "HMAC signing   {}",
        if tenant.has_hmac_secret { "on" } else { "off" }
    );
    println!("Callback URL   {callback_url}");
    Ok(())
}
