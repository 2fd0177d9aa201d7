#!/usr/bin/env bash
# An endpoint killed under load (issue #14): nginx, HAProxy and Gatehouse in front of the same
# backend of 4 endpoints, one of them killed with SIGKILL and started again.
#
#   bench/kill-test.sh                          # nginx haproxy gatehouse, GET and POST, 2 rounds
#   ROUNDS=1 METHODS=GET bench/kill-test.sh gatehouse
#   GATEHOUSE_POLICIES=1 bench/kill-test.sh gatehouse   # with the backend's health check and
#                                                       # outlier detection (issue #14's keys)
#
# Per round, target and method, everything fresh: 4 endpoints (bench/conf/kill-backend.conf.tmpl,
# one nginx process each, no master, so `kill -9` stops the endpoint at once and the same command
# brings it back on its port), the proxy, and bench/lib/killbench-load.py: $RATE requests a second
# at a fixed rate over $CONNS keep-alive connections, each request's times and outcome recorded.
# After $WARMUP s of unmeasured load ($GATEHOUSE_WARMUP for Gatehouse) the measured run starts
# (T=0): at T=$KILL_AT s endpoint $KILL_ENDPOINT is killed, at T=$RESTART_AT s started again, the
# load stops at T=$STOP_AT s.
# bench/lib/killbench-report.py turns each run into a row of raw.tsv and a per-second timeline
# (its docstring defines failures, detection and recovery); report.md has every row.
#
# Targets: nginx (passive only: max_fails=1 fail_timeout=10s, proxy_next_upstream error timeout,
# its defaults; bench/conf/kill-nginx.conf.tmpl), haproxy (active: option httpchk GET /healthz,
# check inter 1s fall 3 rise 2, retries 1, option redispatch; bench/conf/kill-haproxy.cfg.tmpl),
# haproxy-observe (the same plus passive: observe layer4 error-limit 1 on-error mark-down),
# gatehouse (a routes file; GATEHOUSE_POLICIES=1 adds $GATEHOUSE_HEALTH_CHECK and
# $GATEHOUSE_OUTLIER_DETECTION to the backend, which a node without issue #14's keys refuses).
# Proxy on core $PROXY_CPU, load and endpoints on core $LOAD_CPU, like bench/bench.sh.
#
# Everything runs in a network namespace of its own (NETNS=1, root; `ip netns`), on its loopback:
# the kernel's TCP counters there count only this test's connects, so AttemptFails is the number
# of connects to the dead endpoint (no port clashes with other work either). NETNS=0 runs on the
# host's loopback, where the refused-connect figures include everything else on the machine.
#
# Needs: nginx haproxy curl python3 taskset iproute2 (ip, ss), java 17 and the Gatehouse jar
# (JAR=..., default router/target/gatehouse.jar, built if missing).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

: "${ROUNDS:=2}"
: "${METHODS:=GET POST}"
: "${RATE:=1000}"               # requests a second, fixed (open loop)
: "${CONNS:=16}"                # client keep-alive connections
: "${WARMUP:=5}"                # unmeasured load before T=0 (s)
: "${GATEHOUSE_WARMUP:=15}"     # the JVM's: as bench/proxy-bench.sh (JIT; with 5 s a loaded machine left it behind)
: "${KILL_AT:=5}"
: "${RESTART_AT:=15}"
: "${STOP_AT:=25}"
: "${KILL_ENDPOINT:=2}"         # which of be1..be4
: "${PROXY_CPU:=0}"
: "${LOAD_CPU:=1}"
: "${START_TIMEOUT:=90}"
: "${NETNS:=1}"
: "${JAVA_OPTS:=-XX:+UseParallelGC -Xms256m -Xmx256m}"   # as bench/proxy-bench.sh
: "${GATEHOUSE_EVENT_LOOPS:=1}"
: "${GATEHOUSE_POLICIES:=0}"
# (not ": ${X:=...}": the braces of the values would end the expansion)
[[ -n ${GATEHOUSE_HEALTH_CHECK:-} ]] ||
  GATEHOUSE_HEALTH_CHECK='{http: {path: /healthz}, interval: 1s, timeout: 500ms, unhealthyThreshold: 2, healthyThreshold: 2}'
[[ -n ${GATEHOUSE_OUTLIER_DETECTION:-} ]] ||
  GATEHOUSE_OUTLIER_DETECTION='{consecutiveGatewayErrors: 1, baseEjectionTime: 10s}'
: "${OUT_DIR:=${TMPDIR:-/tmp}/gatehouse-bench/kill-test/$(date +%Y%m%d-%H%M%S)}"
export OUT_DIR

TARGETS=()
for a in "$@"; do
  case "$a" in
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
    nginx|haproxy|haproxy-observe|gatehouse) TARGETS+=("$a") ;;
    *) echo "unknown target $a (nginx haproxy haproxy-observe gatehouse)" >&2; exit 2 ;;
  esac
done
[[ ${#TARGETS[@]} -eq 0 ]] && TARGETS=(nginx haproxy gatehouse)

for tool in nginx curl python3 taskset ss; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
if [[ " ${TARGETS[*]} " == *" haproxy"* ]]; then command -v haproxy >/dev/null || { echo "missing haproxy" >&2; exit 1; }; fi
if [[ " ${TARGETS[*]} " == *" gatehouse "* ]]; then
  JAR=${JAR:-$root/router/target/gatehouse.jar}
  if [[ ! -f $JAR ]]; then (cd "$root" && ./mvnw -B -q -o package -DskipTests -pl router -am) || exit 1; fi
  export JAR
fi

# ------------------------------------------------------------------ own network namespace
if [[ $NETNS == 1 && -z ${KILLBENCH_NETNS:-} ]]; then
  ns=killbench-$$
  ip netns add "$ns" || { echo "cannot create a network namespace (root needed; NETNS=0 runs without)" >&2; exit 1; }
  trap 'ip netns del "$ns" 2>/dev/null' EXIT
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" env KILLBENCH_NETNS="$ns" "$0" "$@"
  exit $?
fi

mkdir -p "$OUT_DIR"
log() { printf '[%s] %s\n' "$(date +%T)" "$*" | tee -a "$OUT_DIR/bench.log" >&2; }

HTTP_PORT=18000
DEFAULT_PORT=18199              # the node's default backend: nothing listens, no request goes there
BE_NAMES=(be1 be2 be3 be4)
BE_PORTS=(18101 18102 18103 18104)
KILLED=${BE_NAMES[$((KILL_ENDPOINT - 1))]}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Listening, seen without connecting: a connect to the restarting endpoint would be refused, and
# refused connects are what the test counts.
listening() { [[ -n $(ss -Hltn "sport = :$1") ]]; }
wait_port() {  # wait_port PORT SECONDS PID
  local i
  for ((i = 0; i < $2 * 50; i++)); do
    listening "$1" && return 0
    [[ -n ${3:-} ]] && ! kill -0 "$3" 2>/dev/null && return 1
    sleep 0.02
  done
  return 1
}
tree_pids() { local c; echo "$1"; for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do tree_pids "$c"; done; }
stop_pid_tree() {  # TERM a process tree, KILL what is left after 10 s
  local root=$1 pids i p
  [[ -z "$root" ]] && return 0
  pids=$(tree_pids "$root")
  kill -TERM "$root" 2>/dev/null
  for ((i = 0; i < 50; i++)); do kill -0 "$root" 2>/dev/null || break; sleep 0.2; done
  for p in $pids; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
  wait "$root" 2>/dev/null
}
now() { date +%s.%N; }
sleep_until() { local d; d=$(awk -v t="$1" -v n="$(now)" 'BEGIN { d = t - n; print (d > 0 ? d : 0) }'); sleep "$d"; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a + b }'; }
rel() { awk -v a="$1" -v t0="$2" 'BEGIN { printf "%.6f", a - t0 }'; }

render() {  # render TEMPLATE OUT [sed args...]
  local t=$1 o=$2; shift 2
  sed -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@HTTP_PORT@|$HTTP_PORT|g" \
      -e "s|@BE1_PORT@|${BE_PORTS[0]}|g" -e "s|@BE2_PORT@|${BE_PORTS[1]}|g" \
      -e "s|@BE3_PORT@|${BE_PORTS[2]}|g" -e "s|@BE4_PORT@|${BE_PORTS[3]}|g" "$@" "$t" > "$o"
}

# ------------------------------------------------------------------ endpoints and proxies
declare -A BE_PID=()
start_endpoint() {  # start_endpoint INDEX (0-based); one nginx process on the load core
  local n=${BE_NAMES[$1]}
  [[ -f $RUN_DIR/$n.conf ]] || { mkdir -p "$RUN_DIR/tmp-$n"; render "$here/conf/kill-backend.conf.tmpl" "$RUN_DIR/$n.conf" -e "s|@NAME@|$n|g" -e "s|@PORT@|${BE_PORTS[$1]}|g"; }
  taskset -c "$LOAD_CPU" nginx -p "$RUN_DIR" -c "$RUN_DIR/$n.conf" >>"$RUN_DIR/$n.out" 2>&1 </dev/null &
  BE_PID[$1]=$!
}
stop_endpoints() { local i; for i in 0 1 2 3; do stop_pid_tree "${BE_PID[$i]:-}"; BE_PID[$i]=""; done; }

T_PID=""
define_target() {  # sets T_CMD for target $1, in $RUN_DIR
  local ep i
  case "$1" in
    nginx)
      mkdir -p "$RUN_DIR/tmp-nginx"
      render "$here/conf/kill-nginx.conf.tmpl" "$RUN_DIR/proxy.conf"
      T_CMD="nginx -p $RUN_DIR -c $RUN_DIR/proxy.conf -g 'daemon off;'" ;;
    haproxy|haproxy-observe)
      local obs=""; [[ $1 == haproxy-observe ]] && obs="observe layer4 error-limit 1 on-error mark-down"
      render "$here/conf/kill-haproxy.cfg.tmpl" "$RUN_DIR/proxy.conf" -e "s|@OBSERVE@|$obs|"
      T_CMD="haproxy -db -f $RUN_DIR/proxy.conf" ;;
    gatehouse)
      ep=""; for i in 0 1 2 3; do ep+="${ep:+, }\"127.0.0.1:${BE_PORTS[$i]}\""; done
      {
        echo "routes:"
        echo "  - name: a"
        echo "    hosts: [a.example]"
        echo "    backend:"
        echo "      endpoints: [$ep]"
        if [[ $GATEHOUSE_POLICIES == 1 ]]; then
          echo "      healthCheck: $GATEHOUSE_HEALTH_CHECK"
          echo "      outlierDetection: $GATEHOUSE_OUTLIER_DETECTION"
        fi
      } > "$RUN_DIR/routes.yaml"
      T_CMD="java $JAVA_OPTS -jar $JAR --http-host 127.0.0.1 --http-port $HTTP_PORT --status-port 0 \
 --routes-file $RUN_DIR/routes.yaml --default-backend 127.0.0.1:$DEFAULT_PORT --set log.access=false \
 --set admin.enabled=false --set store.dir=$RUN_DIR/gatehouse-data --set eventLoops=$GATEHOUSE_EVENT_LOOPS" ;;
  esac
}
start_target() {
  port_open "$HTTP_PORT" && { log "port $HTTP_PORT already in use"; return 1; }
  (exec taskset -c "$PROXY_CPU" bash -c "exec $T_CMD") >>"$RUN_DIR/proxy.log" 2>&1 </dev/null &
  T_PID=$!
  wait_port "$HTTP_PORT" "$START_TIMEOUT" "$T_PID" || {
    log "$1 did not open $HTTP_PORT: $(tail -1 "$RUN_DIR/proxy.log" | cut -c1-400)"; return 1; }
  local i
  for ((i = 0; i < START_TIMEOUT * 5; i++)); do   # answering through every endpoint
    [[ $(curl -s -m 2 -o /dev/null -w '%{http_code}' -H 'Host: a.example' "http://127.0.0.1:$HTTP_PORT/") == 200 ]] && return 0
    sleep 0.2
  done
  log "$1 does not answer 200"; return 1
}
cleanup() { stop_pid_tree "$T_PID"; T_PID=""; stop_endpoints; }
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

# ------------------------------------------------------------------ one kill
run_one() {  # run_one ROUND TARGET METHOD
  local round=$1 target=$2 method=$3 i
  RUN_DIR="$OUT_DIR/runs/r$round-$target-$method"
  mkdir -p "$RUN_DIR"
  for i in 0 1 2 3; do start_endpoint "$i"; done
  for i in 0 1 2 3; do wait_port "${BE_PORTS[$i]}" 20 "${BE_PID[$i]}" || { log "endpoint ${BE_NAMES[$i]} did not start"; stop_endpoints; return 1; }; done
  define_target "$target"
  start_target "$target" || { cleanup; return 1; }
  # the start-up checks and requests above are not measured: the logs start empty
  for i in 0 1 2 3; do : > "$RUN_DIR/${BE_NAMES[$i]}-access.log"; done

  local start t0 until kill_t restart_t listen_t client warm=$WARMUP
  [[ $target == gatehouse ]] && warm=$GATEHOUSE_WARMUP
  start=$(add "$(now)" 1); t0=$(add "$start" "$warm"); until=$(add "$t0" "$STOP_AT")
  timeout -k 5 $((warm + STOP_AT + 60)) taskset -c "$LOAD_CPU" python3 "$here/lib/killbench-load.py" \
    --port "$HTTP_PORT" --method "$method" --rate "$RATE" --conns "$CONNS" \
    --start "$start" --t0 "$t0" --until "$until" \
    --out "$RUN_DIR/requests.tsv" --snmp "$RUN_DIR/snmp.tsv" 2>"$RUN_DIR/client.log" &
  client=$!
  local k=$((KILL_ENDPOINT - 1))
  sleep_until "$(add "$t0" "$KILL_AT")"
  kill_t=$(now); kill -KILL "${BE_PID[$k]}"
  wait "${BE_PID[$k]}" 2>/dev/null
  sleep_until "$(add "$t0" "$RESTART_AT")"
  restart_t=$(now); start_endpoint "$k"
  wait_port "${BE_PORTS[$k]}" 20 "${BE_PID[$k]}"; listen_t=$(now)
  wait "$client" || log "  client exited with $? (see $RUN_DIR/client.log)"
  kill -0 "$T_PID" 2>/dev/null || log "  $target died during the run"
  stop_pid_tree "$T_PID"; T_PID=""
  stop_endpoints
  printf 't0_epoch\t%s\nkill\t%s\nrestart\t%s\nlisten\t%s\nstop\t%s\nrate\t%s\nkilled\t%s\nkilled_address\t%s\nendpoints\t%s\ntarget\t%s\nmethod\t%s\nround\t%s\n' \
    "$t0" "$(rel "$kill_t" "$t0")" "$(rel "$restart_t" "$t0")" "$(rel "$listen_t" "$t0")" "$STOP_AT" "$RATE" \
    "$KILLED" "127.0.0.1:${BE_PORTS[$k]}" "$(IFS=,; echo "${BE_NAMES[*]}")" "$target" "$method" "$round" > "$RUN_DIR/events.tsv"
  local hdr=(); [[ -f $OUT_DIR/raw.tsv ]] || hdr=(--header)
  python3 "$here/lib/killbench-report.py" run "$RUN_DIR" "${hdr[@]}" >> "$OUT_DIR/raw.tsv" || { log "  no figures for $RUN_DIR"; return 1; }
  log "  $(tail -1 "$OUT_DIR/raw.tsv")"
}

{
  echo "# date: $(date -Is)  host: $(hostname)  kernel: $(uname -r)  cpus: $(nproc)  netns: ${KILLBENCH_NETNS:-none}"
  echo "# ROUNDS=$ROUNDS METHODS=$METHODS RATE=$RATE CONNS=$CONNS WARMUP=$WARMUP GATEHOUSE_WARMUP=$GATEHOUSE_WARMUP KILL_AT=$KILL_AT RESTART_AT=$RESTART_AT STOP_AT=$STOP_AT KILL_ENDPOINT=$KILL_ENDPOINT"
  echo "# TARGETS=${TARGETS[*]} GATEHOUSE_POLICIES=$GATEHOUSE_POLICIES JAR=${JAR:-} nginx=$(nginx -v 2>&1 | sed 's/.*\///') haproxy=$(haproxy -v 2>/dev/null | awk 'NR==1 {print $3}')"
} > "$OUT_DIR/settings.txt"
log "results -> $OUT_DIR"
FAILED=0
for ((round = 1; round <= ROUNDS; round++)); do
  for method in $METHODS; do
    for target in "${TARGETS[@]}"; do
      log "round $round/$ROUNDS: $target $method (load average $(cut -d' ' -f1-3 /proc/loadavg))"
      run_one "$round" "$target" "$method" || { log "  $target $method failed"; FAILED=$((FAILED + 1)); }
      sleep 1
    done
  done
done
# every row again with one version of the figures (also: bench/lib/killbench-report.py all OUT_DIR)
[[ -f $OUT_DIR/raw.tsv ]] && python3 "$here/lib/killbench-report.py" all "$OUT_DIR" && cat "$OUT_DIR/report.md"
((FAILED == 0)) || { log "$FAILED run(s) failed"; exit 1; }
