#!/usr/bin/env bash
# Makes sure Debian's chromium is at /usr/bin/chromium for the gateway dashboard's browser test
# (driven by playwright-core, which ships no browser). Idempotent: installs with apt-get (update
# first) only when missing. Env: CHROMIUM_PATH (/usr/bin/chromium).
set -euo pipefail

path="${CHROMIUM_PATH:-/usr/bin/chromium}"
say() { echo "[chromium.sh] $*"; }

if [ -x "$path" ]; then
  say "chromium already installed ($("$path" --version 2>/dev/null | head -n 1))"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
say "installing chromium with apt-get"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
[ -x "$path" ] || { say "chromium is still missing at $path after apt-get install" >&2; exit 1; }
say "installed $("$path" --version 2>/dev/null | head -n 1)"
