#!/usr/bin/env bash
# Makes sure a single-member etcd answers on 127.0.0.1:2379 (peer 127.0.0.1:2380) for the tests.
# Idempotent: installs Debian's etcd-server + etcd-client only when missing (apt-get update first),
# starts etcd in the background with its data in a temp dir only when nothing answers, waits until healthy.
# Env: ETCD_CLIENT_PORT (2379), ETCD_PEER_PORT (2380), ETCD_WAIT_SECONDS (30).
set -euo pipefail

client_port="${ETCD_CLIENT_PORT:-2379}"
peer_port="${ETCD_PEER_PORT:-2380}"
wait_seconds="${ETCD_WAIT_SECONDS:-30}"
endpoint="http://127.0.0.1:${client_port}"
export ETCDCTL_API=3

say() { echo "[etcd.sh] $*"; }

healthy() {
  command -v etcdctl >/dev/null 2>&1 &&
    etcdctl --endpoints="$endpoint" --dial-timeout=1s --command-timeout=2s endpoint health >/dev/null 2>&1
}

if ! command -v etcd >/dev/null 2>&1 || ! command -v etcdctl >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  say "installing etcd-server and etcd-client with apt-get"
  $sudo apt-get update -qq
  # policy-rc.d in containers (and no systemd) stops the package's own service from starting: we start ours.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq etcd-server etcd-client >/dev/null
  say "installed $(etcd --version | head -n 1)"
else
  say "etcd already installed ($(etcd --version | head -n 1))"
fi

if healthy; then
  say "etcd already healthy at $endpoint; nothing started"
  exit 0
fi

if (exec 3<>"/dev/tcp/127.0.0.1/${client_port}") 2>/dev/null; then
  say "something listens on 127.0.0.1:${client_port} but is not a healthy etcd; waiting for it"
else
  data_dir="$(mktemp -d /tmp/tsmicro-etcd.XXXXXX)"
  log="${data_dir}/etcd.log"
  # setsid + nohup: etcd outlives this script (CI runs the tests after it returns).
  # Debian's etcd runs fine as root; no systemd unit is used, so the same command works in containers.
  setsid nohup etcd \
    --name tsmicro \
    --data-dir "${data_dir}/data" \
    --listen-client-urls "$endpoint" \
    --advertise-client-urls "$endpoint" \
    --listen-peer-urls "http://127.0.0.1:${peer_port}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${peer_port}" \
    --initial-cluster "tsmicro=http://127.0.0.1:${peer_port}" \
    --initial-cluster-state new \
    --log-level warn \
    >"$log" 2>&1 </dev/null &
  echo $! >"${data_dir}/etcd.pid"
  say "started etcd (pid $!) at $endpoint, data in ${data_dir}, log ${log}"
fi

for _ in $(seq 1 $((wait_seconds * 4))); do
  if healthy; then
    say "etcd healthy at $endpoint"
    exit 0
  fi
  sleep 0.25
done
say "etcd did not become healthy at $endpoint within ${wait_seconds}s"
[ -n "${log:-}" ] && tail -n 20 "$log" >&2
exit 1
