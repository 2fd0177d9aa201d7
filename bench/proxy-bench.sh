#!/usr/bin/env bash
# Gatehouse side by side with nginx and HAProxy as reverse proxies to the same nginx backend.
# Each proxy is pinned to core $PROXY_CPU (default 0); wrk/h2load and the backend run on the other.
# Targets are interleaved over $ROUNDS rounds (default 3); report.md holds medians and ratios.
#
#   bench/proxy-bench.sh                     # h1 and h1-4k, 3 rounds of 15 s
#   SCENARIOS="tls hs h2" bench/proxy-bench.sh   # HTTPS keep-alive, new handshakes, HTTP/2 over TLS
#   ROUNDS=5 SCENARIOS="h1" bench/proxy-bench.sh
#
# Needs: nginx haproxy wrk nghttp2-client apache2-utils libnss-wrapper curl (Debian packages).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
JAR=${JAR:-$root/router/target/gatehouse.jar}
if [[ ! -f $JAR ]]; then
  (cd "$root" && ./mvnw -B -q -DskipTests package)
fi
export SCENARIOS=${SCENARIOS:-"h1 h1-4k"}
export WARMUP_gatehouse=${WARMUP_gatehouse:-15}
export START_TIMEOUT=${START_TIMEOUT:-90}
JAVA_OPTS=${JAVA_OPTS:-"-XX:+UseParallelGC -Xms256m -Xmx256m"}
source "$here/lib/gatehouse-cmd.sh"
GATEHOUSE_CMD=$(gatehouse_cmd "$JAVA_OPTS")
exec "$here/bench.sh" "$@" nginx haproxy "gatehouse|18200|18643|$GATEHOUSE_CMD"
