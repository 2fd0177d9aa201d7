# shellcheck shell=bash
# The settings compared by bench/observe-cost.sh and bench/observe-interleaved.sh (issue #18).
#   observe_settings KIND SINK_PORT ACCESS_FILE -> the node's --set flags for KIND
# bare/bare2: metrics, access log and tracing off (the reference); metrics: the default, every series
# on; tracing: metrics off, tracing at 1 % exporting to 127.0.0.1:SINK_PORT; tr100: the same at 100 %;
# tr0: the same at 0 % (every request gets its ids and the upstream traceparent; no span, no export);
# accesslog: metrics off, the access log (JSON, default fields) into ACCESS_FILE; dashboard: metrics
# off, the dashboard's per-loop request counter as the only extra observer.
observe_settings() {
  local tr="--set tracing.enabled=true --set tracing.endpoint=http://127.0.0.1:$2/v1/traces"
  case "$1" in
    bare|bare2) echo "--set metrics.enabled=false --set log.access=false" ;;
    metrics) echo "--set log.access=false" ;;
    tracing) echo "--set metrics.enabled=false --set log.access=false $tr --set tracing.sampleRatio=0.01" ;;
    tr0) echo "--set metrics.enabled=false --set log.access=false $tr --set tracing.sampleRatio=0" ;;
    tr100) echo "--set metrics.enabled=false --set log.access=false $tr --set tracing.sampleRatio=1" ;;
    accesslog) echo "--set metrics.enabled=false --set log.access=true --set log.accessFile=$3" ;;
    dashboard) echo "--set metrics.enabled=false --set log.access=false --set dashboard.enabled=true" ;;
    *) echo "unknown kind $1" >&2; return 2 ;;
  esac
}
