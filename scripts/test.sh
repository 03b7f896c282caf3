#!/usr/bin/env bash
# Runs every test: build, vitest (unit, contract, real-server and multi-process tests), lint,
# typecheck, then the pack check (scripts/pack-check.sh: the packages as a user installs them). Starts
# the servers tests need that the project installs itself (etcd), installs chromium for the gateway
# dashboard's browser test and Node 22 (from the npm registry) for the zstd tests; NATS and Redis are
# expected on 127.0.0.1:4222 / :6379. Under CI a missing server fails the run; by hand its tests are
# skipped with a message. Exits non-zero when any step fails, after running them all.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/services/etcd.sh ]; then
  if ! bash scripts/services/etcd.sh; then
    if [ -n "${CI:-}" ]; then echo "etcd could not be started; CI needs it" >&2; exit 1; fi
    echo "[tsmicro tests] etcd could not be started here; etcd tests will be skipped" >&2
  fi
fi
if [ -x scripts/services/chromium.sh ]; then
  if ! bash scripts/services/chromium.sh; then
    if [ -n "${CI:-}" ]; then echo "chromium could not be installed; CI needs it for the dashboard test" >&2; exit 1; fi
    echo "[tsmicro tests] chromium could not be installed here; the dashboard browser test will be skipped" >&2
  fi
fi
if [ -x scripts/services/node22.sh ]; then
  if node22="$(bash scripts/services/node22.sh | tail -n 1)" && [ -x "$node22" ]; then
    export TSMICRO_NODE22="$node22"
  else
    if [ -n "${CI:-}" ]; then echo "Node 22 (for the zstd tests) could not be installed; CI needs it" >&2; exit 1; fi
    echo "[tsmicro tests] Node 22 could not be installed here; the zstd tests will be skipped" >&2
  fi
fi
pnpm -s build || { echo "[tsmicro tests] build failed" >&2; exit 1; }
status=0
pnpm -s exec vitest run "$@" || status=1
pnpm -s lint || { echo "[tsmicro tests] lint failed" >&2; status=1; }
pnpm -s typecheck || { echo "[tsmicro tests] typecheck failed" >&2; status=1; }
bash scripts/pack-check.sh || { echo "[tsmicro tests] pack check failed" >&2; status=1; }
exit $status
