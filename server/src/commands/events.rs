//! `dlrhub events ...`: replay what MoEngage did not take.

use anyhow::Context;
use store::forwarding::ReplaySelection;
use store::tenants;

use super::{command_line, parse_app_key};
use crate::cli::EventsCommand;
use crate::configuration::DatabaseSettings;

pub async fn run(command: EventsCommand) -> anyhow::Result<()> {
    let database = DatabaseSettings::from_env().context("configuration error")?;
    let pool = database.pool();
    store::migrate(&pool).await?;
    match command {
        EventsCommand::Replay {
            tenant,
            event,
            from,
            to,
        } => {
            let app_key = parse_app_key(&tenant)?;
            let tenant = tenants::find(&pool, &app_key)
                .await?
                .with_context(|| format!("no tenant has the workspace id {app_key}"))?;
            let selection = match event {
                Some(id) => ReplaySelection::Event {
                    tenant: tenant.id,
                    id,
                },
                None => ReplaySelection::Dead {
                    tenant: tenant.id,
                    reason: None,
                    from,
                    to,
                },
            };
            let queued = auth::tenants::replay(&pool, &command_line(), &tenant, &selection)
                .await?
                .queued;
            if queued == 0 && event.is_some() {
                anyhow::bail!(
                    "{app_key} has no event with that id (suppressed events are never sent)"
                );
            }
            println!("{queued} event(s) of {app_key} queued for forwarding again.");
            Ok(())
        }
    }
}
