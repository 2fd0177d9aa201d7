#!/usr/bin/env bash
# router/h2spec/build.sh -- build h2spec (HTTP/2 conformance tester) from the Go module proxy into a
# per-version cache, for H2specIT. No git clone, no prebuilt download.
#
#   router/h2spec/build.sh          build if missing, else a fast no-op; prints the binary path last
#   router/h2spec/build.sh --print  print the binary path and exit (no build)
#
# Cache: ${GATEHOUSE_H2SPEC_CACHE:-$HOME/.cache/gatehouse/h2spec}/<version>/h2spec
# Built into a temporary directory and renamed into place once it runs, so an interrupted build
# never leaves a half cache; concurrent runs serialise on a lock file (flock), as envtest's does.
# Env: H2SPEC_VERSION (default v2.2.1+incompatible, the newest the module proxy serves),
#      GOSUMDB (switched off, with a warning, if the checksum database cannot be reached).
set -euo pipefail

VERSION="${H2SPEC_VERSION:-v2.2.1+incompatible}"
CACHE_ROOT="${GATEHOUSE_H2SPEC_CACHE:-$HOME/.cache/gatehouse/h2spec}"
DEST="$CACHE_ROOT/$VERSION"
log() { printf '[h2spec %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [ "${1:-}" = "--print" ]; then echo "$DEST/h2spec"; exit 0; fi
cached_ok() { [ -x "$1/h2spec" ] && "$1/h2spec" --version >/dev/null 2>&1; }
if cached_ok "$DEST"; then echo "$DEST/h2spec"; exit 0; fi

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.lock-$VERSION"
if ! flock -n 9; then
  log "another build of $DEST is running; waiting for it"
  flock 9
fi
if cached_ok "$DEST"; then echo "$DEST/h2spec"; exit 0; fi

command -v go >/dev/null || die "Go is not on PATH (h2spec is built from the Go module proxy)"
export GOTOOLCHAIN=local CGO_ENABLED=0
rm -rf "$CACHE_ROOT/.building-$VERSION".*
TMP="$(mktemp -d "$CACHE_ROOT/.building-$VERSION.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
log "building github.com/summerwind/h2spec/cmd/h2spec@$VERSION into $TMP"
install() { GOBIN="$TMP" go install "github.com/summerwind/h2spec/cmd/h2spec@$VERSION" 2>"$TMP/build.log"; }
if ! install; then
  if [ -z "${GOSUMDB+x}" ] && grep -q -e 'verifying' -e 'sumdb' -e 'checksum database' "$TMP/build.log"; then
    log "WARNING: the checksum database is unreachable; retrying with GOSUMDB=off (modules still come from the proxy)"
    GOSUMDB=off install || { cat "$TMP/build.log" >&2; die "go install failed"; }
  else
    cat "$TMP/build.log" >&2; die "go install failed"
  fi
fi
cached_ok "$TMP" || die "the built h2spec does not run"
rm -rf "$DEST.old"; [ -e "$DEST" ] && mv "$DEST" "$DEST.old"
mkdir -p "$DEST" && mv "$TMP/h2spec" "$DEST/h2spec"
rm -rf "$DEST.old"
log "done: $DEST/h2spec"
echo "$DEST/h2spec"
