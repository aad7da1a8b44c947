//! A change to a tenant is recorded the same way whoever makes it: each change below is
//! made once with `dlrhub` at the command line and once in the console, on a workspace of
//! its own, and the two audit logs agree entry by entry on the action and the state before
//! and after. A setting the console refuses is refused at the command line too.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::binary::{database_url, dlrhub, KEY};
use crate::helpers::{TestApp, Visitor};

/// One change, as an operator types it and as the console's form sends it.
struct Change {
    cli: Vec<String>,
    endpoint: &'static str,
    form: Vec<(&'static str, String)>,
}

/// The changes a tenant goes through in its life, for workspace `key`.
fn lifetime(key: &str) -> Vec<Change> {
    let k = || key.to_owned();
    let change = |cli: &[&str], endpoint, form: &[(&'static str, &str)]| Change {
        cli: cli.iter().map(|arg| (*arg).to_owned()).collect(),
        endpoint,
        form: form.iter().map(|(n, v)| (*n, (*v).to_owned())).collect(),
    };
    vec![
        change(
            &[
                "tenant",
                "add",
                "--app-key",
                key,
                "--name",
                "Acme",
                "--dc",
                "01",
                "--data-api-key",
                "key-1111",
            ],
            "register_tenant",
            &[
                ("app_key", key),
                ("name", "Acme"),
                ("data_center", "01"),
                ("data_api_key", "key-1111"),
            ],
        ),
        change(
            &["tenant", "enable", key],
            "set_integration",
            &[("app_key", key), ("enabled", "true")],
        ),
        change(
            &[
                "tenant",
                "set-data-api-key",
                key,
                "--data-api-key",
                "key-2222",
            ],
            "replace_data_api_key",
            &[("app_key", key), ("data_api_key", "key-2222")],
        ),
        change(
            &[
                "tenant",
                "forwarding",
                key,
                "--rate",
                "200",
                "--concurrency",
                "16",
                "--full-recipient",
                "true",
                "--bulk",
                "false",
            ],
            "set_forwarding",
            &[
                ("app_key", key),
                ("rate_per_s", "200"),
                ("concurrency", "16"),
                ("full_recipient", "on"),
            ],
        ),
        change(
            &["tenant", "hmac", key, "--generate"],
            "set_hmac_signing",
            &[("app_key", key), ("on", "true")],
        ),
        change(
            &["tenant", "rotate-credentials", key],
            "rotate_callback_credentials",
            &[("app_key", key)],
        ),
        change(
            &["events", "replay", "--tenant", key],
            "replay_dead_letters",
            &[("app_key", key), ("reason", ""), ("ids", "")],
        ),
        change(
            &["tenant", "hmac", key, "--off"],
            "set_hmac_signing",
            &[("app_key", key), ("on", "false")],
        ),
        change(
            &["tenant", "disable", key],
            "set_integration",
            &[("app_key", key), ("enabled", "false")],
        ),
        Change {
            cli: ["tenant", "delete", key, "--confirm", key]
                .map(String::from)
                .to_vec(),
            endpoint: "delete_tenant",
            form: vec![("app_key", k()), ("confirmation", k())],
        },
    ]
}

fn at_the_command_line(db: &PgConnectOptions, args: &[String]) -> std::process::Output {
    dlrhub()
        .args(args)
        .env("DATABASE_URL", database_url(db))
        .env("DLRHUB_MASTER_KEY", KEY)
        .env("DLRHUB_PUBLIC_URL", "http://dlrhub.test")
        .env("USER", "olga")
        .output()
        .expect("dlrhub runs")
}

async fn in_the_console(admin: &Visitor, change: &Change) -> reqwest::Response {
    let form: Vec<(&str, &str)> = change.form.iter().map(|(n, v)| (*n, v.as_str())).collect();
    admin.call(change.endpoint, &form).await
}

/// The workspace's audit entries, oldest first: who, what, and the state before and after.
async fn log_of(app: &TestApp, key: &str) -> Vec<(String, String, Value, Value)> {
    sqlx::query_as(
        "SELECT actor, action, coalesce(before, 'null'), coalesce(after, 'null')
         FROM audit_log WHERE target = $1 ORDER BY id",
    )
    .bind(key)
    .fetch_all(&app.pool)
    .await
    .expect("the audit log is readable")
}

#[sqlx::test(migrations = false)]
async fn each_tenant_change_is_audited_alike_from_the_command_line_and_the_console(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db.clone()).await;
    let admin = app.admin().await;

    for change in lifetime("CLI001") {
        let output = at_the_command_line(&db, &change.cli);
        assert!(
            output.status.success(),
            "`dlrhub {}`: {}",
            change.cli.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for change in lifetime("WEB001") {
        let response = in_the_console(&admin, &change).await;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(
            status.is_success() || status.is_redirection(),
            "{}: {status} {body}",
            change.endpoint
        );
        assert!(!body.contains("\"Err\""), "{}: {body}", change.endpoint);
    }

    let cli = log_of(&app, "CLI001").await;
    let console = log_of(&app, "WEB001").await;
    let actions: Vec<&str> = cli
        .iter()
        .map(|(_, action, _, _)| action.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "tenant_created",
            "integration_enabled",
            "data_api_key_replaced",
            "forwarding_changed",
            "hmac_secret_changed",
            "callback_credentials_rotated",
            "replay_started",
            "hmac_secret_changed",
            "integration_disabled",
            "tenant_deleted",
        ]
    );
    assert!(cli.iter().all(|(actor, ..)| actor == "command line (olga)"));
    assert!(console.iter().all(|(actor, ..)| *actor == admin.email));
    let change = |log: &[(String, String, Value, Value)]| {
        log.iter()
            .map(|(_, action, before, after)| (action.clone(), before.clone(), after.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(change(&cli), change(&console));
    // The states are there to compare, not empty on both sides.
    let enabled = &cli[1];
    assert_eq!(enabled.2["integration_enabled"], false);
    assert_eq!(enabled.3["integration_enabled"], true);
    let key = &cli[2];
    assert_eq!(
        (&key.2["last4"], &key.3["last4"]),
        (&"1111".into(), &"2222".into())
    );
}

#[sqlx::test(migrations = false)]
async fn a_rate_above_moengages_allowance_is_refused_by_the_console_and_the_command_line(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db.clone()).await;
    app.tenant("ACME01", true).await;
    let admin = app.admin().await;
    let before = log_of(&app, "ACME01").await.len();

    let args = ["tenant", "forwarding", "ACME01", "--rate", "100000"].map(String::from);
    let output = at_the_command_line(&db, &args);
    assert!(!output.status.success(), "--rate 100000 is refused");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("from 1 to 500"), "{said}");

    let response = admin
        .call(
            "set_forwarding",
            &[
                ("app_key", "ACME01"),
                ("rate_per_s", "100000"),
                ("concurrency", "16"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer: Value = response.json().await.expect("JSON");
    let refusal = answer["Invalid"].to_string();
    assert!(refusal.contains("from 1 to 500"), "{answer}");

    assert_eq!(
        log_of(&app, "ACME01").await.len(),
        before,
        "nothing changed"
    );
    let rate: i32 =
        sqlx::query_scalar("SELECT forward_rate_per_s FROM tenants WHERE app_key = 'ACME01'")
            .fetch_one(&app.pool)
            .await
            .expect("the tenant");
    assert!(rate <= 500, "the stored rate is {rate}");
}
