#!/usr/bin/env bash
# Installs what is missing, builds every package, then starts the gateway (which serves the
# dashboard) and prints the URL to open. The local worker daemon arrives with the compute plane.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/ensure-installed.sh
source scripts/lib/ensure-installed.sh

export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1 NEXT_TELEMETRY_DISABLED=1

ensure_node
ensure_npm_deps
npm run build
exec npm run start -w @cyxwiz/gateway
