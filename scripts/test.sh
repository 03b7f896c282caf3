#!/usr/bin/env bash
# Runs every test: lint, typecheck, build, then vitest (unit, contract, real-server and multi-process tests).
# Starts the servers tests need that the project installs itself (etcd); NATS and Redis are expected
# on 127.0.0.1:4222 / :6379. Under CI a missing server fails the run; by hand its tests are skipped with a message.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/services/etcd.sh ]; then
  if ! bash scripts/services/etcd.sh; then
    if [ -n "${CI:-}" ]; then echo "etcd could not be started; CI needs it" >&2; exit 1; fi
    echo "[tsmicro tests] etcd could not be started here; etcd tests will be skipped" >&2
  fi
fi
set -e
pnpm -s lint
pnpm -s typecheck
pnpm -s build
exec pnpm -s exec vitest run "$@"
