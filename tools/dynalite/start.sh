#!/usr/bin/env bash
# Starts dynalite (a DynamoDB-compatible server, Apache-2.0) on 127.0.0.1 for local runs of the
# DynamoDB store: tools/dynalite/start.sh [PORT] [DATA_DIR]. Without DATA_DIR data lives in memory.
# Stop it with Ctrl-C (or kill the PID it prints).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port="${1:-8000}"
if ! command -v node >/dev/null; then
  echo "dynalite needs Node.js 18 or newer (e.g. apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -f "$here/node_modules/dynalite/cli.js" ]; then
  npm ci --prefix "$here" --no-audit --no-fund >&2
fi
args=(--host 127.0.0.1 --port "$port" --createTableMs 0 --deleteTableMs 0 --updateTableMs 0)
if [ -n "${2:-}" ]; then
  mkdir -p "$2"
  args+=(--path "$2")
fi
echo "dynalite on http://127.0.0.1:$port (pid $$)" >&2
exec node "$here/node_modules/dynalite/cli.js" "${args[@]}"
