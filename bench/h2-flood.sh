#!/usr/bin/env bash
# HTTP/2 floods beside a legitimate client (issue #11): Gatehouse, nginx and HAProxy in one run.
#
#   bench/h2-flood.sh                          # 3 interleaved rounds, h2 over TLS
#   ROUNDS=1 WARM_SECS=3 IDLE_N=200 FLOOD_SECS=5 bench/h2-flood.sh   # smoke run
#   SCHEMES="tls h2c" bench/h2-flood.sh gatehouse nginx         # also h2c (prior knowledge)
#
# Per round and target (proxy pinned to $PROXY_CPU, backend + clients + flooders to $LOAD_CPU):
#   warm-up: the legitimate client for $WARM_SECS s, one unmeasured flood burst ($WARM_FLOOD_SECS s) and
#            3 s more of legitimate requests, so the JIT has compiled the request and the flood paths,
#   idle:    the legitimate client alone, $IDLE_N sequential requests on one h2 connection (h2load -c1 -m1),
#   during:  the same client for $FLOOD_SECS s while bench/lib/h2flood.py floods: SETTINGS, PING,
#            1-byte WINDOW_UPDATE, PRIORITY, empty DATA; $PER_KIND attackers per kind, each up to
#            $MAX_CONNS connections one after the other, $FRAMES frames each, never reading.
# Records legit p50/p99/max idle and during (only requests started inside the flood window),
# errors, flooding connections cut by the proxy and how fast, proxy CPU (/proc/PID/stat) and peak
# RSS (VmHWM). Writes raw.tsv, report.md (medians over rounds, during/idle ratios) under $OUT_DIR.
#
# Needs: nginx haproxy nghttp2-client (h2load) curl openssl python3 (Debian packages).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

: "${ROUNDS:=3}"
: "${SCHEMES:=tls}"             # tls (h2 over TLS, ALPN) and/or h2c (prior knowledge)
: "${WARM_SECS:=10}"            # legitimate warm-up (s); Gatehouse's sequential p50 needs ~10k requests to settle
: "${WARM_FLOOD_SECS:=5}"       # unmeasured flood burst in the warm-up (JIT compiles the flood paths)
: "${IDLE_N:=1000}"             # legitimate requests measured alone
: "${FLOOD_SECS:=10}"           # flood window = measured "during" run
: "${PER_KIND:=2}"              # attackers per flood kind (5 kinds)
: "${MAX_CONNS:=100}"           # connections per attacker, one after the other (a cut attacker reconnects)
: "${FRAMES:=100000}"           # frames per flooding connection at most
: "${CONN_SECS:=5}"             # longest life of one flooding connection
: "${SETTLE:=2}"                # seconds of quiet between phases
: "${FLOOD_NICE:=10}"            # flooders share the load core with the legit client and backend: below them
: "${PROXY_CPU:=0}"
: "${LOAD_CPU:=1}"
: "${START_TIMEOUT:=90}"
: "${JAVA_OPTS:=-XX:+UseParallelGC -Xms256m -Xmx256m}"   # as bench/proxy-bench.sh
: "${GATEHOUSE_EVENT_LOOPS:=1}"
: "${OUT_DIR:=${TMPDIR:-/tmp}/gatehouse-bench/h2-flood/$(date +%Y%m%d-%H%M%S)}"
: "${CERT_DIR:=${TMPDIR:-/tmp}/gatehouse-bench/certs/rsa2048}"
export GATEHOUSE_EVENT_LOOPS

TARGETS=()
for a in "$@"; do
  case "$a" in
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) TARGETS+=("$a") ;;
  esac
done
[[ ${#TARGETS[@]} -eq 0 ]] && TARGETS=(gatehouse nginx haproxy)
for tool in h2load curl openssl taskset python3 nginx; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool (apt-get install -y nginx haproxy nghttp2-client)" >&2; exit 1; }
done
for t in "${TARGETS[@]}"; do
  case "$t" in
    gatehouse) JAR=${JAR:-$(ls "$root"/router/target/gatehouse.jar 2>/dev/null)}
               if [[ -z "$JAR" ]]; then (cd "$root" && ./mvnw -B -q -o package -DskipTests -pl router -am) || exit 1; JAR=$root/router/target/gatehouse.jar; fi ;;
    nginx|haproxy) command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 1; } ;;
    *) echo "unknown target $t (gatehouse nginx haproxy)" >&2; exit 2 ;;
  esac
done

RUN_DIR="$OUT_DIR/run"
mkdir -p "$OUT_DIR/logs" "$RUN_DIR"/{tmp-backend,tmp-nginx}
log() { printf '[%s] %s\n' "$(date +%T)" "$*" | tee -a "$OUT_DIR/bench.log" >&2; }

# ------------------------------------------------------------------ ports: a free block on loopback
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_block_free() { local o; for o in 0 2 43 81 82 88 89 91; do port_open $(($1 + o)) && return 1; done; return 0; }
BASE=""
for b in ${PORT_BASE:-} 18300 18400 18500 18600 18700 18800 18900 19100 19300 19500; do
  port_block_free "$b" && { BASE=$b; break; }
done
[[ -n "$BASE" ]] || { echo "no free port block in 18300-19599" >&2; exit 1; }
HTTP_PORT=$BASE; H2C_PORT=$((BASE + 2)); HTTPS_PORT=$((BASE + 43))
BACKEND_A_PORT=$((BASE + 81)); BACKEND_B_PORT=$((BASE + 82)); BACKEND_404_PORT=$((BASE + 89))
BACKEND_TLS_PORT=$((BASE + 91)); BACKEND_STATUS_PORT=$((BASE + 88))
export HTTP_PORT HTTPS_PORT CERT_DIR RUN_DIR BACKEND_A_PORT BACKEND_B_PORT BACKEND_404_PORT

"$here/lib/gen-certs.sh" "$CERT_DIR" rsa2048 || exit 1
cp "$here/conf/body4k.txt" "$RUN_DIR/body4k.txt"

render() {  # render TEMPLATE OUT: the placeholders of bench/conf/*.tmpl
  sed -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@CERT_DIR@|$CERT_DIR|g" \
      -e "s|@HTTP_PORT@|$HTTP_PORT|g" -e "s|@HTTPS_PORT@|$HTTPS_PORT|g" \
      -e "s|@BACKEND_A_PORT@|$BACKEND_A_PORT|g" -e "s|@BACKEND_B_PORT@|$BACKEND_B_PORT|g" \
      -e "s|@BACKEND_404_PORT@|$BACKEND_404_PORT|g" -e "s|@BACKEND_TLS_PORT@|$BACKEND_TLS_PORT|g" \
      "$1" > "$2"
}
wait_port() {  # wait_port PORT SECONDS PID
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    port_open "$1" && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
tree_pids() { local c; echo "$1"; for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do tree_pids "$c"; done; }
cpu_ticks() {  # utime+stime of a process tree (clock ticks)
  local t=0 p v
  for p in $(tree_pids "$1"); do
    v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12+$13}')
    t=$((t + ${v:-0}))
  done
  echo "$t"
}
proc_stat() { awk '/^cpu[0-9]+ / {print $1, $2+$3+$4+$7+$8, $5+$6}' /proc/stat; }
core_busy() {  # core_busy BEFORE AFTER CPU -> busy % of that core
  python3 - "$1" "$2" "cpu$3" <<'PY'
import sys
p = lambda s: {l.split()[0]: list(map(int, l.split()[1:])) for l in s.strip().splitlines()}
b, a = p(sys.argv[1]), p(sys.argv[2])
d = [x - y for x, y in zip(a[sys.argv[3]], b[sys.argv[3]])]
print(f"{100 * d[0] / (sum(d) or 1):.0f}")
PY
}
mem_kb() {  # "VmHWM VmRSS" summed over a process tree, kB
  local p h=0 r=0 a b
  for p in $(tree_pids "$1"); do
    a=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null); b=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null)
    h=$((h + ${a:-0})); r=$((r + ${b:-0}))
  done
  echo "$h $r"
}

# ------------------------------------------------------------------ backend (nginx, 1 worker, load core)
render "$here/conf/backend-nginx.conf.tmpl" "$RUN_DIR/backend.conf"
taskset -c "$LOAD_CPU" nginx -p "$RUN_DIR" -c "$RUN_DIR/backend.conf" -g 'daemon off;' >>"$OUT_DIR/logs/backend.log" 2>&1 </dev/null &
BACKEND_PID=$!
T_PID=""; FLOOD_PID=""; LEGIT_PID=""
stop_pid_tree() {  # TERM a process tree, KILL what is left after 10 s
  local root=$1 pids i p
  [[ -z "$root" ]] && return 0
  pids=$(tree_pids "$root")
  kill -TERM "$root" 2>/dev/null
  for ((i = 0; i < 50; i++)); do kill -0 "$root" 2>/dev/null || break; sleep 0.2; done
  for p in $pids; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
  wait "$root" 2>/dev/null
}
cleanup() {
  stop_pid_tree "$FLOOD_PID"; stop_pid_tree "$LEGIT_PID"; stop_pid_tree "$T_PID"; stop_pid_tree "$BACKEND_PID"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM
wait_port "$BACKEND_A_PORT" 20 "$BACKEND_PID" || { echo "backend failed, see $OUT_DIR/logs/backend.log" >&2; exit 1; }

# ------------------------------------------------------------------ targets
# sets T_CMD and T_H2C (the port that speaks h2c prior knowledge)
define_target() {
  case "$1" in
    gatehouse)
      source "$here/lib/gatehouse-cmd.sh"
      T_CMD="$(gatehouse_cmd "$JAVA_OPTS")"
      [[ "$SCHEMES" == *h2c* ]] && T_CMD+=" --set http2.cleartext=true"
      T_H2C=$HTTP_PORT ;;
    nginx)
      render "$here/conf/nginx-proxy.conf.tmpl" "$RUN_DIR/nginx-proxy.conf"
      # h2c needs its own port in nginx (listen ... http2 without ssl = prior knowledge only)
      [[ "$SCHEMES" == *h2c* ]] && sed -i "s|^\(        server_name a.example;\)|\1\n        listen 127.0.0.1:$H2C_PORT http2;|" "$RUN_DIR/nginx-proxy.conf"
      T_CMD="nginx -p $RUN_DIR -c $RUN_DIR/nginx-proxy.conf -g 'daemon off;'"
      T_H2C=$H2C_PORT ;;
    haproxy)
      render "$here/conf/haproxy.cfg.tmpl" "$RUN_DIR/haproxy.cfg"
      [[ "$SCHEMES" == *h2c* ]] && sed -i "s|^\(    bind 127.0.0.1:$HTTPS_PORT .*\)|\1\n    bind 127.0.0.1:$H2C_PORT proto h2|" "$RUN_DIR/haproxy.cfg"
      T_CMD="haproxy -db -f $RUN_DIR/haproxy.cfg"
      T_H2C=$H2C_PORT ;;
  esac
}
start_target() {  # start_target NAME
  local p
  for p in "$HTTP_PORT" "$HTTPS_PORT" "$H2C_PORT"; do
    port_open "$p" && { log "port $p already in use; cannot start $1"; return 1; }
  done
  (exec taskset -c "$PROXY_CPU" bash -c "exec $T_CMD") >>"$OUT_DIR/logs/$1.log" 2>&1 </dev/null &
  T_PID=$!
  wait_port "$HTTPS_PORT" "$START_TIMEOUT" "$T_PID" || { log "$1 did not open $HTTPS_PORT"; stop_pid_tree "$T_PID"; T_PID=""; return 1; }
  if [[ "$SCHEMES" == *h2c* ]] && ! wait_port "$T_H2C" "$START_TIMEOUT" "$T_PID"; then
    log "$1 did not open $T_H2C"; stop_pid_tree "$T_PID"; T_PID=""; return 1
  fi
}

# ------------------------------------------------------------------ clients (all on the load core)
url_for() { [[ $1 == tls ]] && echo "https://a.example:$HTTPS_PORT/" || echo "http://a.example:$T_H2C/"; }
port_for() { [[ $1 == tls ]] && echo "$HTTPS_PORT" || echo "$T_H2C"; }
legit() {  # legit SCHEME LOGFILE h2load-args...: sequential requests on one h2 connection
  local scheme=$1 lf=$2; shift 2
  rm -f "$lf"   # h2load appends to its log file
  timeout -k 5 $((FLOOD_SECS + 120)) taskset -c "$LOAD_CPU" h2load -c1 -m1 -t1 -N 30s --log-file="$lf" \
    --connect-to="127.0.0.1:$(port_for "$scheme")" "$@" "$(url_for "$scheme")"
}
flood() {  # flood SCHEME SECONDS OUT_JSON
  local tlsarg=(); [[ $1 == tls ]] && tlsarg=(--tls)
  nice -n "$FLOOD_NICE" taskset -c "$LOAD_CPU" python3 "$here/lib/h2flood.py" --port "$(port_for "$1")" "${tlsarg[@]}" \
    --secs "$2" --per-kind "$PER_KIND" --max-conns "$MAX_CONNS" --frames "$FRAMES" --conn-secs "$CONN_SECS" --out "$3"
}
h2_errors() {  # requests h2load did not complete with a 2xx (its summary, as bench.sh reads it)
  awk '/^requests:/ {gsub(",", ""); f = $10 + $12 + $14; ok = $8}
       /^status codes:/ {gsub(",", ""); x = ok - $3; if (x > 0) f += x}
       END {print (ok == "" ? 1 : f)}' "$1" 2>/dev/null
}
lat_stats() {  # lat_stats H2LOAD_LOG [FROM_US TO_US] -> "n errors p50_us p99_us max_us"
  python3 - "$@" <<'PY'
import sys
lo = int(sys.argv[2]) if len(sys.argv) > 2 else 0
hi = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 62
rows = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 3 and lo <= int(f[0]) <= hi:
        rows.append((int(f[1]), int(f[2])))
d = sorted(us for st, us in rows)
err = sum(1 for st, _ in rows if not 200 <= st < 300)
q = lambda p: d[min(len(d) - 1, int(len(d) * p))] if d else 0
print(len(d), err, q(0.5), q(0.99), d[-1] if d else 0)
PY
}

# ------------------------------------------------------------------ run
RAW="$OUT_DIR/raw.tsv"
{
  echo "# date: $(date -Is)  host: $(hostname)  kernel: $(uname -r)  cpus: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# ROUNDS=$ROUNDS SCHEMES=$SCHEMES WARM_SECS=$WARM_SECS WARM_FLOOD_SECS=$WARM_FLOOD_SECS IDLE_N=$IDLE_N FLOOD_SECS=$FLOOD_SECS PER_KIND=$PER_KIND MAX_CONNS=$MAX_CONNS FRAMES=$FRAMES CONN_SECS=$CONN_SECS PROXY_CPU=$PROXY_CPU LOAD_CPU=$LOAD_CPU"
  echo "# TARGETS=${TARGETS[*]} JAVA_OPTS=$JAVA_OPTS eventLoops=$GATEHOUSE_EVENT_LOOPS nginx=$(nginx -v 2>&1 | sed 's|.*/||') haproxy=$(haproxy -v 2>/dev/null | awk 'NR==1{print $3}') h2load=$(h2load --version | awk '{print $2}')"
  printf 'round\ttarget\tscheme\tidle_n\tidle_err\tidle_p50_us\tidle_p99_us\tidle_max_us\tduring_n\tduring_err\tduring_p50_us\tduring_p99_us\tduring_max_us\tflood_secs\tflood_conns\tflood_cut\tflood_cut_late\tflood_survived\tflood_connect_err\tcut_ms_p50\tcut_ms_max\tflood_frames\tproxy_cpu_idle_ms\tproxy_cpu_during_ms\trss_before_kb\tpeak_rss_kb\trss_after_kb\tlog_bytes\tflooder_cpu_ms\tproxy_core_busy\tload_core_busy\tload1\n'
} > "$RAW"
printf 'round\ttarget\tscheme\tkind\tconns\tcut\tcut_late\tsurvived\tstalled\tcut_ms_p50\tcut_ms_max\tframes\n' > "$OUT_DIR/kinds.tsv"
hz=$(getconf CLK_TCK)
log "results -> $OUT_DIR (ports $BASE+: https $HTTPS_PORT, h2c $H2C_PORT/$HTTP_PORT)"
for ((round = 1; round <= ROUNDS; round++)); do
  for t in "${TARGETS[@]}"; do
    define_target "$t"
    for scheme in $SCHEMES; do
      # a fresh process per scheme: one scheme's floods do not carry over into the next
      log "round $round/$ROUNDS: $t $scheme"
      start_target "$t" || { log "skip $t"; continue; }
      # warm-up: legitimate traffic, then one unmeasured flood burst, so the JIT has compiled the
      # request path and the flood paths before anything is measured
      legit "$scheme" "$RUN_DIR/warm.log" -D "$WARM_SECS" > "$OUT_DIR/logs/warm-$t-$scheme-$round.txt" 2>&1
      flood "$scheme" "$WARM_FLOOD_SECS" "$RUN_DIR/warm-flood.json" > /dev/null 2>>"$OUT_DIR/logs/flood.err"
      legit "$scheme" "$RUN_DIR/warm.log" -D 3 >> "$OUT_DIR/logs/warm-$t-$scheme-$round.txt" 2>&1
      sleep "$SETTLE"
      # idle
      c0=$(cpu_ticks "$T_PID"); t0=$(date +%s.%N)
      legit "$scheme" "$RUN_DIR/idle.log" -n "$IDLE_N" > "$OUT_DIR/logs/idle-$t-$scheme-$round.txt" 2>&1
      c1=$(cpu_ticks "$T_PID"); t1=$(date +%s.%N)
      read -r in _ ip50 ip99 imax <<<"$(lat_stats "$RUN_DIR/idle.log")"
      sleep "$SETTLE"
      # during: the flood window, and the legitimate client for as long
      read -r _ rss0 <<<"$(mem_kb "$T_PID")"
      load1=$(cut -d' ' -f1 /proc/loadavg)
      st0=$(proc_stat); c2=$(cpu_ticks "$T_PID"); lb0=$(stat -c %s "$OUT_DIR/logs/$t.log" 2>/dev/null || echo 0)
      flood "$scheme" "$FLOOD_SECS" "$RUN_DIR/flood.json" > /dev/null 2>>"$OUT_DIR/logs/flood.err" &
      FLOOD_PID=$!
      legit "$scheme" "$RUN_DIR/during.log" -D "$FLOOD_SECS" > "$OUT_DIR/logs/during-$t-$scheme-$round.txt" 2>&1 &
      LEGIT_PID=$!
      wait "$LEGIT_PID"; LEGIT_PID=""
      wait "$FLOOD_PID"; FLOOD_PID=""
      st1=$(proc_stat); c3=$(cpu_ticks "$T_PID"); lb1=$(stat -c %s "$OUT_DIR/logs/$t.log" 2>/dev/null || echo 0)
      read -r hwm rss1 <<<"$(mem_kb "$T_PID")"
      cp "$RUN_DIR/flood.json" "$OUT_DIR/logs/flood-$t-$scheme-$round.json" 2>/dev/null
      python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k, v in d["kinds"].items():
    print("\t".join(map(str, sys.argv[2:] + [k, v["conns"], v["cut"], v["cut_late"], v["survived"], v["stalled"],
                                          v["cut_ms_p50"] or "", v["cut_ms_max"] or "", v["frames_total"]])))
' "$RUN_DIR/flood.json" "$round" "$t" "$scheme" >> "$OUT_DIR/kinds.tsv" 2>/dev/null
      read -r fs fe fc fcut flate fsurv ferr cp50 cmax ffr fcpu <<<"$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); a = d["all"]
print(d["start_us"], d["flood_end_us"], a["conns"], a["cut"], a["cut_late"], a["survived"], a["connect_errors"],
      a["cut_ms_p50"] or 0, a["cut_ms_max"] or 0, a["frames_total"], d["cpu_ms"])' "$RUN_DIR/flood.json" 2>/dev/null || echo "0 0 0 0 0 0 0 0 0 0 0")"
      read -r dn _ dp50 dp99 dmax <<<"$(lat_stats "$RUN_DIR/during.log" "$fs" "$fe")"
      dfail=$(h2_errors "$OUT_DIR/logs/during-$t-$scheme-$round.txt")
      ifail=$(h2_errors "$OUT_DIR/logs/idle-$t-$scheme-$round.txt")
      icpu=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN{printf "%.0f", 1000*(b-a)/hz}')
      dcpu=$(awk -v a="$c2" -v b="$c3" -v hz="$hz" 'BEGIN{printf "%.0f", 1000*(b-a)/hz}')
      printf '%s\t' "$round" "$t" "$scheme" "$in" "$ifail" "$ip50" "$ip99" "$imax" "$dn" "$dfail" "$dp50" "$dp99" "$dmax" \
        "$(awk -v a="$fs" -v b="$fe" 'BEGIN{printf "%.1f", (b-a)/1e6}')" "$fc" "$fcut" "$flate" "$fsurv" "$ferr" "$cp50" "$cmax" "$ffr" "$icpu" "$dcpu" "$rss0" "$hwm" "$rss1" "$((lb1 - lb0))" "$fcpu" "$(core_busy "$st0" "$st1" "$PROXY_CPU")" "$(core_busy "$st0" "$st1" "$LOAD_CPU")" >> "$RAW"
      printf '%s\n' "$load1" >> "$RAW"
      log "  $scheme: idle p50=${ip50}us p99=${ip99}us ($in req, err $ifail) | during p50=${dp50}us p99=${dp99}us max=${dmax}us ($dn req, err $dfail) | flood conns=$fc cut=$fcut late=$flate survived=$fsurv connErr=$ferr cut p50=${cp50}ms max=${cmax}ms | proxy CPU idle ${icpu}ms during ${dcpu}ms | RSS ${rss0}->${rss1}kB peak ${hwm}kB | log $((lb1 - lb0)) B | flooder CPU ${fcpu}ms | load $load1"
      stop_pid_tree "$T_PID"; T_PID=""
      sleep "$SETTLE"
    done
  done
done
python3 "$here/lib/h2flood-report.py" "$RAW" "$OUT_DIR/kinds.tsv" | tee "$OUT_DIR/report.md"
log "report: $OUT_DIR/report.md"
