#!/usr/bin/env bash
# Prometheus services for alloy-ts' integration tests: Debian's Prometheus
# (with its remote-write receiver on) and the node exporter, both on loopback.
#
#   scripts/prometheus-services.sh start   install what is missing, start what is not running
#   scripts/prometheus-services.sh stop    stop the daemons this script started
#   scripts/prometheus-services.sh status  exit 0 when both answer
#
# Idempotent. As root on Debian it installs the packages with apt-get; as
# another user it only uses what is already installed. Tests find the services
# through $PROMETHEUS_URL (default http://127.0.0.1:9090) and $NODE_EXPORTER_ADDR
# (default 127.0.0.1:9100) and skip with a visible reason when they are absent.
#
# Why this configuration:
# - --web.enable-remote-write-receiver is what lets Prometheus 2.42 accept
#   remote-write v1 pushes at /api/v1/write.
# - Tests read back through the query API, which sees the head block at once.
# - --web.enable-lifecycle lets a test or a developer POST /-/quit.
# - Prometheus itself scrapes nothing: the series under test must come from
#   alloy-ts' remote_write only.
# - The systemd collector is off: there is no systemd on the CI machine kind.
set -euo pipefail

STATE=${ALLOY_TS_PROM_DIR:-/tmp/alloy-ts-prometheus}
PROM_ADDR=127.0.0.1:9090
NODE_ADDR=127.0.0.1:9100
mkdir -p "$STATE"

prom_up() { curl -sf --max-time 2 "http://$PROM_ADDR/-/ready" >/dev/null 2>&1; }
node_up() { curl -sf --max-time 2 "http://$NODE_ADDR/metrics" >/dev/null 2>&1; }

install_packages() {
  local missing=()
  command -v prometheus >/dev/null || missing+=(prometheus)
  command -v prometheus-node-exporter >/dev/null || missing+=(prometheus-node-exporter)
  command -v curl >/dev/null || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "prometheus-services: missing ${missing[*]} and not root; cannot install" >&2
    return 1
  fi
  echo "prometheus-services: installing ${missing[*]}"
  apt-get update -qq
  # --no-install-recommends: the recommends pull in alertmanager and friends, which we do not run.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 \
    "${missing[@]}" >/dev/null
}

# Waits up to 20 s for `check`; prints the log tail on failure.
wait_for() {
  local check=$1 what=$2 log=$3
  for _ in $(seq 1 400); do "$check" && return 0; sleep 0.05; done
  echo "prometheus-services: $what did not come up; log:" >&2
  tail -20 "$log" >&2 || true
  return 1
}

start_node_exporter() {
  node_up && return 0
  nohup prometheus-node-exporter --web.listen-address="$NODE_ADDR" --no-collector.systemd \
    > "$STATE/node-exporter.log" 2>&1 &
  echo $! > "$STATE/node-exporter.pid"
  wait_for node_up "node exporter" "$STATE/node-exporter.log"
}

start_prometheus() {
  prom_up && return 0
  mkdir -p "$STATE/data"
  cat > "$STATE/prometheus.yml" <<'YAML'
global: { scrape_interval: 15s }
scrape_configs: []
YAML
  nohup prometheus --config.file="$STATE/prometheus.yml" --storage.tsdb.path="$STATE/data" \
    --web.listen-address="$PROM_ADDR" --web.enable-remote-write-receiver --web.enable-lifecycle \
    > "$STATE/prometheus.log" 2>&1 &
  echo $! > "$STATE/prometheus.pid"
  wait_for prom_up "prometheus" "$STATE/prometheus.log"
}

stop_all() {
  local name
  for name in prometheus node-exporter; do
    if [ -f "$STATE/$name.pid" ]; then
      kill "$(cat "$STATE/$name.pid")" 2>/dev/null || true
      rm -f "$STATE/$name.pid"
    fi
  done
}

case "${1:-start}" in
  start)
    install_packages
    start_node_exporter
    start_prometheus
    echo "prometheus http://$PROM_ADDR, node exporter http://$NODE_ADDR"
    ;;
  stop) stop_all ;;
  status) prom_up && node_up ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
