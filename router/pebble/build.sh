#!/usr/bin/env bash
# router/pebble/build.sh -- build Pebble (Let's Encrypt's test ACME server) and pebble-challtestsrv for
# the ACME ITs, from the Go module proxy only (no git clone, no prebuilt download), into a per-version
# cache, with Pebble's test certificates beside them.
#
#   router/pebble/build.sh            build if missing, else a fast no-op; prints the cache directory last
#   router/pebble/build.sh --print    print the cache directory and exit (no build, no checks)
#   router/pebble/build.sh --force    rebuild even if cached
#
# Cache: ${GATEHOUSE_PEBBLE_CACHE:-$HOME/.cache/gatehouse/pebble}/<version>/
#          {pebble,pebble-challtestsrv,certs/{pebble.minica.pem,localhost/{cert,key}.pem},BUILD-INFO}
# certs/: the listener certificate Pebble's WFE serves (issued by pebble.minica.pem), copied from the
# module source (test/certs/). The build happens in a temporary directory beside the cache entry and
# is renamed into place only when pebble passes `-version`, so an interrupted build never
# leaves a half cache. Concurrent runs serialise on a lock file (flock).
#
# Env: PEBBLE_VERSION (default 2.10.3), GATEHOUSE_PEBBLE_CACHE, GOSUMDB (default: Go's; switched off,
#      with a warning, if the checksum database cannot be reached), GATEHOUSE_PEBBLE_SKIP_BUILD=1
#      (never build; fail if missing).
# Needs: Go >= 1.25 on PATH (pebble v2.10's go.mod). GOTOOLCHAIN=local: Go never fetches a toolchain.
# Exit 3: Pebble cannot be built here (no Go, or one too old) and none is cached; the ACME ITs skip
# on it, naming the reason. Any other failure is an error.
set -euo pipefail

PEBBLE_VERSION="${PEBBLE_VERSION:-2.10.3}"
CACHE_ROOT="${GATEHOUSE_PEBBLE_CACHE:-$HOME/.cache/gatehouse/pebble}"
DEST="$CACHE_ROOT/${PEBBLE_VERSION}"
MODULE="github.com/letsencrypt/pebble/v${PEBBLE_VERSION%%.*}"
MODE="${1:-build}"

START_EPOCH=$(date +%s)
log() { printf '[pebble %s +%ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - START_EPOCH ))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

case "$MODE" in
  --print) echo "$DEST"; exit 0 ;;
  build|--force) ;;
  -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
  *) die "usage: $0 [--print|--force]" ;;
esac

# The cache entry is valid when both binaries run, pebble reports the expected version and the
# certificates are there.
cached_ok() {
  local v
  [ -x "$1/pebble" ] && [ -x "$1/pebble-challtestsrv" ] || return 1
  [ -s "$1/certs/pebble.minica.pem" ] && [ -s "$1/certs/localhost/cert.pem" ] && [ -s "$1/certs/localhost/key.pem" ] || return 1
  # Capture, then match: `cmd | grep -q` under pipefail fails when grep exits early (SIGPIPE).
  v="$("$1/pebble" -version 2>/dev/null)" || return 1
  [ "$v" = "Pebble version: v${PEBBLE_VERSION}" ]
}

if [ "$MODE" != "--force" ] && cached_ok "$DEST"; then
  log "cached: $DEST (v$PEBBLE_VERSION)"
  echo "$DEST"; exit 0
fi
[ "${GATEHOUSE_PEBBLE_SKIP_BUILD:-0}" = "1" ] && die "pebble missing in $DEST and GATEHOUSE_PEBBLE_SKIP_BUILD=1"

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.lock-${PEBBLE_VERSION}"
if ! flock -n 9; then
  log "another build of $DEST is running; waiting for it (lock $CACHE_ROOT/.lock-${PEBBLE_VERSION})"
  flock 9
fi
if [ "$MODE" = "build" ] && cached_ok "$DEST"; then
  log "cached (built by a concurrent run): $DEST"; echo "$DEST"; exit 0
fi

cannot_build() { log "CANNOT BUILD: $*"; exit 3; }
command -v go >/dev/null || cannot_build "Go is not on PATH; pebble v$PEBBLE_VERSION needs Go >= 1.25"
export GOTOOLCHAIN=local CGO_ENABLED=0
GO_VERSION="$(go env GOVERSION)"
case "$GO_VERSION" in
  go1.2[5-9]*|go1.[3-9][0-9]*) ;;
  *) cannot_build "$GO_VERSION is too old: pebble v$PEBBLE_VERSION needs Go >= 1.25 (GOTOOLCHAIN=local, no download)" ;;
esac

# We hold the lock, so any earlier temp directory for this version is from an interrupted run.
rm -rf "$CACHE_ROOT/.building-${PEBBLE_VERSION}".*
TMP="$(mktemp -d "$CACHE_ROOT/.building-${PEBBLE_VERSION}.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
trap 'log "interrupted; removing $TMP (the cache is unchanged)"; exit 130' INT TERM
OUT="$TMP/out"; mkdir -p "$OUT"
log "building $MODULE/cmd/{pebble,pebble-challtestsrv}@v$PEBBLE_VERSION into $TMP (then renamed to $DEST); $GO_VERSION, $(nproc) cores"

# pebble's go.mod has no replace directives, so `go install module@version` builds exactly the
# released dependency graph; `-X main.version` is how pebble's release builds stamp the version.
fetch() { go mod download -json "$MODULE@v$PEBBLE_VERSION" 2>&1; }
log "fetching $MODULE@v$PEBBLE_VERSION from the module proxy"
if ! DL_JSON="$(fetch)"; then
  if [ -z "${GOSUMDB+x}" ] && grep -q -e 'verifying' -e 'checksum database' -e 'sumdb' <<<"$DL_JSON"; then
    log "WARNING: the checksum database is unreachable; retrying with GOSUMDB=off (modules still come from the proxy)"
    export GOSUMDB=off
    DL_JSON="$(fetch)" || { echo "$DL_JSON" >&2; die "go mod download $MODULE@v$PEBBLE_VERSION failed"; }
  else
    echo "$DL_JSON" >&2; die "go mod download $MODULE@v$PEBBLE_VERSION failed"
  fi
fi
SRC="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$DL_JSON" | head -1)"
[ -d "$SRC/test/certs" ] || die "module source $SRC has no test/certs"

# Two small commands (seconds to a minute or two cold), so no heartbeat: the log is shown on failure.
log "go install $MODULE/cmd/{pebble,pebble-challtestsrv}@v$PEBBLE_VERSION"
if ! GOBIN="$OUT" go install -trimpath -ldflags "-s -w -X main.version=v${PEBBLE_VERSION}" \
  "$MODULE/cmd/pebble@v$PEBBLE_VERSION" "$MODULE/cmd/pebble-challtestsrv@v$PEBBLE_VERSION" >"$TMP/build.log" 2>&1; then
  tail -30 "$TMP/build.log" >&2
  die "go install of pebble v$PEBBLE_VERSION failed"
fi

# The module cache is read-only; copies get ordinary modes so the cache entry can be removed.
mkdir -p "$OUT/certs/localhost"
install -m 0644 "$SRC/test/certs/pebble.minica.pem" "$OUT/certs/pebble.minica.pem"
install -m 0644 "$SRC/test/certs/localhost/cert.pem" "$OUT/certs/localhost/cert.pem"
install -m 0600 "$SRC/test/certs/localhost/key.pem" "$OUT/certs/localhost/key.pem"

cached_ok "$OUT" || die "built pebble fails its checks: $("$OUT/pebble" -version 2>&1 | head -1)"
{
  echo "pebble: $("$OUT/pebble" -version)"
  echo "module: $MODULE@v$PEBBLE_VERSION (cmd/pebble, cmd/pebble-challtestsrv, test/certs)"
  echo "go: $GO_VERSION GOSUMDB=${GOSUMDB:-default}"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) in $(( $(date +%s) - START_EPOCH ))s on $(nproc) cores"
} > "$OUT/BUILD-INFO"
cat "$OUT/BUILD-INFO" >&2

rm -rf "$DEST.old"
if [ -e "$DEST" ]; then mv "$DEST" "$DEST.old"; fi
mv "$OUT" "$DEST"
rm -rf "$DEST.old"
log "done: $DEST"
echo "$DEST"
