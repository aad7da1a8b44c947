//! Sign-in throttling: a growing delay, then a lock, per account from one address, per
//! account from anywhere (looser), and per address.

use std::time::Duration;

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

/// Failed sign-ins whose password was checked, as the audit log counts them (one by one,
/// or in an address's counting entry).
async fn checked_failures(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT (count(*) FILTER (WHERE NOT after ? 'attempts')
                 + coalesce(sum((after->>'attempts')::bigint), 0))::bigint
         FROM audit_log WHERE action = 'sign_in_failed'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("the audit log counts")
}

#[sqlx::test(migrations = false)]
async fn failures_from_one_address_slow_it_down_then_lock_it_out_but_not_the_owner(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Admin, &[]).await;
    let guesser = app.visitor();

    let mut waits = Vec::new();
    for _ in 1..=10 {
        let answer = location(
            &guesser
                .sign_in_from("ana@example.com", "guess", "203.0.113.1")
                .await,
        );
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

    // Locked out from that address: even the right password is not checked there.
    app.execute(
        "UPDATE login_throttle SET blocked_until = now() + interval '15 minutes'
         WHERE key = 'account:ana@example.com|ip:203.0.113.1'",
    )
    .await;
    let refused = location(
        &app.visitor()
            .sign_in_from("ana@example.com", PASSWORD, "203.0.113.1")
            .await,
    );
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

    // The guesser cannot lock the owner out: from their own address, Ana signs in.
    let owner = location(
        &app.visitor()
            .sign_in_from("ana@example.com", PASSWORD, "198.51.100.20")
            .await,
    );
    assert_eq!(owner, "/", "one guesser locks out only their own address");
}

#[sqlx::test(migrations = false)]
async fn guesses_spread_over_many_addresses_slow_the_account_down_everywhere(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Admin, &[]).await;
    let guesser = app.visitor();
    let free = domain::access::ACCOUNT_THROTTLE.free_failures;

    let mut waits = Vec::new();
    for attempt in 1..=free + 1 {
        // Each guess from a different address: the account-wide limit is what is tested.
        let ip = format!("203.0.113.{attempt}");
        let answer = location(&guesser.sign_in_from("ana@example.com", "guess", &ip).await);
        assert!(answer.starts_with("/login?error=invalid"), "{answer}");
        waits.push(retry_in(&answer).unwrap_or(0));
    }
    let free = usize::try_from(free).expect("a count");
    assert!(
        waits[..free].iter().all(|wait| *wait == 0),
        "{free} free failures, across addresses: {waits:?}"
    );
    assert!(waits[free] > 0, "then the account waits: {waits:?}");
    // The wait holds for the owner too, from an address that never failed.
    let owner = location(
        &app.visitor()
            .sign_in_from("ana@example.com", PASSWORD, "198.51.100.20")
            .await,
    );
    assert!(owner.starts_with("/login?error=throttled"), "{owner}");
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
        app.count("login_throttle WHERE key LIKE 'account:ana@example.com%'")
            .await,
        0,
        "a success forgets the account's failures, from this address and from anywhere"
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

/// The most guesses `policy` lets reach the password check in a burst that lasts
/// `elapsed`: the free ones and the one that sets the first wait, then one more each time
/// a wait (each longer than the last) runs out before the burst ends, as on a loaded
/// machine, where 300 sign-ins can take longer than the first one-second wait.
fn allowed_within(policy: &domain::access::ThrottlePolicy, elapsed: Duration) -> i64 {
    let mut failures = policy.free_failures + 1;
    let mut waited = policy.wait_after(failures);
    while waited <= elapsed {
        failures += 1;
        waited += policy.wait_after(failures);
    }
    i64::from(failures)
}

#[sqlx::test(migrations = false)]
async fn parallel_guesses_reach_the_password_check_no_more_often_than_the_throttle_allows(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let app = TestApp::spawn(db).await;
    app.user("ana@example.com", Role::Admin, &[]).await;
    let guesser = app.visitor();

    // 300 wrong passwords at once from one address: the account's limit from that address
    // stands in the way.
    let guesses = (0..300).map(|_| {
        let guesser = &guesser;
        async move {
            guesser
                .sign_in_from("ana@example.com", "guess", "203.0.113.5")
                .await
        }
    });
    let started = std::time::Instant::now();
    let answers = futures::future::join_all(guesses).await;
    assert!(answers.iter().all(|a| a.status().is_redirection()));
    let checked = checked_failures(&app).await;
    let allowed = allowed_within(&domain::access::ACCOUNT_ADDRESS_THROTTLE, started.elapsed());
    assert!(
        checked <= allowed,
        "{checked} of 300 parallel guesses from one address were checked; the throttle allows {allowed}"
    );
    assert!(checked >= 1, "the first guess is checked");

    // 300 more, each from its own address: only the account-wide limit stands in the way.
    let guesses = (0..300).map(|i| {
        let ip = format!("198.18.{}.{}", i / 250, i % 250 + 1);
        let guesser = &guesser;
        async move { guesser.sign_in_from("ana@example.com", "guess", &ip).await }
    });
    let answers = futures::future::join_all(guesses).await;
    assert!(answers.iter().all(|a| a.status().is_redirection()));
    let spread = checked_failures(&app).await - checked;
    let allowed = allowed_within(&domain::access::ACCOUNT_THROTTLE, started.elapsed());
    assert!(
        checked + spread <= allowed,
        "{spread} of 300 parallel guesses from as many addresses were checked, after {checked}; the throttle allows {allowed} in all"
    );
}
