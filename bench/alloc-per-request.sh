#!/usr/bin/env bash
# Bytes allocated and CPU time per proxied HTTP/1.1 keep-alive request, for one Gatehouse jar.
# Unlike req/s, the bytes do not move with the machine's load (young-generation accounting from
# jstat across a wrk run: collections x eden + eden growth, over wrk's exact request count), so
# two jars can be compared on a busy machine; the CPU figure does move with load.
#   bench/alloc-per-request.sh JAR [SECONDS]       (default 10; run it a few times per jar)
# Proxy on core 0, wrk on core 1, one nginx backend (return 200), 10 s of warm-up first.
# Environment: PORT (18380; the backend takes PORT+1), JOPTS (extra JVM options, e.g. a JFR
# recording with settings=profile for the allocation sites).
set -euo pipefail
JAR=$(realpath "$1"); SECS=${2:-10}
PORT=${PORT:-18380}; BACKEND=$((PORT + 1))
D=${TMPDIR:-/tmp}/gatehouse-bench/alloc-$$; mkdir -p "$D/tmp"
cat > "$D/nginx.conf" <<NG
worker_processes 1; pid $D/nginx.pid; error_log $D/err.log warn; daemon off;
events { worker_connections 4096; }
http { access_log off; default_type text/plain; keepalive_requests 10000000;
 client_body_temp_path $D/tmp; proxy_temp_path $D/tmp; fastcgi_temp_path $D/tmp;
 uwsgi_temp_path $D/tmp; scgi_temp_path $D/tmp;
 server { listen 127.0.0.1:$BACKEND; location / { return 200 "backend-a\n"; } } }
NG
taskset -c 1 nginx -c "$D/nginx.conf" -p "$D" & NG=$!
# A fixed young generation, so collections x eden counts every byte.
# shellcheck disable=SC2086
taskset -c 0 java ${JOPTS:-} -XX:+UseParallelGC -Xms256m -Xmx256m -Xmn128m -XX:-UseAdaptiveSizePolicy \
  -jar "$JAR" --http-host 127.0.0.1 --http-port "$PORT" --status-port 0 \
  --route "a.example=127.0.0.1:$BACKEND" --set log.access=false --set admin.enabled=false \
  --set "store.dir=$D/data" --set eventLoops=1 > "$D/node.log" 2>&1 & P=$!
trap 'kill $P $NG 2>/dev/null; wait 2>/dev/null; rm -rf "$D"' EXIT
for _ in $(seq 150); do curl -s -o /dev/null -H 'Host: a.example' "http://127.0.0.1:$PORT/" && break; sleep 0.2; done
load() { taskset -c 1 wrk -t1 -c64 -d"$1s" -H 'Host: a.example' "http://127.0.0.1:$PORT/"; }
load 10 > /dev/null
gc() { jstat -gc "$P" | awk 'NR==2 {print $5, $6, $13}'; }   # EC EU YGC (KiB, KiB, count)
cpu() { awk '{print $14 + $15}' "/proc/$P/stat"; }             # user + system, in ticks
read -r ec eu0 g0 <<<"$(gc)"; c0=$(cpu)
n=$(load "$SECS" | awk '/requests in/ {print $1}')
c1=$(cpu); read -r _ eu1 g1 <<<"$(gc)"
awk -v ec="$ec" -v eu0="$eu0" -v eu1="$eu1" -v g0="$g0" -v g1="$g1" -v n="$n" -v c0="$c0" -v c1="$c1" \
  -v hz="$(getconf CLK_TCK)" -v j="$(basename "$JAR")" \
  'BEGIN { printf "%s requests=%d bytes/req=%.0f cpu_us/req=%.2f\n", j, n,
           ((g1 - g0) * ec + eu1 - eu0) * 1024 / n, (c1 - c0) * 1e6 / hz / n }'
