#!/usr/bin/env bash
# A 3-member etcd cluster on loopback for failover experiments (clients 23791-23793, peers 23801-23803).
# Usage: etcd-cluster.sh start | stop | status | stop-member N | start-member N   (N = 1..3)
# State (data, logs, pids) lives in ${ETCD_CLUSTER_DIR:-/tmp/tsmicro-etcd-cluster}; `stop` removes it.
# Needs etcd installed: run scripts/services/etcd.sh first (it installs Debian's etcd-server).
set -euo pipefail

dir="${ETCD_CLUSTER_DIR:-/tmp/tsmicro-etcd-cluster}"
export ETCDCTL_API=3
cluster="m1=http://127.0.0.1:23801,m2=http://127.0.0.1:23802,m3=http://127.0.0.1:23803"
endpoints="http://127.0.0.1:23791,http://127.0.0.1:23792,http://127.0.0.1:23793"

say() { echo "[etcd-cluster.sh] $*"; }
pid_of() { cat "${dir}/m$1.pid" 2>/dev/null || true; }
alive() { local p; p="$(pid_of "$1")"; [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

start_member() {
  local n="$1" state="${2:-existing}"
  if alive "$n"; then say "member m$n already running (pid $(pid_of "$n"))"; return; fi
  [ -d "${dir}/m${n}" ] || state="new"
  mkdir -p "$dir"
  setsid nohup etcd --name "m$n" --data-dir "${dir}/m$n" \
    --listen-client-urls "http://127.0.0.1:2379$n" --advertise-client-urls "http://127.0.0.1:2379$n" \
    --listen-peer-urls "http://127.0.0.1:2380$n" --initial-advertise-peer-urls "http://127.0.0.1:2380$n" \
    --initial-cluster "$cluster" --initial-cluster-state "$state" --initial-cluster-token tsmicro-cluster \
    --log-level warn >>"${dir}/m$n.log" 2>&1 </dev/null &
  echo $! >"${dir}/m$n.pid"
  say "started member m$n (pid $!) on 127.0.0.1:2379$n"
}

stop_member() {
  local n="$1" p
  p="$(pid_of "$n")"
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    kill "$p"
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null || true
    say "stopped member m$n (pid $p)"
  fi
  rm -f "${dir}/m$n.pid"
}

wait_healthy() {
  for _ in $(seq 1 120); do
    if etcdctl --endpoints="$endpoints" --dial-timeout=1s --command-timeout=2s endpoint health >/dev/null 2>&1; then
      say "cluster healthy at $endpoints"; return 0
    fi
    sleep 0.25
  done
  say "cluster not healthy within 30s; logs in $dir" >&2; return 1
}

case "${1:-}" in
  start)
    for n in 1 2 3; do start_member "$n" new; done
    wait_healthy ;;
  stop)
    for n in 1 2 3; do stop_member "$n"; done
    rm -rf "$dir"; say "cluster stopped, $dir removed" ;;
  status)
    for n in 1 2 3; do if alive "$n"; then say "m$n up (pid $(pid_of "$n"))"; else say "m$n down"; fi; done
    etcdctl --endpoints="$endpoints" --dial-timeout=1s endpoint health || true ;;
  stop-member) stop_member "${2:?member 1..3}" ;;
  start-member) start_member "${2:?member 1..3}" existing ;;
  *) echo "usage: $0 start|stop|status|stop-member N|start-member N" >&2; exit 2 ;;
esac
