#!/usr/bin/env bash
# What each policy kind costs on the proxy path: one Gatehouse jar started once per kind, with one
# policy of that kind on route a.example (routes file), side by side in one bench/bench.sh run with
# the same route without policies ("none", run twice: "none2" is the noise control). Pinned like
# every proxy of bench.sh (proxy on core 0, load and backends on core 1).
#   bench/policy-cost.sh [JAR]        (default router/target/gatehouse.jar)
# Every request carries `Origin: https://app.example.com` and `Accept-Encoding: gzip, br, zstd`, for
# every kind alike, so the CORS and compression kinds do their work and the others ignore them.
# The kinds that act on a body (gzip, br, zstd) run on h1-4k (4,096 bytes of text/plain), the rest on h1
# (a 10-byte body); the access kinds (ip-access, ratelimit-local, ratelimit-global, connection-limit:
# limits that never refuse, so every request pays for its token and is proxied) are not in the
# default list: KINDS_H1="ip-access ratelimit-local ratelimit-global connection-limit". The mirror copies every request to the b.example backend (its whole cost: a
# second upstream request each); sticky answers every request with its cookie, as wrk sends none;
# error-pages lists 404/502/503 while every answer is a 200 (the cost a route pays for having them).
# Environment: KINDS_H1, KINDS_4K (subsets of the names below), ROUNDS (3),
# DURATION (8), OUT_DIR, CHECK_ONLY=1 (start each once and show what it answers). Results: $OUT_DIR/h1/report.md and $OUT_DIR/4k/report.md, read as the
# kind's req/s and p99 against the mean of none and none2 (docs/benchmarks.md, "Policy costs").
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(realpath "${1:-router/target/gatehouse.jar}")
[[ -f $JAR ]] || { echo "no jar at $JAR: ./mvnw -B -q -pl router -am package -DskipTests" >&2; exit 2; }
OUT_DIR=${OUT_DIR:-${TMPDIR:-/tmp}/gatehouse-bench/policy-cost-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT_DIR/routes"
# bench.sh's backends; fixed here so the routes files can name them.
export BACKEND_A_PORT=18081 BACKEND_B_PORT=18082 BACKEND_404_PORT=18089
A="127.0.0.1:$BACKEND_A_PORT"
B="127.0.0.1:$BACKEND_B_PORT"

# routes KIND: the routes file of KIND, route a.example carrying the policy; b.example plain.
routes() {
  local backend="backend: {endpoints: [\"$A\"]}" policy=""
  case "$1" in
    none|none2) ;;
    request-headers) policy='{type: RequestHeaders, set: {x-env: prod, x-team: edge}, add: {x-via: gatehouse}, remove: [cookie]}' ;;
    response-headers) policy='{type: ResponseHeaders, set: {cache-control: no-store}, remove: [x-powered-by]}' ;;
    rewrite-prefix) policy='{type: URLRewrite, hostname: backend.internal, path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2/}}' ;;
    rewrite-regex) policy="{type: URLRewrite, regex: {pattern: '^/(.*)\$', substitution: '/v2/\$1'}}" ;;
    redirect) policy='{type: RequestRedirect, scheme: https, statusCode: 301}' ;;
    cors) policy="{type: CORS, allowOrigins: ['https://app.example.com'], allowCredentials: true, exposeHeaders: [x-request-id]}" ;;
    gzip) policy='{type: Compression, algorithms: [gzip]}' ;;
    br) policy='{type: Compression, algorithms: [br]}' ;;
    zstd) policy='{type: Compression, algorithms: [zstd]}' ;;
    split) backend="backendRefs: [{weight: 90, endpoints: [\"$A\"]}, {weight: 10, endpoints: [\"$B\"]}]" ;;
    header-variables) policy="{type: RequestHeaders, set: {x-client: '\${client.address}', x-route: '\${route.tenant}/\${route.name}'}, add: {x-trace: 'id=\${request.id}'}}" ;;
    mirror) policy="{type: RequestMirror, backendRef: {endpoints: [\"$B\"]}, percent: 100}" ;;
    error-pages) policy="{type: ErrorPages, codes: [404, 502, 503], page: '<h1>Sorry</h1>'}" ;;
    sticky) backend="backendRefs: [{weight: 90, endpoints: [\"$A\"]}, {weight: 10, endpoints: [\"$B\"]}]"
      policy='{type: SessionPersistence, sessionName: gh-split}' ;;
    ip-access) policy="{type: IpAccess, allow: ['127.0.0.0/8', '10.0.0.0/8', '192.168.0.0/16', '::1/128'], deny: ['127.0.0.2/32']}" ;;
    # Limits high enough never to refuse: what a request pays for taking its token.
    ratelimit-local) policy='{type: RateLimit, requests: 1000000000, burst: 1000000000, scope: Local}' ;;
    ratelimit-global) policy='{type: RateLimit, requests: 1000000000, burst: 1000000000, scope: Global}' ;;
    connection-limit) policy='{type: ConnectionLimit, max: 100000}' ;;
    canary) backend="backendRefs: [{weight: 90, endpoints: [\"$A\"]}, {weight: 10, endpoints: [\"$B\"], canary: {header: X-Canary, cookie: canary}}]" ;;
    *) echo "unknown kind $1" >&2; exit 2 ;;
  esac
  {
    echo "routes:"
    echo "  - name: a"
    echo "    hosts: [a.example]"
    echo "    $backend"
    [[ -n $policy ]] && echo "    policies: [$policy]"
    echo "  - name: b"
    echo "    hosts: [b.example]"
    echo "    backend: {endpoints: [\"$B\"]}"
  } > "$OUT_DIR/routes/$1.yaml"
}

target() {  # target KIND HTTP_PORT -> a bench.sh target spec (HTTP only)
  routes "$1"
  echo "$1|$2|-|java -XX:+UseParallelGC -Xms256m -Xmx256m -jar $JAR --http-host 127.0.0.1 \
 --http-port \$HTTP_PORT --status-port 0 --routes-file $OUT_DIR/routes/$1.yaml \
 --default-backend 127.0.0.1:\$BACKEND_404_PORT --set log.access=false --set admin.enabled=false \
 --set store.dir=\$RUN_DIR/gatehouse-data-$1 --set eventLoops=1"
}

run() {  # run DIR SCENARIO KIND... (no kind: nothing to run, e.g. KINDS_H1=" ")
  local dir=$1 scenario=$2; shift 2
  [[ $# -gt 0 ]] || return 0
  local specs=() port=19100 k
  for k in none "$@" none2; do
    specs+=("$(target "$k" $port)")
    export "WARMUP_${k//-/_}=10"
    port=$((port + 1))
  done
  local others; others=$(printf '%s,' "$@" none2); others=${others%,}
  OUT_DIR="$OUT_DIR/$dir" SCENARIOS=$scenario REF_PROXY=none REF_CEILING=$others \
    ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-8} START_TIMEOUT=90 \
    WRK_HEADERS=$'Origin: https://app.example.com\nAccept-Encoding: gzip, br, zstd' \
    bench/bench.sh ${CHECK_ONLY:+--check-only} "${specs[@]}"
}

# shellcheck disable=SC2086
run h1 h1 ${KINDS_H1:-request-headers header-variables response-headers rewrite-prefix rewrite-regex redirect cors split canary sticky mirror error-pages}
# shellcheck disable=SC2086
run 4k h1-4k ${KINDS_4K:-gzip br zstd}
echo "reports: $OUT_DIR/h1/report.md $OUT_DIR/4k/report.md"
