#!/usr/bin/env bash
# The user's view of tsmicro, checked end to end: packs every packages/* package, inspects the
# tarballs (no tests or test servers inside, complete manifests, declared imports), installs them
# into a fresh app in a temp folder with npm (third-party packages from the registry, as for any
# user), typechecks that app strictly (skipLibCheck false) without the optional peers, checks that a
# feature whose peer is missing says what to install, runs the README quick start there as two
# processes (a service, and a separate client-only caller that finds it by name over mDNS), then
# installs the optional peers and typechecks every subpath. Exits non-zero at the first failing step.
# Env: PACK_CHECK_KEEP=1 keeps the temp folder; TSMICRO_MDNS_INTERFACE (default 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
here=$root/scripts/pack-check
work=$(mktemp -d "${TMPDIR:-/tmp}/tsmicro-pack-check.XXXXXX")
service_pid=''

step() { printf '[pack-check +%3ss] %s\n' "$SECONDS" "$*"; }
fail() {
  printf '[pack-check] FAILED: %s\n' "$*" >&2
  exit 1
}
cleanup() {
  if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then kill -TERM "$service_pid" 2>/dev/null || true; fi
  if [ -n "${PACK_CHECK_KEEP:-}" ]; then echo "[pack-check] kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

step "build (stale outputs removed first, so nothing left over from an older tree is packed)"
rm -rf packages/*/dist
pnpm -s turbo run build --filter './packages/*' --output-logs=errors-only >/dev/null || fail "build"

step "pack"
mkdir -p "$work/tarballs"
# pnpm pack (not npm pack): it turns workspace:* into versions and applies publishConfig.exports.
node -e '
  const { readdirSync, readFileSync } = require("node:fs");
  for (const d of readdirSync("packages")) {
    try { if (!JSON.parse(readFileSync(`packages/${d}/package.json`, "utf8")).private) console.log(`packages/${d}`); } catch {}
  }' | xargs -P 4 -I{} sh -c 'cd "{}" && pnpm pack --pack-destination "$0" >/dev/null || { echo "pnpm pack failed in {}" >&2; exit 1; }' "$work/tarballs" ||
  fail "pnpm pack"
ls "$work/tarballs" | sed 's/^/  /'

step "inspect tarballs"
node "$here/inspect.mjs" "$work/tarballs" "$root" || fail "tarball contents"

step "fresh app in $work/app"
name="greeter-$(node -p "require('node:crypto').randomBytes(4).toString('hex')")"
mapfile -t peers < <(node "$here/app.mjs" "$work/app" "$work/tarballs" "$root" "$name") || fail "writing the app"
cp "$here/missing-peers.mjs" "$work/app/"
cd "$work/app"

step "npm install the tarballs (third-party packages from the registry)"
npm install --no-audit --no-fund --loglevel=error >npm-install.log 2>&1 || { cat npm-install.log >&2; fail "npm install"; }

step "typecheck strictly (skipLibCheck false) with no optional peer installed, and build"
npx tsc -p tsconfig.json || fail "typecheck without optional peers"

step "a feature whose optional peer is missing says what to install"
node missing-peers.mjs || fail "missing-peer messages"

step "README quick start: service '$name' and a separate client-only caller, over mDNS on loopback"
export TSMICRO_MDNS_INTERFACE=${TSMICRO_MDNS_INTERFACE:-127.0.0.1}
node dist/greeter.js >greeter.log 2>&1 &
service_pid=$!
for _ in $(seq 1 100); do
  if grep -q 'listening on' greeter.log; then break; fi
  kill -0 "$service_pid" 2>/dev/null || { cat greeter.log >&2; fail "the service exited before listening"; }
  sleep 0.2
done
grep -q 'listening on' greeter.log || { cat greeter.log >&2; fail "the service did not start within 20 s"; }
# The caller must find the service by name, call it and exit by itself (nothing left open).
timeout 60 node dist/caller.js >caller.out 2>caller.err || { cat caller.out caller.err >&2; fail "the caller failed or did not exit"; }
expected=$'{ msg: \'Hello Ada\' }\n1\n2\n3'
[ "$(cat caller.out)" = "$expected" ] || { printf 'expected:\n%s\ngot:\n' "$expected" >&2; cat caller.out caller.err >&2; fail "caller output"; }
sed 's/^/  caller: /' caller.out
# The installed tsmicro command finds the same service by name and calls it.
timeout 60 npx --no-install tsmicro call "$name" Greeter.hello '{"name":"Ada"}' --json >cli.out 2>cli.err || { cat cli.out cli.err >&2; fail "the tsmicro command failed"; }
grep -q '"Hello Ada"' cli.out || { cat cli.out cli.err >&2; fail "tsmicro call output"; }
echo "  tsmicro call $name Greeter.hello -> $(tr -d '\n ' <cli.out)"
kill -TERM "$service_pid"
status=0
wait "$service_pid" || status=$?
service_pid=''
[ "$status" = 0 ] || { cat greeter.log >&2; fail "the service did not stop cleanly on SIGTERM (exit $status)"; }
echo "  service stopped on SIGTERM, exit 0"

step "install the optional peers: ${peers[*]}"
npm install --no-audit --no-fund --loglevel=error "${peers[@]}" >>npm-install.log 2>&1 || { cat npm-install.log >&2; fail "npm install peers"; }

step "typecheck every subpath and every marked doc example strictly with the peers installed"
# Errors inside a third-party package's own declarations (nats 2.x under exactOptionalPropertyTypes,
# for one) are that package's, and a user meets them with or without tsmicro: they are counted and
# shown, not failed on. Any error in tsmicro's declarations or in the app's files fails.
npx tsc -p tsconfig.peers.json >tsc-peers.log 2>&1 || true
ours=$(grep -E '^[^ ].*\([0-9]+,[0-9]+\): error' tsc-peers.log | grep -Ev '^node_modules/' ; grep -E '^node_modules/@tsmicro/.*\([0-9]+,[0-9]+\): error' tsc-peers.log || true)
theirs=$(grep -E '^node_modules/.*\([0-9]+,[0-9]+\): error' tsc-peers.log | grep -Ev '^node_modules/@tsmicro/' | sed -E 's#^node_modules/((@[^/]+/)?[^/]+)/.*#\1#' | sort | uniq -c | tr '\n' ' ' || true)
[ -z "$theirs" ] || echo "  not ours (errors in third-party declarations, by package): $theirs"
[ -z "$ours" ] || { cat tsc-peers.log >&2; fail "typecheck with optional peers"; }

step "ok: every package installs into a fresh app, typechecks strictly and runs the quick start"
