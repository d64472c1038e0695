#!/usr/bin/env bash
# Captures the /proc, /sys and root-filesystem files prometheus.exporter.unix
# reads from this machine into a fixture tree for the unit tests:
#
#   scripts/capture-exporter-unix-fixtures.sh [OUT]   (default test/fixtures/exporter-unix/host)
#
# OUT gets proc/, sys/ and rootfs/ laid out as on the host, so a test points
# procfs_path, sysfs_path and rootfs_path at them. Symlinked sysfs directories
# (/sys/class/net/eth0 -> ../../devices/...) are copied as plain directories.
# Attributes the kernel refuses to read (`speed` of a link that is down, ...)
# are left out, which is what the collectors see on the host too. The captured
# values also go to OUT/expected.txt as the node exporter on 127.0.0.1:9100
# reported them at the same moment, when one answers.
set -euo pipefail

OUT=${1:-$(dirname "$0")/../test/fixtures/exporter-unix/host}
rm -rf "$OUT"
mkdir -p "$OUT/proc" "$OUT/sys" "$OUT/rootfs/etc"

# copy_file SRC DST: the file's content, if it can be read.
copy_file() {
  local src=$1 dst=$2 content
  [ -f "$src" ] || return 0
  content=$(cat "$src" 2>/dev/null) || return 0
  mkdir -p "$(dirname "$dst")"
  printf '%s\n' "$content" > "$dst"
}

# copy_dir SRC DST [DEPTH]: regular files of a sysfs directory, following symlinked dirs to DEPTH.
copy_dir() {
  local src=$1 dst=$2 depth=${3:-1} entry name
  [ -d "$src" ] || return 0
  mkdir -p "$dst"
  for entry in "$src"/*; do
    [ -e "$entry" ] || continue
    name=$(basename "$entry")
    if [ -f "$entry" ]; then copy_file "$entry" "$dst/$name"
    elif [ -d "$entry" ] && [ "$depth" -gt 1 ]; then copy_dir "$entry" "$dst/$name" $((depth - 1))
    fi
  done
}

for f in stat loadavg meminfo vmstat diskstats cpuinfo schedstat 1/mounts mounts \
  pressure/cpu pressure/io pressure/memory \
  sys/kernel/random/entropy_avail sys/kernel/random/poolsize sys/kernel/domainname sys/fs/file-nr \
  sys/net/netfilter/nf_conntrack_count sys/net/netfilter/nf_conntrack_max \
  net/dev net/netstat net/snmp net/snmp6 net/sockstat net/sockstat6 net/softnet_stat net/arp net/udp net/udp6 net/stat/nf_conntrack; do
  copy_file "/proc/$f" "$OUT/proc/$f"
done

for iface in /sys/class/net/*; do
  [ -d "$iface" ] || continue
  name=$(basename "$iface")
  copy_dir "$iface" "$OUT/sys/class/net/$name"
  copy_file "$iface/statistics/rx_nohandler" "$OUT/sys/class/net/$name/statistics/rx_nohandler"
done
for cpu in /sys/devices/system/cpu/cpu[0-9]*; do
  name=$(basename "$cpu")
  copy_dir "$cpu/topology" "$OUT/sys/devices/system/cpu/$name/topology"
  copy_dir "$cpu/thermal_throttle" "$OUT/sys/devices/system/cpu/$name/thermal_throttle"
  copy_dir "$cpu/cpufreq" "$OUT/sys/devices/system/cpu/$name/cpufreq"
done
copy_file /sys/devices/system/cpu/isolated "$OUT/sys/devices/system/cpu/isolated"
copy_dir /sys/devices/system/clocksource "$OUT/sys/devices/system/clocksource" 2
copy_dir /sys/class/thermal "$OUT/sys/class/thermal" 2
copy_dir /sys/class/power_supply "$OUT/sys/class/power_supply" 2
copy_dir /sys/class/hwmon "$OUT/sys/class/hwmon" 2
copy_dir /sys/devices/system/edac/mc "$OUT/sys/devices/system/edac/mc" 3
copy_file /etc/os-release "$OUT/rootfs/etc/os-release"
[ -e "$OUT/rootfs/etc/os-release" ] || copy_file /usr/lib/os-release "$OUT/rootfs/etc/os-release"

if curl -sf --max-time 5 http://127.0.0.1:9100/metrics -o "$OUT/expected.txt.tmp"; then
  grep -v -E '^(go_|process_|promhttp_)|^# (HELP|TYPE) (go_|process_|promhttp_)' "$OUT/expected.txt.tmp" > "$OUT/expected.txt" || true
fi
rm -f "$OUT/expected.txt.tmp"
echo "captured into $OUT"
