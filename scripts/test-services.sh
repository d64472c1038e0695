#!/usr/bin/env bash
# Test services for alloy-ts: a Docker-compatible API served by podman on a
# unix socket, with a local busybox image (no registry is ever contacted).
#
#   scripts/test-services.sh start   install what is missing, configure, start; prints the socket
#   scripts/test-services.sh stop    remove our containers, stop the API service we started
#   scripts/test-services.sh status  exit 0 when the API answers
#
# Idempotent. Works from a fresh Debian 12 machine as root (apt-get); as
# another user it only uses what is already installed. Tests find the socket
# through $DOCKER_HOST, else /tmp/podman.sock (test/support/podman.ts).
#
# Why this configuration (facts measured on the CI machine kind, podman 4.3):
# - runc instead of crun: crun 1.8 refuses the machine's hybrid cgroup layout;
#   cgroupfs because there is no systemd; file-based events for the same reason.
# - ulimits are clamped to our own hard limits: without CAP_SYS_RESOURCE the
#   container cannot get podman's defaults.
# - k8s-file log driver: the Docker logs API then serves what conmon wrote.
set -euo pipefail

STATE=${ALLOY_TS_SERVICES_DIR:-/tmp/alloy-ts-services}
SOCK=${PODMAN_SOCK:-/tmp/podman.sock}
IMAGE=localhost/local/busybox:latest
export CONTAINERS_CONF="$STATE/containers.conf"
mkdir -p "$STATE"

api_up() { curl -sf --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }

install_packages() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || missing+=(runc)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  command -v curl >/dev/null || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "test-services: missing ${missing[*]} and not root; cannot install" >&2
    return 1
  fi
  echo "test-services: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
}

write_containers_conf() {
  local nofile nproc
  nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
  # podman caps its own RLIMIT_NPROC at 32768; 1048576 is its nofile default.
  if [ "$nofile" = unlimited ] || [ "$nofile" -gt 1048576 ]; then nofile=1048576; fi
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
  cat > "$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
log_driver = "k8s-file"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
}

# A minimal image built from the host's static busybox.
import_busybox() {
  podman image exists "$IMAGE" && return 0
  local root
  root=$(mktemp -d)
  mkdir -p "$root"/bin "$root"/etc "$root"/tmp "$root"/proc "$root"/sys "$root"/dev
  cp /bin/busybox "$root"/bin/busybox
  for applet in sh echo sleep cat ls date env ps wc seq true false yes head printf dd tr kill; do
    ln -s busybox "$root/bin/$applet"
  done
  echo 'root:x:0:0:root:/:/bin/sh' > "$root"/etc/passwd
  echo 'root:x:0:' > "$root"/etc/group
  tar -C "$root" -c . | podman import -q --change 'CMD ["/bin/sh"]' - local/busybox:latest >/dev/null
  rm -rf "$root"
}

start_api() {
  api_up && return 0
  rm -f "$SOCK"
  nohup podman system service --time=0 "unix://$SOCK" > "$STATE/podman-service.log" 2>&1 &
  echo $! > "$STATE/podman.pid"
  for _ in $(seq 1 400); do api_up && return 0; sleep 0.05; done
  echo "test-services: podman API did not come up; log:" >&2
  tail -20 "$STATE/podman-service.log" >&2
  return 1
}

stop_all() {
  # Containers outlive the API service (conmon is their parent): remove ours first.
  if command -v podman >/dev/null; then
    podman ps -aq --filter label=alloy-ts-test | xargs -r podman rm -f -t 0 >/dev/null 2>&1 || true
  fi
  if [ -f "$STATE/podman.pid" ]; then
    kill "$(cat "$STATE/podman.pid")" 2>/dev/null || true
    rm -f "$STATE/podman.pid"
  fi
}

case "${1:-start}" in
  start)
    install_packages
    write_containers_conf
    import_busybox
    start_api
    echo "unix://$SOCK"
    ;;
  stop) stop_all ;;
  status) api_up ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
