//! Sign-in throttling: a growing delay, then a lock, per account and per address.

use domain::access::Role;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::{TestApp, PASSWORD};

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"]
        .to_str()
        .expect("ASCII")
        .to_owned()
}

/// The `retry_in` seconds of a redirect to the sign-in page, if any.
fn retry_in(location: &str) -> Option<u64> {
    location
        .split("retry_in=")
        .nth(1)
        .map(|rest| rest.split('&').next().unwrap_or(rest))
        .and_then(|seconds| seconds.parse().ok())
}

/// As if the current wait were over (the failures are still counted).
async fn wait_out(app: &TestApp) {
    app.execute("UPDATE login_throttle SET blocked_until = now()")
        .await;
}

#[sqlx::test(migrations = false)]
async fn failures_on_one_account_slow_it_down_then_lock_it(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Admin, &[]).await;
    let guesser = app.visitor();

    let mut waits = Vec::new();
    for attempt in 1..=10 {
        // Each guess from a different address: the account's own limit is what is tested.
        let ip = format!("203.0.113.{attempt}");
        let answer = location(&guesser.sign_in_from("ana@example.com", "guess", &ip).await);
        assert!(answer.starts_with("/login?error=invalid"), "{answer}");
        waits.push(retry_in(&answer).unwrap_or(0));
        wait_out(&app).await;
    }
    assert_eq!(&waits[..3], &[0, 0, 0], "three free failures: {waits:?}");
    assert!(
        waits[3..9]
            .windows(2)
            .all(|pair| pair[0] < pair[1] || pair[1] == 60),
        "the delay grows: {waits:?}"
    );
    assert!(
        waits[9] >= 14 * 60,
        "the tenth failure locks for 15 min: {waits:?}"
    );

    // Locked: even the right password is not checked.
    app.execute(
        "UPDATE login_throttle SET blocked_until = now() + interval '15 minutes'
         WHERE key = 'account:ana@example.com'",
    )
    .await;
    let refused = location(&app.visitor().sign_in("ana@example.com", PASSWORD).await);
    assert!(
        refused.starts_with("/login?error=throttled&retry_in="),
        "{refused}"
    );
    let page = app
        .visitor()
        .get(&refused)
        .await
        .text()
        .await
        .expect("a page");
    assert!(
        page.contains("Too many failed attempts. Try again in 15 minutes."),
        "{page}"
    );
}

#[sqlx::test(migrations = false)]
async fn while_delayed_the_right_password_waits_too_then_succeeds_and_resets(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Admin, &[]).await;
    let visitor = app.visitor();
    for _ in 0..4 {
        visitor.sign_in("ana@example.com", "guess").await;
    }

    let early = location(&visitor.sign_in("ana@example.com", PASSWORD).await);
    assert!(early.starts_with("/login?error=throttled"), "{early}");

    wait_out(&app).await;
    let later = location(&visitor.sign_in("ana@example.com", PASSWORD).await);
    assert_eq!(later, "/");
    assert_eq!(
        app.count("login_throttle WHERE key = 'account:ana@example.com'")
            .await,
        0,
        "a success forgets the account's failures"
    );
}

#[sqlx::test(migrations = false)]
async fn one_address_trying_many_accounts_is_slowed_down(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Admin, &[]).await;
    let sprayer = app.visitor();

    let mut answers = Vec::new();
    for n in 1..=11 {
        let email = format!("user{n}@example.com");
        answers.push(location(
            &sprayer.sign_in_from(&email, "guess", "192.0.2.66").await,
        ));
    }
    assert!(
        answers[..10].iter().all(|a| retry_in(a).is_none()),
        "{answers:?}"
    );
    assert!(
        retry_in(&answers[10]).is_some(),
        "the 11th failure from one address waits"
    );

    let blocked = location(
        &sprayer
            .sign_in_from("ana@example.com", PASSWORD, "192.0.2.66")
            .await,
    );
    assert!(blocked.starts_with("/login?error=throttled"), "{blocked}");
    let elsewhere = location(
        &sprayer
            .sign_in_from("ana@example.com", PASSWORD, "192.0.2.7")
            .await,
    );
    assert_eq!(elsewhere, "/", "other addresses are not affected");
}

#[sqlx::test(migrations = false)]
async fn parallel_guesses_reach_the_password_check_no_more_often_than_the_throttle_allows(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Admin, &[]).await;
    let guesser = app.visitor();

    // 300 wrong passwords at once, each from its own address: only the account's throttle
    // stands in the way.
    let guesses = (0..300).map(|i| {
        let ip = format!("198.18.{}.{}", i / 250, i % 250 + 1);
        let guesser = &guesser;
        async move { guesser.sign_in_from("ana@example.com", "guess", &ip).await }
    });
    let answers = futures::future::join_all(guesses).await;
    assert!(answers.iter().all(|a| a.status().is_redirection()));

    // Each attempt whose password was checked is audited as a failed sign-in.
    let checked = app
        .count("audit_log WHERE action = 'sign_in_failed' AND target = 'ana@example.com'")
        .await;
    let allowed = i64::from(domain::access::ACCOUNT_THROTTLE.free_failures) + 1;
    assert!(
        checked <= allowed,
        "{checked} of 300 parallel guesses were checked; the throttle allows {allowed}"
    );
    assert!(checked >= 1, "the first guess is checked");
}
