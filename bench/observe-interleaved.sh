#!/usr/bin/env bash
# What observing each request costs (issue #18), measured so that this machine's drift cancels: all
# processes run at once (every one pinned to core 0, load and backend on core 1), each setting in
# several processes, and each round gives every process one short window in a shuffled order.
# A whole-process run per setting (bench/observe-cost.sh) drifts by +-15 % from one minute to the
# next here, and a fresh JVM still compiles for 30-40 s (tracing loads the exporter, compiled
# slowly because it runs in bursts): both swamp a 3 % goal. Here each window is compared with the
# bare processes' windows of the same round, after a warm-up long enough for the compilers to go
# quiet (the compiler threads' CPU in the measured windows is reported, so a reader can check).
#   bench/observe-interleaved.sh [JAR]   (default router/target/gatehouse.jar)
# A/B of two builds: ALT_JAR=other.jar and a kind with "-alt" (e.g. KINDS="tracing tracing-alt")
# runs that kind's settings on ALT_JAR, in the same rounds; ALT_JVM_FLAGS (words) are added to the
# -alt processes' JVM flags (an A/B of one build under two JVM settings: ALT_JAR may be JAR itself).
# Environment: KINDS ("tracing metrics"; also accesslog, dashboard, tr0 and tr100 (tracing at 0 and 100 %)), PROCS (3 per setting), ROUNDS (10),
# WINDOW (4 s), WARMUP ("20 10 10": load passes per process, each on new connections), CONNS (64),
# OUT_DIR. Result: $OUT_DIR/report.md and raw.tsv; docs/benchmarks.md, "Issue #18".
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(realpath "${1:-router/target/gatehouse.jar}")
[[ -f $JAR ]] || { echo "no jar at $JAR: ./mvnw -B -q -pl router -am package -DskipTests" >&2; exit 2; }
ALT_JAR=${ALT_JAR:+$(realpath "$ALT_JAR")}
for tool in wrk nginx taskset curl python3; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
KINDS=${KINDS:-tracing metrics} PROCS=${PROCS:-3} ROUNDS=${ROUNDS:-10} WINDOW=${WINDOW:-4}
WARMUP=${WARMUP:-20 10 10} CONNS=${CONNS:-64}
OUT_DIR=${OUT_DIR:-${TMPDIR:-/tmp}/gatehouse-bench/observe-interleaved-$(date +%Y%m%d-%H%M%S)}
RUN=$OUT_DIR/run
mkdir -p "$RUN/tmp-backend" "$OUT_DIR/logs"
log() { printf '[%s] %s\n' "$(date +%T)" "$*" | tee -a "$OUT_DIR/bench.log" >&2; }
BA=18081 BB=18082 B404=18089
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $BA $BB $B404; do port_open "$p" && { echo "port $p is in use" >&2; exit 1; }; done

# The backend: bench.sh's nginx (one worker on core 1); B answers the trace exporter's POSTs.
bench/lib/gen-certs.sh "$RUN/certs" rsa2048 >/dev/null
cp bench/conf/body4k.txt "$RUN/"
sed -e "s|@RUN_DIR@|$RUN|g" -e "s|@CERT_DIR@|$RUN/certs|g" -e "s|@BACKEND_A_PORT@|$BA|g" \
  -e "s|@BACKEND_B_PORT@|$BB|g" -e "s|@BACKEND_404_PORT@|$B404|g" -e "s|@BACKEND_TLS_PORT@|18091|g" \
  bench/conf/backend-nginx.conf.tmpl > "$RUN/backend.conf"
taskset -c 1 nginx -p "$RUN" -c "$RUN/backend.conf" -g 'daemon off;' > "$OUT_DIR/logs/backend.log" 2>&1 < /dev/null &
PIDS=($!)
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
echo "routes: [{name: a, hosts: [a.example], backend: {endpoints: [\"127.0.0.1:$BA\"]}}]" > "$RUN/routes.yaml"

# shellcheck source=lib/observe-settings.sh
. bench/lib/observe-settings.sh

declare -A PORT PID
NAMES=()
port=19400
for k in bare $KINDS; do
  for ((i = 1; i <= PROCS; i++)); do
    n="$k-$i"
    jar=$JAR jvm=()
    if [[ $k == *-alt ]]; then
      [[ -f ${ALT_JAR:-} ]] || { echo "kind $k needs ALT_JAR=a jar" >&2; exit 2; }
      jar=$ALT_JAR
      read -r -a jvm <<< "${ALT_JVM_FLAGS:-}"
    fi
    flags=$(observe_settings "${k%-alt}" "$BB" "$RUN/access-$n.log")
    # shellcheck disable=SC2086  # flags are words
    taskset -c 0 java -XX:+UseParallelGC -Xms256m -Xmx256m "${jvm[@]}" -jar "$jar" --http-host 127.0.0.1 \
      --http-port $port --status-port 0 --routes-file "$RUN/routes.yaml" \
      --default-backend 127.0.0.1:$B404 --set admin.enabled=false --set store.dir="$RUN/data-$n" \
      --set eventLoops=1 $flags > "$OUT_DIR/logs/$n.log" 2>&1 < /dev/null &
    PID[$n]=$!; PORT[$n]=$port; PIDS+=($!); NAMES+=("$n")
    port=$((port + 1))
  done
done
for n in "${NAMES[@]}"; do
  for ((t = 0; t < 360; t++)); do
    curl -s -o /dev/null -H 'Host: a.example' "http://127.0.0.1:${PORT[$n]}/" && break
    kill -0 "${PID[$n]}" 2>/dev/null || { echo "$n died, see $OUT_DIR/logs/$n.log" >&2; exit 1; }
    sleep 0.5
  done
done
load() {  # load NAME SECONDS -> "req/s requests errors"
  taskset -c 1 wrk -t1 -c"$CONNS" -d"${2}s" -H 'Host: a.example' "http://127.0.0.1:${PORT[$1]}/" |
    awk '/requests in/ {n = $1} /Socket errors|Non-2xx/ {e = 1} /Requests\/sec/ {r = $2}
         END {print r + 0, n + 0, e + 0}'
}
cpu_ns() {  # CPU time of all a process's threads, in ns (on core 0 or not: only its own)
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'
}
jit_ticks() {  # CPU ticks of a process's compiler threads
  for t in /proc/"$1"/task/*; do
    c=$(cat "$t/comm" 2>/dev/null) || continue
    if [[ $c == C1* || $c == C2* ]]; then sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}'; fi
  done | awk '{s += $1} END {print s + 0}'
}
pass=0
for w in $WARMUP; do
  pass=$((pass + 1))
  log "warm-up pass $pass: ${w} s per process (${#NAMES[@]} processes)"
  for n in "${NAMES[@]}"; do load "$n" "$w" > /dev/null; done
done
RAW=$OUT_DIR/raw.tsv
{
  echo "# $(date -Iseconds) $(uname -r) jar=$JAR alt=${ALT_JAR:-none} alt_jvm=${ALT_JVM_FLAGS:-none} KINDS=$KINDS PROCS=$PROCS ROUNDS=$ROUNDS WINDOW=$WINDOW WARMUP=$WARMUP CONNS=$CONNS"
  printf 'round\tprocess\tkind\trps\tjit_ticks\twindow_s\trequests\tcpu_ns\n'
} > "$RAW"
for ((r = 1; r <= ROUNDS; r++)); do
  log "round $r/$ROUNDS"
  for n in $(printf '%s\n' "${NAMES[@]}" | shuf); do
    j0=$(jit_ticks "${PID[$n]}") c0=$(cpu_ns "${PID[$n]}")
    read -r rps requests errors < <(load "$n" "$WINDOW")
    c1=$(cpu_ns "${PID[$n]}") j1=$(jit_ticks "${PID[$n]}")
    ((errors == 0)) || { echo "$n answered errors in round $r: not a valid window" >&2; exit 1; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$n" "${n%-*}" "$rps" $((j1 - j0)) "$WINDOW" \
      "$requests" $((c1 - c0)) >> "$RAW"
  done
done
python3 bench/lib/interleaved-report.py "$RAW" "$(getconf CLK_TCK)" > "$OUT_DIR/report.md"
cat "$OUT_DIR/report.md"
echo "report: $OUT_DIR/report.md, raw: $RAW"
