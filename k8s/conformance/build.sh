#!/usr/bin/env bash
# k8s/conformance/build.sh -- build what the Gateway API conformance harness runs, from the Go
# module proxy only, into a cache; idempotent (a fast no-op when everything is cached).
#
#   k8s/conformance/build.sh            build what is missing; prints the cache's bin directory last
#   k8s/conformance/build.sh --infra    all but the suite's test binary (enough for run.sh --infra-only)
#   k8s/conformance/build.sh --print    print the bin directory and exit
#
# Builds:
#   envtest entry + kube-controller-manager   k8s/envtest/build.sh --controller-manager
#   bin/podrunner          k8s/conformance/podrunner (client-go at the API server's release)
#   bin/echo-basic         the conformance backends' program (see "echo-basic" below)
#   bin/conformance.test   `go test -c` of sigs.k8s.io/gateway-api/conformance@$GWAPI_VERSION
#   crds/                  standard (and experimental) CRDs of sigs.k8s.io/gateway-api@$GWAPI_VERSION,
#                          read from the module cache, never copied into the repository
#
# echo-basic: from v1.7.0 on, the conformance module imports its echo servers from
# sigs.k8s.io/gateway-api-conformance-images, whose module zip the proxy refuses ("403 This module
# version is not available"). The echo-basic source last shipped inside
# sigs.k8s.io/gateway-api/conformance@$ECHO_FROM_VERSION; we copy it into a local module of the
# new path (imports rewritten) and point the suite at it with a `replace`. Same program, same
# protocol (its JSON echo, gRPC echo service, TLS/TCP/UDP servers).
#
# Cache: ${GATEHOUSE_CONFORMANCE_CACHE:-$HOME/.cache/gatehouse/conformance}/gwapi-$GWAPI_VERSION/
# Env:   GWAPI_VERSION (v1.7.0), ECHO_FROM_VERSION (v1.6.3), SUITE_GOTOOLCHAIN (go1.27.3: the
#        conformance module's go.mod needs Go 1.27; fetched from the module proxy by the go command)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
GWAPI_VERSION="${GWAPI_VERSION:-v1.7.0}"
ECHO_FROM_VERSION="${ECHO_FROM_VERSION:-v1.6.3}"
SUITE_GOTOOLCHAIN="${SUITE_GOTOOLCHAIN:-go1.27.3}"
CACHE="${GATEHOUSE_CONFORMANCE_CACHE:-$HOME/.cache/gatehouse/conformance}/gwapi-$GWAPI_VERSION"
BIN="$CACHE/bin"

START_EPOCH=$(date +%s)
log() { printf '[conformance-build %s +%ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - START_EPOCH ))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

case "${1:-build}" in
  --print) echo "$BIN"; exit 0 ;;
  build|--infra) ;;
  *) die "usage: $0 [--infra|--print]" ;;
esac

command -v go >/dev/null || die "Go is not on PATH"
mkdir -p "$BIN" "$CACHE/src"
exec 9>"$CACHE/.lock"
flock -n 9 || { log "another build holds $CACHE/.lock; waiting"; flock 9; }
export GOFLAGS="-mod=mod" CGO_ENABLED=0

# Each artefact is rebuilt only when its stamp (the inputs that define it) changed.
fresh() { [ -x "$BIN/$1" ] && [ -f "$BIN/$1.stamp" ] && [ "$(cat "$BIN/$1.stamp")" = "$2" ]; }
publish() { mv "$BIN/.$1.new" "$BIN/$1"; echo "$2" >"$BIN/$1.stamp"; log "$1: built"; }

# Locate a module version in the module cache (downloading it through the proxy if needed).
module_dir() {
  local tmp json dir
  tmp="$(mktemp -d)"
  json="$(cd "$tmp" && go mod init tmp >/dev/null 2>&1 && GOTOOLCHAIN="$SUITE_GOTOOLCHAIN" go mod download -json "$1" 2>&1)" || { rm -rf "$tmp"; echo "$json" >&2; die "go mod download $1 failed"; }
  rm -rf "$tmp"
  dir="$(sed -n 's/.*"Dir": *"\([^"]*\)".*/\1/p' <<<"$json")"
  [ -d "$dir" ] || { echo "$json" >&2; die "no directory for $1"; }
  echo "$dir"
}

# 1. kube-apiserver, etcd, kubectl and kube-controller-manager (the envtest cache).
ENVTEST_DIR="$("$HERE/../envtest/build.sh" --controller-manager)"
log "envtest: $ENVTEST_DIR"

# 2. The CRDs, from the module (never from the repository).
GWAPI_DIR="$(module_dir "sigs.k8s.io/gateway-api@$GWAPI_VERSION")"
rm -rf "$CACHE/crds.new"; mkdir -p "$CACHE/crds.new"
cp -r "$GWAPI_DIR/config/crd/standard" "$GWAPI_DIR/config/crd/experimental" "$CACHE/crds.new/"
chmod -R u+w "$CACHE/crds.new"; rm -rf "$CACHE/crds"; mv "$CACHE/crds.new" "$CACHE/crds"
log "CRDs: $CACHE/crds/{standard,experimental} ($(ls "$CACHE/crds/standard" | wc -l) standard files)"

# 3. The pod runner (built with the local Go: client-go v0.35 needs Go 1.25).
PR_STAMP="$(cat "$HERE/podrunner/go.mod" "$HERE/podrunner/go.sum" $(ls "$HERE/podrunner/"*.go | grep -v _test.go) | sha256sum | cut -c1-16) $(go env GOVERSION)"
if ! fresh podrunner "$PR_STAMP"; then
  log "podrunner: testing and building"
  (cd "$HERE/podrunner" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go test -count=1 ./... >&2 \
    && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -trimpath -o "$BIN/.podrunner.new" .) || die "podrunner: tests or build failed"
  publish podrunner "$PR_STAMP"
fi

# 4. The echo servers as a local sigs.k8s.io/gateway-api-conformance-images module, and echo-basic.
IMAGES="$CACHE/src/conformance-images"
ECHO_STAMP="echo-basic from conformance@$ECHO_FROM_VERSION, import specs rewritten"
if ! fresh echo-basic "$ECHO_STAMP" || [ ! -f "$IMAGES/go.sum" ]; then
  log "echo-basic: taking the source of sigs.k8s.io/gateway-api/conformance@$ECHO_FROM_VERSION"
  OLD="$(module_dir "sigs.k8s.io/gateway-api/conformance@$ECHO_FROM_VERSION")"
  rm -rf "$IMAGES"; mkdir -p "$IMAGES"
  cp -r "$OLD/echo-basic" "$IMAGES/echo-basic"; chmod -R u+w "$IMAGES"
  find "$IMAGES" -name '*_test.go' -delete
  # Import specs only: the same path inside the generated protobuf descriptor is length-prefixed,
  # so rewriting it there corrupts the descriptor (a panic at init).
  grep -rl 'sigs.k8s.io/gateway-api/conformance/echo-basic' "$IMAGES" --include='*.go' | xargs -r sed -i -E \
    's#^([[:space:]]*([[:alnum:]_.]+[[:space:]]+)?)"sigs\.k8s\.io/gateway-api/conformance/echo-basic([^"]*)"[[:space:]]*$#\1"sigs.k8s.io/gateway-api-conformance-images/echo-basic\3"#'
  # The versions the echo servers were released with, from that module's go.mod.
  OLD_GO="$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$OLD/go.mod")"
  (cd "$IMAGES" && go mod init sigs.k8s.io/gateway-api-conformance-images >/dev/null 2>&1 && go mod edit -go="$OLD_GO"
   for m in google.golang.org/grpc google.golang.org/protobuf golang.org/x/net; do
     v="$(awk -v m="$m" '$1==m {print $2; exit}' "$OLD/go.mod")"; [ -n "$v" ] && go mod edit -require="$m@$v"
   done
   GOTOOLCHAIN=local go mod tidy >/dev/null 2>&1 || GOTOOLCHAIN=local go mod tidy)
  (cd "$IMAGES" && GOTOOLCHAIN=local go build -trimpath -o "$BIN/.echo-basic.new" ./echo-basic)
  publish echo-basic "$ECHO_STAMP"
fi

echo "$ENVTEST_DIR" >"$CACHE/envtest-dir"
module_dir "sigs.k8s.io/gateway-api/conformance@$GWAPI_VERSION" >"$CACHE/conformance-dir"   # base manifests
if [ "${1:-build}" = "--infra" ]; then log "ready (no suite binary: --infra) in $(( $(date +%s) - START_EPOCH ))s: $BIN"; echo "$BIN"; exit 0; fi
# The suite has its own lock: an --infra build need not wait for its long compile.
exec 9>&-
exec 8>"$CACHE/.lock-suite"
flock -n 8 || { log "another build of the suite holds $CACHE/.lock-suite; waiting"; flock 8; }

# 5. The suite: a wrapper module whose test calls conformance.RunConformance, compiled once.
SUITE="$CACHE/src/suite"
SUITE_STAMP="conformance@$GWAPI_VERSION $SUITE_GOTOOLCHAIN $ECHO_STAMP"
if ! fresh conformance.test "$SUITE_STAMP"; then
  log "suite: resolving sigs.k8s.io/gateway-api/conformance@$GWAPI_VERSION (GOTOOLCHAIN=$SUITE_GOTOOLCHAIN)"
  rm -rf "$SUITE"; mkdir -p "$SUITE"
  cat >"$SUITE/conformance_test.go" <<'EOF'
package conformance_test

import (
	"testing"

	"sigs.k8s.io/gateway-api/conformance"
)

// TestConformance is upstream's conformance_test.go: the whole suite, driven by its flags.
func TestConformance(t *testing.T) {
	conformance.RunConformance(t)
}
EOF
  (cd "$SUITE" && export GOTOOLCHAIN="$SUITE_GOTOOLCHAIN" \
    && go mod init local/gatehouse-conformance-suite >/dev/null 2>&1 \
    && go mod edit -replace="sigs.k8s.io/gateway-api-conformance-images=$IMAGES" \
    && go mod edit -require="sigs.k8s.io/gateway-api/conformance@$GWAPI_VERSION" -require="sigs.k8s.io/gateway-api@$GWAPI_VERSION" \
    && go mod tidy >"$SUITE/tidy.log" 2>&1) || { tail -30 "$SUITE/tidy.log" >&2; die "resolving the suite failed"; }
  log "suite: compiling the test binary (a few minutes the first time)"
  (cd "$SUITE" && GOTOOLCHAIN="$SUITE_GOTOOLCHAIN" nice go test -c -trimpath -o "$BIN/.conformance.test.new" . >"$SUITE/build.log" 2>&1) \
    || { tail -30 "$SUITE/build.log" >&2; die "compiling the suite failed"; }
  publish conformance.test "$SUITE_STAMP"
fi

log "ready in $(( $(date +%s) - START_EPOCH ))s: $BIN"
echo "$BIN"
