# Shared by scripts/run and scripts/test: logging, the toolchain and the browser.
# Every step checks first and installs only what is missing, so running twice is cheap.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOCAL="$ROOT/.local" # git-ignored: the embedded database, tools built here, the demo key
SHARED_BIN="$ROOT/../shared/tools/bin"
export PATH="$LOCAL/bin:$HOME/.cargo/bin:$PATH"
# Prebuilt copies of cargo-leptos, wasm-bindgen and wasm-opt, when this machine has them.
[ -d "$SHARED_BIN" ] && export PATH="$SHARED_BIN:$PATH"

CARGO_LEPTOS_VERSION=0.3.11
LEPTOSFMT_VERSION=0.1.33
SQLX_CLI_VERSION=0.8.6
CARGO_FUZZ_VERSION=0.13.2

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }
have() { command -v "$1" >/dev/null 2>&1; }

# Installs Debian packages when we may (root on Debian), otherwise says what to install.
apt_install() {
  if is_root && have apt-get; then
    say "installing Debian packages: $*"
    if [ -z "${DLRHUB_APT_UPDATED:-}" ]; then
      apt-get update -qq
      export DLRHUB_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    die "please install: $* (on Debian: sudo apt-get install -y $*), then run this again"
  fi
}

# The wasm version of the `wasm-bindgen` crate in Cargo.lock: the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_c_toolchain() {
  have cc || apt_install build-essential pkg-config
}

ensure_wasm_target() {
  local sysroot
  sysroot=$(rustc --print sysroot)
  [ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib" ] && return
  say "adding the wasm32-unknown-unknown target"
  if [ -x "$ROOT/../shared/tools/install-wasm-target" ]; then
    "$ROOT/../shared/tools/install-wasm-target"
  else
    rustup target add wasm32-unknown-unknown
  fi
}

# Builds a crates.io tool from its source with one dependency pinned lower: the tools'
# own lock files pin versions this Rust or this registry mirror cannot use.
cargo_install_pinned() { # crate version pin-crate pin-version [cargo install args...]
  local crate=$1 version=$2 pin=$3 pin_version=$4
  shift 4
  local src work
  src=$(find "$HOME/.cargo/registry/src" -maxdepth 2 -type d -name "$crate-$version" 2>/dev/null | head -n1)
  if [ -z "$src" ]; then
    cargo info "$crate@$version" >/dev/null
    src=$(find "$HOME/.cargo/registry/src" -maxdepth 2 -type d -name "$crate-$version" | head -n1)
  fi
  [ -n "$src" ] || die "could not fetch the source of $crate $version"
  work=$(mktemp -d)
  cp -r "$src" "$work/"
  (cd "$work/$crate-$version" && cargo update -q -p "$pin" --precise "$pin_version" &&
    cargo install -q --path . --locked --root "$LOCAL" "$@")
  rm -rf "$work"
}

ensure_cargo_leptos() {
  if have cargo-leptos && [[ $(cargo-leptos --version) == *" $CARGO_LEPTOS_VERSION"* ]]; then return; fi
  say "building cargo-leptos $CARGO_LEPTOS_VERSION (no_downloads; about 20 minutes, once)"
  cargo_install_pinned cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-util-schemas 0.14.1 --features no_downloads
}

ensure_wasm_bindgen() {
  local version
  version=$(wasm_bindgen_version)
  if have wasm-bindgen && [[ $(wasm-bindgen --version) == "wasm-bindgen $version"* ]]; then return; fi
  say "building wasm-bindgen-cli $version (about 3 minutes, once)"
  cargo_install_pinned wasm-bindgen-cli "$version" webpki-roots 1.0.10
}

# cargo-leptos runs wasm-opt on release builds. Debian's binaryen 108 produces bundles
# that never hydrate, so only version 116 or newer will do.
ensure_wasm_opt() {
  if have wasm-opt; then
    local major
    major=$(wasm-opt --version | grep -oE 'version [0-9]+' | grep -oE '[0-9]+')
    [ "${major:-0}" -ge 116 ] && return
  fi
  say "installing wasm-opt (binaryen 132 from npm)"
  ensure_node
  mkdir -p "$LOCAL/binaryen" "$LOCAL/bin"
  npm install --silent --prefix "$LOCAL/binaryen" binaryen@132.0.0
  printf '#!/bin/sh\nexec node "%s/node_modules/binaryen/bin/wasm-opt" "$@"\n' "$LOCAL/binaryen" >"$LOCAL/bin/wasm-opt"
  chmod +x "$LOCAL/bin/wasm-opt"
}

ensure_node() {
  have node && have npm && return
  apt_install nodejs npm
}

# Everything needed to build the server and the wasm bundle.
ensure_build_tools() {
  have cargo || die "cargo is missing: install Rust with rustup (https://rustup.rs)"
  ensure_c_toolchain
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_wasm_opt
}

# sqlx-cli creates databases, runs migrations and checks the offline query data.
ensure_sqlx_cli() {
  have sqlx && [[ $(sqlx --version) == *"$SQLX_CLI_VERSION"* ]] && return
  say "installing sqlx-cli $SQLX_CLI_VERSION"
  cargo install -q sqlx-cli --version "$SQLX_CLI_VERSION" --no-default-features \
    --features postgres,rustls --locked --root "$LOCAL"
}

# Formatting, linting and offline query data checks.
ensure_check_tools() {
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
  if ! have leptosfmt || [[ $(leptosfmt --version) != *"$LEPTOSFMT_VERSION"* ]]; then
    say "installing leptosfmt $LEPTOSFMT_VERSION"
    cargo install -q leptosfmt --version "$LEPTOSFMT_VERSION" --locked --root "$LOCAL"
  fi
  ensure_sqlx_cli
  if ! have cargo-fuzz || [[ $(cargo-fuzz --version) != *"$CARGO_FUZZ_VERSION"* ]]; then
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install -q cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$LOCAL"
  fi
}

# promtool checks the shipped alerting rules (deploy/prometheus): Debian's prometheus
# package, without the exporters it recommends.
ensure_promtool() {
  have promtool || apt_install --no-install-recommends prometheus
}

# Debian's Chromium and the end-to-end suite's Node packages. Never a browser download.
ensure_browser() {
  export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$CHROMIUM_PATH" ] || apt_install chromium
  ensure_node
  if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] ||
    [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    say "installing the end-to-end suite's Node packages"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
  fi
}

# Brotli and gzip copies of the built bundle beside each file, at the best ratio, for the
# server to send as they are (server/src/routes/assets.rs). Without brotli (and no way to
# install it) only gzip copies are made.
precompress_site() {
  local pkg="$ROOT/target/site/pkg" file
  [ -d "$pkg" ] || return 0
  if ! have brotli && is_root && have apt-get; then apt_install brotli; fi
  say "compressing the bundle once (brotli, gzip), so that no request has to"
  for file in "$pkg"/*.js "$pkg"/*.wasm "$pkg"/*.css; do
    [ -f "$file" ] || continue
    # Each copy carries its file's exact time: the server drops copies older than their
    # file (brotli keeps the time to the second only).
    if have brotli; then brotli -f -q 11 -o "$file.br" "$file" && touch -r "$file" "$file.br"; fi
    gzip -9 -k -f "$file" && touch -r "$file" "$file.gz"
  done
}

# Where cargo puts its output (CARGO_TARGET_DIR may move it out of the checkout).
target_dir() {
  echo "${CARGO_TARGET_DIR:-$ROOT/target}"
}

# The release dlrhub a benchmark measures: BENCH_BIN when set (a build of another commit,
# to compare two in one session), else this checkout's, built now.
bench_dlrhub() {
  if [ -n "${BENCH_BIN:-}" ]; then
    echo "$BENCH_BIN"
    return
  fi
  say "building dlrhub (release)"
  (cd "$ROOT" && cargo build -q --release --locked -p server --bin dlrhub)
  echo "$(target_dir)/release/dlrhub"
}

# Runs a command, then gives the project's Rust sources back the times they had before.
# `cargo sqlx prepare` touches the root file of every crate that uses sqlx's macros (to force
# their recompilation); left touched, the release server and bundle `scripts/run` built
# would be rebuilt from scratch by the next `cargo leptos build` (about 8 minutes here).
keeping_source_times() {
  local times
  times=$(mktemp)
  # Outside a git checkout (an unpacked archive) there is nothing to list: the times stay
  # as the command leaves them.
  (cd "$ROOT" && git ls-files -z '*.rs' 2>/dev/null | xargs -0 -r stat -c '%.9Y %n') >"$times" ||
    true
  local status=0
  "$@" || status=$?
  while read -r time file; do
    touch -c -d "@$time" "$ROOT/$file"
  done <"$times"
  rm -f "$times"
  return "$status"
}

# The crates a release build compiles: the server's and the browser bundle's (cargo prints
# one "Compiling" line for each).
crates_to_build() {
  local server browser
  # Only for the progress lines: should cargo tree fail, there are none, not an error.
  server=$(cargo tree -p server -e normal,build --prefix none --format '{p}' 2>/dev/null |
    sed 's/ (\*)$//; s/ (proc-macro)$//' | sort -u | wc -l) || server=0
  browser=$(cargo tree -p frontend --target wasm32-unknown-unknown -e normal,build \
    --prefix none --format '{p}' 2>/dev/null | sed 's/ (\*)$//; s/ (proc-macro)$//' | sort -u | wc -l) || browser=0
  echo $((server + browser))
}

# `cargo leptos build --release`, with a progress line every 25 crates: how many of about
# how many, the time so far and a rough time left (the last crates, the server's own with
# link-time optimisation, are the slowest, so it errs on the short side).
build_release() {
  local total compiled=0 start=$SECONDS line elapsed left
  total=$(crates_to_build)
  cargo leptos build --release 2>&1 | while IFS= read -r line; do
    printf '%s\n' "$line"
    [[ $line == *Compiling* ]] || continue
    compiled=$((compiled + 1))
    if ((compiled % 25 == 0 && compiled < total)); then
      elapsed=$((SECONDS - start))
      left=$((elapsed * (total - compiled) / compiled / 60 + 1))
      say "built $compiled of about $total crates in $((elapsed / 60)) min $((elapsed % 60)) s; roughly $left min left"
    fi
  done
  return "${PIPESTATUS[0]}"
}
