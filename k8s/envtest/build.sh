#!/usr/bin/env bash
# k8s/envtest/build.sh -- build kube-apiserver, kubectl and etcd for Gatehouse's integration tests,
# from the Go module proxy only (no git clone, no prebuilt downloads), into a per-version cache.
#
#   k8s/envtest/build.sh            build if missing, else a fast no-op; prints the binary directory last
#   k8s/envtest/build.sh --print    print the binary directory and exit (no build, no checks)
#   k8s/envtest/build.sh --force    rebuild even if cached
#   k8s/envtest/build.sh --controller-manager
#                                   also build kube-controller-manager (same release) into the entry;
#                                   only the conformance harness (k8s/conformance/run.sh) needs it, so
#                                   the integration tests' cache check never asks for it
#
# Cache: ${GATEHOUSE_ENVTEST_CACHE:-$HOME/.cache/gatehouse/envtest}/<k8s-version>-etcd<etcd-version>/
#        {kube-apiserver,kubectl,etcd,BUILD-INFO}
# The build happens in a temporary directory beside the cache entry and is renamed into place only
# when all three binaries pass `--version`, so an interrupted build never leaves a half cache.
# Concurrent runs serialise on a lock file (flock), so two Maven runs never build twice.
#
# Env: K8S_VERSION (default 1.35.4), ETCD_VERSION (default 3.6.6), GATEHOUSE_ENVTEST_CACHE,
#      GOSUMDB (default: Go's; switched off automatically, with a warning, if the checksum
#      database cannot be reached), GATEHOUSE_ENVTEST_SKIP_BUILD=1 (never build; fail if missing).
# Needs: Go >= 1.25 on PATH (Kubernetes 1.35). GOTOOLCHAIN=local: Go never fetches a toolchain.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.35.4}"
ETCD_VERSION="${ETCD_VERSION:-3.6.6}"
CACHE_ROOT="${GATEHOUSE_ENVTEST_CACHE:-$HOME/.cache/gatehouse/envtest}"
DEST="$CACHE_ROOT/${K8S_VERSION}-etcd${ETCD_VERSION}"
MODE="${1:-build}"

START_EPOCH=$(date +%s)
log() { printf '[envtest %s +%ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - START_EPOCH ))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

case "$MODE" in
  --print) echo "$DEST"; exit 0 ;;
  build|--force|--controller-manager) ;;
  -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
  *) die "usage: $0 [--print|--force]" ;;
esac

# The cache entry is valid when every binary exists, runs and reports the expected version.
cached_ok() {
  local d=$1 v
  [ -x "$d/kube-apiserver" ] && [ -x "$d/kubectl" ] && [ -x "$d/etcd" ] || return 1
  # Capture, then match: `cmd | grep -q` under pipefail fails when grep exits early (SIGPIPE).
  v="$("$d/kube-apiserver" --version 2>/dev/null)" || return 1
  [[ "$v" == *"v${K8S_VERSION}" ]] || return 1
  v="$("$d/kubectl" version --client 2>/dev/null)" || return 1
  [[ "$v" == *"v${K8S_VERSION}"* ]] || return 1
  v="$("$d/etcd" --version 2>/dev/null)" || return 1
  [[ $'\n'"$v"$'\n' == *$'\n'"etcd Version: ${ETCD_VERSION}"$'\n'* ]] || return 1
}

kcm_ok() {
  local v
  [ -x "$1/kube-controller-manager" ] || return 1
  v="$("$1/kube-controller-manager" --version 2>/dev/null)" || return 1
  [[ "$v" == *"v${K8S_VERSION}" ]]
}

if [ "$MODE" != "--force" ] && cached_ok "$DEST" && { [ "$MODE" != "--controller-manager" ] || kcm_ok "$DEST"; }; then
  log "cached: $DEST (kube-apiserver v$K8S_VERSION, kubectl, etcd $ETCD_VERSION$([ "$MODE" = "--controller-manager" ] && echo ", kube-controller-manager"))"
  echo "$DEST"; exit 0
fi
[ "${GATEHOUSE_ENVTEST_SKIP_BUILD:-0}" = "1" ] && die "binaries missing in $DEST and GATEHOUSE_ENVTEST_SKIP_BUILD=1"

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.lock-${K8S_VERSION}-etcd${ETCD_VERSION}"
if ! flock -n 9; then
  log "another build of $DEST is running; waiting for it (lock $CACHE_ROOT/.lock-*)"
  flock 9
fi
if [ "$MODE" = "build" ] && cached_ok "$DEST"; then
  log "cached (built by a concurrent run): $DEST"; echo "$DEST"; exit 0
fi

command -v go >/dev/null || die "Go is not on PATH; Kubernetes ${K8S_VERSION%.*} needs Go >= 1.25"
export GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:-} -mod=mod"
GO_VERSION="$(go env GOVERSION)"
case "$GO_VERSION" in
  go1.2[5-9]*|go1.[3-9][0-9]*) ;;
  *) die "$GO_VERSION is too old: Kubernetes ${K8S_VERSION%.*} needs Go >= 1.25 (GOTOOLCHAIN=local, no download)" ;;
esac

# kube-controller-manager is built only on request, into an entry whose other binaries are fine:
# from the wrapper go.mod kept in the entry, so it links exactly the modules kube-apiserver did.
build_kcm_into() {
  local dest=$1 work="$CACHE_ROOT/.building-kcm-${K8S_VERSION}"
  rm -rf "$work" "$TMP"; mkdir -p "$work"
  TMP="$work"   # the EXIT/INT traps remove it; step logs go there
  cp "$dest/go.mod.apiserver" "$work/go.mod"
  cd "$work"
  run_step resolve-controller-manager go get "k8s.io/kubernetes/cmd/kube-controller-manager@v${K8S_VERSION}"
  STEP_TOTAL="$(count_deps k8s.io/kubernetes/cmd/kube-controller-manager)"
  run_step build-kube-controller-manager go build -v -trimpath -ldflags "$(version_ldflags)" -o "$work/kube-controller-manager" k8s.io/kubernetes/cmd/kube-controller-manager
  kcm_ok "$work" || die "built kube-controller-manager fails its --version check: $("$work/kube-controller-manager" --version 2>&1 | head -1)"
  mv "$work/kube-controller-manager" "$dest/kube-controller-manager"   # same file system: atomic
  echo "kube-controller-manager: $("$dest/kube-controller-manager" --version) (built $(date -u +%Y-%m-%dT%H:%M:%SZ))" >>"$dest/BUILD-INFO"
  cd /; rm -rf "$work"
}
version_ldflags() {
  local minor pkg f="-s -w" date
  minor="$(cut -d. -f2 <<<"$K8S_VERSION")"; date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    f+=" -X ${pkg}.gitVersion=v${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
    f+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=${date}"
  done
  echo "$f"
}

# We hold the lock, so any earlier temp directory for this version is from an interrupted run.
rm -rf "$CACHE_ROOT/.building-${K8S_VERSION}-etcd${ETCD_VERSION}".*
TMP="$(mktemp -d "$CACHE_ROOT/.building-${K8S_VERSION}-etcd${ETCD_VERSION}.XXXXXX")"
STEP_PID=""
trap 'rm -rf "$TMP"' EXIT
trap 'log "interrupted; removing $TMP (the cache is unchanged)"; [ -n "$STEP_PID" ] && kill "$STEP_PID" 2>/dev/null; wait; exit 130' INT TERM
OUT="$TMP/bin"; WORK="$TMP/work"; mkdir -p "$OUT" "$WORK/apiserver" "$WORK/etcd"
log "building into $TMP (then renamed to $DEST); $GO_VERSION, $(nproc) cores"
log "module cache $(go env GOMODCACHE), build cache $(go env GOCACHE)"

# Run a long command, its output in a log file, and print a heartbeat line every 30 s.
# With `go build -v`, the log holds one line per package compiled, so the heartbeat counts them.
TIME_BIN=""; [ -x /usr/bin/time ] && TIME_BIN="/usr/bin/time -v"
STEP_TOTAL=""   # set before a build step: how many packages it may compile, for the heartbeat
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
      log "$name: running $(( $(date +%s) - t0 ))s, $(grep -c -v -e '^\s' "$logf" 2>/dev/null || true)${STEP_TOTAL:+ of at most $STEP_TOTAL} packages compiled"
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
  STEP_TOTAL=""
}
count_deps() { go list -deps "$@" 2>/dev/null | wc -l || true; }

if [ "$MODE" = "--controller-manager" ] && cached_ok "$DEST"; then
  if kcm_ok "$DEST"; then log "cached (built by a concurrent run): $DEST"; echo "$DEST"; exit 0; fi
  log "building kube-controller-manager v$K8S_VERSION into $DEST"
  build_kcm_into "$DEST"
  log "done: $DEST/kube-controller-manager"; echo "$DEST"; exit 0
fi

########################################################################################
# 1. kube-apiserver + kubectl: a wrapper module requiring k8s.io/kubernetes, with every staging
#    module (the `=> ./staging/src/...` replaces of k/k's own go.mod) replaced by its v0.Y.Z tag.
########################################################################################
cd "$WORK/apiserver"
go mod init local/gatehouse-envtest-apiserver >/dev/null 2>&1

fetch_kk_gomod() { go mod download -json "k8s.io/kubernetes@v${K8S_VERSION}" 2>&1; }
log "fetching the go.mod of k8s.io/kubernetes@v$K8S_VERSION from the module proxy"
if ! DL_JSON="$(fetch_kk_gomod)"; then
  if [ -z "${GOSUMDB+x}" ] && grep -q -e 'verifying' -e 'checksum database' -e 'sumdb' <<<"$DL_JSON"; then
    log "WARNING: the checksum database is unreachable; retrying with GOSUMDB=off (modules still come from the proxy)"
    export GOSUMDB=off
    DL_JSON="$(fetch_kk_gomod)" || { echo "$DL_JSON" >&2; die "go mod download k8s.io/kubernetes@v$K8S_VERSION failed"; }
  else
    echo "$DL_JSON" >&2; die "go mod download k8s.io/kubernetes@v$K8S_VERSION failed"
  fi
fi
KK_GOMOD="$(sed -n 's/.*"GoMod": *"\([^"]*\)".*/\1/p' <<<"$DL_JSON")"
[ -s "$KK_GOMOD" ] || { echo "$DL_JSON" >&2; die "could not obtain the go.mod of k8s.io/kubernetes@v$K8S_VERSION"; }

mapfile -t STAGING < <(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\)[[:space:]]*=>[[:space:]]*\./staging/src/.*#\1#p' "$KK_GOMOD" | sort -u)
[ "${#STAGING[@]}" -ge 25 ] || die "unexpectedly few staging modules (${#STAGING[@]}) in $KK_GOMOD"
STAGING_VERSION="v0.${K8S_VERSION#1.}"   # 1.35.4 -> v0.35.4
log "${#STAGING[@]} staging modules, replaced at $STAGING_VERSION"

KK_GO="$(sed -n 's/^go \([0-9][0-9.]*\).*/\1/p' "$KK_GOMOD")"
KK_GODEBUG="$(sed -n 's/^godebug[[:space:]]\+\(.*\)$/\1/p' "$KK_GOMOD" | head -1)"
go mod edit -go="$KK_GO"
if [ -n "$KK_GODEBUG" ]; then go mod edit -godebug="$KK_GODEBUG"; fi   # keep upstream's GODEBUG defaults
for m in "${STAGING[@]}"; do go mod edit -replace="${m}=${m}@${STAGING_VERSION}"; done
go mod edit -require="k8s.io/kubernetes@v${K8S_VERSION}"

run_step resolve-apiserver go get "k8s.io/kubernetes/cmd/kube-apiserver@v${K8S_VERSION}" "k8s.io/kubernetes/cmd/kubectl@v${K8S_VERSION}"
cp go.mod "$OUT/go.mod.apiserver"

K8S_MINOR="$(cut -d. -f2 <<<"$K8S_VERSION")"
BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDFLAGS+=" -X ${pkg}.gitVersion=v${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${K8S_MINOR}"
  LDFLAGS+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=${BUILD_DATE}"
done
STEP_TOTAL="$(count_deps k8s.io/kubernetes/cmd/kube-apiserver)"
run_step build-kube-apiserver go build -v -trimpath -ldflags "$LDFLAGS" -o "$OUT/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
STEP_TOTAL="$(count_deps k8s.io/kubernetes/cmd/kubectl)"
run_step build-kubectl go build -v -trimpath -ldflags "$LDFLAGS" -o "$OUT/kubectl" k8s.io/kubernetes/cmd/kubectl

########################################################################################
# 2. etcd: its own wrapper module, so MVS never mixes etcd's and Kubernetes' dependency graphs.
#    `go install go.etcd.io/etcd/server/v3@vX` does not work: etcd's go.mod has replace directives.
########################################################################################
cd "$WORK/etcd"
go mod init local/gatehouse-envtest-etcd >/dev/null 2>&1
run_step resolve-etcd go get "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}"
cp go.mod "$OUT/go.mod.etcd"
STEP_TOTAL="$(count_deps go.etcd.io/etcd/server/v3)"
run_step build-etcd go build -v -trimpath -ldflags "-s -w" -o "$OUT/etcd" go.etcd.io/etcd/server/v3

########################################################################################
# 3. check, record, and publish atomically
########################################################################################
cached_ok "$OUT" || die "built binaries fail their --version check: $("$OUT/kube-apiserver" --version 2>&1 | head -1); $("$OUT/etcd" --version 2>&1 | head -1)"
{
  echo "kube-apiserver: $("$OUT/kube-apiserver" --version)"
  echo "kubectl: $("$OUT/kubectl" version --client 2>/dev/null | head -1)"
  echo "etcd: $("$OUT/etcd" --version | head -1)"
  echo "go: $GO_VERSION GOSUMDB=${GOSUMDB:-default}"
  echo "built: $BUILD_DATE in $(( $(date +%s) - START_EPOCH ))s on $(nproc) cores"
  for f in "$TMP"/*.log; do
    r="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$f" | tail -1)"
    w="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$f" | tail -1)"
    if [ -n "$r" ]; then echo "step $(basename "$f" .log): wall $w, peak RSS $((r / 1024)) MiB"; fi
  done
} > "$OUT/BUILD-INFO"
cat "$OUT/BUILD-INFO" >&2

rm -rf "$DEST.old"
if [ -e "$DEST" ]; then mv "$DEST" "$DEST.old"; fi
mv "$OUT" "$DEST"
rm -rf "$DEST.old"
if [ "$MODE" = "--controller-manager" ]; then build_kcm_into "$DEST"; fi
log "done: $DEST ($(du -sh "$DEST" | cut -f1))"
echo "$DEST"
