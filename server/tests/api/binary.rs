//! Runs the real `dlrhub` executable, as an operator would.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(crate) const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

pub(crate) fn dlrhub() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dlrhub"));
    // Only what each test sets: an inherited DATABASE_URL must not hide a missing one.
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command
}

pub(crate) fn database_url(db: &PgConnectOptions) -> String {
    let password = std::env::var("DATABASE_URL")
        .ok()
        .and_then(|url| url::Url::parse(&url).ok())
        .and_then(|url| url.password().map(str::to_owned));
    let credentials = match password {
        Some(password) => format!("{}:{password}", db.get_username()),
        None => db.get_username().to_owned(),
    };
    format!(
        "postgres://{credentials}@{}:{}/{}",
        db.get_host(),
        db.get_port(),
        db.get_database().expect("the test database has a name")
    )
}

#[test]
fn a_bad_configuration_value_stops_start_up_naming_the_variable() {
    let output = dlrhub()
        .args(["serve"])
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nowhere")
        .env("DLRHUB_MASTER_KEY", KEY)
        .env("DLRHUB_LISTEN_ADDR", "localhost-3000")
        .output()
        .expect("dlrhub runs");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("DLRHUB_LISTEN_ADDR"), "{stderr}");
    assert!(stderr.contains("localhost-3000"), "{stderr}");
}

#[test]
fn a_missing_database_url_stops_migrate_with_an_example() {
    let output = dlrhub().args(["migrate"]).output().expect("dlrhub runs");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("DATABASE_URL: is not set"), "{stderr}");
}

#[test]
fn help_explains_each_subcommand_and_the_configuration() {
    let output = dlrhub().args(["--help"]).output().expect("dlrhub runs");
    let help = String::from_utf8_lossy(&output.stdout);

    assert!(output.status.success());
    assert!(help.contains("serve") && help.contains("migrate"), "{help}");
    assert!(help.contains("DLRHUB_PUBLIC_URL"), "{help}");
}

#[sqlx::test(migrations = false)]
async fn migrate_brings_a_fresh_database_to_the_current_schema(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let output = dlrhub()
        .args(["migrate"])
        .env("DATABASE_URL", database_url(&db))
        .output()
        .expect("dlrhub runs");

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pool = sqlx::PgPool::connect_with(db).await.expect("connects");
    assert!(store::schema_status(&pool)
        .await
        .expect("readable")
        .is_current());
}

#[sqlx::test(migrations = false)]
async fn serve_stops_cleanly_on_sigterm(_: PgPoolOptions, db: PgConnectOptions) {
    let mut child = serve(&db);
    let address = wait_for_listening_address(&mut child);
    let health = reqwest::get(format!("http://{address}/healthz"))
        .await
        .expect("answers");
    assert!(health.status().is_success());

    terminate(&child);

    let status = wait_for_exit(&mut child, Duration::from_secs(10));
    assert!(status.success(), "dlrhub exited with {status}");
}

#[sqlx::test(migrations = false)]
async fn a_request_in_flight_at_sigterm_still_gets_its_answer(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let mut child = serve(&db);
    let address = wait_for_listening_address(&mut child);

    // Send the headers and half the body, so the request is in flight when the signal lands.
    let mut stream = TcpStream::connect(&address).await.expect("connects");
    let body = "x=1";
    let head = format!(
        "POST /api/whoami HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .await
        .expect("sends the headers");
    stream
        .write_all(&body.as_bytes()[..1])
        .await
        .expect("sends part of the body");
    tokio::time::sleep(Duration::from_millis(200)).await;
    terminate(&child);
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream
        .write_all(&body.as_bytes()[1..])
        .await
        .expect("sends the rest");

    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("reads the answer");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.ends_with("null"),
        "a visitor is nobody: {response}"
    );
    let status = wait_for_exit(&mut child, Duration::from_secs(10));
    assert!(status.success(), "dlrhub exited with {status}");
}

/// Starts `dlrhub serve` on a free port with JSON logs on its stdout.
/// `dlrhub serve` without forwarding workers (these tests have no MoEngage to talk to).
pub(crate) fn serve(db: &PgConnectOptions) -> Child {
    serve_command(db).spawn().expect("dlrhub starts")
}

/// The command `serve` runs, for tests that also want its stderr.
pub(crate) fn serve_command(db: &PgConnectOptions) -> Command {
    let mut command = dlrhub();
    command
        .args(["serve"])
        .env("DLRHUB_ROLE", "api")
        .env("DATABASE_URL", database_url(db))
        .env("DLRHUB_MASTER_KEY", KEY)
        .env("DLRHUB_LISTEN_ADDR", "127.0.0.1:0")
        .env("DLRHUB_LOG_FORMAT", "json")
        .env("DLRHUB_SECURE_COOKIES", "false")
        .stdout(Stdio::piped());
    command
}

pub(crate) fn terminate(child: &Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
}

/// Reads the JSON log until the "listening" line and returns its address.
pub(crate) fn wait_for_listening_address(child: &mut Child) -> String {
    let stdout = child.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a log line");
        let entry: serde_json::Value = serde_json::from_str(&line).expect("JSON logs");
        if entry["fields"]["message"] == "dlrhub is listening" {
            return entry["fields"]["address"]
                .as_str()
                .expect("an address")
                .to_owned();
        }
    }
    panic!("dlrhub exited before listening");
}

pub(crate) fn wait_for_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waits") {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("dlrhub did not stop within {limit:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs `dlrhub tenant ...` against the test database, as an operator would.
fn tenant_command(db: &PgConnectOptions, public_url: &str, args: &[&str]) -> std::process::Output {
    dlrhub()
        .arg("tenant")
        .args(args)
        .env("DATABASE_URL", database_url(db))
        .env("DLRHUB_MASTER_KEY", KEY)
        .env("DLRHUB_PUBLIC_URL", public_url)
        .output()
        .expect("dlrhub runs")
}

#[sqlx::test(migrations = false)]
async fn the_callback_url_an_operator_hands_out_is_accepted_until_rotated(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let mut child = serve(&db);
    let address = wait_for_listening_address(&mut child);
    let public_url = format!("http://{address}");
    let run = |args: &[&str]| {
        let output = tenant_command(&db, &public_url, args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    run(&[
        "add",
        "--app-key",
        "ACME01",
        "--name",
        "Acme",
        "--dc",
        "DC-02",
        "--data-api-key",
        "secret-9876",
    ]);
    run(&["enable", "ACME01"]);
    let shown: serde_json::Value =
        serde_json::from_str(&run(&["show", "ACME01", "--json"])).expect("JSON");
    let callback_url = shown["callback_url"]
        .as_str()
        .expect("a callback URL")
        .to_owned();
    assert!(
        !shown.to_string().contains("secret-9876"),
        "the Data API key is never shown"
    );
    assert_eq!(shown["moengage_api_key_last4"], "9876");
    assert!(callback_url.starts_with("http://sinch-"), "{callback_url}");
    assert!(
        callback_url.ends_with(&format!("@{address}/webhooks/sinch/ACME01")),
        "{callback_url}"
    );

    let report = serde_json::json!({
        "type": "recipient_delivery_report_sms", "batch_id": "B1", "recipient": "+4915112345678",
        "code": 0, "status": "Delivered", "at": "2024-05-01T10:00:00Z", "client_reference": "$uid=7" });
    let post = |url: String| {
        let report = report.clone();
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&report)
                .send()
                .await
                .expect("answers")
                .status()
        }
    };
    assert_eq!(post(callback_url.clone()).await, reqwest::StatusCode::OK);

    let rotated = run(&["rotate-credentials", "ACME01"]);
    let new_url = rotated
        .lines()
        .last()
        .expect("the new URL")
        .trim()
        .to_owned();
    assert_ne!(new_url, callback_url);
    crate::helpers::eventually("the old callback URL answers 401", || {
        let answer = post(callback_url.clone());
        async move { answer.await == reqwest::StatusCode::UNAUTHORIZED }
    })
    .await;
    assert_eq!(post(new_url.clone()).await, reqwest::StatusCode::OK);

    let generated = run(&["hmac", "ACME01", "--generate"]);
    assert!(
        generated
            .lines()
            .last()
            .is_some_and(|secret| secret.len() == 40),
        "{generated}"
    );
    crate::helpers::eventually("unsigned calls are refused", || {
        let answer = post(new_url.clone());
        async move { answer.await == reqwest::StatusCode::UNAUTHORIZED }
    })
    .await;
    run(&["hmac", "ACME01", "--off"]);
    crate::helpers::eventually("unsigned calls are accepted again", || {
        let answer = post(new_url.clone());
        async move { answer.await == reqwest::StatusCode::OK }
    })
    .await;

    let duplicate = tenant_command(
        &db,
        &public_url,
        &[
            "add",
            "--app-key",
            "ACME01",
            "--name",
            "Again",
            "--dc",
            "1",
            "--data-api-key",
            "k",
        ],
    );
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("is already registered"));
    terminate(&child);
    wait_for_exit(&mut child, Duration::from_secs(10));

    // Every change is in the audit log, as the command line's, and no secret is.
    let pool = sqlx::PgPool::connect_with(db.clone())
        .await
        .expect("connects");
    let entries: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor, action, COALESCE(after::text, '') FROM audit_log WHERE target = 'ACME01' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .expect("reads the audit log");
    let actions: Vec<&str> = entries
        .iter()
        .map(|(_, action, _)| action.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "tenant_created",
            "integration_enabled",
            "callback_credentials_rotated",
            "hmac_secret_changed",
            "hmac_secret_changed",
        ]
    );
    assert!(entries
        .iter()
        .all(|(actor, _, _)| actor.starts_with("command line")));
    assert!(!entries
        .iter()
        .any(|(_, _, after)| after.contains("secret-9876")));
}

#[sqlx::test(migrations = false)]
async fn the_sinch_simulator_sends_the_rate_asked_and_reports_it(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = crate::helpers::TestApp::spawn(db).await;
    let tenant = app.tenant("SIM01", true).await;
    let callback = app.address.replace(
        "http://",
        &format!("http://{}:{}@", tenant.username, tenant.password),
    ) + "/webhooks/sinch/SIM01";

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_dlrhub"))
        .args([
            "sim",
            "sinch",
            "--callback",
            &callback,
            "--rate",
            "40",
            "--duration",
            "2",
        ])
        .args(["--mix", "recipient=3,missing_uid=1"])
        .env_clear()
        .output()
        .await
        .expect("dlrhub runs");

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Sent 80 calls"), "{stdout}");
    assert!(stdout.contains("5xx 0"), "{stdout}");
    assert!(
        !stdout.contains(&tenant.password)
            && !String::from_utf8_lossy(&output.stderr).contains(&tenant.password)
    );
    assert_eq!(app.count("reports").await, 80);
    assert!(app.count("rejections WHERE reason = 'missing_uid'").await > 5);
}

#[test]
fn the_sinch_simulator_fails_clearly_when_nothing_is_accepted() {
    let output = dlrhub()
        .args([
            "sim",
            "sinch",
            "--callback",
            "http://127.0.0.1:1/webhooks/sinch/X",
            "--rate",
            "5",
            "--duration",
            "1",
        ])
        .output()
        .expect("dlrhub runs");

    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no call was accepted"));
}

#[sqlx::test(migrations = false)]
async fn a_master_key_rotation_moves_every_secret_to_the_new_key(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    const NEW_KEY: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
    let run = |master: &str, previous: Option<&str>, args: &[&str]| {
        let mut command = dlrhub();
        command
            .args(args)
            .env("DATABASE_URL", database_url(&db))
            .env("DLRHUB_MASTER_KEY", master)
            .env("DLRHUB_PUBLIC_URL", "https://dlrhub.example.com/");
        if let Some(previous) = previous {
            command.env("DLRHUB_PREVIOUS_MASTER_KEYS", previous);
        }
        let output = command.output().expect("dlrhub runs");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), said)
    };
    let (added, said) = run(
        KEY,
        None,
        &[
            "tenant",
            "add",
            "--app-key",
            "ACME01",
            "--name",
            "Acme",
            "--dc",
            "01",
            "--data-api-key",
            "key-1234",
        ],
    );
    assert!(added, "{said}");

    let (refused, said) = run(NEW_KEY, None, &["reseal-secrets"]);
    assert!(
        !refused,
        "without the old key nothing can be opened: {said}"
    );
    assert!(said.contains("ACME01"), "{said}");

    let (resealed, said) = run(NEW_KEY, Some(KEY), &["reseal-secrets"]);
    assert!(resealed, "{said}");
    assert!(said.contains("2 secret(s) of 1 workspace(s)"), "{said}");
    let (again, said) = run(NEW_KEY, Some(KEY), &["reseal-secrets"]);
    assert!(again && said.contains("0 secret(s)"), "{said}");

    let (shown, said) = run(NEW_KEY, None, &["tenant", "show", "ACME01"]);
    assert!(shown, "the new key alone opens everything: {said}");
    assert!(
        said.contains("@dlrhub.example.com/webhooks/sinch/ACME01"),
        "{said}"
    );
    let (old_only, said) = run(KEY, None, &["tenant", "show", "ACME01"]);
    assert!(!old_only, "the old key opens nothing any more: {said}");
}
