//! The bundle under /pkg: the compressed copy the browser accepts, revalidated on each
//! load; stale copies are never sent. Dynamic answers are compressed on the fly.

use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, IF_MODIFIED_SINCE, LAST_MODIFIED,
};
use reqwest::StatusCode;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::helpers::TestApp;

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[sqlx::test(migrations = false)]
async fn the_bundle_is_sent_precompressed_as_accepted_and_revalidated(
    _: PgPoolOptions,
    db: PgConnectOptions,
) {
    let site = tempfile::tempdir().expect("a folder");
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).expect("pkg");
    let js = "console.log('dlrhub');\n".repeat(100);
    std::fs::write(pkg.join("dlrhub.js"), &js).expect("js");
    // Stand-ins for what precompress_site writes: told apart by their bytes.
    std::fs::write(pkg.join("dlrhub.js.br"), b"brotli bytes").expect("br");
    std::fs::write(pkg.join("dlrhub.js.gz"), b"gzip bytes").expect("gz");
    // A copy older than its file: a rebuild that did not compress again.
    std::fs::write(pkg.join("dlrhub.css.gz"), b"an old bundle").expect("old gz");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(pkg.join("dlrhub.css.gz"))
        .and_then(|file| file.set_modified(old))
        .expect("dated");
    std::fs::write(pkg.join("dlrhub.css"), "body { color: black }\n".repeat(50)).expect("css");
    let app = TestApp::spawn_with_site(db, site.path().to_str().expect("a path")).await;
    let get = |path: &'static str, encoding: &'static str| {
        app.client
            .get(format!("{}{path}", app.address))
            .header(ACCEPT_ENCODING, encoding)
            .send()
    };

    // As Chromium asks: every encoding, none preferred; the smaller brotli copy wins.
    let br = get("/pkg/dlrhub.js", "gzip, deflate, br, zstd")
        .await
        .expect("answers");
    assert_eq!(br.status(), StatusCode::OK);
    assert_eq!(header(&br, CONTENT_ENCODING), "br");
    assert_eq!(header(&br, CACHE_CONTROL), "no-cache");
    let last_modified = header(&br, LAST_MODIFIED);
    assert_eq!(br.bytes().await.expect("a body").as_ref(), b"brotli bytes");
    let gzip = get("/pkg/dlrhub.js", "gzip").await.expect("answers");
    assert_eq!(header(&gzip, CONTENT_ENCODING), "gzip");
    assert_eq!(gzip.bytes().await.expect("a body").as_ref(), b"gzip bytes");
    let plain = get("/pkg/dlrhub.js", "identity").await.expect("answers");
    assert_eq!(header(&plain, CONTENT_ENCODING), "");
    assert_eq!(plain.text().await.expect("a body"), js);

    // A warm reload: the browser asks again and gets a 304 without the body.
    assert!(!last_modified.is_empty(), "Last-Modified is sent");
    let again = app
        .client
        .get(format!("{}/pkg/dlrhub.js", app.address))
        .header(ACCEPT_ENCODING, "br")
        .header(IF_MODIFIED_SINCE, &last_modified)
        .send()
        .await
        .expect("answers");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // The stale copy was removed at start-up: the current file is sent, not the old one.
    assert!(
        !pkg.join("dlrhub.css.gz").exists(),
        "the stale copy is gone"
    );
    let css = get("/pkg/dlrhub.css", "gzip").await.expect("answers");
    assert_eq!(
        header(&css, CONTENT_ENCODING),
        "gzip",
        "compressed on the fly"
    );
    assert_ne!(
        css.bytes().await.expect("a body").as_ref(),
        b"an old bundle"
    );
}

#[sqlx::test(migrations = false)]
async fn pages_are_compressed_for_browsers_that_accept_it(_: PgPoolOptions, db: PgConnectOptions) {
    let app = TestApp::spawn(db).await;
    for encoding in ["br", "gzip"] {
        let page = app
            .client
            .get(format!("{}/login", app.address))
            .header(ACCEPT_ENCODING, encoding)
            .send()
            .await
            .expect("answers");
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(header(&page, CONTENT_ENCODING), encoding);
    }
    let plain = app.get("/login").await;
    assert_eq!(header(&plain, CONTENT_ENCODING), "");
    assert!(plain.text().await.expect("a page").contains("Sign in"));
}
