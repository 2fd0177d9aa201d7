#!/usr/bin/env bash
# k8s/helm/build.sh -- build the helm CLI for the chart tests, from the Go module proxy only (no git
# clone, no prebuilt download), into a per-version cache.
#
#   k8s/helm/build.sh            build if missing, else a fast no-op; prints the helm binary path last
#   k8s/helm/build.sh --print    print the binary path and exit (no build, no checks)
#   k8s/helm/build.sh --force    rebuild even if cached
#
# Cache: ${GATEHOUSE_HELM_CACHE:-$HOME/.cache/gatehouse/helm}/<helm-version>/{helm,BUILD-INFO}
# The build happens in a temporary directory beside the cache entry and is renamed into place only
# when the binary passes `helm version`, so an interrupted build never leaves a half cache.
# Concurrent runs serialise on a lock file (flock), so two Maven runs never build twice.
#
# Env: HELM_VERSION (default 4.3.2), GATEHOUSE_HELM_CACHE, GOSUMDB (default: Go's; switched off,
#      with a warning, if the checksum database cannot be reached), GATEHOUSE_HELM_SKIP_BUILD=1
#      (never build; fail if missing).
# Needs: Go >= 1.26 on PATH (helm v4.3's go.mod). GOTOOLCHAIN=local: Go never fetches a toolchain.
# Exit 3: helm cannot be built here (no Go, or one too old) and none is cached; the chart tests
# skip on it, naming the reason. Any other failure is an error.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-4.3.2}"
CACHE_ROOT="${GATEHOUSE_HELM_CACHE:-$HOME/.cache/gatehouse/helm}"
DEST="$CACHE_ROOT/${HELM_VERSION}"
MODULE="helm.sh/helm/v${HELM_VERSION%%.*}"
MODE="${1:-build}"

START_EPOCH=$(date +%s)
log() { printf '[helm %s +%ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - START_EPOCH ))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

case "$MODE" in
  --print) echo "$DEST/helm"; exit 0 ;;
  build|--force) ;;
  -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
  *) die "usage: $0 [--print|--force]" ;;
esac

# The cache entry is valid when the binary exists, runs and reports the expected version.
cached_ok() {
  local v
  [ -x "$1/helm" ] || return 1
  # Capture, then match: `cmd | grep -q` under pipefail fails when grep exits early (SIGPIPE).
  v="$("$1/helm" version --template '{{.Version}}' 2>/dev/null)" || return 1
  [ "$v" = "v${HELM_VERSION}" ]
}

if [ "$MODE" != "--force" ] && cached_ok "$DEST"; then
  log "cached: $DEST/helm (v$HELM_VERSION)"
  echo "$DEST/helm"; exit 0
fi
[ "${GATEHOUSE_HELM_SKIP_BUILD:-0}" = "1" ] && die "helm missing in $DEST and GATEHOUSE_HELM_SKIP_BUILD=1"

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.lock-${HELM_VERSION}"
if ! flock -n 9; then
  log "another build of $DEST is running; waiting for it (lock $CACHE_ROOT/.lock-${HELM_VERSION})"
  flock 9
fi
if [ "$MODE" = "build" ] && cached_ok "$DEST"; then
  log "cached (built by a concurrent run): $DEST/helm"; echo "$DEST/helm"; exit 0
fi

cannot_build() { log "CANNOT BUILD: $*"; exit 3; }
command -v go >/dev/null || cannot_build "Go is not on PATH; helm v$HELM_VERSION needs Go >= 1.26"
export GOTOOLCHAIN=local CGO_ENABLED=0
GO_VERSION="$(go env GOVERSION)"
case "$GO_VERSION" in
  go1.2[6-9]*|go1.[3-9][0-9]*) ;;
  *) cannot_build "$GO_VERSION is too old: helm v$HELM_VERSION needs Go >= 1.26 (GOTOOLCHAIN=local, no download)" ;;
esac

# We hold the lock, so any earlier temp directory for this version is from an interrupted run.
rm -rf "$CACHE_ROOT/.building-${HELM_VERSION}".*
TMP="$(mktemp -d "$CACHE_ROOT/.building-${HELM_VERSION}.XXXXXX")"
STEP_PID=""
trap 'rm -rf "$TMP"' EXIT
trap 'log "interrupted; removing $TMP (the cache is unchanged)"; [ -n "$STEP_PID" ] && kill "$STEP_PID" 2>/dev/null; wait; exit 130' INT TERM
OUT="$TMP/bin"; mkdir -p "$OUT"
log "building $MODULE/cmd/helm@v$HELM_VERSION into $TMP (then renamed to $DEST); $GO_VERSION, $(nproc) cores"

# Run a long command, its output in a log file, and print a heartbeat line every 30 s.
# With `go install -v`, the log holds one line per package compiled, so the heartbeat counts them.
TIME_BIN=""; [ -x /usr/bin/time ] && TIME_BIN="/usr/bin/time -v"
run_step() {
  local name=$1; shift
  local logf="$TMP/$name.log" t0 rc=0
  t0=$(date +%s)
  log "$name: start ($*)"
  ( $TIME_BIN "$@" ) >"$logf" 2>&1 &
  local pid=$!
  STEP_PID=$pid
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name: running $(( $(date +%s) - t0 ))s, $(grep -c -v -e '^\s' -e '^go: ' "$logf" 2>/dev/null || true) packages compiled"
    fi
  done
  wait "$pid" || rc=$?
  STEP_PID=""
  local rss; rss="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$logf" | tail -1)"
  if [ "$rc" -ne 0 ]; then
    log "$name: FAILED (exit $rc) after $(( $(date +%s) - t0 ))s; last lines of $logf:"
    grep -v -e '^\s' "$logf" | tail -30 >&2
    return "$rc"
  fi
  log "$name: done in $(( $(date +%s) - t0 ))s${rss:+, peak RSS $((rss / 1024)) MiB}"
}

# helm's go.mod has no replace directives, so `go install module@version` builds exactly the
# released dependency graph. The version variable is what `helm version` prints (release builds
# set it the same way in helm's Makefile).
fetch() { go mod download -json "$MODULE@v$HELM_VERSION" 2>&1; }
log "fetching $MODULE@v$HELM_VERSION from the module proxy"
if ! DL_JSON="$(fetch)"; then
  if [ -z "${GOSUMDB+x}" ] && grep -q -e 'verifying' -e 'checksum database' -e 'sumdb' <<<"$DL_JSON"; then
    log "WARNING: the checksum database is unreachable; retrying with GOSUMDB=off (modules still come from the proxy)"
    export GOSUMDB=off
    DL_JSON="$(fetch)" || { echo "$DL_JSON" >&2; die "go mod download $MODULE@v$HELM_VERSION failed"; }
  else
    echo "$DL_JSON" >&2; die "go mod download $MODULE@v$HELM_VERSION failed"
  fi
fi
LDFLAGS="-s -w -X $MODULE/internal/version.version=v${HELM_VERSION} -X $MODULE/internal/version.gitTreeState=clean"
GOBIN="$OUT" run_step build-helm go install -v -trimpath -ldflags "$LDFLAGS" "$MODULE/cmd/helm@v$HELM_VERSION"

cached_ok "$OUT" || die "built helm fails its version check: $("$OUT/helm" version 2>&1 | head -1)"
{
  echo "helm: $("$OUT/helm" version)"
  echo "go: $GO_VERSION GOSUMDB=${GOSUMDB:-default}"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) in $(( $(date +%s) - START_EPOCH ))s on $(nproc) cores"
  r="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/build-helm.log" | tail -1)"
  w="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$TMP/build-helm.log" | tail -1)"
  if [ -n "$r" ]; then echo "step build-helm: wall $w, peak RSS $((r / 1024)) MiB"; fi
} > "$OUT/BUILD-INFO"
cat "$OUT/BUILD-INFO" >&2

rm -rf "$DEST.old"
if [ -e "$DEST" ]; then mv "$DEST" "$DEST.old"; fi
mv "$OUT" "$DEST"
rm -rf "$DEST.old"
log "done: $DEST/helm"
echo "$DEST/helm"
