//! What operators do at the terminal: the first admin, `dlrhub user add` and
//! `dlrhub user reset-password`, through the real executable.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::binary::{
    database_url, dlrhub, serve_command, terminate, wait_for_exit, wait_for_listening_address,
};

fn user_command(db: &PgConnectOptions, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = dlrhub()
        .arg("user")
        .args(args)
        .env("DATABASE_URL", database_url(db))
        .env("USER", "olga")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dlrhub starts");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.as_bytes())
            .expect("writes stdin");
    }
    child.wait_with_output().expect("dlrhub runs")
}

/// Whether the console takes these credentials.
async fn signs_in(address: &str, email: &str, password: &str) -> bool {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let response = client
        .post(format!("http://{address}/auth/login"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("the request reaches the server");
    response.headers()["location"] == "/"
}

/// The child's stderr lines, read on a thread of their own so that the child can always
/// write (a closed pipe would make its next write fail). Iterating ends when it exits.
fn drain(child: &mut std::process::Child) -> std::sync::mpsc::IntoIter<String> {
    let stderr = child.stderr.take().expect("stderr is piped");
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    received.into_iter()
}

/// The password printed after `label` in `text`.
fn printed_password(text: &str, label: &str) -> Option<String> {
    text.lines()
        .find_map(|line| line.split_once(label))
        .map(|(_, rest)| rest.trim().to_owned())
}

#[sqlx::test(migrations = false)]
async fn the_first_serve_creates_an_admin_and_shows_the_password_once(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let mut first = serve_command(&db)
        .stderr(Stdio::piped())
        .spawn()
        .expect("dlrhub starts");
    let address = wait_for_listening_address(&mut first);
    // Kept until the end: dropping it would close the pipe under the running server.
    let mut stderr = drain(&mut first);
    let banner: String = stderr
        .by_ref()
        .take_while(|line| !line.contains("Sign in at"))
        .collect::<Vec<_>>()
        .join("\n");
    let password = printed_password(&banner, "password:").expect("a password is shown");
    assert!(banner.contains("admin@dlrhub.local"), "{banner}");
    assert!(signs_in(&address, "admin@dlrhub.local", &password).await);
    terminate(&first);
    wait_for_exit(&mut first, Duration::from_secs(10));
    drop(stderr);

    let mut second = serve_command(&db)
        .stderr(Stdio::piped())
        .spawn()
        .expect("dlrhub starts");
    wait_for_listening_address(&mut second);
    let stderr = drain(&mut second);
    terminate(&second);
    wait_for_exit(&mut second, Duration::from_secs(10));
    let rest: Vec<String> = stderr.collect();
    assert!(
        !rest.iter().any(|line| line.contains("password:")),
        "shown only once: {rest:?}"
    );
}

#[sqlx::test(migrations = false)]
async fn operators_add_users_and_reset_passwords_from_the_command_line(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let added = user_command(
        &db,
        &[
            "add",
            "--email",
            "Ops@Example.com",
            "--role",
            "support",
            "--password-stdin",
        ],
        Some("a strong password here\n"),
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let weak = user_command(
        &db,
        &[
            "add",
            "--email",
            "weak@example.com",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12 characters"));
    let wrong_role = user_command(
        &db,
        &["add", "--email", "x@example.com", "--role", "root"],
        None,
    );
    assert!(
        String::from_utf8_lossy(&wrong_role.stderr).contains("expected admin, support or viewer")
    );

    let reset = user_command(&db, &["reset-password", "ops@example.com"], None);
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    let stdout = String::from_utf8_lossy(&reset.stdout);
    let new_password = printed_password(&stdout, "privately):").expect("the new password is shown");

    let mut server = serve_command(&db)
        .stderr(Stdio::null())
        .spawn()
        .expect("dlrhub starts");
    let address = wait_for_listening_address(&mut server);
    assert!(!signs_in(&address, "ops@example.com", "a strong password here").await);
    assert!(signs_in(&address, "ops@example.com", &new_password).await);
    terminate(&server);
    wait_for_exit(&mut server, Duration::from_secs(10));

    let pool = sqlx::PgPool::connect_with(db.clone())
        .await
        .expect("connects");
    let actors: Vec<(String, String)> = sqlx::query_as(
        "SELECT actor, action FROM audit_log WHERE actor LIKE 'command line%' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .expect("reads the audit log");
    assert_eq!(
        actors,
        [
            ("command line (olga)".to_owned(), "user_created".to_owned()),
            (
                "command line (olga)".to_owned(),
                "password_reset".to_owned()
            ),
        ]
    );
}
