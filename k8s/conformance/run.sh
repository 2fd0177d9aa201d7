#!/usr/bin/env bash
# k8s/conformance/run.sh -- run the official Gateway API conformance suite against a Gatehouse node,
# on one machine, with no cluster: etcd + kube-apiserver + kube-controller-manager on loopback, our
# pod runner as the only "kubelet" (each echo-basic Pod a local process in its own network
# namespace), a Gatehouse node on the Gateway's address, then the suite's test binary.
#
#   k8s/conformance/run.sh                 build (cached), start everything, run the suite, write the report
#   k8s/conformance/run.sh --infra-only    start everything but the node and the suite; prove the
#                                          infrastructure (base manifests, Pods Ready, EndpointSlices,
#                                          a request to a Pod IP) and stop
#   k8s/conformance/run.sh --keep          like the default, but leave everything running until Ctrl-C
#
# Needs root (ip netns, veth, binding :80/:443), Go on PATH, Java 17 for the node, openssl, curl.
# Everything listens on loopback or inside the pod namespaces (pod CIDR $POD_CIDR, host side .1).
# Every wait is bounded; on exit (normal, error or Ctrl-C) every process started here is stopped by
# its PID and every network namespace and veth of ours is removed. Logs stay in the run directory.
#
# Env (defaults):
#   GATEHOUSE_JAR        router/target/gatehouse.jar of this checkout (build it with ./mvnw package)
#   GATEWAY_ADDRESS      127.0.0.1     where the node's own listeners are (HTTP :80, HTTPS :443); without a
#                                      pool every Gateway's address
#   GATEWAY_ADDRESS_POOL 127.0.1.0/24  kubernetes.gatewayAddresses: each Gateway its own address from it
#   GATEWAY_PORTS        80, 443, 6443, 7443, 8080, 8090, 8443  kubernetes.gatewayPorts with a pool
#                        (the suite's HTTPRouteListenerPortMatching puts listeners on 8090,
#                        GatewayInvalidFrontendClientCertificateValidation on 6443 and 7443)
#                                      (a socket per Gateway port); empty: every Gateway on the node's own
#   GATEWAY_USABLE_ADDRESS    127.0.1.254  GatewayStaticAddresses: an address of the pool no Gateway takes first
#   GATEWAY_UNUSABLE_ADDRESS  192.0.2.1    GatewayStaticAddresses: an address outside the pool (TEST-NET-1)
#   POD_CIDR             10.213.0.0/24
#   CONFORMANCE_PROFILES GATEWAY-HTTP
#   SUPPORTED_FEATURES   Gateway,HTTPRoute,ReferenceGrant   (declare only what passes; see docs/conformance)
#   CRD_CHANNEL          standard      (experimental for tests of experimental resources)
#   SUITE_TIMEOUT        60m           go test -timeout of the suite
#   SUITE_ARGS           extra suite flags, e.g. "--run-test=HTTPRouteSimpleSameNamespace --debug"
#   GATEHOUSE_NODE_CONFIG_EXTRA  YAML lines appended to the node config, right after its `kubernetes:`
#                        block (indent them two spaces to add keys to that block)
#                        (the Gateway API settings, e.g. "  gatewayApi: true")
#   REPORT_DIR           docs/conformance/reports/<gateway-api version>
#   GATEHOUSE_VERSION    the report's implementation version (default: git describe of this checkout)
#   GATEHOUSE_URL, GATEHOUSE_CONTACT   the report's implementation url and contact (comma list)
#   RUN_DIR              k8s/target/conformance/run-<timestamp>
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
MODE="${1:-suite}"
case "$MODE" in suite|--infra-only|--keep) ;; *) sed -n '2,30p' "$0"; exit 2 ;; esac

GWAPI_VERSION="${GWAPI_VERSION:-v1.7.0}"
GATEHOUSE_JAR="${GATEHOUSE_JAR:-$REPO/router/target/gatehouse.jar}"
GATEWAY_ADDRESS="${GATEWAY_ADDRESS:-127.0.0.1}"
GATEWAY_ADDRESS_POOL="${GATEWAY_ADDRESS_POOL-127.0.1.0/24}"
GATEWAY_PORTS="${GATEWAY_PORTS:-80, 443, 6443, 7443, 8080, 8090, 8443}"
GATEWAY_USABLE_ADDRESS="${GATEWAY_USABLE_ADDRESS:-127.0.1.254}"
GATEWAY_UNUSABLE_ADDRESS="${GATEWAY_UNUSABLE_ADDRESS:-192.0.2.1}"
POD_CIDR="${POD_CIDR:-10.213.0.0/24}"
CONFORMANCE_PROFILES="${CONFORMANCE_PROFILES:-GATEWAY-HTTP}"
SUPPORTED_FEATURES="${SUPPORTED_FEATURES:-Gateway,HTTPRoute,ReferenceGrant}"
CRD_CHANNEL="${CRD_CHANNEL:-standard}"
SUITE_TIMEOUT="${SUITE_TIMEOUT:-60m}"
REPORT_DIR="${REPORT_DIR:-$REPO/docs/conformance/reports/$GWAPI_VERSION}"
RUN_DIR="${RUN_DIR:-$REPO/k8s/target/conformance/run-$(date -u +%Y%m%d-%H%M%S)}"
NETNS_PREFIX="ghcf"   # the pod runner's names: ghcf-<ns>-<pod> namespaces, ghcfh<n> veths

START_EPOCH=$(date +%s)
PHASE_EPOCH=$START_EPOCH
log() { printf '[conformance %s +%ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - START_EPOCH ))" "$*" | tee -a "$RUN_DIR/summary.txt" >&2; }
die() { log "ERROR: $*"; exit 1; }
# phase NAME: log how long the previous phase took (the run's timing record, in summary.txt).
phase() { local now; now=$(date +%s); log "phase done in $(( now - PHASE_EPOCH ))s; next: $*"; PHASE_EPOCH=$now; }

mkdir -p "$RUN_DIR"
[ "$(id -u)" = 0 ] || die "needs root: network namespaces, veths and ports 80/443"
for c in ip openssl curl python3; do command -v "$c" >/dev/null || die "$c is not on PATH"; done

# ---- processes we start, stopped by PID on exit ------------------------------------------------
PIDS=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  log "stopping ${#PIDS[@]} processes (exit $rc)"
  # One at a time, in reverse start order: node, pod runner (which removes its namespaces),
  # controller manager, apiserver, etcd; so none loses what it talks to while it stops.
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
    kill -TERM "${PIDS[$i]}" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "${PIDS[$i]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${PIDS[$i]}" 2>/dev/null || true
  done
  # Whatever a killed pod runner left: our namespaces and host veths, by prefix.
  { ip netns list 2>/dev/null | awk '{print $1}' | grep "^${NETNS_PREFIX}-" || true; } | while read -r n; do ip netns delete "$n" 2>/dev/null || true; done
  { ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^${NETNS_PREFIX}h" || true; } | while read -r l; do ip link delete "$l" 2>/dev/null || true; done
  log "total $(( $(date +%s) - START_EPOCH ))s; logs in $RUN_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # start NAME CMD...: run in the background, output to $RUN_DIR/NAME.log
  local name=$1; shift
  "$@" >"$RUN_DIR/$name.log" 2>&1 &
  PIDS+=($!)
  log "$name: started (pid $!, log $RUN_DIR/$name.log)"
}
# await SECONDS WHAT CMD...: poll CMD every 0.5 s until it succeeds, or fail naming WHAT.
await() {
  local secs=$1 what=$2; shift 2
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out after ${secs}s waiting for $what"
    sleep 0.5
  done
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# ---- 1. build (cached) ---------------------------------------------------------------------------
log "run directory $RUN_DIR"
BUILD_MODE=build; [ "$MODE" = "--infra-only" ] && BUILD_MODE=--infra
BIN="$("$HERE/build.sh" "$BUILD_MODE")"
CACHE="$(dirname "$BIN")"
ENVTEST="$(cat "$CACHE/envtest-dir")"
KUBECTL="$ENVTEST/kubectl"
phase "certificates and etcd"

# ---- 2. credentials: a CA, the API server's certificate, a service-account key, an admin token ----
PKI="$RUN_DIR/pki"; mkdir -p "$PKI"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=gatehouse-conformance-ca" \
  -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$PKI/apiserver.key" -out "$PKI/apiserver.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n' >"$PKI/san.ext"
openssl x509 -req -in "$PKI/apiserver.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 \
  -extfile "$PKI/san.ext" -out "$PKI/apiserver.crt" 2>/dev/null
openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
TOKEN="$(openssl rand -hex 24)"
echo "$TOKEN,conformance-admin,conformance-admin,\"system:masters\"" >"$PKI/tokens.csv"

# ---- 3. etcd + kube-apiserver --------------------------------------------------------------------
ETCD_PORT=$(free_port); ETCD_PEER=$(free_port); API_PORT=$(free_port)
start etcd "$ENVTEST/etcd" --name=conformance --data-dir="$RUN_DIR/etcd" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER" \
  --initial-cluster="conformance=http://127.0.0.1:$ETCD_PEER" --unsafe-no-fsync=true
await 30 "etcd health" curl -sf "http://127.0.0.1:$ETCD_PORT/health"
phase "kube-apiserver"
start kube-apiserver "$ENVTEST/kube-apiserver" --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --secure-port="$API_PORT" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --cert-dir="$PKI" \
  --client-ca-file="$PKI/ca.crt" --token-auth-file="$PKI/tokens.csv" --authorization-mode=RBAC \
  --service-account-issuer="https://127.0.0.1:$API_PORT/" --service-account-key-file="$PKI/sa.pub" \
  --service-account-signing-key-file="$PKI/sa.key" --service-cluster-ip-range=10.96.0.0/24 \
  --endpoint-reconciler-type=none --allow-privileged=true --disable-admission-plugins=ServiceAccount \
  --kubelet-preferred-address-types=InternalIP
# pods/log goes to the Node's InternalIP: the pod runner's log endpoint on 127.0.0.1 (unverified,
# as the API server treats kubelets without --kubelet-certificate-authority).
KUBECONFIG="$RUN_DIR/kubeconfig"; export KUBECONFIG
cat >"$KUBECONFIG" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: conformance
  cluster: {server: "https://127.0.0.1:$API_PORT", certificate-authority: "$PKI/ca.crt"}
users:
- name: admin
  user: {token: "$TOKEN"}
contexts:
- name: conformance
  context: {cluster: conformance, user: admin}
current-context: conformance
EOF
await 90 "kube-apiserver /readyz" "$KUBECTL" get --raw /readyz
phase "Gateway API CRDs ($CRD_CHANNEL, $GWAPI_VERSION)"

# ---- 4. the upstream CRDs, from the module cache ---------------------------------------------------
# Every manifest of the channel's directory (the experimental one also holds a kustomization.yaml).
CRD_FILES=(); for f in "$CACHE/crds/$CRD_CHANNEL"/*.yaml; do [ "$(basename "$f")" = kustomization.yaml ] || CRD_FILES+=(-f "$f"); done
"$KUBECTL" apply --server-side "${CRD_FILES[@]}" >"$RUN_DIR/crds.log" 2>&1 || { cat "$RUN_DIR/crds.log" >&2; die "installing the CRDs failed"; }
"$KUBECTL" wait --for=condition=Established crd --all --timeout=60s >>"$RUN_DIR/crds.log" 2>&1 || die "CRDs not Established within 60 s"
log "CRDs Established: $("$KUBECTL" get crd -o name | grep -c gateway.networking.k8s.io) gateway.networking.k8s.io kinds"
phase "kube-controller-manager"

# ---- 5. kube-controller-manager: only the controllers Deployments, Services and namespaces need ----
# No node lifecycle (our Node has no kubelet lease), no service-account tokens (no ServiceAccount
# admission), no cloud, IPAM or volume controllers. No serving port: nothing needs to reach it.
CONTROLLERS=deployment-controller,replicaset-controller,endpointslice-controller,endpoints-controller,namespace-controller,garbage-collector-controller,serviceaccount-controller,pod-garbage-collector-controller,disruption-controller
start kube-controller-manager "$ENVTEST/kube-controller-manager" --kubeconfig="$KUBECONFIG" \
  --controllers="$CONTROLLERS" --leader-elect=false --secure-port=0 \
  --use-service-account-credentials=false --concurrent-deployment-syncs=10 --concurrent-replicaset-syncs=10
# The serviceaccount controller's first act proves the manager runs: the default namespace's "default" SA.
await 60 "kube-controller-manager (the default ServiceAccount)" "$KUBECTL" -n default get serviceaccount default
phase "pod runner"

# ---- 6. the pod runner: the one Node ----------------------------------------------------------------
start podrunner "$BIN/podrunner" --kubeconfig="$KUBECONFIG" --pod-cidr="$POD_CIDR" --prefix="$NETNS_PREFIX" \
  --echo-basic="$BIN/echo-basic" --state-dir="$RUN_DIR/pods"
await 30 "the pod runner's Node Ready" sh -c "'$KUBECTL' get node gatehouse-podrunner -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
log "node gatehouse-podrunner Ready"

# ---- 7. infrastructure proof: the suite's own base manifests, served by real processes ---------------
SUITE_DIR="$(cat "$CACHE/conformance-dir")"
if [ "$MODE" = "--infra-only" ]; then
  phase "base manifests (proof of the infrastructure)"
  # The suite applies the same file itself; cert Secrets it generates are made here by hand.
  "$KUBECTL" apply -f "$SUITE_DIR/base/manifests.yaml" >"$RUN_DIR/base.log" 2>&1 || { tail "$RUN_DIR/base.log" >&2; die "applying base manifests failed"; }
  # The Secrets the suite generates before its tests (suite.go); self-signed stand-ins here.
  for s in gateway-conformance-infra/tls-checks-certificate gateway-conformance-infra/tls-passthrough-checks-certificate \
           gateway-conformance-app-backend/tls-passthrough-checks-certificate; do
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=abc.example.com" -addext "subjectAltName=DNS:abc.example.com" \
      -keyout "$PKI/probe.key" -out "$PKI/probe.crt" 2>/dev/null
    "$KUBECTL" -n "${s%/*}" create secret tls "${s#*/}" --cert="$PKI/probe.crt" --key="$PKI/probe.key" >>"$RUN_DIR/base.log" 2>&1 \
      || die "creating Secret $s failed (see $RUN_DIR/base.log)"
  done
  NS_LIST="$("$KUBECTL" get ns -o name | sed 's#namespace/##' | grep '^gateway-conformance-' | tr '\n' ' ')"
  DEPLOYS=0
  for ns in $NS_LIST; do
    n=$("$KUBECTL" -n "$ns" get deploy -o name | wc -l); DEPLOYS=$((DEPLOYS + n))
    [ "$n" -gt 0 ] && { "$KUBECTL" -n "$ns" wait --for=condition=Available deploy --all --timeout=240s >>"$RUN_DIR/base.log" 2>&1 \
      || { "$KUBECTL" get pods -A -o wide >&2; die "Deployments in $ns not Available within 240 s"; }; }
  done
  PODS_READY=$("$KUBECTL" get pods -A -o jsonpath='{range .items[*]}{.metadata.namespace}{" "}{.status.podIP}{" "}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c ' True$' || true)
  log "$DEPLOYS Deployments Available in $NS_LIST; $PODS_READY Pods Ready"
  # Every Ready Pod's IP is listed by an EndpointSlice (the endpointslice controller followed).
  "$KUBECTL" get pods -A -o jsonpath='{range .items[*]}{.status.podIP}{"\n"}{end}' | sort -u | grep . >"$RUN_DIR/pod-ips.txt"
  "$KUBECTL" get endpointslices -A -o jsonpath='{range .items[*]}{range .endpoints[*]}{.addresses[0]}{"\n"}{end}{end}' | sort -u | grep . >"$RUN_DIR/slice-ips.txt" || true
  MISSING="$(comm -23 "$RUN_DIR/pod-ips.txt" "$RUN_DIR/slice-ips.txt" | tr '\n' ' ')"
  [ -z "$MISSING" ] || die "Pod IPs missing from every EndpointSlice: $MISSING"
  log "EndpointSlices list all $(wc -l <"$RUN_DIR/pod-ips.txt") Pod IPs"
  POD="$("$KUBECTL" -n gateway-conformance-infra get pods -l app=infra-backend-v1 -o jsonpath='{.items[0].metadata.name} {.items[0].status.podIP}')"
  read -r POD_NAME POD_IP <<<"$POD"
  ANSWER="$(curl -sS --max-time 5 -H 'Host: probe.example' "http://$POD_IP:3000/infra-probe")" || die "no answer from $POD_NAME at $POD_IP:3000"
  echo "$ANSWER" >"$RUN_DIR/echo-answer.json"
  grep -q "\"pod\": *\"$POD_NAME\"" <<<"$ANSWER" || die "unexpected answer from $POD_IP:3000: $ANSWER"
  log "http://$POD_IP:3000/infra-probe answered by echo-basic as pod $POD_NAME: $(tr -d '\n ' <<<"$ANSWER" | cut -c1-160)"
  # pods/log through the API server reaches the pod runner's log endpoint (the mirror tests' path).
  await 15 "kubectl logs $POD_NAME to show the request" sh -c "'$KUBECTL' -n gateway-conformance-infra logs '$POD_NAME' --since-time='$(date -u -d '-60 sec' +%Y-%m-%dT%H:%M:%SZ)' | grep -q 'request made to /infra-probe'"
  log "kubectl logs $POD_NAME (API server -> pod runner's kubelet endpoint) shows the request"
  phase "deleting the base manifests (namespaces, garbage collection, pod runner cleanup)"
  "$KUBECTL" delete -f "$SUITE_DIR/base/manifests.yaml" --wait=true --timeout=180s >>"$RUN_DIR/base.log" 2>&1 || die "base manifests not deleted within 180 s"
  await 60 "every Pod gone" sh -c "[ -z \"\$('$KUBECTL' get pods -A -o name)\" ]"
  LEFT="$(ip netns list | grep -c "^${NETNS_PREFIX}-" || true)"
  [ "$LEFT" = 0 ] || die "$LEFT pod network namespaces left after the Pods were deleted"
  log "infrastructure proven: Pods deleted, their network namespaces removed"
  phase "done"
  exit 0
fi

# ---- 8. the GatewayClass of the suite, and a Gatehouse node ----------------------------------------
phase "Gatehouse node"
"$KUBECTL" apply -f - >"$RUN_DIR/gatewayclass.log" 2>&1 <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatehouse}
spec: {controllerName: gatehouse.io/gateway-controller}
EOF
# The suite's Gateways listen on 80 and 443: say so at once when another process holds them.
for port in 80 443; do
  python3 -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], int(sys.argv[2]))); s.close()" "$GATEWAY_ADDRESS" "$port" 2>/dev/null \
    || die "$GATEWAY_ADDRESS:$port is taken by another process; stop it or set GATEWAY_ADDRESS (e.g. 127.0.0.2)"
done
[ -f "$GATEHOUSE_JAR" ] || die "$GATEHOUSE_JAR is missing: ./mvnw -B -q -DskipTests package (or set GATEHOUSE_JAR)"
STATUS_PORT=$(free_port)
cat >"$RUN_DIR/node.yaml" <<EOF
# The node of the conformance run: the Gateway's address, HTTP 80, HTTPS 443 (the ports of the
# suite's Gateways), its Kubernetes source on the envtest server.
http: {host: $GATEWAY_ADDRESS, port: 80}
tls: {enabled: true, port: 443, redirectPort: 443}
http2: {cleartext: true}   # GRPCRoute tests speak h2c to the Gateway's HTTP listener
status: {host: 127.0.0.1, port: $STATUS_PORT}
admin: {enabled: false}
shutdown: {readinessGrace: 0s, drainTimeout: 2s}   # nothing to drain once the suite is done
store: {dir: $RUN_DIR/node-store}
kubernetes:
  enabled: true
  kubeconfig: "$KUBECONFIG"
  publishAddresses: ["$GATEWAY_ADDRESS"]
  leaderElection: false
${GATEWAY_ADDRESS_POOL:+  gatewayAddresses: [\"$GATEWAY_ADDRESS_POOL\"]}
${GATEWAY_ADDRESS_POOL:+  gatewayPorts: [$GATEWAY_PORTS]}
${GATEHOUSE_NODE_CONFIG_EXTRA:-}
EOF
start gatehouse java -jar "$GATEHOUSE_JAR" --config "$RUN_DIR/node.yaml"
await 120 "the Gatehouse node's /readyz (log $RUN_DIR/gatehouse.log)" curl -sf "http://127.0.0.1:$STATUS_PORT/readyz"
log "Gatehouse node ready on $GATEWAY_ADDRESS:80/:443${GATEWAY_ADDRESS_POOL:+; Gateways on addresses of $GATEWAY_ADDRESS_POOL}"

# ---- 9. the suite ----------------------------------------------------------------------------------
phase "conformance suite ($CONFORMANCE_PROFILES; features $SUPPORTED_FEATURES)"
VERSION="${GATEHOUSE_VERSION:-$(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo unknown)}"
mkdir -p "$REPORT_DIR"
REPORT="$REPORT_DIR/gatehouse-$VERSION-report.yaml"
SUITE_RC=0
# shellcheck disable=SC2086 # SUITE_ARGS is a list of flags
(cd "$RUN_DIR" && "$BIN/conformance.test" -test.run 'TestConformance$' -test.v -test.timeout "$SUITE_TIMEOUT" \
  --gateway-class=gatehouse --conformance-profiles="$CONFORMANCE_PROFILES" --supported-features="$SUPPORTED_FEATURES" \
  --organization=gatehouse --project=gatehouse --url="${GATEHOUSE_URL:-https://github.com/gatehouse/gatehouse}" --version="$VERSION" \
  --contact="${GATEHOUSE_CONTACT:-https://github.com/gatehouse/gatehouse/issues}" --mode=default \
  --report-output="$REPORT" ${GATEWAY_ADDRESS_POOL:+--usable-address="$GATEWAY_USABLE_ADDRESS" --unusable-address="$GATEWAY_UNUSABLE_ADDRESS"} \
  ${SUITE_ARGS:-}) >"$RUN_DIR/suite.log" 2>&1 || SUITE_RC=$?
PASSED=$(grep -c -- '^\s*--- PASS' "$RUN_DIR/suite.log" || true)
FAILED=$(grep -c -- '^\s*--- FAIL' "$RUN_DIR/suite.log" || true)
SKIPPED=$(grep -c -- '^\s*--- SKIP' "$RUN_DIR/suite.log" || true)
log "suite exit $SUITE_RC: go test results $PASSED PASS, $FAILED FAIL, $SKIPPED SKIP (log $RUN_DIR/suite.log)"
[ -f "$REPORT" ] && log "report: $REPORT" || log "no report written (see the end of $RUN_DIR/suite.log)"
phase "done"
if [ "$MODE" = "--keep" ]; then log "--keep: running until Ctrl-C (KUBECONFIG=$KUBECONFIG)"; while sleep 3600; do :; done; fi
exit "$SUITE_RC"
