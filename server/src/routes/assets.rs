//! `GET /pkg/*`: the built bundle (wasm, JS, CSS).
//!
//! - When the build left brotli or gzip copies beside a file (`scripts/lib/common.sh`'s
//!   `precompress_site`), the one the browser accepts is sent: compressed once at build
//!   time at the best ratio, instead of on every request.
//! - The release build names the files by their content's hash (cargo-leptos's
//!   `hash-files`, listed in `hash.txt` beside the server binary): those never change under
//!   their name, so browsers keep them for a year without asking again. Anything else is
//!   revalidated on each load (`no-cache`; a warm reload then gets a 304).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::Request;
use axum::http::header::{ACCEPT_ENCODING, CACHE_CONTROL};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tower_http::services::ServeDir;

const HASH_FILE: &str = "hash.txt";
const FOREVER: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// `hash.txt` beside this binary, where cargo-leptos writes the bundle's hashes; None when
/// the build did not hash the files (tests, `cargo run`).
pub fn hash_file() -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join(HASH_FILE);
    path.exists().then_some(path)
}

/// The bundle's file names that carry their content's hash (`dlrhub.<hash>.wasm`), from
/// `hash.txt`'s `js: <hash>`, `wasm: <hash>` and `css: <hash>` lines.
pub fn hashed_names(output_name: &str, hash_file: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(hash_file) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .filter_map(|(kind, hash)| {
            let kind = kind.trim();
            ["js", "wasm", "css"]
                .contains(&kind)
                .then(|| format!("{output_name}.{}.{kind}", hash.trim()))
        })
        .collect()
}

/// The service for `/pkg`, serving `<site_root>/pkg`; `hashed` are the names that may be
/// kept for good.
pub fn bundle<S: Clone + Send + Sync + 'static>(site_root: &str, hashed: Vec<String>) -> Router<S> {
    let dir = format!("{}/pkg", site_root.trim_end_matches('/'));
    drop_stale_copies(Path::new(&dir));
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let hashed: Arc<[String]> = hashed.into();
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(move |request, next| {
            cache_control(hashed.clone(), request, next)
        }))
        .layer(axum::middleware::from_fn(brotli_first))
}

/// Browsers list their encodings without preferences (Chromium: `gzip, deflate, br,
/// zstd`), and ServeDir breaks such ties towards gzip; the brotli copy is about 30%
/// smaller (the wasm: 703 KB against 997 KB), so a client that accepts it gets it.
async fn brotli_first(mut request: Request, next: Next) -> Response {
    let accepted = request
        .headers()
        .get(ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .map(accepted_codings)
        .unwrap_or_default();
    if accepted.iter().any(|coding| coding == "br") {
        let preference = if accepted.iter().any(|coding| coding == "gzip") {
            "br, gzip;q=0.5"
        } else {
            "br"
        };
        request
            .headers_mut()
            .insert(ACCEPT_ENCODING, HeaderValue::from_static(preference));
    }
    next.run(request).await
}

/// The codings an Accept-Encoding value accepts (lower-cased; those with `q=0` left out).
fn accepted_codings(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter_map(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next()?.to_ascii_lowercase();
            let refused = parts.any(|part| part.replace(' ', "") == "q=0");
            (!name.is_empty() && !refused).then_some(name)
        })
        .collect()
}

async fn cache_control(hashed: Arc<[String]>, request: Request, next: Next) -> Response {
    let name = request.uri().path().trim_start_matches('/');
    let forever = hashed.iter().any(|hashed| hashed == name);
    let mut response = next.run(request).await;
    let value = if forever { FOREVER } else { REVALIDATE };
    response.headers_mut().insert(CACHE_CONTROL, value);
    response
}

/// Removes compressed copies older than the file they were made from (a rebuild without
/// `precompress_site`, as `cargo leptos watch` does): sent as they are, they would be an
/// old bundle under the new one's name, and the page would not hydrate.
fn drop_stale_copies(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let modified = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH)
    };
    for copy in entries.flatten().map(|entry| entry.path()) {
        if !copy
            .extension()
            .is_some_and(|extension| extension == "br" || extension == "gz")
        {
            continue;
        }
        let source = copy.with_extension("");
        // A copy made after its file can still read a little older (tools that keep the
        // time to the second); a stale one is a build older.
        let stale = modified(&copy) + Duration::from_secs(2) < modified(&source);
        if !source.exists() || stale {
            match std::fs::remove_file(&copy) {
                Ok(()) => tracing::warn!(
                    copy = %copy.display(),
                    "removed a compressed copy older than its file; `scripts/run` makes new ones"
                ),
                Err(error) => tracing::warn!(
                    copy = %copy.display(),
                    error = &error as &dyn std::error::Error,
                    "a compressed copy is older than its file and could not be removed"
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn hashed_names_are_kept_for_good_and_the_rest_revalidated() {
        let site = std::env::temp_dir().join(format!("dlrhub-site-{}", std::process::id()));
        std::fs::create_dir_all(site.join("pkg")).expect("a folder");
        for name in ["dlrhub.abc123.js", "dlrhub.js"] {
            std::fs::write(site.join("pkg").join(name), "x").expect("written");
        }
        let router: Router = bundle(
            site.to_str().expect("a path"),
            vec!["dlrhub.abc123.js".to_owned()],
        );
        let cache = |path: &'static str| {
            let router = router.clone();
            async move {
                let answer = router
                    .oneshot(Request::get(path).body(Body::empty()).expect("a request"))
                    .await
                    .expect("an answer");
                (
                    answer.status().as_u16(),
                    answer.headers()[CACHE_CONTROL].clone(),
                )
            }
        };
        assert_eq!(cache("/dlrhub.abc123.js").await, (200, FOREVER));
        assert_eq!(cache("/dlrhub.js").await, (200, REVALIDATE));
        std::fs::remove_dir_all(&site).expect("removed");
    }

    #[test]
    fn refused_codings_are_not_accepted() {
        assert_eq!(
            accepted_codings("gzip, deflate, BR, zstd;q=0"),
            ["gzip", "deflate", "br"]
        );
        assert!(accepted_codings("").is_empty());
    }

    #[test]
    fn the_hash_file_names_the_hashed_bundle() {
        let dir = std::env::temp_dir().join(format!("dlrhub-hash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder");
        let file = dir.join(HASH_FILE);
        std::fs::write(&file, "js: aBc123\nwasm: DeF456\ncss: 789xyz\nsplit: zzz\n")
            .expect("written");
        assert_eq!(
            hashed_names("dlrhub", &file),
            [
                "dlrhub.aBc123.js",
                "dlrhub.DeF456.wasm",
                "dlrhub.789xyz.css"
            ]
        );
        std::fs::remove_dir_all(&dir).expect("removed");
    }
}
